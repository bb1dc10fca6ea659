// Durations as operators write them on the command line: "30s", "500ms", "5m", "2h", "1d", or a
// bare number of seconds ("1.5" included).
// Thread-safety: a pure function.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logan {

// Milliseconds, or nullopt for text that is not a non-negative duration.
inline std::optional<int64_t> parse_duration_ms(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  std::string number(text.substr(0, i));
  std::string_view unit = text.substr(i);
  if (number.empty() || number == "." || number.find('.') != number.rfind('.') || number.size() > 15) {
    return std::nullopt;
  }
  double value = std::stod(number);
  double scale;
  if (unit.empty() || unit == "s") scale = 1000;
  else if (unit == "ms") scale = 1;
  else if (unit == "m" || unit == "min") scale = 60e3;
  else if (unit == "h") scale = 3600e3;
  else if (unit == "d") scale = 86400e3;
  else return std::nullopt;
  double ms = value * scale;
  if (!(ms < 9e15)) return std::nullopt;
  return static_cast<int64_t>(std::llround(ms));
}

}  // namespace logan
