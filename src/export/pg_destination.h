// PgDestination: records loaded into a PostgreSQL table (`logan export --to postgresql://...
// --table NAME`). One connection and one transaction: BEGIN, CREATE TABLE IF NOT EXISTS (the
// columns of kRecordFields), COPY ... FROM STDIN in text format, and COMMIT only when every
// input was read and every record sent; on any failure the transaction is rolled back, so a
// run loads all its records or none (the table it created included). Workers format COPY rows
// in parallel; their blocks (one chunk's records, a few MiB) go down the connection one at a
// time.
// Thread-safety: see RecordDestination.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "export/record_destination.h"
#include "sink/pg_connection.h"

namespace logan {

class PgDestination final : public RecordDestination {
 public:
  // `url`: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB (or postgres://), or "postgresql:"
  // followed by libpq keywords. Fails, with any password hidden, when the name is not a table
  // name (quote_table_name), the server cannot be reached or refuses the credentials, or the
  // table cannot be created or does not take the record's columns.
  // `extra`: the names of text columns after kRecordFields (`--with`).
  static Result<std::unique_ptr<PgDestination>> open(const std::string& url,
                                                     const std::string& table,
                                                     const std::vector<std::string>& extra = {});

  std::unique_ptr<RecordWriter> make_writer(unsigned worker) override;
  Status commit() override;
  void abort() override;
  // Rows the server reported loaded, after a successful commit().
  uint64_t rows_loaded() const { return rows_loaded_; }

 private:
  class Writer;
  PgDestination(PgConn conn, std::string name, std::string table)
      : conn_(std::move(conn)), name_(std::move(name)), table_(std::move(table)) {}
  Status send(std::string_view rows);
  Error failure(const std::string& what) const;

  std::mutex mu_;  // guards the connection while copying
  PgConn conn_;
  std::string name_;   // the URL, redacted
  std::vector<std::string> extra_;
  std::string table_;  // quoted
  bool copying_ = false;
  uint64_t rows_loaded_ = 0;
};

}  // namespace logan
