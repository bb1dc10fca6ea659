// ShipPositions: for `logan ship --follow --checkpoint DIR`, which lines of each followed file
// the brokers have acknowledged, kept in DIR/ship.checkpoint (ShipCheckpoint).
//
// Every batch a file source emits is an entry of its file; the entry's messages settle as
// their delivery reports arrive, in any order, and a file's acknowledged position moves past
// an entry only once it and every entry before it have settled. The checkpoint is written
// every `interval_ms` while positions move, at the stop (marked clean when nothing was left in
// flight), and at once when a file appears that it does not name yet, before any of that
// file's lines are produced: so every file a message in the topic comes from is in the
// checkpoint, and a restart never reads a shipped file again from its start.
//
// For the read-back of --exactly-once, the checkpoint also says, for each partition, the
// first offset that can hold a message whose lines are past the saved positions: the lowest
// delivered offset of an entry not yet acknowledged, else one past the highest delivered.
//
// LogShipper calls add() and settle(); the CLI opens it, restores the sources from it and
// saves the last time. Library code: returns errors, never prints.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "kafka/ship_checkpoint.h"
#include "stream/checkpoint.h"
#include "stream/line_batch.h"
#include "stream/stream_source.h"

namespace logan {

class ShipPositions {
 public:
  struct Config {
    std::string dir;
    std::string topic;
    std::string brokers;
    bool exactly_once = false;
    int64_t interval_ms = 1000;
  };
  // Locks DIR and reads its checkpoint. Errors: the directory is in use or cannot be made; the
  // checkpoint is corrupt (refused, never reset) or was written for another topic or brokers.
  static Result<std::unique_ptr<ShipPositions>> open(const Config& config);

  // What the last run left: nullopt on the first run.
  const std::optional<ShipCheckpoint>& loaded() const { return loaded_; }
  // True when the last run did not stop cleanly: lines may have been in flight.
  bool unclean() const { return loaded_ && !loaded_->clean; }
  uint64_t ship_id() const { return ship_id_; }
  // Lines the last run had handed to Kafka past its acknowledged positions when it last saved
  // (after an unclean stop, at least these are shipped again unless read back).
  uint64_t lines_in_flight_at_last_save() const;

  // Source `source` (its index in this run) goes by `key`: the files the checkpoint has for it,
  // to restore the source from. Call once per source, before the run.
  std::vector<FileEntry> take_source(uint32_t source, const std::string& key);

  // --exactly-once after an unclean stop: what a read-back found in the topic. `ends` maps
  // (source key hash, file id) to the (offset, lines) the last persisted message of that file
  // ends at; positions behind it move up to it. Returns the lines skipped that way. Call
  // before take_source().
  uint64_t advance_to(const std::map<std::pair<uint64_t, uint64_t>, std::pair<uint64_t, uint64_t>>& ends);
  // Partitions and where a read-back of them would start now: every partition not known yet
  // (or all, with `all`) starts at `high` (its high watermark at start).
  void set_partitions(const std::map<int32_t, int64_t>& high, bool all);
  // Where a read-back of each partition starts, as loaded.
  std::map<int32_t, int64_t> readback_offsets() const;

  // During the run. add() registers a batch of `source` that goes out in `messages` messages
  // and returns its entry; a file not in the checkpoint yet is saved first (`saved` holds
  // the result). A batch that forgets its file drops the file.
  uint64_t add(uint32_t source, const LineBatch& batch, uint32_t messages, Status* saved);
  // The header of a message of `source`'s file `file_id` ending at (end_offset, end_lines).
  std::string header(uint32_t source, uint64_t file_id, uint64_t end_offset, uint64_t end_lines) const;
  // A message of the entry settled: delivered at (partition, offset), or given up on without
  // holding the file back (dropped, or too large ever to send: partition < 0). `hold` keeps the
  // file's position before the entry for good (a delivery that failed: shipped again after a
  // restart).
  void settle(uint32_t source, uint64_t file_id, uint64_t entry, int32_t partition,
              int64_t offset, bool hold = false);

  // Writes the checkpoint if positions moved and interval_ms has passed since the last write.
  Status save_if_due(int64_t now_ms);
  // Writes the checkpoint now; `clean` marks a stop with nothing in flight.
  Status save(bool clean);

  // The acknowledged and sent positions of a file, for messages.
  std::optional<ShipFileState> file(uint32_t source, uint64_t file_id) const;

 private:
  struct Entry {
    uint64_t id = 0;
    FilePosition pos;                  // the file's position after the entry
    uint32_t outstanding = 0;          // messages not settled yet
    bool hold = false;
    std::map<int32_t, int64_t> first;  // lowest delivered offset per partition
  };
  struct File {
    ShipFileState state;
    std::deque<Entry> pending;
    uint64_t next_entry = 0;
    bool saved = false;  // named by a written checkpoint
  };
  using Key = std::pair<uint32_t, uint64_t>;  // (source, file id)

  ShipPositions(Config config, std::unique_ptr<CheckpointDir> dir) : config_(std::move(config)), dir_(std::move(dir)) {}
  void pop_settled(File& f);
  ShipCheckpoint snapshot_locked(bool clean, std::vector<Key>& named);

  Config config_;
  std::unique_ptr<CheckpointDir> dir_;
  std::optional<ShipCheckpoint> loaded_;
  uint64_t ship_id_ = 0;

  std::mutex save_mu_;  // one write at a time
  mutable std::mutex mu_;  // guards what follows
  std::map<uint32_t, std::string> source_keys_;
  std::map<std::string, ShipFiles> unclaimed_;  // loaded files of sources not taken (yet)
  std::map<Key, File> files_;
  std::map<int32_t, int64_t> base_;            // read-back start before this run's deliveries
  std::map<int32_t, int64_t> delivered_next_;  // one past the highest delivered offset
  bool dirty_ = false;
  int64_t last_save_ms_ = 0;
};

}  // namespace logan
