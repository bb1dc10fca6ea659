// ExtraColumns: text columns a record gains from outside its line (the looked-up columns of
// `--lookup NAME=...`, NAME.COLUMN), and where their values come from. `logan export --with`
// adds them to exported records; `logan query` reads them as columns.
// Implemented by the CLI's Lookups (src/cli/lookup_options.cc); read by the export and query
// workers. Thread-safety: names() and reader() from any thread; a Reader is used by one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "parse/log_record.h"

namespace logan {

// Each worker takes a Reader per chunk of records: it looks records up in the
// lookups as they were when it was taken.
class ExtraColumns {
 public:
  class Reader {
   public:
    virtual ~Reader() = default;
    // Sets out[0..names().size()) to `record`'s values (nullptr: none); they live as long as
    // the Reader.
    virtual void values(const LogRecord& record, const std::string** out) = 0;
  };
  virtual ~ExtraColumns() = default;
  virtual const std::vector<std::string>& names() const = 0;
  virtual std::unique_ptr<Reader> reader() const = 0;
};

}  // namespace logan
