// StatsStore: a database that keeps published statistics (docs/database-schema.md): SQLite
// (`sqlite:PATH`) or PostgreSQL (`postgresql://...`, `postgres://...`, or a libpq keyword
// string after `postgresql:`). Opening one connects and creates or migrates the schema; write()
// stores publications in one transaction, each replacing the rows of the same key, so a
// publication written twice (a retry, a restart) is there once.
// Thread-safety: one store is used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "sink/stats_rows.h"

namespace logan {

// The schema version this logan writes; docs/database-schema.md lists each version.
constexpr int kStatsSchemaVersion = 6;

class StatsStore {
 public:
  virtual ~StatsStore() = default;
  // The store as the user named it, with any password hidden.
  virtual const std::string& name() const = 0;
  // Writes `rows` in one transaction. A store whose connection was lost reconnects first; on
  // error nothing of `rows` is stored.
  virtual Status write(const std::vector<StatsRows>& rows) = 0;
  // The stream checkpoint stored for (job, instance), or nullopt when there is none.
  virtual Result<std::optional<std::string>> load_checkpoint(const std::string& job,
                                                             const std::string& instance) = 0;
  // The furthest offset of each part of `source` that the checkpoints of the job's other
  // instances hold (logan_offsets): where a Kafka partition taken over from one of them would
  // start. Not yet asked by the stream (docs/kafka.md, "Consumer groups ...").
  virtual Result<std::map<uint64_t, uint64_t>> offsets_elsewhere(const std::string& job,
                                                                 const std::string& instance,
                                                                 const std::string& source) = 0;
  // Asks a write under way on another thread to give up (it then fails and stores nothing):
  // for a statement that waits on a lock someone else holds, or a connection gone silent.
  // May be called from any thread, while a write runs or not.
  virtual void cancel() {}
};

// Opens the store `url` names, creating or migrating its schema up to `schema_version` (tests
// use older versions to check migrations). A database with a newer schema is refused.
Result<std::unique_ptr<StatsStore>> open_stats_store(const std::string& url,
                                                     int schema_version = kStatsSchemaVersion);

// Hides the password of a PostgreSQL URL or keyword string, for messages.
std::string redact_store_url(const std::string& url);

namespace sink_internal {
enum class Dialect { kSqlite, kPostgres };
// The statements that take a schema from version `to - 1` to `to` (to >= 1).
std::vector<std::string> migration_step(Dialect dialect, int to);
Result<std::unique_ptr<StatsStore>> open_sqlite_store(const std::string& path, int schema_version);
Result<std::unique_ptr<StatsStore>> open_postgres_store(const std::string& conninfo,
                                                        const std::string& name,
                                                        int schema_version);
}  // namespace sink_internal

}  // namespace logan
