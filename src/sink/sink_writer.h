// SinkWriter: writes publications to a StatsStore on a thread of its own, so that a slow or
// absent database never holds up the statistics. Publications wait in memory while the
// database is away and are written, in order and in one transaction, when it returns
// (retried with backoff: 0.25 s doubling to 30 s). Memory stays bounded: a newer total
// replaces a waiting one, and past `max_held` publications the oldest windows are dropped
// (counted, and said once).
//
// Exactly-once (`whole_checkpoints`): a stream's checkpoint travels as a kCheckpoint
// publication after the windows it covers, and the writer then only writes up to the newest
// checkpoint held, so that every transaction ends with one: the statistics in the database and
// the checkpoint stored with them always agree. A newer checkpoint replaces a waiting one.
// Thread-safety: publish(), flush() and dropped() may be called from any one thread while the
// writer's own thread runs; warnings are reported through the callback on the writer's thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"
#include "sink/stats_store.h"

namespace logan {

struct SinkWriterOptions {
  size_t max_held = 10000;
  int64_t first_backoff_ms = 250;
  int64_t max_backoff_ms = 30000;
  // Writes only up to the newest held kCheckpoint publication (see above).
  bool whole_checkpoints = false;
  // Told of an outage (once, with the error) and of the recovery; called on the writer's thread.
  std::function<void(const std::string&)> warn;
};

class SinkWriter {
 public:
  SinkWriter(std::unique_ptr<StatsStore> store, SinkWriterOptions options);
  ~SinkWriter();  // stops without waiting for what is held (flush() first); cancels a write under way
  SinkWriter(const SinkWriter&) = delete;
  SinkWriter& operator=(const SinkWriter&) = delete;

  // Queues `rows` for writing and returns at once.
  void publish(StatsRows rows);
  // Waits until everything published so far is written, or `timeout_ms` passes (retrying
  // meanwhile). An error says how many publications were not written and why.
  Status flush(int64_t timeout_ms);
  // Windows dropped because too many were held while the database was away.
  uint64_t dropped() const;
  const std::string& name() const { return store_->name(); }

 private:
  void run();
  void write_loop();
  // How many held publications the next transaction takes (0: none ready). Requires mu_.
  size_t ready_locked() const;

  std::unique_ptr<StatsStore> store_;
  SinkWriterOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;     // the writer: work, or stop
  std::condition_variable written_;  // flush(): progress
  std::deque<StatsRows> held_;
  size_t in_flight_ = 0;  // taken from held_ by the writer, not yet written
  uint64_t dropped_ = 0;
  bool said_dropping_ = false;
  bool stop_ = false;
  bool exited_ = false;  // write_loop() returned
  bool failing_ = false;
  std::string last_error_;
  int64_t backoff_ms_ = 0;
  std::thread thread_;
};

}  // namespace logan
