// The SQLite statistics store: one database file, written in WAL mode so that readers (a
// dashboard) never block the writer. See stats_store.h.
// Thread-safety: one thread at a time (the connection is not shared).
#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>

#include "sink/sql_store.h"

namespace logan {
namespace sink_internal {
namespace {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }
  void text(int i, const std::string& v) { sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
  // Binds text that stays alive and unchanged until the statement has run.
  void text_static(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void integer(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void real(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void blob(int i, const std::string& v) { sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT); }
  void null(int i) { sqlite3_bind_null(stmt_, i); }
  // Runs the statement to its end and makes it ready to run again; true when it succeeded.
  bool run() {
    int rc;
    while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return rc == SQLITE_DONE;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

class SqliteStore final : public SqlStore {
 public:
  SqliteStore(sqlite3* db, std::string name) : SqlStore(std::move(name), Dialect::kSqlite), db_(db) {}
  ~SqliteStore() override { sqlite3_close(db_); }
  void cancel() override { sqlite3_interrupt(db_); }  // documented as safe from any thread

 protected:
  bool exec(const std::string& sql) override {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  const char* begin_sql() const override { return "BEGIN IMMEDIATE"; }
  Error failure(const std::string& what) const override {
    return Error{"sink " + name() + ": " + what + ": " + sqlite3_errmsg(db_)};
  }
  Result<int> recorded_version() override {
    Statement q(db_, "SELECT coalesce(max(version), 0) FROM logan_schema");
    if (!q.ok() || sqlite3_step(q.get()) != SQLITE_ROW) return failure("cannot read the schema version");
    return sqlite3_column_int(q.get(), 0);
  }
  Status write_rows(const std::vector<StatsRows>& all) override {
    for (const auto& r : all) {
      if (!write_one(r)) return failure("cannot store statistics");
    }
    return Ok{};
  }
  Status write_checkpoint(const StatsRows& r) override {
    Statement put(db_, "INSERT OR REPLACE INTO logan_checkpoints (job, instance, saved_at, checkpoint) "
                       "VALUES (?1, ?2, ?3, ?4)");
    Statement del(db_, "DELETE FROM logan_offsets WHERE job = ?1 AND instance = ?2");
    Statement off(db_, "INSERT INTO logan_offsets (job, instance, source, part, next_offset) "
                       "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!put.ok() || !del.ok() || !off.ok()) return failure("cannot store the checkpoint");
    put.text(1, r.job);
    put.text(2, r.instance);
    put.text(3, sink_timestamp(r.published_ms));
    put.blob(4, r.checkpoint ? *r.checkpoint : std::string());
    del.text(1, r.job);
    del.text(2, r.instance);
    if (!put.run() || !del.run()) return failure("cannot store the checkpoint");
    for (const auto& o : r.offsets) {
      off.text(1, r.job);
      off.text(2, r.instance);
      off.text(3, o.source);
      off.integer(4, static_cast<int64_t>(o.part));
      off.integer(5, static_cast<int64_t>(o.offset));
      if (!off.run()) return failure("cannot store the checkpoint's offsets");
    }
    return Ok{};
  }
  Result<std::optional<std::string>> load_checkpoint(const std::string& job,
                                                     const std::string& instance) override {
    if (version() < 3) return std::optional<std::string>();
    Statement q(db_, "SELECT checkpoint FROM logan_checkpoints WHERE job = ?1 AND instance = ?2");
    if (!q.ok()) return failure("cannot read the checkpoint");
    q.text(1, job);
    q.text(2, instance);
    int rc = sqlite3_step(q.get());
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return failure("cannot read the checkpoint");
    const void* data = sqlite3_column_blob(q.get(), 0);
    size_t size = static_cast<size_t>(sqlite3_column_bytes(q.get(), 0));
    if (data == nullptr || size == 0) return std::optional<std::string>(std::string());
    return std::optional<std::string>(std::string(static_cast<const char*>(data), size));
  }

  Result<std::map<uint64_t, uint64_t>> offsets_elsewhere(const std::string& job, const std::string& instance,
                                                         const std::string& source) override {
    std::map<uint64_t, uint64_t> out;
    if (version() < 3) return out;
    Statement q(db_, "SELECT part, max(next_offset) FROM logan_offsets "
                     "WHERE job = ?1 AND instance <> ?2 AND source = ?3 GROUP BY part");
    if (!q.ok()) return failure("cannot read the other instances' offsets");
    q.text(1, job);
    q.text(2, instance);
    q.text(3, source);
    int rc;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
      out[static_cast<uint64_t>(sqlite3_column_int64(q.get(), 0))] =
          static_cast<uint64_t>(sqlite3_column_int64(q.get(), 1));
    }
    if (rc != SQLITE_DONE) return failure("cannot read the other instances' offsets");
    return out;
  }

 private:
  bool write_one(const StatsRows& r) {
    const std::string kind = publication_kind_name(r.kind);
    {
      Statement del(db_, r.kind == PublicationKind::kTotal
                             ? "DELETE FROM logan_windows WHERE job = ?1 AND instance = ?2 AND kind = ?3"
                             : "DELETE FROM logan_windows WHERE job = ?1 AND instance = ?2 AND kind = ?3 "
                               "AND window_start = ?4 AND window_end = ?5");
      if (!del.ok()) return false;
      del.text(1, r.job);
      del.text(2, r.instance);
      del.text(3, kind);
      if (r.kind != PublicationKind::kTotal) {
        del.text(4, sink_timestamp(r.window_start_ms));
        del.text(5, sink_timestamp(r.window_end_ms));
      }
      if (!del.run()) return false;
    }
    const bool v2 = version() >= 2;
    Statement ins(db_, v2 ? "INSERT INTO logan_windows (job, instance, kind, window_start, window_end, final, "
                            "published_at, lines_total, lines_parsed, lines_invalid, first_time, last_time, "
                            "unique_clients, bytes_1xx, bytes_2xx, bytes_3xx, bytes_4xx, bytes_5xx, "
                            "bytes_other) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                            "?14, ?15, ?16, ?17, ?18, ?19)"
                          : "INSERT INTO logan_windows (job, instance, kind, window_start, window_end, final, "
                            "published_at, lines_total, lines_parsed, lines_invalid, first_time, last_time) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    if (!ins.ok()) return false;
    ins.text(1, r.job);
    ins.text(2, r.instance);
    ins.text(3, kind);
    ins.text(4, sink_timestamp(r.window_start_ms));
    ins.text(5, sink_timestamp(r.window_end_ms));
    ins.integer(6, r.final ? 1 : 0);
    ins.text(7, sink_timestamp(r.published_ms));
    ins.integer(8, static_cast<int64_t>(r.lines_total));
    ins.integer(9, static_cast<int64_t>(r.lines_parsed));
    ins.integer(10, static_cast<int64_t>(r.lines_invalid));
    if (r.first_time) {
      ins.text(11, sink_timestamp(*r.first_time * 1000));
      ins.text(12, sink_timestamp(*r.last_time * 1000));
    } else {
      ins.null(11);
      ins.null(12);
    }
    if (v2) {
      ins.integer(13, static_cast<int64_t>(r.unique_clients));
      for (int i = 0; i < AccessStats::kStatusClasses; ++i) {
        ins.integer(14 + i, static_cast<int64_t>(r.bytes_by_class[static_cast<size_t>(i)]));
      }
    }
    if (!ins.run()) return false;
    const int64_t id = sqlite3_last_insert_rowid(db_);

    Statement cs(db_, "INSERT INTO logan_content_size (window_id, count, sum, min, max, avg) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!cs.ok()) return false;
    cs.integer(1, id);
    cs.integer(2, static_cast<int64_t>(r.content.count));
    cs.integer(3, static_cast<int64_t>(r.content.sum));
    cs.integer(4, static_cast<int64_t>(r.content.min));
    cs.integer(5, static_cast<int64_t>(r.content.max));
    cs.real(6, r.content.avg());
    if (!cs.run()) return false;

    Statement st(db_, "INSERT INTO logan_status_counts (window_id, status, count) VALUES (?1, ?2, ?3)");
    if (!st.ok()) return false;
    for (const auto& [code, count] : r.statuses) {
      st.integer(1, id);
      st.integer(2, code);
      st.integer(3, static_cast<int64_t>(count));
      if (!st.run()) return false;
    }
    return keys(id, "logan_ip_counts", "ip", r.ips) && keys(id, "logan_endpoint_counts", "endpoint", r.endpoints) &&
           (!v2 || keys(id, "logan_method_counts", "method", r.methods)) &&
           (version() < 4 || groups(id, r.groups));
  }

  bool groups(int64_t id, const std::vector<GroupRowCounts>& rows) {
    Statement g(db_, "INSERT INTO logan_group_counts (window_id, group_by, value, lines, bytes) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)");
    Statement st(db_, "INSERT INTO logan_group_status_counts (window_id, group_by, value, status, count) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!g.ok() || !st.ok()) return false;
    auto key = [&](Statement& s, const GroupRowCounts& row) {
      s.integer(1, id);
      s.text(2, row.by);
      if (row.value) {
        s.text(3, *row.value);
      } else {
        s.null(3);
      }
    };
    for (const auto& row : rows) {
      key(g, row);
      g.integer(4, static_cast<int64_t>(row.counts.lines));
      g.integer(5, static_cast<int64_t>(row.counts.bytes));
      if (!g.run()) return false;
      for (const auto& [code, count] : row.counts.statuses) {
        key(st, row);
        st.integer(4, code);
        st.integer(5, static_cast<int64_t>(count));
        if (!st.run()) return false;
      }
    }
    return true;
  }

  // Inserts (window id, key, count) rows into `table`, many rows per statement: the per-row
  // cost of running a statement is most of the time of storing tens of thousands of clients.
  bool keys(int64_t id, const char* table, const char* key_column, const std::vector<KeyCount>& rows) {
    constexpr size_t kPerStatement = 128;
    auto sql = [&](size_t n) {
      std::string text = std::string("INSERT INTO ") + table + " (window_id, " + key_column + ", count) VALUES ";
      for (size_t i = 0; i < n; ++i) text += i == 0 ? "(?1, ?, ?)" : ", (?1, ?, ?)";
      return text;
    };
    const std::vector<const KeyCount*> sorted = by_key(rows);
    const size_t full = rows.size() / kPerStatement;
    std::optional<Statement> many;
    if (full > 0) {
      many.emplace(db_, sql(kPerStatement).c_str());
      if (!many->ok()) return false;
    }
    auto put = [&](Statement& s, size_t from, size_t n) {
      s.integer(1, id);
      for (size_t i = 0; i < n; ++i) {
        const KeyCount& k = *sorted[from + i];
        s.text_static(static_cast<int>(2 + 2 * i), k.key);
        s.integer(static_cast<int>(3 + 2 * i), static_cast<int64_t>(k.count));
      }
      return s.run();
    };
    for (size_t b = 0; b < full; ++b) {
      if (!put(*many, b * kPerStatement, kPerStatement)) return false;
    }
    const size_t rest = rows.size() - full * kPerStatement;
    if (rest == 0) return true;
    Statement tail(db_, sql(rest).c_str());
    return tail.ok() && put(tail, full * kPerStatement, rest);
  }

  sqlite3* db_;
};

}  // namespace

Result<std::unique_ptr<StatsStore>> open_sqlite_store(const std::string& path, int schema_version) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  std::string name = "sqlite:" + path;
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Error{"cannot open sink " + name + ": " + why};
  }
  auto store = std::make_unique<SqliteStore>(db, name);
  sqlite3_busy_timeout(db, 10000);  // another writer (or a migration) holds the lock a while
  sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
  if (sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Error{"cannot open sink " + name + ": " + sqlite3_errmsg(db)};
  }
  Status s = store->migrate(schema_version);
  if (!s) return s.error();
  return std::unique_ptr<StatsStore>(std::move(store));
}

}  // namespace sink_internal
}  // namespace logan
