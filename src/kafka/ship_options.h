// ShipOptions: what `logan ship` is asked to do (where to produce, how lines become messages,
// how much to buffer and what to do when the buffer is full), and the parsers for the way
// operators spell sizes ("64MiB") and librdkafka properties ("-X key=value").
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace logan {

// What happens to new lines when the buffer of undelivered ones is full.
enum class OverflowPolicy {
  kBlock,  // stop reading (the writer of the pipe waits) until there is room
  kDrop,   // read on and drop lines, counting them
};

// How many lines go into one Kafka message, at most.
struct MessageLimits {
  size_t max_bytes = 64 * 1024;  // payload bytes; a longer single line is a message by itself
  size_t max_lines = 0;          // 0: as many as fit in max_bytes
};

struct ShipOptions {
  std::string brokers;               // bootstrap.servers: HOST:PORT[,HOST:PORT...]
  std::string topic;
  std::optional<std::string> key;    // every message's key; nullopt: no key
  std::string compression = "lz4";   // compression.codec: none, gzip, snappy, lz4, zstd
  MessageLimits limits;
  int64_t linger_ms = 100;           // linger.ms: how long librdkafka waits to fill a request
  uint64_t buffer_bytes = 64ull << 20;  // undelivered payload bytes held at most
  OverflowPolicy on_full = OverflowPolicy::kBlock;
  int64_t flush_timeout_ms = 30000;  // at the end, how long undelivered lines may take
  std::vector<std::pair<std::string, std::string>> properties;  // -X, applied last
};

// "65536", "512KiB", "64MiB", "1GiB" (also "k"/"KB"/"M"/"MB"/"G"/"GB", all powers of 1024).
// nullopt for anything else, or for sizes past 2^50.
std::optional<uint64_t> parse_byte_size(std::string_view text);

// "name=value" (the value may be empty or hold '='). An error for text without '=' or with
// an empty name; whether librdkafka knows the name is checked when the producer is made.
Result<std::pair<std::string, std::string>> parse_property(std::string_view text);

}  // namespace logan
