// ShipCheckpoint: what `logan ship --follow --checkpoint DIR` keeps in DIR/ship.checkpoint, and
// its framed, versioned, checksummed encoding (docs/kafka.md, "Shipping that survives
// restarts"): the topic and brokers it was written for, the shipper's id (which every message
// names in a header), whether the run stopped cleanly, every followed file's acknowledged
// position, and for each partition where a read-back of the topic has to start.
// Also the `logan.position` message header: which file and position a message ends at.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "stream/line_batch.h"

namespace logan {

// One followed file in the checkpoint.
struct ShipFileState {
  FilePosition acked;        // every line before acked.offset was acknowledged by the brokers
  uint64_t sent_offset = 0;  // read and handed to Kafka (at least acked.offset)
  uint64_t sent_lines = 0;
  bool operator==(const ShipFileState&) const = default;
};

using ShipFiles = std::vector<std::pair<uint64_t, ShipFileState>>;  // by the source's file id

struct ShipCheckpoint {
  std::string topic;
  std::string brokers;       // normalized_brokers()
  uint64_t ship_id = 0;      // random, made by the first run; names this shipper's messages
  bool exactly_once = false; // the mode of the run that wrote it
  bool clean = false;        // written at a clean stop: nothing was in flight
  int64_t written_ms = 0;    // wall clock
  std::map<std::string, ShipFiles> files;   // by the source's checkpoint key
  std::map<int32_t, int64_t> readback;      // partition -> first offset a read-back must read
  bool operator==(const ShipCheckpoint&) const = default;
};

std::string encode_ship_checkpoint(const ShipCheckpoint& c);
Result<ShipCheckpoint> decode_ship_checkpoint(std::string_view bytes);

// "b:2,a:1, a:1" -> "a:1,b:2": the same set of bootstrap brokers spelt any way.
std::string normalized_brokers(std::string_view brokers);

// The value of the `logan.position` header of a message whose last line ends at
// (end_offset, end_lines) of file `file_id` of the source whose checkpoint key hashes to
// `source_hash`: "SHIPID/SOURCE/FILE/OFFSET/LINES", the numbers in hexadecimal.
inline constexpr std::string_view kPositionHeader = "logan.position";
struct MessagePosition {
  uint64_t ship_id = 0;
  uint64_t source_hash = 0;
  uint64_t file_id = 0;
  uint64_t end_offset = 0;
  uint64_t end_lines = 0;
  bool operator==(const MessagePosition&) const = default;
};
std::string format_message_position(const MessagePosition& p);
std::optional<MessagePosition> parse_message_position(std::string_view text);

// The hash a source's checkpoint key goes by in headers (FNV-1a, stable across builds).
uint64_t source_key_hash(std::string_view key);

}  // namespace logan
