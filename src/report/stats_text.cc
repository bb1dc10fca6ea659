// The human-readable report: the reference application's four statistics first, then the rest.
#include <algorithm>

#include <fmt/format.h>

#include "parse/timestamp.h"
#include "report/json_writer.h"
#include "report/stats_report.h"
#include "report/terminal_text.h"

namespace logan {
namespace {

std::string group_line(uint64_t lines, std::string_view value, const GroupCounts& c) {
  std::string out = fmt::format("  {:>10}  {}  ({} bytes;", lines, value, c.bytes);
  for (const auto& [code, count] : c.statuses) out += fmt::format(" {}: {}", code, count);
  return out + ")\n";
}

}  // namespace

void append_stats_text(std::string& out, const AccessStats& s, const ReportOptions& options) {
  auto it = std::back_inserter(out);
  const ContentSize& c = s.content_size();
  fmt::format_to(it, "Content Size Avg: {:.2f}, Min: {}, Max: {}  (over {} responses, {} bytes)\n",
                 c.avg(), c.count ? c.min : 0, c.count ? c.max : 0, c.count, c.sum);
  fmt::format_to(it, "Response code counts:");
  auto codes = s.response_codes();
  if (codes.empty()) out += " (none)";
  for (const auto& [code, count] : codes) fmt::format_to(it, " ({}, {})", code, count);
  out += '\n';

  auto ips = s.clients().above(options.ip_threshold);
  fmt::format_to(it, "IP addresses with more than {} requests: {}\n", options.ip_threshold, ips.size());
  const size_t shown = options.ip_top == 0 ? ips.size() : std::min(ips.size(), options.ip_top);
  for (size_t i = 0; i < shown; ++i) {
    fmt::format_to(it, "  {:>10}  {}\n", ips[i].count, terminal_text(ips[i].key));
  }
  if (shown < ips.size()) fmt::format_to(it, "  ... and {} more (--ip-top)\n", ips.size() - shown);

  auto endpoints = s.endpoints().top(options.top);
  fmt::format_to(it, "Top {} endpoints:\n", options.top);
  for (const auto& row : endpoints) fmt::format_to(it, "  {:>10}  {}\n", row.count, terminal_text(row.key));

  out += '\n';
  fmt::format_to(it, "Lines: {} total, {} parsed, {} invalid\n", s.total_lines(), s.parsed_lines(),
                 s.invalid_lines());
  fmt::format_to(it, "Unique clients: {}\n", s.clients().distinct());
  fmt::format_to(it, "Requests by method:");
  auto methods = s.methods().top(s.methods().distinct());
  if (methods.empty()) out += " (none)";
  for (const auto& row : methods) fmt::format_to(it, " ({}, {})", terminal_text(row.key), row.count);
  out += '\n';
  static constexpr const char* kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
  out += "Bytes by status class:";
  for (size_t i = 0; i < AccessStats::kStatusClasses; ++i) {
    fmt::format_to(it, " {}={}", kClasses[i], s.bytes_by_status_class()[i]);
  }
  out += '\n';
  if (s.has_time_range()) {
    fmt::format_to(it, "Time range: {} .. {}\n", format_utc_iso8601(s.first_time()),
                   format_utc_iso8601(s.last_time()));
  }
  if (!s.invalid_samples().empty()) {
    fmt::format_to(it, "First invalid lines:\n");
    for (const auto& sample : s.invalid_samples()) {
      fmt::format_to(it, "  {}:{}: {}\n", terminal_text(sample.source), sample.line, terminal_text(sample.text));
    }
  }
  for (const auto& [name, dim] : s.groups().dimensions()) {
    fmt::format_to(it, "Lines by {} ({} values; top {}):\n", terminal_text(name), dim.distinct(),
                   options.group_top);
    for (const auto& row : dim.top(options.group_top)) {
      out += group_line(row.counts.lines, terminal_text(row.value), row.counts);
    }
    if (dim.unmatched().lines > 0) out += group_line(dim.unmatched().lines, "(no match)", dim.unmatched());
  }
}

}  // namespace logan
