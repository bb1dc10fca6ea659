// Statistics messages: one instance's partial statistics of one window (or its all-time
// total), as `logan stream --stats-topic` produces them to a Kafka topic and `logan combine`
// reads them back. A message names its job and instance, so that the combiner keeps the newest
// of each instance and merges instances: N instances of one consumer group combine into the
// view one instance would have of the whole topic. The layout is in docs/partial-format.md.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "stats/access_stats.h"

namespace logan {

struct StatsMessage {
  enum class Kind : uint8_t { kWindow = 1, kTotal = 2 };
  Kind kind = Kind::kWindow;
  std::string job;
  std::string instance;
  int64_t window_start_ms = 0;  // a total: 0
  int64_t window_end_ms = 0;    // a total: the end of the latest window it follows
  bool final = false;           // the instance's last publication (it stopped)
  uint64_t sequence = 0;        // 1, 2, ... within one run of the instance
  int64_t published_ms = 0;
  AccessStats stats;
  // A total that is also the instance's checkpoint (the statistics topic keeps the checkpoint
  // of Kafka sources): the encoded stream checkpoint whose state `stats` counts. Empty otherwise.
  std::string checkpoint;
};

std::string encode_stats_message(const StatsMessage& message);
// The same with `stats` in place of message.stats (which is ignored): no copy of a window.
std::string encode_stats_message(const StatsMessage& message, const AccessStats& stats);
// A foreign, truncated, corrupt or newer message is an error saying which.
Result<StatsMessage> decode_stats_message(std::string_view data);

}  // namespace logan
