// SqlStore: what the SQLite and PostgreSQL stores share: transactions that roll back on any
// failure, and the schema migration (read the version, refuse a newer one, apply the missing
// steps of schema.cc, record the version), all in one transaction.
// Thread-safety: as StatsStore: one thread at a time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sink/stats_store.h"

namespace logan::sink_internal {

class SqlStore : public StatsStore {
 public:
  SqlStore(std::string name, Dialect dialect) : name_(std::move(name)), dialect_(dialect) {}
  const std::string& name() const override { return name_; }

  // Creates or migrates the schema up to `target`.
  Status migrate(int target);
  Status write(const std::vector<StatsRows>& rows) final;

 protected:
  // Runs one statement without results; false on error (failure() then says why).
  virtual bool exec(const std::string& sql) = 0;
  // The schema version recorded in logan_schema (0 when empty), or an error.
  virtual Result<int> recorded_version() = 0;
  // The statement that starts a write transaction.
  virtual const char* begin_sql() const = 0;
  // Called inside the transaction; on error the transaction is rolled back. `rows` holds no
  // kCheckpoint publication: those go to write_checkpoint(), in the same transaction.
  virtual Status write_rows(const std::vector<StatsRows>& rows) = 0;
  // Replaces the checkpoint row and the offsets rows of (job, instance) (schema version 3).
  virtual Status write_checkpoint(const StatsRows& checkpoint) = 0;
  // Reconnects if the connection is known to be lost; false when that fails.
  virtual bool ensure_connected() { return true; }
  // "sink NAME: WHAT: <the database's last error>".
  virtual Error failure(const std::string& what) const = 0;

  int version() const { return version_; }

 private:
  Status in_transaction(const std::string& what, const std::function<Status()>& body);

  std::string name_;
  Dialect dialect_;
  int version_ = 0;
};

}  // namespace logan::sink_internal
