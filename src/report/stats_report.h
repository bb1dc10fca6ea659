// Renders an AccessStats as the JSON document of docs/json-output.md or as the human-readable
// text report of `logan batch` (the reference application's four statistics first).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stats/access_stats.h"

namespace logan {

struct ReportOptions {
  uint64_t ip_threshold = 10;  // list clients seen more than this many times
  size_t ip_top = 50;          // text and HTML: at most this many of them (0: all); JSON: all
  size_t top = 10;             // how many endpoints to list
  size_t group_top = 10;       // how many values of each --group-by dimension to list
};

// Appends the statistics document as one line of JSON (no trailing newline).
void append_stats_json(std::string& out, const AccessStats& stats, const ReportOptions& options);
// Appends the text report.
void append_stats_text(std::string& out, const AccessStats& stats, const ReportOptions& options);

// One block of an HTML page: a heading and the statistics under it.
struct HtmlSection {
  std::string heading;  // plain text; escaped when written
  const AccessStats* stats = nullptr;
};

// Appends a self-contained HTML page (inline style, no script, no external resource) with one
// block per section. Every piece of log content is escaped and the page forbids scripts
// (Content-Security-Policy), so a log line can never inject markup or script.
// `refresh_seconds` > 0 makes a browser reload the page that often.
void append_stats_html(std::string& out, std::string_view title, std::string_view subtitle,
                       const std::vector<HtmlSection>& sections, const ReportOptions& options,
                       int refresh_seconds);

// Appends `text` as HTML character data or attribute value: valid UTF-8, with & < > " '
// as references and control characters shown as \u00XX.
void append_html_text(std::string& out, std::string_view text);

}  // namespace logan
