// The Kafka source of `logan stream`: kafka://BROKERS/TOPIC?group=G[&offset=committed|earliest|
// latest]. A consumer in group G (several logans in one group share the topic's partitions and
// rebalance when one joins or leaves). Each message holds one line or several
// newline-separated lines. Batches carry (partition, next offset) as their position, so that
// checkpoints hold offsets beside the state that counts them; offsets are committed to Kafka
// only once that checkpoint is durable, and before partitions are given up in a rebalance the
// source waits for its lines to be counted and checkpointed. A partition starts at the greater
// of the checkpointed and the committed offset: every message is counted once across crashes
// and rebalances.
// Thread-safety: run() on the source's thread; checkpointed() on the engine's (under a lock).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "stream/stream_source.h"

namespace logan {

enum class KafkaStart { kCommitted, kEarliest, kLatest };

struct KafkaSpec {
  std::string brokers;  // HOST:PORT[,HOST:PORT...]
  std::string topic;
  std::string group;
  // Where partitions that neither the checkpoint nor the group knows start: kCommitted and
  // kEarliest start those at the earliest offset, kLatest at the end. kEarliest and kLatest
  // also override the group's committed offsets when this logan first gets a partition
  // (never a checkpointed offset).
  KafkaStart start = KafkaStart::kCommitted;
};

// Parses "kafka://BROKERS/TOPIC?group=G&offset=...". The group is required.
Result<KafkaSpec> parse_kafka_spec(const std::string& spec);

// `properties` are librdkafka properties (-X name=value), applied last.
Result<std::unique_ptr<StreamSource>> make_kafka_source(
    const std::string& spec, std::vector<std::pair<std::string, std::string>> properties);

}  // namespace logan
