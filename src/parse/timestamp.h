// Timestamps as web servers log them, converted to seconds since the epoch (UTC), and back
// to ISO 8601 for reports.
// Thread-safety: the free functions are pure. ClfTimeParser caches the last day it parsed and
// must be used by one thread at a time.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace logan {

// The times logan accepts: UTC years 1 to 9999, what every sink can store (SQLite text,
// PostgreSQL timestamptz, ISO 8601 file names). A line logged outside them is invalid.
inline constexpr int64_t kMinLogTime = -62135596800;  // 0001-01-01T00:00:00Z
inline constexpr int64_t kMaxLogTime = 253402300799;  // 9999-12-31T23:59:59Z
inline constexpr bool log_time_in_range(int64_t t) { return t >= kMinLogTime && t <= kMaxLogTime; }

// Days since 1970-01-01 for a proleptic Gregorian date. REQUIRES: 1 <= month <= 12.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

// "2024-03-07T13:55:36Z" for seconds since the epoch.
std::string format_utc_iso8601(int64_t epoch_seconds);
// The same for milliseconds since the epoch, with ".sss" only when they are not whole seconds.
std::string format_utc_iso8601_ms(int64_t epoch_ms);

// Parses "2024-03-07T13:55:36+01:00" (also "Z", "+0100", fractional seconds ignored); nullopt
// also for a time outside log_time_in_range().
std::optional<int64_t> parse_iso8601(std::string_view text);

// Parses Apache/nginx local time "07/Mar/2024:13:55:36 -0700" to UTC seconds (nullopt outside
// log_time_in_range()). Consecutive log
// lines share a second, or at least a day: the last text and its day's start are cached, so
// most lines cost a compare or a few digit conversions.
class ClfTimeParser {
 public:
  // Inline for the common case, a text equal to the last one; parse_new() does the rest.
  std::optional<int64_t> parse(std::string_view s) {
    // dd/Mon/yyyy:HH:MM:SS +hhmm
    if (s.size() != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' ||
        s[17] != ':' || s[20] != ' ' || (s[21] != '+' && s[21] != '-')) {
      return std::nullopt;
    }
    // Lines come many to a second: the whole text, as four overlapping 8-byte words, is
    // compared with the last one parsed first.
    uint64_t whole[4];
    std::memcpy(&whole[0], s.data(), 8);
    std::memcpy(&whole[1], s.data() + 8, 8);
    std::memcpy(&whole[2], s.data() + 16, 8);
    std::memcpy(&whole[3], s.data() + 18, 8);
    if (has_last_ && whole[0] == last_text_[0] && whole[1] == last_text_[1] &&
        whole[2] == last_text_[2] && whole[3] == last_text_[3]) {
      return last_time_;
    }
    return parse_new(s, whole);
  }

 private:
  // REQUIRES: the shape checked by parse(); `whole` is the text's four words.
  std::optional<int64_t> parse_new(std::string_view s, const uint64_t (&whole)[4]);

  uint64_t cached_head_ = 0;  // bytes 0..7 of the cached day "07/Mar/2024"
  uint64_t cached_tail_ = 0;  // bytes 3..10 of it
  int64_t cached_days_ = 0;
  bool has_cache_ = false;
  uint64_t last_text_[4] = {};  // the last text parsed, as parse() reads it
  int64_t last_time_ = 0;
  bool has_last_ = false;
};

}  // namespace logan
