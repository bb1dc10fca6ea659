// StatsRows: see stats_rows.h.
#include "sink/stats_rows.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "parse/timestamp.h"
#include "report/json_writer.h"

namespace logan {

namespace {

// Valid UTF-8 without NUL; distinct keys that become equal are summed, then ordered as the
// report orders them (count desc, key asc).
std::string clean_text(std::string_view text) {
  std::string clean;
  append_valid_utf8(clean, text);
  if (clean.find('\0') == std::string::npos) return clean;
  std::string no_nul;
  for (char c : clean) {
    if (c == '\0') {
      no_nul += "\xEF\xBF\xBD";
    } else {
      no_nul += c;
    }
  }
  return no_nul;
}

std::vector<KeyCount> clean_keys(std::vector<KeyCount> keys) {
  bool changed = false;
  std::string clean;
  for (auto& k : keys) {
    clean = clean_text(k.key);
    if (clean != k.key) {
      k.key = clean;
      changed = true;
    }
  }
  if (!changed) return keys;
  std::map<std::string, uint64_t> sums;
  for (auto& k : keys) sums[k.key] += k.count;
  std::vector<KeyCount> out;
  out.reserve(sums.size());
  for (auto& [key, count] : sums) out.push_back({key, count});
  std::stable_sort(out.begin(), out.end(),
                   [](const KeyCount& a, const KeyCount& b) { return a.count > b.count; });
  return out;
}

// The top values of each dimension (values that become equal when cleaned are added
// together), then its unmatched lines when there are any.
std::vector<GroupRowCounts> group_rows(const GroupStats& groups, size_t top) {
  std::vector<GroupRowCounts> out;
  for (const auto& [name, dim] : groups.dimensions()) {
    std::map<std::string, size_t> at;  // clean value -> index in out
    const std::string by = clean_text(name);
    for (auto& row : dim.top(top)) {
      std::string value = clean_text(row.value);
      auto [it, fresh] = at.emplace(value, out.size());
      if (fresh) {
        out.push_back({by, std::move(value), std::move(row.counts)});
      } else {
        out[it->second].counts.merge(row.counts);
      }
    }
    if (dim.unmatched().lines > 0) out.push_back({by, std::nullopt, dim.unmatched()});
  }
  return out;
}

}  // namespace

const char* publication_kind_name(PublicationKind kind) {
  switch (kind) {
    case PublicationKind::kRun:
      return "run";
    case PublicationKind::kWindow:
      return "window";
    case PublicationKind::kTotal:
      return "total";
    case PublicationKind::kCheckpoint:
      return "checkpoint";
  }
  return "run";
}

bool StatsRows::same_key(const StatsRows& o) const {
  if (job != o.job || instance != o.instance || kind != o.kind) return false;
  if (kind == PublicationKind::kTotal || kind == PublicationKind::kCheckpoint) return true;
  return window_start_ms == o.window_start_ms && window_end_ms == o.window_end_ms;
}

StatsRows make_stats_rows(const AccessStats& stats, const ReportOptions& options) {
  StatsRows r;
  r.lines_total = stats.total_lines();
  r.lines_parsed = stats.parsed_lines();
  r.lines_invalid = stats.invalid_lines();
  r.unique_clients = stats.clients().distinct();
  if (stats.has_time_range()) {
    r.first_time = stats.first_time();
    r.last_time = stats.last_time();
  }
  r.content = stats.content_size();
  if (r.content.count == 0) r.content.min = r.content.max = 0;
  r.bytes_by_class = stats.bytes_by_status_class();
  r.statuses = stats.response_codes();
  r.ips = clean_keys(stats.clients().above(options.ip_threshold));
  r.endpoints = clean_keys(stats.endpoints().top(options.top));
  r.methods = clean_keys(stats.methods().top(stats.methods().distinct()));
  r.groups = group_rows(stats.groups(), options.group_top);
  return r;
}

std::vector<const KeyCount*> by_key(const std::vector<KeyCount>& keys) {
  std::vector<const KeyCount*> out;
  out.reserve(keys.size());
  for (const auto& k : keys) out.push_back(&k);
  std::sort(out.begin(), out.end(), [](const KeyCount* a, const KeyCount* b) { return a->key < b->key; });
  return out;
}

std::string sink_timestamp(int64_t ms) {
  int64_t s = ms / 1000, rest = ms % 1000;
  if (rest < 0) {
    rest += 1000;
    --s;
  }
  std::string text = format_utc_iso8601(s);  // "YYYY-MM-DDTHH:MM:SSZ"
  if (!text.empty() && text.back() == 'Z') {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(rest));
    text.insert(text.size() - 1, frac);
  }
  return text;
}

}  // namespace logan
