// Recognises the log format of a sample of lines for `--format auto`: tries vhost_combined,
// combined and common (most specific first) and keeps the one that parses the most lines.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace logan {

struct DetectedFormat {
  std::string nickname;  // "vhost_combined", "combined" or "common"
  size_t matched = 0;    // sample lines it parsed
  size_t sampled = 0;    // non-empty sample lines tried
};

// Looks at up to `max_lines` non-empty lines at the start of `sample`. When no candidate parses
// any line, returns "combined" with matched == 0: every line will then count as invalid, which
// the caller reports rather than guessing further.
DetectedFormat detect_format(std::string_view sample, size_t max_lines = 100);

}  // namespace logan
