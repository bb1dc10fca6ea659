// terminal_text(): see terminal_text.h.
#include "report/terminal_text.h"

#include "report/json_writer.h"

namespace logan {

std::string terminal_text(std::string_view text) {
  std::string valid;
  append_json_string_body(valid, text);
  // JSON leaves DEL and the C1 controls (U+0080..U+009F, e.g. U+009B, which some terminals
  // take as CSI) as they are: escape them too. Quotes and backslashes are shown as logged.
  std::string out;
  out.reserve(valid.size());
  for (size_t i = 0; i < valid.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(valid[i]);
    if (c == '\\' && i + 1 < valid.size() && (valid[i + 1] == '"' || valid[i + 1] == '\\')) {
      out += valid[++i];  // quotes and backslashes need no escaping on a terminal
    } else if (c == 0x7f) {
      out += "\\u007f";
    } else if (c == 0xc2 && i + 1 < valid.size() && static_cast<unsigned char>(valid[i + 1]) < 0xa0) {
      static constexpr char kHex[] = "0123456789abcdef";
      unsigned char cont = static_cast<unsigned char>(valid[i + 1]);
      out += "\\u00";
      out += kHex[cont >> 4];
      out += kHex[cont & 15];
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace logan
