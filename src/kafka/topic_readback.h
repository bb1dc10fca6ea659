// read_back_topic(): for `logan ship --exactly-once`, reads what a topic holds past given
// offsets, to learn how far the lines of an earlier run of the same shipper really got before
// it stopped (the log is the checkpoint: every message names its file and the position its
// last line ends at, in the `logan.position` header). Also the high watermark of every
// partition, where this run's own messages will start.
// Library code: a librdkafka consumer of its own (no group, nothing committed); returns errors,
// never prints. Thread-safety: a plain function; calls may run at once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace logan {

struct TopicReadback {
  std::map<int32_t, int64_t> high;  // every partition's high watermark, as read to
  // (source key hash, file id) -> (offset, lines) of the furthest message of that file.
  std::map<std::pair<uint64_t, uint64_t>, std::pair<uint64_t, uint64_t>> ends;
  uint64_t messages = 0;  // messages read
  uint64_t ours = 0;      // of them, this shipper's
};

// Reads every partition of `topic` from `from` (a partition missing there: from its low
// watermark; nothing when `from` is empty and `read` is false) to its high watermark as it is
// when the call starts, keeping the positions of messages whose header names `ship_id`.
// `properties` are the -X librdkafka properties (security settings and the like); those that
// only a producer knows are left out. Fails when the brokers do not answer within timeout_ms.
Result<TopicReadback> read_back_topic(const std::string& brokers, const std::string& topic,
                                      const std::vector<std::pair<std::string, std::string>>& properties,
                                      uint64_t ship_id, const std::map<int32_t, int64_t>& from,
                                      bool read, int timeout_ms);

}  // namespace logan
