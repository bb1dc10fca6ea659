// run_query(): the engine behind `logan query`. Reads every input as `logan batch` does (the
// same ChunkCursor: parallel chunks of whole lines, formats recognised per input, remote and
// compressed inputs), parses lines into batches of records and folds each batch into the
// worker's QueryState; the workers' states are merged and the output stage run at the end.
// Thread-safety: run_query() may be called from any thread; it starts and joins its workers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "engine/chunk_cursor.h"
#include "input/input_expander.h"
#include "parse/extra_columns.h"
#include "query/query_plan.h"
#include "query/query_state.h"

namespace logan {

struct QueryReport {
  // Merged over the threads, not finished: finish() for the result, serialize() for a partial.
  std::unique_ptr<QueryState> state;
  uint64_t lines = 0;              // every line read
  uint64_t invalid = 0;            // lines that did not parse (not in the result)
  std::vector<std::string> invalid_samples;  // the first few, as "INPUT:LINE: text"
  // Columns the query reads that a format of the inputs lacks: (column, format), each once.
  std::vector<std::pair<std::string, std::string>> missing_columns;
  std::vector<InputOutcome> inputs;
  std::vector<Error> skipped;      // with keep_going: inputs not read to their end
};

// Fails on a bad --format or (without keep_going) an input that cannot be read to its end.
// `extras` supplies the plan's extra_columns (the same names, in the same order); may be null
// when the plan has none.
Result<QueryReport> run_query(const std::vector<InputFile>& inputs, const BatchOptions& options,
                              const QueryPlan& plan, BatchProgress* progress = nullptr,
                              const ExtraColumns* extras = nullptr);

}  // namespace logan
