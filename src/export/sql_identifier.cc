// Table name checking and quoting; see sql_identifier.h.
#include "export/sql_identifier.h"

namespace logan {
namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

Result<std::string> quote_part(std::string_view part) {
  if (part.empty() || part.size() > 63 || !is_letter(part[0])) return Error{""};
  std::string quoted = "\"";
  for (char c : part) {
    if (!is_letter(c) && !is_digit(c) && c != '$') return Error{""};
    quoted += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return quoted + "\"";
}

}  // namespace

Result<std::string> quote_table_name(std::string_view name) {
  const Error bad{"bad table name '" + std::string(name) +
                  "': use NAME or SCHEMA.NAME, each a letter or '_' followed by letters, "
                  "digits, '_' or '$' (at most 63)"};
  size_t dot = name.find('.');
  auto first = quote_part(name.substr(0, dot));
  if (!first) return bad;
  if (dot == std::string_view::npos) return first;
  auto second = quote_part(name.substr(dot + 1));
  if (!second) return bad;
  return *first + "." + *second;
}

}  // namespace logan
