// Timestamp parsing and formatting; see timestamp.h.
#include "parse/timestamp.h"

#include <cstdio>
#include <cstring>

namespace logan {
namespace {

[[gnu::always_inline]] inline bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + static_cast<int>(d);
  }
  out = v;
  return true;
}

int month_from_abbrev(const char* m) {
  static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  for (int i = 0; i < 12; ++i) {
    if (std::memcmp(kMonths + 3 * i, m, 3) == 0) return i + 1;
  }
  return 0;
}

bool valid_time_of_day(int h, int mi, int s) { return h <= 23 && mi <= 59 && s <= 60; }

int days_in_month(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  // Counts from 0000-03-01 so the leap day is the last of the (shifted) year.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string format_utc_iso8601(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  // Inverse of days_from_civil.
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

std::optional<int64_t> parse_iso8601(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 19 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) ||
      s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || !valid_time_of_day(h, mi, sec)) {
    return std::nullopt;
  }
  size_t pos = 19;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
  }
  int64_t offset = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    int sign = s[pos] == '-' ? -1 : 1;
    if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
    size_t mpos = pos + 3;
    if (mpos < s.size() && s[mpos] == ':') ++mpos;
    if (!digits(s, mpos, 2, om)) return std::nullopt;
    offset = sign * (oh * 3600 + om * 60);
    pos = mpos + 2;
  }
  if (pos != s.size()) return std::nullopt;
  int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  if (!log_time_in_range(t)) return std::nullopt;
  return t;
}

std::optional<int64_t> ClfTimeParser::parse_new(std::string_view s, const uint64_t (&whole)[4]) {
  int64_t days;
  // The day prefix "07/Mar/2024" compared as two overlapping 8-byte words.
  uint64_t head, tail;
  std::memcpy(&head, s.data(), 8);
  std::memcpy(&tail, s.data() + 3, 8);
  if (has_cache_ && head == cached_head_ && tail == cached_tail_) {
    days = cached_days_;
  } else {
    int d, y;
    int m = month_from_abbrev(s.data() + 3);
    if (!digits(s, 0, 2, d) || !digits(s, 7, 4, y) || m == 0 || d < 1 ||
        d > days_in_month(y, m)) {
      return std::nullopt;
    }
    days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    cached_head_ = head;
    cached_tail_ = tail;
    cached_days_ = days;
    has_cache_ = true;
  }
  int h, mi, sec, oh, om;
  if (!digits(s, 12, 2, h) || !digits(s, 15, 2, mi) || !digits(s, 18, 2, sec) ||
      !digits(s, 22, 2, oh) || !digits(s, 24, 2, om) || !valid_time_of_day(h, mi, sec) ||
      om > 59) {
    return std::nullopt;
  }
  int64_t offset = (s[21] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  int64_t t = days * 86400 + h * 3600 + mi * 60 + sec - offset;
  if (!log_time_in_range(t)) return std::nullopt;  // year 0000, or past 9999 in UTC
  last_time_ = t;
  std::memcpy(last_text_, whole, sizeof whole);
  has_last_ = true;
  return last_time_;
}

std::string format_utc_iso8601_ms(int64_t ms) {
  int64_t s = ms / 1000, rest = ms % 1000;
  if (rest < 0) {
    rest += 1000;
    --s;
  }
  std::string text = format_utc_iso8601(s);
  if (rest != 0 && !text.empty() && text.back() == 'Z') {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(rest));
    text.insert(text.size() - 1, frac);
  }
  return text;
}

}  // namespace logan
