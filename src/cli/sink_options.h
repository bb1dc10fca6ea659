// The --sink, --job, --instance and --sink-timeout options shared by `logan batch` and `logan
// stream`, and the database sinks they open: each publication goes to every sink through a
// SinkWriter (its own thread, retries while a database is away).
// Thread-safety: publish() from one thread at a time; the writers' warnings come from theirs.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/clock.h"
#include "core/result.h"
#include "sink/sink_writer.h"
#include "stream/checkpoint_keeper.h"

namespace logan {

struct SinkArgs {
  std::vector<std::string> urls;
  std::string job = "logan";
  std::string instance;  // default: the host name
  std::string timeout = "30s";
};

void add_sink_options(CLI::App& cmd, SinkArgs& args);

class Sinks {
 public:
  // Connects to every sink and creates or migrates its schema: a bad URL, an unreachable
  // database or bad credentials are an error here, before any work is done. With
  // `keep_checkpoint`, the first sink also keeps the stream's checkpoint (exactly-once): the one
  // stored for this job and instance is read here (restored_checkpoint()).
  static Result<std::unique_ptr<Sinks>> open(const SinkArgs& args, bool keep_checkpoint = false);

  bool empty() const { return writers_.empty(); }
  const std::string& job() const { return job_; }
  const std::string& instance() const { return instance_; }
  // Queues a publication (job and instance are filled in here) for every sink.
  void publish(StatsRows rows);
  // Waits up to --sink-timeout for everything to be written; the error names what was not.
  Status flush();

  // With keep_checkpoint: the sink that keeps the checkpoint, the checkpoint it held at the
  // start, and the hand-off of a new one (stored with the publications before it; `done` is
  // told on the writer's thread).
  const std::string& checkpoint_sink() const { return writers_.front()->name(); }
  const std::optional<std::string>& restored_checkpoint() const { return restored_checkpoint_; }
  void keep_checkpoint(std::string bytes, std::vector<StatsRows::Offset> offsets,
                       std::function<void(bool)> done);

 private:
  std::optional<std::string> restored_checkpoint_;
  std::vector<std::unique_ptr<SinkWriter>> writers_;
  std::string job_;
  std::string instance_;
  int64_t timeout_ms_ = 30000;
};

// A keeper of `logan stream`'s checkpoint in the first of `sinks` (which must outlive it).
std::shared_ptr<CheckpointKeeper> make_checkpoint_keeper(Sinks& sinks);


}  // namespace logan
