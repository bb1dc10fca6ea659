// Renders an AccessStats as the JSON document of docs/json-output.md or as the human-readable
// text report of `logan batch` (the reference application's four statistics first).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "stats/access_stats.h"

namespace logan {

struct ReportOptions {
  uint64_t ip_threshold = 10;  // list clients seen more than this many times
  size_t top = 10;             // how many endpoints to list
};

// Appends the statistics document as one line of JSON (no trailing newline).
void append_stats_json(std::string& out, const AccessStats& stats, const ReportOptions& options);
// Appends the text report.
void append_stats_text(std::string& out, const AccessStats& stats, const ReportOptions& options);

}  // namespace logan
