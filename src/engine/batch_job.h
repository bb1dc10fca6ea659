// run_batch(): the batch analyzer behind `logan batch`. Reads every input once, in parallel
// chunks of whole lines, parses each line with the format given (or recognised per input for
// "auto"), folds the lines into one AccessStats per thread and merges them at the end.
//
// Inputs are read in order; worker threads take the next chunk from a shared cursor, so one
// big file and many small ones both keep every core busy. Invalid-line samples get their
// global line numbers once every chunk's line count is known.
// Thread-safety: run_batch() may be called from any thread; it starts and joins its own
// workers. BatchProgress is updated with atomics and may be read while the job runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "core/result.h"
#include "input/input_expander.h"
#include "stats/access_stats.h"

namespace logan {

struct BatchOptions {
  std::string format = "auto";         // nickname, format string, or "auto"
  unsigned threads = 0;                // 0: one per core
  size_t chunk_bytes = 4 << 20;        // bytes of lines a worker takes at a time
  bool keep_going = false;             // skip unreadable inputs instead of failing
};

struct BatchProgress {
  std::atomic<uint64_t> raw_bytes{0};  // bytes read from storage (compressed for .gz etc.)
  std::atomic<uint64_t> lines{0};
  std::atomic<bool> done{false};
};

struct InputOutcome {
  std::string path;
  std::string format;                  // the format used ("combined", or the string given)
  bool detected = false;               // chosen by --format auto
  bool recognised = true;              // false when auto found no known format
};

struct BatchReport {
  AccessStats stats;
  std::vector<InputOutcome> inputs;    // one per input read (in order)
  std::vector<uint64_t> input_lines;   // lines read from each input of the list
  // With keep_going: inputs not read to their end. The whole lines an input gave before its
  // error are counted (the same lines whatever the chunk size); the rest of it is not.
  std::vector<Error> skipped;
};

// Where a batch job gets its inputs: a fixed list, or (under MPI) work units handed out on
// demand. Each input comes with its index, which numbers it in samples and input_lines.
// Thread-safety: next() is called under the job's lock, one call at a time.
class InputQueue {
 public:
  virtual ~InputQueue() = default;
  // The next input and its index (< size()), or nullopt when there are no more.
  virtual std::optional<std::pair<uint32_t, InputFile>> next() = 0;
  // How many indices there are in all.
  virtual size_t size() const = 0;
  // Told once when an input fails and keep_going is off: the job is over, stop handing out.
  virtual void stop() {}
};

// Fails on a bad --format, or (without keep_going) on the first input that cannot be opened
// or read to its end (a truncated compressed stream included), naming it.
Result<BatchReport> run_batch(const std::vector<InputFile>& inputs, const BatchOptions& options,
                              BatchProgress* progress = nullptr);

// The same over a queue of inputs. BatchReport::inputs lists the inputs in the order taken.
Result<BatchReport> run_batch(InputQueue& queue, const BatchOptions& options,
                              BatchProgress* progress = nullptr);

}  // namespace logan
