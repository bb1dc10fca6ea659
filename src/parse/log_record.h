// LogRecord: the fields of one parsed access-log line, as views into the caller's buffer.
// Nothing is copied or allocated per line: a record is valid only while the line it was parsed
// from is. Fields a format does not have stay empty (views) or at their "absent" value.
// Thread-safety: a plain value; one per parsing thread.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace logan {

struct LogRecord {
  static constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();
  static constexpr int kMaxHeaders = 8;

  std::string_view client;      // %h (or %a), nginx $remote_addr: IPv4, IPv6 or host name
  std::string_view user;        // %u, $remote_user
  std::string_view request;     // %r, $request: the whole request line as logged
  std::string_view method;      // empty when the request has no well-formed method
  std::string_view endpoint;    // request target as logged (path and query); see has_endpoint
  std::string_view protocol;    // e.g. HTTP/1.1; empty for HTTP/0.9 and junk
  std::string_view referer;     // %{Referer}i, $http_referer
  std::string_view user_agent;  // %{User-agent}i, $http_user_agent
  std::string_view vhost;       // %v, %V, $host, $server_name
  int status = -1;              // 100..999, or -1 when the format has no status
  int64_t size = -1;            // response size in bytes, or -1 when the format has none
  int64_t time = kNoTime;       // seconds since the epoch, UTC
  int64_t duration_us = -1;     // %D, %T, $request_time in microseconds, or -1
  bool has_endpoint = false;    // false for "-", junk requests and formats without one
  // Other headers the format logs (%{X}i, %{X}o, $http_x, $sent_http_x), by the slots of
  // LogFormat::header_names(); only the slots the format has are set (always, on a match).
  std::string_view headers[kMaxHeaders];

  bool has_time() const { return time != kNoTime; }
};

// How a record's fields read as data (`logan export`'s records, `logan query`'s columns):
// a text field that is empty or logged as "-" has no value.
inline bool is_absent_text(std::string_view s) { return s.empty() || (s.size() == 1 && s[0] == '-'); }
// The request target's path (before '?') and query (after it; empty when there is no '?').
inline std::string_view path_of(const LogRecord& r) {
  return r.has_endpoint ? r.endpoint.substr(0, r.endpoint.find('?')) : std::string_view();
}
inline std::string_view query_of(const LogRecord& r) {
  if (!r.has_endpoint) return {};
  const size_t q = r.endpoint.find('?');
  return q == std::string_view::npos ? std::string_view() : r.endpoint.substr(q + 1);
}

}  // namespace logan
