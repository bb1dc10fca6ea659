// run_batch(): the batch analyzer behind `logan batch`. Reads every input once, in parallel
// chunks of whole lines, parses each line with the format given (or recognised per input for
// "auto"), folds the lines into one AccessStats per thread and merges them at the end.
//
// Inputs are read in order; worker threads take the next chunk from a shared cursor, so one
// big file and many small ones both keep every core busy. Invalid-line samples get their
// global line numbers once every chunk's line count is known. The --query questions are folded
// in from the same parsed records (one QueryState per query and thread).
// Thread-safety: run_batch() may be called from any thread; it starts and joins its own
// workers. BatchProgress is updated with atomics and may be read while the job runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/chunk_cursor.h"
#include "input/input_expander.h"
#include "query/query_state.h"
#include "stats/access_stats.h"

namespace logan {

struct BatchReport {
  AccessStats stats;
  std::vector<InputOutcome> inputs;    // one per input read (in order)
  std::vector<uint64_t> input_lines;   // lines read from each input of the list
  // With keep_going: inputs not read to their end. The whole lines an input gave before its
  // error are counted (the same lines whatever the chunk size); the rest of it is not.
  std::vector<Error> skipped;
  // One per BatchOptions::queries: merged over the threads, not finished (MPI ranks merge them
  // further); QueryState::finish() gives the result.
  std::vector<QueryState> queries;
};

// Fails on a bad --format, or (without keep_going) on the first input that cannot be opened
// or read to its end (a truncated compressed stream included), naming it.
Result<BatchReport> run_batch(const std::vector<InputFile>& inputs, const BatchOptions& options,
                              BatchProgress* progress = nullptr);

// The same over a queue of inputs. BatchReport::inputs lists the inputs in the order taken.
Result<BatchReport> run_batch(InputQueue& queue, const BatchOptions& options,
                              BatchProgress* progress = nullptr);

}  // namespace logan
