// Splits an HTTP request line as logged ("GET /a?b HTTP/1.1") into method, target and protocol,
// following docs/json-output.md: junk (TLS handshakes on port 80, "-") has no method and no
// target, and HTTP/0.9's "GET /" has no protocol.
// Header-only: the parser calls it for every line with %r, and inlined it costs less.
// Thread-safety: pure function.
#pragma once

#include <string_view>

#include "parse/byte_scan.h"

namespace logan {

struct RequestLine {
  std::string_view method;
  std::string_view target;
  std::string_view protocol;
  bool well_formed = false;  // method and target present
};

namespace request_line_detail {

// The bytes a method may hold (letters, digits, '-', '_'), as a table: one load a byte.
struct MethodChars {
  bool ok[256] = {};
  constexpr MethodChars() {
    for (int c = 0; c < 256; ++c) {
      ok[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    }
  }
};
inline constexpr MethodChars kMethodChars{};

inline bool is_method_char(char c) { return kMethodChars.ok[static_cast<unsigned char>(c)]; }

// s[from, from + n) without substr()'s bounds check and throw path. REQUIRES: from + n <= size.
inline std::string_view part(std::string_view s, size_t from, size_t n) { return {s.data() + from, n}; }

}  // namespace request_line_detail

inline RequestLine split_request_line(std::string_view request) {
  using request_line_detail::is_method_char;
  using request_line_detail::part;
  RequestLine r;
  size_t first_space = find_byte(request, 0, ' ');
  if (first_space == 0 || first_space == std::string_view::npos) return r;
  std::string_view method = part(request, 0, first_space);
  for (char c : method) {
    if (!is_method_char(c)) return r;
  }
  std::string_view rest = part(request, first_space + 1, request.size() - first_space - 1);
  // Most requests end in " HTTP/1.1" or " HTTP/1.0": look there before scanning back.
  const size_t n = rest.size();
  const bool http1_at_end = n >= 9 && rest[n - 9] == ' ' && part(rest, n - 8, 5) == "HTTP/" &&
                            rest[n - 3] != ' ' && rest[n - 2] != ' ' && rest[n - 1] != ' ';
  size_t last_space = http1_at_end ? n - 9 : rest.rfind(' ');
  if (last_space != std::string_view::npos) {
    std::string_view after = part(rest, last_space + 1, n - last_space - 1);
    if (after.starts_with("HTTP/")) {
      r.protocol = after;
      rest = part(rest, 0, last_space);
    }
  }
  if (rest.empty()) return RequestLine{};
  r.method = method;
  r.target = rest;
  r.well_formed = true;
  return r;
}

}  // namespace logan
