// StatsCombiner: combines the statistics messages of several `logan stream` instances (read
// from a statistics topic) into one view. Each instance's newest message of a window, and its
// newest total, replace the ones before (an instance restarted from its checkpoint publishes
// them again); the instances are then merged. The messages of one instance must be added in
// the order it produced them (one partition: `logan stream --stats-topic` keys them by job and
// instance).
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "stats/stats_message.h"

namespace logan {

struct CombinedWindow {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::vector<std::string> instances;  // that reported this window, sorted
  AccessStats stats;
};

class StatsCombiner {
 public:
  void add(StatsMessage message);

  // The jobs seen, sorted.
  std::vector<std::string> jobs() const;
  // The instances of `job` that published a total, sorted.
  std::vector<std::string> instances(const std::string& job) const;
  // The all-time total of `job`: every instance's newest total, merged.
  AccessStats total(const std::string& job) const;
  // The windows of `job` by start, each every instance's newest partial of it, merged. Windows
  // are matched by their start: an instance's final window ends when it stopped, so the
  // combined one ends at the latest end.
  std::vector<CombinedWindow> windows(const std::string& job) const;

 private:
  struct Partial {
    int64_t end_ms = 0;
    AccessStats stats;
  };
  std::map<std::pair<std::string, std::string>, AccessStats> totals_;  // (job, instance)
  std::map<std::pair<std::string, int64_t>, std::map<std::string, Partial>> windows_;  // (job, start) -> instance
};

}  // namespace logan
