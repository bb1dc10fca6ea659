// The HTML page of `logan stream --output-html` (and any report that wants one): see
// append_stats_html() in stats_report.h.
#include <iterator>

#include <fmt/format.h>

#include "parse/timestamp.h"
#include "report/json_writer.h"
#include "report/stats_report.h"

namespace logan {

void append_html_text(std::string& out, std::string_view text) {
  std::string valid;
  append_valid_utf8(valid, text);
  static constexpr char kHex[] = "0123456789abcdef";
  auto control = [&](unsigned char c) {
    out += "\\u00";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  };
  for (size_t i = 0; i < valid.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(valid[i]);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          control(c);
        } else if (c == 0xc2 && i + 1 < valid.size() &&
                   static_cast<unsigned char>(valid[i + 1]) < 0xa0) {
          control(static_cast<unsigned char>(valid[++i]));  // C1 controls
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

namespace {

std::string html(std::string_view text) {
  std::string out;
  append_html_text(out, text);
  return out;
}

void table_rows(std::string& out, const std::vector<KeyCount>& rows, const char* key_heading,
                const char* empty) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "<table><tr><th class=n>Requests</th><th>{}</th></tr>\n", key_heading);
  if (rows.empty()) fmt::format_to(it, "<tr><td></td><td class=none>{}</td></tr>\n", empty);
  for (const auto& row : rows) {
    fmt::format_to(it, "<tr><td class=n>{}</td><td>{}</td></tr>\n", row.count, html(row.key));
  }
  out += "</table>\n";
}

void group_row(std::string& out, uint64_t lines, const std::string& value_html, const GroupCounts& c) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "<tr><td class=n>{}</td><td>{}</td><td class=n>{}</td><td>", lines, value_html, c.bytes);
  for (size_t i = 0; i < c.statuses.size(); ++i) {
    fmt::format_to(it, "{}{}: {}", i ? ", " : "", c.statuses[i].first, c.statuses[i].second);
  }
  out += "</td></tr>\n";
}

// One table per --group-by: its top values, then the lines no lookup row matched.
void append_groups(std::string& out, const GroupStats& groups, const ReportOptions& options) {
  auto it = std::back_inserter(out);
  for (const auto& [name, dim] : groups.dimensions()) {
    fmt::format_to(it, "<h3>Lines by {} ({} values)</h3>\n", html(name), dim.distinct());
    out += "<table><tr><th class=n>Lines</th><th>Value</th><th class=n>Bytes</th><th>Response codes</th></tr>\n";
    for (const auto& row : dim.top(options.group_top)) group_row(out, row.counts.lines, html(row.value), row.counts);
    if (dim.unmatched().lines > 0) {
      group_row(out, dim.unmatched().lines, "<span class=none>no match</span>", dim.unmatched());
    }
    out += "</table>\n";
  }
}

void append_section(std::string& out, const HtmlSection& section, const ReportOptions& options) {
  const AccessStats& s = *section.stats;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "<section>\n<h2>{}</h2>\n", html(section.heading));
  const ContentSize& c = s.content_size();
  fmt::format_to(it,
                 "<p class=summary><b>{}</b> lines: {} parsed, {} invalid. Content size avg "
                 "<b>{:.2f}</b>, min {}, max {} over {} responses ({} bytes). {} unique clients.",
                 s.total_lines(), s.parsed_lines(), s.invalid_lines(), c.avg(), c.count ? c.min : 0,
                 c.count ? c.max : 0, c.count, c.sum, s.clients().distinct());
  if (s.has_time_range()) {
    fmt::format_to(it, " Logged from {} to {}.", format_utc_iso8601(s.first_time()),
                   format_utc_iso8601(s.last_time()));
  }
  out += "</p>\n<div class=grid>\n<div>\n<h3>Response codes</h3>\n<table><tr><th class=n>Requests</th><th>Code</th></tr>\n";
  auto codes = s.response_codes();
  if (codes.empty()) out += "<tr><td></td><td class=none>none</td></tr>\n";
  for (const auto& [code, count] : codes) {
    fmt::format_to(it, "<tr><td class=n>{}</td><td>{}</td></tr>\n", count, code);
  }
  out += "</table>\n<h3>Requests by method</h3>\n";
  table_rows(out, s.methods().top(s.methods().distinct()), "Method", "none");
  static constexpr const char* kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
  out += "<h3>Bytes by status class</h3>\n<table><tr><th class=n>Bytes</th><th>Class</th></tr>\n";
  for (size_t i = 0; i < AccessStats::kStatusClasses; ++i) {
    fmt::format_to(it, "<tr><td class=n>{}</td><td>{}</td></tr>\n", s.bytes_by_status_class()[i], kClasses[i]);
  }
  out += "</table>\n</div>\n<div>\n";
  fmt::format_to(it, "<h3>Top {} endpoints</h3>\n", options.top);
  table_rows(out, s.endpoints().top(options.top), "Endpoint", "none");
  fmt::format_to(it, "<h3>IP addresses with more than {} requests</h3>\n", options.ip_threshold);
  auto ips = s.clients().above(options.ip_threshold);
  const size_t more = options.ip_top == 0 || ips.size() <= options.ip_top ? 0 : ips.size() - options.ip_top;
  ips.resize(ips.size() - more);
  table_rows(out, ips, "Client", "none");
  if (more > 0) fmt::format_to(it, "<p class=none>and {} more (--ip-top)</p>\n", more);
  out += "</div>\n</div>\n";
  append_groups(out, s.groups(), options);
  if (!s.invalid_samples().empty()) {
    out += "<h3>First invalid lines</h3>\n<table><tr><th>Where</th><th>Line</th></tr>\n";
    for (const auto& sample : s.invalid_samples()) {
      fmt::format_to(it, "<tr><td>{}:{}</td><td><code>{}</code></td></tr>\n", html(sample.source),
                     sample.line, html(sample.text));
    }
    out += "</table>\n";
  }
  out += "</section>\n";
}

}  // namespace

void append_stats_html(std::string& out, std::string_view title, std::string_view subtitle,
                       const std::vector<HtmlSection>& sections, const ReportOptions& options,
                       int refresh_seconds) {
  auto it = std::back_inserter(out);
  out += "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n";
  if (refresh_seconds > 0) fmt::format_to(it, "<meta http-equiv=\"refresh\" content=\"{}\">\n", refresh_seconds);
  fmt::format_to(it, "<title>{}</title>\n", html(title));
  out +=
      "<style>\n"
      "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}\n"
      "h1{font-size:1.4em;margin:0}h2{font-size:1.2em;border-bottom:1px solid #ccc}\n"
      "h3{font-size:1em;margin:1em 0 .3em}.sub{color:#666;margin:.2em 0 1em}\n"
      ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(22em,1fr));gap:0 2em}\n"
      "table{border-collapse:collapse}td,th{padding:.1em .6em;text-align:left;vertical-align:top}\n"
      "tr:nth-child(even){background:#eee}.n{text-align:right;font-variant-numeric:tabular-nums}\n"
      "td{word-break:break-all}.none{color:#999}section{margin-bottom:2em}\n"
      "</style>\n</head>\n<body>\n";
  fmt::format_to(it, "<h1>{}</h1>\n<p class=sub>{}</p>\n", html(title), html(subtitle));
  for (const auto& section : sections) append_section(out, section, options);
  out += "</body>\n</html>\n";
}

}  // namespace logan
