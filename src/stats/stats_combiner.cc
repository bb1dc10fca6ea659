// StatsCombiner: see stats_combiner.h.
#include "stats/stats_combiner.h"

#include <algorithm>
#include <set>

namespace logan {

void StatsCombiner::add(StatsMessage m) {
  if (m.kind == StatsMessage::Kind::kTotal) {
    totals_[{m.job, m.instance}] = std::move(m.stats);
  } else {
    windows_[{m.job, m.window_start_ms}][m.instance] = Partial{m.window_end_ms, std::move(m.stats)};
  }
}

std::vector<std::string> StatsCombiner::jobs() const {
  std::set<std::string> jobs;
  for (const auto& [key, stats] : totals_) jobs.insert(key.first);
  for (const auto& [key, by_instance] : windows_) jobs.insert(key.first);
  return {jobs.begin(), jobs.end()};
}

std::vector<std::string> StatsCombiner::instances(const std::string& job) const {
  std::vector<std::string> out;
  for (const auto& [key, stats] : totals_) {
    if (key.first == job) out.push_back(key.second);
  }
  return out;
}

AccessStats StatsCombiner::total(const std::string& job) const {
  AccessStats out;
  for (const auto& [key, stats] : totals_) {
    if (key.first == job) out.merge(stats);
  }
  return out;
}

std::vector<CombinedWindow> StatsCombiner::windows(const std::string& job) const {
  std::vector<CombinedWindow> out;
  for (const auto& [key, by_instance] : windows_) {
    if (key.first != job) continue;
    CombinedWindow w;
    w.start_ms = key.second;
    w.end_ms = key.second;
    for (const auto& [instance, partial] : by_instance) {
      w.instances.push_back(instance);
      w.end_ms = std::max(w.end_ms, partial.end_ms);
      w.stats.merge(partial.stats);
    }
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace logan
