// StreamJob: the engine of `logan stream`. Runs every source in a thread of its own, parses
// their lines on one engine thread into the Windower's panes, publishes a window each slide,
// and checkpoints the state with every file source's position.
//
// Exactly-once for file sources: a batch's position is recorded only once its lines are in
// the state, and a checkpoint is taken between batches, so the state and the positions it
// stores always agree. After a crash the sources resume from the checkpointed positions.
// Sockets and stdin have no position: what they sent after the last checkpoint is gone. With
// a CheckpointKeeper (a database sink, or the statistics topic of Kafka sources), the
// checkpoint is stored with the statistics it covers, so the stored statistics count every
// line once too, and sources whose parts move between instances learn where the others
// stopped (StreamSource::set_offset_hints).
// Thread-safety: prepare() and run() from one thread; stop() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "stream/checkpoint_keeper.h"
#include "stream/stream_source.h"
#include "stream/windower.h"

namespace logan {

struct StreamOptions {
  std::string format = "auto";
  WindowSpec windows;
  std::string checkpoint_dir;              // empty: no checkpoints
  // Set: checkpoints go to the keeper instead (after every burst of publications, every
  // interval, when a source settles, and at the end), and positions become durable only when
  // it says they are stored.
  std::shared_ptr<CheckpointKeeper> keeper;
  int64_t checkpoint_interval_ms = 10000;
  size_t queue_batches = 32;
  const RecordGrouper* grouper = nullptr;  // --group-by; outlives the job
};

// What is published every slide.
struct SlideReport {
  uint64_t sequence = 0;          // 1, 2, ... within this run
  const WindowResult* window = nullptr;
  const AccessStats* total = nullptr;
  uint64_t late_lines = 0;        // event time: lines too late for their window, all time
  uint64_t pending_lines = 0;     // event time: lines in windows not yet published
  // Windows are published in bursts when a source catches up (event time): every report of a
  // burst shares one total. total_changed is set on the first report of a burst, last_of_burst
  // on its last, so that a publisher renders the total once and writes a page once.
  bool total_changed = true;
  bool last_of_burst = true;
};

struct StreamCounters {
  std::atomic<uint64_t> lines{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> checkpoints{0};
};

class StreamJob {
 public:
  StreamJob(StreamOptions options, std::vector<std::unique_ptr<StreamSource>> sources);
  ~StreamJob();

  // Compiles the format, loads the checkpoint (if any) and opens every source. `notes`
  // receives what the operator should know (a checkpoint resumed, panes dropped).
  Status prepare(std::vector<std::string>& notes);

  // Runs until every source has ended (stdin at its end) or stop() is called, calling
  // `publish` each slide; then publishes the final window and writes the last checkpoint.
  // `publish` returns false when it cannot write: the job then stops with an error. `warn`
  // gets the sources' messages. Both are called on this thread.
  Status run(const std::function<bool(const SlideReport&)>& publish,
             const std::function<void(const std::string&)>& warn);

  // Asks run() to finish. Thread-safe; not async-signal-safe.
  void stop();

  // With a keeper, after run() and once the keeper has stored the last checkpoint (its sink
  // flushed): tells the sources which positions are durable since run() ended.
  void apply_durable();

  const StreamCounters& counters() const { return counters_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  StreamCounters counters_;
};

}  // namespace logan
