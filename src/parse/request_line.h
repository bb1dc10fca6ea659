// Splits an HTTP request line as logged ("GET /a?b HTTP/1.1") into method, target and protocol,
// following docs/json-output.md: junk (TLS handshakes on port 80, "-") has no method and no
// target, and HTTP/0.9's "GET /" has no protocol.
// Thread-safety: pure function.
#pragma once

#include <string_view>

namespace logan {

struct RequestLine {
  std::string_view method;
  std::string_view target;
  std::string_view protocol;
  bool well_formed = false;  // method and target present
};

RequestLine split_request_line(std::string_view request);

}  // namespace logan
