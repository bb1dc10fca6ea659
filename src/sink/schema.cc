// The statistics schema and its migrations, for SQLite and PostgreSQL alike
// (docs/database-schema.md describes each table). A step is never changed once released: a new
// version adds a step.
// Thread-safety: pure functions.
#include <string>
#include <utility>
#include <vector>

#include "sink/stats_store.h"

namespace logan::sink_internal {

namespace {

// Replaces the dialect's words in `sql`: {ID} the row id column, {TS} a timestamp, {BLOB} bytes.
std::string dialect_sql(Dialect d, std::string sql) {
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t at = sql.find(from); at != std::string::npos; at = sql.find(from, at + to.size())) {
      sql.replace(at, from.size(), to);
    }
  };
  replace("{ID}", d == Dialect::kSqlite ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY");
  replace("{TS}", d == Dialect::kSqlite ? "TEXT" : "TIMESTAMPTZ");
  replace("{BLOB}", d == Dialect::kSqlite ? "BLOB" : "BYTEA");
  return sql;
}

// Every table whose rows belong to one row of logan_windows.
constexpr const char* kCountsTables[] = {"logan_content_size",  "logan_status_counts",  "logan_ip_counts",
                                          "logan_endpoint_counts", "logan_method_counts", "logan_group_counts",
                                          "logan_group_status_counts"};

std::string counts_table(const std::string& table, const std::string& key_column,
                         const std::string& key_type) {
  return "CREATE TABLE " + table +
         " (window_id BIGINT NOT NULL REFERENCES logan_windows (id) ON DELETE CASCADE, " +
         key_column + " " + key_type + " NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (window_id, " +
         key_column + "))";
}

}  // namespace

std::vector<std::string> migration_step(Dialect d, int to) {
  std::vector<std::string> sql;
  if (to == 1) {
    sql.push_back(
        "CREATE TABLE logan_windows ("
        "id {ID}, job TEXT NOT NULL, instance TEXT NOT NULL, kind TEXT NOT NULL, "
        "window_start {TS} NOT NULL, window_end {TS} NOT NULL, final BOOLEAN NOT NULL, "
        "published_at {TS} NOT NULL, lines_total BIGINT NOT NULL, lines_parsed BIGINT NOT NULL, "
        "lines_invalid BIGINT NOT NULL, first_time {TS}, last_time {TS})");
    sql.push_back(
        "CREATE UNIQUE INDEX logan_windows_key ON logan_windows "
        "(job, instance, kind, window_start, window_end) WHERE kind <> 'total'");
    sql.push_back(
        "CREATE UNIQUE INDEX logan_windows_total ON logan_windows (job, instance) "
        "WHERE kind = 'total'");
    sql.push_back(
        "CREATE TABLE logan_content_size ("
        "window_id BIGINT PRIMARY KEY REFERENCES logan_windows (id) ON DELETE CASCADE, "
        "count BIGINT NOT NULL, sum BIGINT NOT NULL, min BIGINT NOT NULL, max BIGINT NOT NULL, "
        "avg DOUBLE PRECISION NOT NULL)");
    sql.push_back(counts_table("logan_status_counts", "status", "INTEGER"));
    sql.push_back(counts_table("logan_ip_counts", "ip", "TEXT"));
    sql.push_back(counts_table("logan_endpoint_counts", "endpoint", "TEXT"));
  } else if (to == 2) {
    sql.push_back("ALTER TABLE logan_windows ADD COLUMN unique_clients BIGINT NOT NULL DEFAULT 0");
    for (const char* c : {"bytes_1xx", "bytes_2xx", "bytes_3xx", "bytes_4xx", "bytes_5xx",
                          "bytes_other"}) {
      sql.push_back(std::string("ALTER TABLE logan_windows ADD COLUMN ") + c +
                    " BIGINT NOT NULL DEFAULT 0");
    }
    sql.push_back(counts_table("logan_method_counts", "method", "TEXT"));
    sql.push_back("CREATE INDEX logan_windows_time ON logan_windows (job, kind, window_end)");
  } else if (to == 3) {
    sql.push_back(
        "CREATE TABLE logan_checkpoints (job TEXT NOT NULL, instance TEXT NOT NULL, "
        "saved_at {TS} NOT NULL, checkpoint {BLOB} NOT NULL, PRIMARY KEY (job, instance))");
    sql.push_back(
        "CREATE TABLE logan_offsets (job TEXT NOT NULL, instance TEXT NOT NULL, source TEXT NOT NULL, "
        "part BIGINT NOT NULL, next_offset BIGINT NOT NULL, PRIMARY KEY (job, instance, source, part))");
  } else if (to == 4) {
    // --group-by: a NULL value holds the lines that no lookup row matched.
    sql.push_back(
        "CREATE TABLE logan_group_counts ("
        "window_id BIGINT NOT NULL REFERENCES logan_windows (id) ON DELETE CASCADE, "
        "group_by TEXT NOT NULL, value TEXT, lines BIGINT NOT NULL, bytes BIGINT NOT NULL)");
    sql.push_back(
        "CREATE UNIQUE INDEX logan_group_counts_key ON logan_group_counts (window_id, group_by, value)");
    sql.push_back(
        "CREATE TABLE logan_group_status_counts ("
        "window_id BIGINT NOT NULL REFERENCES logan_windows (id) ON DELETE CASCADE, "
        "group_by TEXT NOT NULL, value TEXT, status INTEGER NOT NULL, count BIGINT NOT NULL)");
    sql.push_back(
        "CREATE UNIQUE INDEX logan_group_status_counts_key ON logan_group_status_counts "
        "(window_id, group_by, value, status)");
  } else if (to == 5 && d == Dialect::kPostgres) {
    // PostgreSQL checks a foreign key with one query per inserted row, which made storing a
    // run's tens of thousands of client rows cost a quarter of a second. The counts tables
    // keep their window_id but lose the key; one statement-level trigger deletes a window's
    // counts with the window, as ON DELETE CASCADE did (for logan's replacements and for a
    // dashboard's retention job alike). SQLite checks a key with one b-tree lookup and keeps it.
    std::string cascade;
    for (const char* t : kCountsTables) {
      sql.push_back(std::string("ALTER TABLE ") + t + " DROP CONSTRAINT IF EXISTS " + t + "_window_id_fkey");
      cascade += std::string("DELETE FROM ") + t + " WHERE window_id IN (SELECT id FROM gone); ";
    }
    sql.push_back("CREATE OR REPLACE FUNCTION logan_windows_cascade() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN " +
                  cascade + "RETURN NULL; END $body$");
    sql.push_back(
        "CREATE TRIGGER logan_windows_cascade AFTER DELETE ON logan_windows REFERENCING OLD TABLE AS gone "
        "FOR EACH STATEMENT EXECUTE FUNCTION logan_windows_cascade()");
  } else if (to == 6 && d == Dialect::kSqlite) {
    // SQLite keeps a table with a primary key as two b-trees, the rows by rowid and the key's
    // index; storing a run's tens of thousands of client rows wrote both, then copied both from
    // the WAL into the file at the end of the run. A WITHOUT ROWID table is one b-tree ordered by
    // its key: half the pages. Each keyed counts table is rebuilt so, rows kept.
    const std::pair<const char*, const char*> keyed[] = {
        {"logan_status_counts", "status INTEGER"}, {"logan_ip_counts", "ip TEXT"},
        {"logan_endpoint_counts", "endpoint TEXT"}, {"logan_method_counts", "method TEXT"}};
    for (const auto& [table, key] : keyed) {
      const std::string t = table;
      const std::string column = std::string(key).substr(0, std::string(key).find(' '));
      sql.push_back("CREATE TABLE " + t + "_v6 (window_id BIGINT NOT NULL REFERENCES logan_windows (id) "
                    "ON DELETE CASCADE, " + key + " NOT NULL, count BIGINT NOT NULL, "
                    "PRIMARY KEY (window_id, " + column + ")) WITHOUT ROWID");
      sql.push_back("INSERT INTO " + t + "_v6 (window_id, " + column + ", count) SELECT window_id, " + column +
                    ", count FROM " + t);
      sql.push_back("DROP TABLE " + t);
      sql.push_back("ALTER TABLE " + t + "_v6 RENAME TO " + t);
    }
  }
  for (auto& s : sql) s = dialect_sql(d, std::move(s));
  return sql;
}

}  // namespace logan::sink_internal
