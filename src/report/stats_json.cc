// The statistics document; the shape is the contract in docs/json-output.md.
#include "parse/timestamp.h"
#include "report/json_writer.h"
#include "report/stats_report.h"

namespace logan {
namespace {

void ranked(JsonWriter& w, std::string_view key_name, const std::vector<KeyCount>& rows) {
  w.begin_array();
  for (const auto& row : rows) {
    w.begin_object().key(key_name).value(row.key).key("count").value(row.count).end_object();
  }
  w.end_array();
}

void group_counts(JsonWriter& w, const GroupCounts& c) {
  w.key("lines").value(c.lines);
  w.key("bytes").value(c.bytes);
  w.key("response_codes").begin_array();
  for (const auto& [code, count] : c.statuses) {
    w.begin_object().key("code").value(code).key("count").value(count).end_object();
  }
  w.end_array();
}

// "groups" (only with --group-by, so that documents without it keep their shape).
void groups(JsonWriter& w, const GroupStats& g, const ReportOptions& options) {
  w.key("groups").begin_array();
  for (const auto& [name, dim] : g.dimensions()) {
    w.begin_object();
    w.key("by").value(name);
    w.key("distinct_values").value(static_cast<uint64_t>(dim.distinct()));
    w.key("top").begin_array();
    for (const auto& row : dim.top(options.group_top)) {
      w.begin_object().key("value").value(row.value);
      group_counts(w, row.counts);
      w.end_object();
    }
    w.end_array();
    w.key("unmatched").begin_object();
    group_counts(w, dim.unmatched());
    w.end_object();
    w.end_object();
  }
  w.end_array();
}

}  // namespace

void append_stats_json(std::string& out, const AccessStats& s, const ReportOptions& options) {
  JsonWriter w(out);
  w.begin_object();
  w.key("lines").begin_object();
  w.key("total").value(s.total_lines());
  w.key("parsed").value(s.parsed_lines());
  w.key("invalid").value(s.invalid_lines());
  w.end_object();

  const ContentSize& c = s.content_size();
  w.key("content_size").begin_object();
  w.key("count").value(c.count);
  w.key("sum").value(c.sum);
  w.key("min").value(c.count ? c.min : 0);
  w.key("max").value(c.count ? c.max : 0);
  w.key("avg").value(c.avg());
  w.end_object();

  w.key("response_codes").begin_array();
  for (const auto& [code, count] : s.response_codes()) {
    w.begin_object().key("code").value(code).key("count").value(count).end_object();
  }
  w.end_array();

  w.key("ip_addresses");
  ranked(w, "ip", s.clients().above(options.ip_threshold));
  w.key("top_endpoints");
  ranked(w, "endpoint", s.endpoints().top(options.top));
  w.key("methods");
  ranked(w, "method", s.methods().top(s.methods().distinct()));
  w.key("unique_clients").value(static_cast<uint64_t>(s.clients().distinct()));

  static constexpr const char* kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
  w.key("bytes_by_status_class").begin_object();
  for (size_t i = 0; i < AccessStats::kStatusClasses; ++i) {
    w.key(kClasses[i]).value(s.bytes_by_status_class()[i]);
  }
  w.end_object();

  w.key("time_range").begin_object();
  if (s.has_time_range()) {
    w.key("first").value(format_utc_iso8601(s.first_time()));
    w.key("last").value(format_utc_iso8601(s.last_time()));
  } else {
    w.key("first").null();
    w.key("last").null();
  }
  w.end_object();

  w.key("invalid_samples").begin_array();
  for (const auto& sample : s.invalid_samples()) {
    w.begin_object();
    w.key("source").value(sample.source);
    w.key("line").value(sample.line);
    w.key("text").value(sample.text);
    w.end_object();
  }
  w.end_array();
  if (!s.groups().empty()) groups(w, s.groups(), options);
  w.end_object();
}

}  // namespace logan
