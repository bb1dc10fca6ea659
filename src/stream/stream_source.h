// StreamSource: one input of `logan stream` (a watched directory, a followed file, a socket,
// stdin). Each source runs in a thread of its own and hands whole lines to the engine through
// a SourceContext; file sources attach their position to every batch so that a checkpoint can
// resume them exactly.
// Thread-safety: a source is opened, then run by one thread; SourceContext is called from
// every source thread at once and is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "stream/line_batch.h"

namespace logan {

class SourceContext {
 public:
  virtual ~SourceContext() = default;
  // True once the job is shutting down: a source stops reading and returns.
  virtual bool stopping() const = 0;
  // A file descriptor that becomes readable when the job starts shutting down, to poll on.
  virtual int stop_fd() const = 0;
  // An empty batch (recycled when possible).
  virtual std::unique_ptr<LineBatch> new_batch() = 0;
  // Hands a batch to the engine (as this source's); blocks while the engine is behind.
  virtual void emit(std::unique_ptr<LineBatch> batch) = 0;
  // Numbers a new input (a file, a connection) for invalid-line samples, named `name`.
  virtual InputId new_input(std::string name) = 0;
  // Something the operator should know that does not stop the source.
  virtual void warn(std::string message) = 0;
  // Blocks until everything this source emitted is counted and, with --checkpoint, durably
  // checkpointed (StreamSource::checkpointed() has been called). A Kafka source calls it before
  // it gives partitions up. Contexts outside a job return at once.
  virtual void settle() {}
  // A file named by the checkpoint the source was restored from (read up to `pos`, known as
  // `file_id`) is gone, under any name: what was written to it after `pos` cannot be read.
  virtual void file_gone(uint64_t /*file_id*/, const FilePosition& pos, const std::string& path) {
    warn("'" + path + "' (named in the checkpoint, read up to byte " + std::to_string(pos.offset) +
         ", line " + std::to_string(pos.lines) +
         ") is gone: anything written to it after that could not be read");
  }
};

// A file's position as checkpointed, with the id the source knows it by.
using FileEntry = std::pair<uint64_t, FilePosition>;

class StreamSource {
 public:
  virtual ~StreamSource() = default;
  // The source as the user named it, for messages.
  virtual const std::string& name() const = 0;
  // What checkpoints key its file positions by: the same for every spelling of the source
  // ("logs", "./logs/", "/srv/logs").
  virtual std::string checkpoint_key() const { return name(); }
  // Checks that the source can start (the directory exists, the port can be bound): an error
  // here stops the job before it starts.
  virtual Status open() = 0;
  // Resumes from checkpointed file positions (before run()). Sources without positions ignore it.
  virtual void restore(std::vector<FileEntry> /*entries*/) {}
  // Reads until the input ends (stdin) or ctx.stopping(); an error ends this source only.
  virtual Status run(SourceContext& ctx) = 0;
  // Called on the engine's thread, also after run() returned, with this source's positions
  // once they and the state that counts them are durable (a checkpoint was saved; without
  // --checkpoint, once they are counted), every --checkpoint-interval and at the end. A Kafka
  // source commits its offsets here.
  virtual void checkpointed(const std::vector<FileEntry>& /*entries*/) {}
  // Where parts taken over from another instance of the job start at the earliest (part ->
  // offset), asked each time parts are assigned; set before run() when the checkpoint is kept
  // where the instances share it. Sources whose parts do not move ignore it.
  using OffsetHints = std::function<std::map<uint64_t, uint64_t>()>;
  virtual void set_offset_hints(OffsetHints /*hints*/) {}
};

// Turns a SOURCE argument into a source: "-" (stdin), "tcp://HOST:PORT" (connect),
// "listen://[HOST]:PORT" (accept connections), a directory (watch it), a path whose last
// component is a glob (watch its directory for matching names), or a file (follow it).
struct SourceOptions {
  int64_t poll_ms = 0;          // > 0: poll directories at this interval instead of inotify
  bool from_end = false;        // files present at the start: count only lines added later
  bool all_names = false;       // do not skip dot-files and temporary names
  bool follow_symlinks = false; // in a watched directory, also links that lead out of it
};
Result<std::unique_ptr<StreamSource>> make_source(const std::string& spec,
                                                  const SourceOptions& options);

}  // namespace logan
