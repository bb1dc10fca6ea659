// Timestamps as web servers log them, converted to seconds since the epoch (UTC), and back
// to ISO 8601 for reports.
// Thread-safety: the free functions are pure. ClfTimeParser caches the last day it parsed and
// must be used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logan {

// Days since 1970-01-01 for a proleptic Gregorian date. REQUIRES: 1 <= month <= 12.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

// "2024-03-07T13:55:36Z" for seconds since the epoch.
std::string format_utc_iso8601(int64_t epoch_seconds);
// The same for milliseconds since the epoch, with ".sss" only when they are not whole seconds.
std::string format_utc_iso8601_ms(int64_t epoch_ms);

// Parses "2024-03-07T13:55:36+01:00" (also "Z", "+0100", fractional seconds ignored).
std::optional<int64_t> parse_iso8601(std::string_view text);

// Parses Apache/nginx local time "07/Mar/2024:13:55:36 -0700" to UTC seconds. Consecutive log
// lines share a second, or at least a day: the last text and its day's start are cached, so
// most lines cost a compare or a few digit conversions.
class ClfTimeParser {
 public:
  std::optional<int64_t> parse(std::string_view text);

 private:
  uint64_t cached_head_ = 0;  // bytes 0..7 of the cached day "07/Mar/2024"
  uint64_t cached_tail_ = 0;  // bytes 3..10 of it
  int64_t cached_days_ = 0;
  bool has_cache_ = false;
  uint64_t last_text_[4] = {};  // the last text parsed, as parse() reads it
  int64_t last_time_ = 0;
  bool has_last_ = false;
};

}  // namespace logan
