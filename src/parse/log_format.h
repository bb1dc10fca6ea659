// LogFormat: an Apache mod_log_config LogFormat string or an nginx log_format string, compiled
// once into a sequence of literals and fields that LogParser walks for every line.
//
// compile() accepts the nicknames common, combined, vhost_combined, referer, agent (Apache's),
// combined_duration and vhost_combined_duration (logan's: the same with %D at the end)
// and nginx / nginx_combined (nginx's predefined "combined"); otherwise a string is an Apache
// format when it holds a %-directive and an nginx format when it holds $variables.
// Thread-safety: immutable after compile(); share it freely between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace logan {

enum class FieldKind {
  kClient,          // %h, $remote_addr
  kRemoteIp,        // %a
  kIdent,           // %l
  kUser,            // %u, $remote_user
  kTimeBracketed,   // %t: "[dd/Mon/yyyy:HH:MM:SS +hhmm]", brackets included
  kTimeClf,         // $time_local: the same without brackets
  kTimeIso8601,     // $time_iso8601
  kTimeEpoch,       // %{sec}t, %{msec}t, %{usec}t, $msec (scale in FormatField::scale)
  kRequest,         // %r, $request
  kMethod,          // %m, $request_method
  kPath,            // %U, $uri
  kQuery,           // %q ("?a=b" or empty), $args / $query_string (without the "?")
  kTarget,          // $request_uri: path and query
  kProtocol,        // %H, $server_protocol
  kStatus,          // %s, %>s, $status
  kSizeClf,         // %b, $body_bytes_sent: digits, or "-" for zero
  kBytes,           // %B
  kBytesSent,       // %O, $bytes_sent
  kBytesReceived,   // %I, $request_length
  kDurationMicros,  // %D, %{us}T
  kDurationMillis,  // %{ms}T
  kDurationSeconds, // %T, %{s}T: whole seconds
  kDurationDecimal, // $request_time: seconds with a fraction ("0.123")
  kVhost,           // %v, %V, $host, $server_name
  kPort,            // %p, $server_port
  kReferer,         // %{Referer}i, $http_referer
  kUserAgent,       // %{User-agent}i, $http_user_agent
  kHeader,          // any other %{X}i, %{X}o, $http_x, $sent_http_x
  kOther,           // any other directive or variable: matched, not interpreted
};

struct FormatField {
  FieldKind kind = FieldKind::kOther;
  std::string spec;  // as written, e.g. "%>s" or "$status", for messages
  bool quoted = false;  // between '"' literals: ends at the first unescaped quote
  int64_t scale = 1;    // kTimeEpoch: units per second (1, 1000, 1000000)
  // kHeader: the header's name as nginx names its variable ("http_x_forwarded_for" for
  // %{X-Forwarded-For}i, "sent_http_content_type" for %{Content-Type}o), and where the parser
  // keeps its value (LogRecord::headers), or -1 past LogRecord::kMaxHeaders.
  std::string header;
  int header_slot = -1;
};

class LogFormat {
 public:
  // Compiles a nickname or a format string. Fails, naming the problem, for an empty string,
  // a string with no fields, or a malformed directive (e.g. an unclosed "%{").
  static Result<LogFormat> compile(std::string_view spec);

  // The nickname or string this format was compiled from.
  const std::string& spec() const { return spec_; }
  // literals()[i] precedes fields()[i]; literals().back() follows the last field.
  const std::vector<std::string>& literals() const { return literals_; }
  const std::vector<FormatField>& fields() const { return fields_; }
  bool has(FieldKind kind) const;
  // The headers the parser keeps, by slot of LogRecord::headers.
  const std::vector<std::string>& header_names() const { return header_names_; }

 private:
  std::string spec_;
  std::vector<std::string> literals_;
  std::vector<FormatField> fields_;
  std::vector<std::string> header_names_;
};

// The format string behind a nickname, or an empty view when `name` is not one.
std::string_view format_for_nickname(std::string_view name);

}  // namespace logan
