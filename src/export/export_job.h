// run_export(): the engine behind `logan export`. Reads every input as `logan batch` does
// (the same ChunkCursor: parallel chunks of whole lines, formats recognised per input), hands
// each parsed record to a RecordDestination through one RecordWriter per worker, and each
// line that does not parse to the RejectsFile, if any. At the end it commits the destination
// and writes the rejects file when all went well, and aborts the destination otherwise, so
// that records appear all together or not at all.
// Thread-safety: run_export() may be called from any thread; it starts and joins its workers.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.h"
#include "engine/chunk_cursor.h"
#include "export/record_destination.h"
#include "export/rejects_file.h"

namespace logan {

struct ExportReport {
  uint64_t lines = 0;     // every line read, empty ones included
  uint64_t exported = 0;  // records handed to the destination
  uint64_t rejected = 0;  // lines that did not parse (or were too long)
  std::vector<InputOutcome> inputs;
  std::vector<Error> skipped;         // with keep_going: inputs not read to their end
  std::optional<Error> output_error;  // the destination or rejects file failed: nothing committed
};

// The chunk size the export reads with: each chunk becomes a COPY batch or a compressed frame,
// which cost more when smaller (1 MiB chunks took COPY from 0.33 to 0.25 M records/s).
constexpr size_t kExportChunkBytes = 4 << 20;

// Fails (and aborts the destination) on a bad --format or, without keep_going, an input that
// cannot be read to its end; an output failure is reported in ExportReport::output_error.
// `rejects` may be null; `extra`, when given, supplies the values of the destination's extra
// columns (the same names, in the same order).
Result<ExportReport> run_export(const std::vector<InputFile>& inputs, const BatchOptions& options,
                                RecordDestination& destination, RejectsFile* rejects,
                                BatchProgress* progress = nullptr, const ExtraColumns* extra = nullptr);

}  // namespace logan
