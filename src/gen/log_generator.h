// LogGenerator writes realistic Apache access-log lines (common, combined, vhost_combined) for
// unit tests, golden files and benchmarks. Clients and endpoints follow Zipf-like popularity;
// methods, protocols, statuses, sizes, referers and user agents follow realistic mixes; rare
// shapes real servers log (408 timeouts with request "-", HTTP/0.9 requests, TLS handshakes
// sent to a plain-HTTP port, user agents with escaped quotes) are included, and a chosen fraction
// of lines can be deliberately malformed. Valid lines are pure ASCII.
//
// Output is a pure function of GenOptions: the generator uses its own PRNG and integer-only
// sampling, so the bytes are identical on every platform and compiler, and do not depend on how
// the lines are split across append_lines calls.
//
// Thread-safety: a LogGenerator is not thread-safe; give each thread its own. Distinct
// instances share no state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace logan {

struct GenOptions {
  uint64_t lines = 10000;            // total lines to produce, malformed ones included
  uint64_t seed = 42;
  // "common", "combined", "vhost_combined", or "combined_duration" and
  // "vhost_combined_duration": the same with the time taken (%D, microseconds) at the end.
  std::string format = "combined";
  double malformed_ratio = 0.0;      // fraction of lines (0..1) that are deliberately invalid
  int64_t start_time = 1709769600;   // first timestamp, seconds since the epoch (UTC)
  int tz_offset_minutes = 0;         // zone written in the timestamps, e.g. -420 for -0700
};

class LogGenerator {
 public:
  // True for the Apache format names the generator can write: "common", "combined" and
  // "vhost_combined".
  static bool is_supported_format(std::string_view format);

  // Builds the client, endpoint and referer pools; the client pool scales with options.lines
  // (about one client per 20 lines, between 50 and 500,000).
  // REQUIRES: is_supported_format(options.format)
  // REQUIRES: -1440 < options.tz_offset_minutes < 1440, and the generated times fall in the
  //           years 0..9999 (the timestamp has four year digits).
  explicit LogGenerator(const GenOptions& options);
  ~LogGenerator();
  LogGenerator(LogGenerator&&) noexcept;
  LogGenerator& operator=(LogGenerator&&) noexcept;

  // Appends up to `count` further lines, each ending in '\n', to `out`; returns how many it
  // appended (fewer only when options.lines is reached). Deterministic for a given options.
  uint64_t append_lines(std::string& out, uint64_t count);

 private:
  struct State;  // pools, samplers and PRNG; defined in log_generator.cc
  std::unique_ptr<State> state_;
};

}  // namespace logan
