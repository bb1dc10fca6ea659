// RecordDestination: where `logan export` puts records (a directory of files, a PostgreSQL
// table). Each worker thread gets its own RecordWriter, adds the records of a chunk and
// flushes them; when every worker is done the job commits the destination (the records
// appear: files renamed into place, the transaction committed) or, after a failure, aborts it
// (nothing appears).
// Thread-safety: make_writer() and the writers' flush() may be called from any thread; a
// writer is used by one thread; commit() and abort() once, after the workers have returned.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "parse/extra_columns.h"
#include "parse/log_record.h"

namespace logan {

class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  // Takes one record (its views need only last for this call) and the values of the
  // destination's extra columns (one each, nullptr: null; may be null when there are none).
  virtual void add(const LogRecord& record, const std::string* const* extra) = 0;
  // Hands the records added since the last flush to the destination. An error (a full disk, a
  // lost connection) ends the job.
  virtual Status flush() = 0;
};

class RecordDestination {
 public:
  virtual ~RecordDestination() = default;
  // A writer for worker `worker` (0, 1, ...).
  virtual std::unique_ptr<RecordWriter> make_writer(unsigned worker) = 0;
  virtual Status commit() = 0;
  virtual void abort() = 0;
};

}  // namespace logan
