// The line matcher; see log_parser.h.
#include "parse/log_parser.h"

#include <algorithm>
#include <cstring>

#include "parse/byte_scan.h"
#include "parse/request_line.h"

namespace logan {
namespace {

// Parses decimal digits into `out`; false when empty, not all digits, or too long to be sane.
bool parse_uint(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    unsigned d = static_cast<unsigned char>(c) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

// "-" means the server logged no value; numeric fields accept it as absent.
bool is_dash(std::string_view s) { return s.size() == 1 && s[0] == '-'; }

// Seconds with an optional fraction ("0.123", "1709769600.123") scaled to `units` per second.
bool parse_decimal(std::string_view s, int64_t units, int64_t& out) {
  size_t dot = s.find('.');
  int64_t whole;
  if (!parse_uint(s.substr(0, dot), whole)) return false;
  int64_t frac = 0;
  if (dot != std::string_view::npos) {
    std::string_view f = s.substr(dot + 1);
    int64_t scale = units;
    for (char c : f) {
      unsigned d = static_cast<unsigned char>(c) - '0';
      if (d > 9) return false;
      scale /= 10;
      frac += d * scale;
    }
  }
  out = whole * units + frac;
  return true;
}

using parse_detail::literal_at;
using parse_detail::Literal;

// find_byte(), or with `kRunsOn` the first `c` before any '\n' (npos when a '\n' comes first).
template <bool kRunsOn>
[[gnu::always_inline]] inline size_t find_in_line(std::string_view text, size_t pos, char c) {
  if constexpr (kRunsOn) {
    return find_byte_before(text, pos, c, '\n');
  } else {
    return find_byte(text, pos, c);
  }
}

// Finds the closing quote of a quoted field: the first '"' not escaped by a backslash that is
// followed by the rest of the next literal. Returns npos when there is none.
template <bool kRunsOn = false>
[[gnu::always_inline]] inline size_t find_closing_quote(std::string_view line, size_t pos,
                                                     const Literal& after) {
  const char* base = line.data();
  size_t end = line.size();
  while (pos < end) {
    size_t at = find_in_line<kRunsOn>(line, pos, '"');
    if (at == std::string_view::npos) return at;
    size_t backslashes = 0;
    while (at - backslashes > pos && base[at - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0 && literal_at(line, at, after)) return at;
    pos = at + 1;
  }
  return std::string_view::npos;
}


}  // namespace

LogParser::LogParser(const LogFormat& format, bool specialize)
    : format_(format),
      size_from_bytes_sent_(!format.has(FieldKind::kSizeClf) && !format.has(FieldKind::kBytes)),
      client_from_remote_ip_(!format.has(FieldKind::kClient)) {
  const auto& literals = format_.literals();
  const auto& fields = format_.fields();
  const size_t n = fields.size();
  steps_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Step step{Literal(literals[i]), Literal(literals[i + 1]), &fields[i], Ends::kStopByte, '\0'};
    if (fields[i].kind == FieldKind::kTimeBracketed) {
      step.ends = Ends::kBracketedTime;
    } else if (fields[i].quoted) {
      step.ends = Ends::kQuote;
    } else if (step.next.size() == 0) {
      // A field followed directly by another (e.g. %U%q) ends where its own syntax does.
      step.ends = i + 1 == n                            ? Ends::kLineEnd
                  : fields[i].kind == FieldKind::kPath ? Ends::kPathEnd
                                                        : Ends::kSpace;
    } else {
      step.stop = step.next.text[0];
    }
    steps_.push_back(step);
  }
  tail_ = Literal(literals[n]);
  if (!specialize) return;

  using K = FieldKind;
  constexpr Shape kHost{K::kClient, Ends::kStopByte};
  constexpr Shape kIdent{K::kIdent, Ends::kStopByte};
  constexpr Shape kUser{K::kUser, Ends::kStopByte};
  constexpr Shape kTime{K::kTimeBracketed, Ends::kBracketedTime};
  constexpr Shape kRequest{K::kRequest, Ends::kQuote};
  constexpr Shape kStatus{K::kStatus, Ends::kStopByte};
  constexpr Shape kSize{K::kSizeClf, Ends::kStopByte};
  constexpr Shape kReferer{K::kReferer, Ends::kQuote};
  constexpr Shape kAgent{K::kUserAgent, Ends::kQuote};
  use_fixed_if<kHost, kIdent, kUser, kTime, kRequest, kStatus, kSize, kReferer, kAgent>();
  // combined and vhost_combined with the time taken (%D) last, as `logan gen` writes them.
  constexpr Shape kDurationLast{K::kDurationMicros, Ends::kLineEnd};
  use_fixed_if<kHost, kIdent, kUser, kTime, kRequest, kStatus, kSize, kReferer, kAgent, kDurationLast>();
  use_fixed_if<Shape{K::kVhost, Ends::kStopByte}, Shape{K::kPort, Ends::kStopByte}, kHost, kIdent,
               kUser, kTime, kRequest, kStatus, Shape{K::kBytesSent, Ends::kStopByte}, kReferer,
               kAgent, kDurationLast>();
  use_fixed_if<kHost, kIdent, kUser, kTime, kRequest, kStatus, Shape{K::kSizeClf, Ends::kLineEnd}>();
  use_fixed_if<Shape{K::kVhost, Ends::kStopByte}, Shape{K::kPort, Ends::kStopByte}, kHost, kIdent,
               kUser, kTime, kRequest, kStatus, Shape{K::kBytesSent, Ends::kStopByte}, kReferer,
               kAgent>();
  // nginx's combined: "$remote_addr - $remote_user [$time_local] ...", its size
  // $body_bytes_sent (kBytes, where Apache's %b is kSizeClf).
  use_fixed_if<kHost, kUser, Shape{K::kTimeClf, Ends::kStopByte}, kRequest, kStatus,
               Shape{K::kBytes, Ends::kStopByte}, kReferer, kAgent>();
}

template <LogParser::Ends E, bool kRunsOn>
inline size_t LogParser::field_end(const Step& step, std::string_view line, size_t pos) {
  size_t end;
  static_assert(!kRunsOn || E == Ends::kBracketedTime || E == Ends::kQuote || E == Ends::kStopByte ||
                E == Ends::kLineEnd);
  if constexpr (E == Ends::kBracketedTime) {
    if (pos >= line.size() || line[pos] != '[') return std::string_view::npos;
    // "[dd/Mon/yyyy:HH:MM:SS +hhmm]" is 28 bytes: look there before scanning. (With kRunsOn
    // the bytes between may be a '\n' only until the time parser, which checks each, reads them.)
    constexpr size_t kClfBracketed = 28;
    if (pos + kClfBracketed <= line.size() && line[pos + kClfBracketed - 1] == ']') {
      return pos + kClfBracketed;
    }
    end = find_in_line<kRunsOn>(line, pos, ']');
    return end == std::string_view::npos ? end : end + 1;
  } else if constexpr (E == Ends::kQuote) {
    return find_closing_quote<kRunsOn>(line, pos, step.next);
  } else if constexpr (E == Ends::kStopByte) {
    return find_in_line<kRunsOn>(line, pos, step.stop);
  } else if constexpr (E == Ends::kLineEnd) {
    if constexpr (kRunsOn) {
      // To the line's '\n' (or the text's end), less trailing blanks and '\r's: the value
      // parse() finds once it has cut the line there and dropped its final '\r'.
      end = find_byte(line, pos, '\n');
      if (end == std::string_view::npos) end = line.size();
      while (end > pos && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r')) --end;
      return end;
    }
    end = line.find_last_not_of(" \t");
    return end == std::string_view::npos || end < pos ? pos : end + 1;
  } else if constexpr (E == Ends::kPathEnd) {
    end = line.find_first_of("? ", pos);
    return end == std::string_view::npos ? line.size() : end;
  } else {
    end = find_byte(line, pos, ' ');
    return end == std::string_view::npos ? line.size() : end;
  }
}

template <FieldKind K>
inline bool LogParser::store_as(const FormatField& field, std::string_view v, LogRecord& r) {
  int64_t n;
  switch (K) {
    case FieldKind::kClient:
      if (v.empty()) return false;
      r.client = v;
      return true;
    case FieldKind::kRemoteIp:
      if (client_from_remote_ip_) {
        if (v.empty()) return false;
        r.client = v;
      }
      return true;
    case FieldKind::kUser:
      r.user = v;
      return true;
    case FieldKind::kTimeBracketed:
      v = v.substr(1, v.size() - 2);
      [[fallthrough]];
    case FieldKind::kTimeClf: {
      auto t = clf_time_.parse(v);
      if (!t) return false;
      r.time = *t;
      return true;
    }
    case FieldKind::kTimeIso8601: {
      auto t = parse_iso8601(v);
      if (!t) return false;
      r.time = *t;
      return true;
    }
    case FieldKind::kTimeEpoch:
      // Apache's %{msec}t is whole milliseconds; nginx's $msec is seconds with a fraction.
      if (v.find('.') != std::string_view::npos) {
        if (!parse_decimal(v, 1, n)) return false;
        r.time = n;
      } else {
        if (!parse_uint(v, n)) return false;
        r.time = n / field.scale;
      }
      return log_time_in_range(r.time);
    case FieldKind::kRequest: {
      r.request = v;
      RequestLine req = split_request_line(v);
      r.method = req.method;
      r.protocol = req.protocol;
      r.endpoint = req.target;
      r.has_endpoint = req.well_formed;
      return true;
    }
    case FieldKind::kMethod:
      if (r.method.empty()) r.method = v;
      return true;
    case FieldKind::kPath:
      if (r.request.empty()) r.endpoint = v;
      return true;
    case FieldKind::kQuery:
      // Extend the endpoint over the query when it directly follows the path (%U%q).
      if (r.request.empty() && !r.endpoint.empty() && !v.empty() &&
          r.endpoint.data() + r.endpoint.size() == v.data()) {
        r.endpoint = std::string_view(r.endpoint.data(), r.endpoint.size() + v.size());
      }
      return true;
    case FieldKind::kTarget:
      if (r.request.empty()) r.endpoint = v;
      return true;
    case FieldKind::kProtocol:
      if (r.protocol.empty()) r.protocol = v;
      return true;
    case FieldKind::kStatus: {
      if (v.size() != 3) return false;
      unsigned a = static_cast<unsigned char>(v[0]) - '0';
      unsigned b = static_cast<unsigned char>(v[1]) - '0';
      unsigned c = static_cast<unsigned char>(v[2]) - '0';
      if (a > 9 || b > 9 || c > 9) return false;
      r.status = static_cast<int>(a * 100 + b * 10 + c);
      return true;
    }
    case FieldKind::kSizeClf:
    case FieldKind::kBytes:
      if (is_dash(v)) {
        r.size = 0;
        return true;
      }
      if (!parse_uint(v, n)) return false;
      r.size = n;
      return true;
    case FieldKind::kBytesSent:
      if (is_dash(v)) n = 0;
      else if (!parse_uint(v, n)) return false;
      if (size_from_bytes_sent_) r.size = n;
      return true;
    case FieldKind::kBytesReceived:
      return is_dash(v) || parse_uint(v, n);
    case FieldKind::kDurationMicros:
      if (is_dash(v)) return true;
      if (!parse_uint(v, n)) return false;
      r.duration_us = n;
      return true;
    case FieldKind::kDurationMillis:
      if (is_dash(v)) return true;
      if (!parse_uint(v, n)) return false;
      r.duration_us = n * 1000;
      return true;
    case FieldKind::kDurationSeconds:
      if (is_dash(v)) return true;
      if (!parse_uint(v, n)) return false;
      r.duration_us = n * 1000000;
      return true;
    case FieldKind::kDurationDecimal:
      if (is_dash(v)) return true;
      if (!parse_decimal(v, 1000000, n)) return false;
      r.duration_us = n;
      return true;
    case FieldKind::kVhost:
      if (r.vhost.empty()) r.vhost = v;
      return true;
    case FieldKind::kPort:
      return is_dash(v) || parse_uint(v, n);
    case FieldKind::kReferer:
      r.referer = v;
      return true;
    case FieldKind::kUserAgent:
      r.user_agent = v;
      return true;
    case FieldKind::kHeader:
      if (field.header_slot >= 0) r.headers[field.header_slot] = v;
      return true;
    case FieldKind::kIdent:
    case FieldKind::kOther:
      return true;
  }
  return true;
}


inline bool LogParser::store(const FormatField& field, std::string_view v, LogRecord& r) {
  switch (field.kind) {
    case FieldKind::kClient: return store_as<FieldKind::kClient>(field, v, r);
    case FieldKind::kRemoteIp: return store_as<FieldKind::kRemoteIp>(field, v, r);
    case FieldKind::kIdent: return store_as<FieldKind::kIdent>(field, v, r);
    case FieldKind::kUser: return store_as<FieldKind::kUser>(field, v, r);
    case FieldKind::kTimeBracketed: return store_as<FieldKind::kTimeBracketed>(field, v, r);
    case FieldKind::kTimeClf: return store_as<FieldKind::kTimeClf>(field, v, r);
    case FieldKind::kTimeIso8601: return store_as<FieldKind::kTimeIso8601>(field, v, r);
    case FieldKind::kTimeEpoch: return store_as<FieldKind::kTimeEpoch>(field, v, r);
    case FieldKind::kRequest: return store_as<FieldKind::kRequest>(field, v, r);
    case FieldKind::kMethod: return store_as<FieldKind::kMethod>(field, v, r);
    case FieldKind::kPath: return store_as<FieldKind::kPath>(field, v, r);
    case FieldKind::kQuery: return store_as<FieldKind::kQuery>(field, v, r);
    case FieldKind::kTarget: return store_as<FieldKind::kTarget>(field, v, r);
    case FieldKind::kProtocol: return store_as<FieldKind::kProtocol>(field, v, r);
    case FieldKind::kStatus: return store_as<FieldKind::kStatus>(field, v, r);
    case FieldKind::kSizeClf: return store_as<FieldKind::kSizeClf>(field, v, r);
    case FieldKind::kBytes: return store_as<FieldKind::kBytes>(field, v, r);
    case FieldKind::kBytesSent: return store_as<FieldKind::kBytesSent>(field, v, r);
    case FieldKind::kBytesReceived: return store_as<FieldKind::kBytesReceived>(field, v, r);
    case FieldKind::kDurationMicros: return store_as<FieldKind::kDurationMicros>(field, v, r);
    case FieldKind::kDurationMillis: return store_as<FieldKind::kDurationMillis>(field, v, r);
    case FieldKind::kDurationSeconds: return store_as<FieldKind::kDurationSeconds>(field, v, r);
    case FieldKind::kDurationDecimal: return store_as<FieldKind::kDurationDecimal>(field, v, r);
    case FieldKind::kVhost: return store_as<FieldKind::kVhost>(field, v, r);
    case FieldKind::kPort: return store_as<FieldKind::kPort>(field, v, r);
    case FieldKind::kReferer: return store_as<FieldKind::kReferer>(field, v, r);
    case FieldKind::kUserAgent: return store_as<FieldKind::kUserAgent>(field, v, r);
    case FieldKind::kHeader: return store_as<FieldKind::kHeader>(field, v, r);
    case FieldKind::kOther: return store_as<FieldKind::kOther>(field, v, r);
  }
  return true;
}

bool LogParser::parse(std::string_view line, LogRecord& record) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return false;
  reset(record);

  if (fixed_ != nullptr) return (this->*fixed_)(line, record);
  return parse_steps(line, record);
}

bool LogParser::parse_steps(std::string_view line, LogRecord& record) {
  size_t pos = 0;
  for (const Step& step : steps_) {
    if (!literal_at(line, pos, step.literal)) return false;
    pos += step.literal.size();
    size_t end = std::string_view::npos;
    switch (step.ends) {
      case Ends::kBracketedTime: end = field_end<Ends::kBracketedTime>(step, line, pos); break;
      case Ends::kQuote: end = field_end<Ends::kQuote>(step, line, pos); break;
      case Ends::kStopByte: end = field_end<Ends::kStopByte>(step, line, pos); break;
      case Ends::kLineEnd: end = field_end<Ends::kLineEnd>(step, line, pos); break;
      case Ends::kPathEnd: end = field_end<Ends::kPathEnd>(step, line, pos); break;
      case Ends::kSpace: end = field_end<Ends::kSpace>(step, line, pos); break;
    }
    if (end == std::string_view::npos) return false;
    // pos <= end <= line.size(): a view without substr()'s bounds check and its throw path.
    if (!store(*step.field, std::string_view(line.data() + pos, end - pos), record)) return false;
    pos = end;
  }
  return finish(line, pos, record);
}

template <LogParser::Shape S, bool kRunsOn>
inline bool LogParser::fixed_step(const Step& step, std::string_view line, size_t& pos,
                                  LogRecord& record) {
  if (!literal_at(line, pos, step.literal)) return false;
  pos += step.literal.size();
  const size_t end = field_end<S.ends, kRunsOn>(step, line, pos);
  if (end == std::string_view::npos) return false;
  // pos <= end <= line.size(): a view without substr()'s bounds check and its throw path.
  if (!store_as<S.kind>(*step.field, std::string_view(line.data() + pos, end - pos), record)) {
    return false;
  }
  pos = end;
  return true;
}

template <LogParser::Shape... S>
bool LogParser::parse_fixed(std::string_view line, LogRecord& record) {
  size_t pos = 0;
  const Step* step = steps_.data();
  // A fold over && runs the steps in order and stops at the first that fails.
  if (!(fixed_step<S>(*step++, line, pos, record) && ...)) return false;
  return finish(line, pos, record);
}

template <LogParser::Shape... S>
inline void LogParser::reset_unset(LogRecord& r) {
  // Which fields store_as() sets whenever a field of that kind matches. (Not %v and the like:
  // the first of them wins, so the vhost must start empty; not %O: it is the size only when
  // the format has no %b.)
  constexpr auto has = [](FieldKind k, FieldKind or_k) { return ((S.kind == k || S.kind == or_k) || ...); };
  if constexpr (!has(FieldKind::kClient, FieldKind::kClient)) r.client = {};
  if constexpr (!has(FieldKind::kUser, FieldKind::kUser)) r.user = {};
  if constexpr (!has(FieldKind::kRequest, FieldKind::kRequest)) {
    r.request = r.method = r.endpoint = r.protocol = {};
    r.has_endpoint = false;
  }
  if constexpr (!has(FieldKind::kReferer, FieldKind::kReferer)) r.referer = {};
  if constexpr (!has(FieldKind::kUserAgent, FieldKind::kUserAgent)) r.user_agent = {};
  if constexpr (!has(FieldKind::kStatus, FieldKind::kStatus)) r.status = -1;
  if constexpr (!has(FieldKind::kSizeClf, FieldKind::kBytes)) r.size = -1;
  if constexpr (!has(FieldKind::kTimeBracketed, FieldKind::kTimeClf)) r.time = LogRecord::kNoTime;
  r.vhost = {};
  r.duration_us = -1;
}

template <LogParser::Shape... S>
size_t LogParser::parse_fixed_line_at(std::string_view text, LogRecord& record) {
  reset_unset<S...>(record);
  // An empty line (a '\n' first) matches no format with a field: the literals and the field
  // scans below fail on it.
  size_t pos = 0;
  const Step* step = steps_.data();
  if (!(fixed_step<S, true>(*step++, text, pos, record) && ...)) return kNoMatch;
  return finish_line_at(text, pos, record);
}

template <LogParser::Shape... S>
void LogParser::use_fixed_if() {
  constexpr Shape kWant[] = {S...};
  if (fixed_ != nullptr || steps_.size() != sizeof...(S)) return;
  for (size_t i = 0; i < steps_.size(); ++i) {
    if (steps_[i].field->kind != kWant[i].kind || steps_[i].ends != kWant[i].ends) return;
  }
  fixed_ = &LogParser::parse_fixed<S...>;
  // The quick path needs field ends it can stop at a '\n', and literals that cannot hold the
  // end of a line (parse() drops a final '\r' before it matches the line).
  // (kLineEnd is only ever the last field's.)
  constexpr bool kEndsInLine = ((S.ends == Ends::kBracketedTime || S.ends == Ends::kQuote ||
                                 S.ends == Ends::kStopByte || S.ends == Ends::kLineEnd) && ...);
  if constexpr (kEndsInLine) {
    for (const auto& literal : format_.literals()) {
      if (literal.find_first_of("\r\n") != std::string::npos) return;
    }
    line_at_ = &LogParser::parse_fixed_line_at<S...>;
  }
}

size_t LogParser::finish_line_at(std::string_view text, size_t pos, LogRecord& record) {
  if (!literal_at(text, pos, tail_)) return kNoMatch;
  pos += tail_.size();
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  if (pos < text.size() && text[pos] == '\r') ++pos;
  if (pos < text.size() && text[pos] != '\n') return kNoMatch;
  if (!record.has_endpoint && !record.endpoint.empty()) record.has_endpoint = true;
  return pos;
}

bool LogParser::finish(std::string_view line, size_t pos, LogRecord& record) {
  if (!literal_at(line, pos, tail_)) return false;
  pos += tail_.size();
  for (; pos < line.size(); ++pos) {
    if (line[pos] != ' ' && line[pos] != '\t') return false;
  }
  // Without %r the endpoint comes from %U (and %q right after it).
  if (!record.has_endpoint && !record.endpoint.empty()) record.has_endpoint = true;
  return true;
}

}  // namespace logan
