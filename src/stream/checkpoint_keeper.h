// CheckpointKeeper: where `logan stream` keeps its checkpoint when it is not a checkpoint
// directory: a database sink, which stores it in the transaction of the statistics it covers
// (exactly-once with a Kafka source and a database). The engine hands it every checkpoint
// after the publications it covers; the keeper says, later and from any thread, whether it was
// stored. Only then does the engine tell the sources their positions are durable (a Kafka
// source commits its offsets then). A keeper shared by the instances of a job (the statistics
// topic) also tells where the others stopped (stored_elsewhere()).
// Thread-safety: keep() is called from the engine's thread; `done` may run on any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace logan {

struct KeptOffset {
  std::string source;   // the source's checkpoint key
  uint64_t part = 0;    // a Kafka partition, or a file source's file id
  uint64_t offset = 0;  // the next offset to read, or the bytes read
};

class CheckpointKeeper {
 public:
  virtual ~CheckpointKeeper() = default;
  // Where the checkpoint is kept, for messages ("sink postgresql://...").
  virtual std::string name() const = 0;
  // The checkpoint kept at the start (encode_checkpoint() bytes), or nullopt.
  virtual std::optional<std::string> restored() const = 0;
  // Keeps `checkpoint` (after everything published so far); `done(true)` once it is stored,
  // `done(false)` if the first attempt failed (a newer checkpoint will follow).
  virtual void keep(std::string checkpoint, std::vector<KeptOffset> offsets,
                    std::function<void(bool stored)> done) = 0;
  // For a source whose parts move between instances of one job (Kafka partitions in a group):
  // the furthest offset of each part that another instance has stored (part -> offset), as
  // of now. A part taken over starts there at the earliest, whatever the group's committed
  // offsets say. May be called from any thread.
  virtual std::map<uint64_t, uint64_t> stored_elsewhere(const std::string& /*source*/) { return {}; }
};

}  // namespace logan
