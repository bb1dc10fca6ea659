// ShipOptions parsers: see ship_options.h.
#include "kafka/ship_options.h"

#include <cctype>

namespace logan {

std::optional<uint64_t> parse_byte_size(std::string_view text) {
  size_t i = 0;
  uint64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (value > (uint64_t{1} << 50)) return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(text[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::string unit(text.substr(i));
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int shift;
  if (unit.empty() || unit == "b") shift = 0;
  else if (unit == "k" || unit == "kb" || unit == "kib") shift = 10;
  else if (unit == "m" || unit == "mb" || unit == "mib") shift = 20;
  else if (unit == "g" || unit == "gb" || unit == "gib") shift = 30;
  else return std::nullopt;
  if (value > (uint64_t{1} << (50 - shift))) return std::nullopt;
  return value << shift;
}

Result<std::pair<std::string, std::string>> parse_property(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Error{"bad -X '" + std::string(text) + "': expected a librdkafka property as NAME=VALUE"};
  }
  return std::pair<std::string, std::string>(text.substr(0, eq), text.substr(eq + 1));
}

}  // namespace logan
