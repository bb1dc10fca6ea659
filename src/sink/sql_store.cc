// SqlStore: see sql_store.h.
#include "sink/sql_store.h"

namespace logan::sink_internal {

Status SqlStore::in_transaction(const std::string& what, const std::function<Status()>& body) {
  if (!exec(begin_sql())) return failure("cannot start a transaction");
  Status s = body();
  if (s && exec("COMMIT")) return Ok{};
  if (s) s = failure("cannot commit " + what);
  exec("ROLLBACK");
  return s;
}

Status SqlStore::migrate(int target) {
  return in_transaction("the schema", [&]() -> Status {
    if (dialect_ == Dialect::kPostgres) {
      // Several logans starting at once: one migrates, the others wait and find it done.
      if (!exec("SELECT pg_advisory_xact_lock(465558058350)")) return failure("cannot lock the schema");
    }
    if (!exec("CREATE TABLE IF NOT EXISTS logan_schema (version INTEGER NOT NULL)")) {
      return failure("cannot create the schema table");
    }
    auto recorded = recorded_version();
    if (!recorded) return recorded.error();
    if (*recorded > target) {
      return Error{"sink " + name_ + ": the database's schema version " + std::to_string(*recorded) +
                   " is newer than this logan's (" + std::to_string(target) + ")"};
    }
    for (int v = *recorded + 1; v <= target; ++v) {
      for (const auto& sql : migration_step(dialect_, v)) {
        if (!exec(sql)) return failure("cannot migrate the schema to version " + std::to_string(v));
      }
    }
    if (*recorded < target &&
        (!exec("DELETE FROM logan_schema") ||
         !exec("INSERT INTO logan_schema (version) VALUES (" + std::to_string(target) + ")"))) {
      return failure("cannot record the schema version");
    }
    version_ = target;
    return Ok{};
  });
}

Status SqlStore::write(const std::vector<StatsRows>& rows) {
  if (!ensure_connected()) return failure("cannot connect");
  std::vector<const StatsRows*> checkpoints;
  for (const auto& r : rows) {
    if (r.kind == PublicationKind::kCheckpoint) checkpoints.push_back(&r);
  }
  std::vector<StatsRows> stats;  // the others, when there are checkpoints among them
  if (!checkpoints.empty()) {
    for (const auto& r : rows) {
      if (r.kind != PublicationKind::kCheckpoint) stats.push_back(r);
    }
  }
  if (!checkpoints.empty() && version_ < 3) {
    return Error{"sink " + name_ + ": checkpoints need schema version 3 (this database has " +
                 std::to_string(version_) + ")"};
  }
  return in_transaction("statistics", [&]() -> Status {
    Status s = write_rows(checkpoints.empty() ? rows : stats);
    // Only the newest checkpoint of a transaction matters: each replaces the one before.
    if (s && !checkpoints.empty()) s = write_checkpoint(*checkpoints.back());
    return s;
  });
}

}  // namespace logan::sink_internal
