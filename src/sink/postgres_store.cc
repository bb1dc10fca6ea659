// The PostgreSQL statistics store, over libpq: publications are written in one transaction,
// the window rows with INSERT ... RETURNING and their counts with COPY. See stats_store.h.
// Thread-safety: one thread at a time (the connection is not shared).
#include <libpq-fe.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sink/pg_connection.h"
#include "sink/sql_store.h"

namespace logan {
namespace sink_internal {
namespace {

class PostgresStore final : public SqlStore {
 public:
  PostgresStore(PgConn conn, std::string name)
      : SqlStore(std::move(name), Dialect::kPostgres), owned_(std::move(conn)), conn_(owned_.get()) {
    refresh_cancel();
  }
  ~PostgresStore() override {
    if (cancel_ != nullptr) PQfreeCancel(cancel_);
  }

  void cancel() override {
    std::lock_guard lock(cancel_mu_);
    char why[256];
    if (cancel_ != nullptr) PQcancel(cancel_, why, sizeof why);  // best effort
  }

 protected:
  bool exec(const std::string& sql) override {
    PgResult r(PQexec(conn_, sql.c_str()));
    auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  }
  const char* begin_sql() const override { return "BEGIN"; }
  Error failure(const std::string& what) const override {
    return Error{"sink " + name() + ": " + what + ": " + pg_first_line(PQerrorMessage(conn_))};
  }
  Result<int> recorded_version() override {
    PgResult q(PQexec(conn_, "SELECT coalesce(max(version), 0) FROM logan_schema"));
    if (!q || PQresultStatus(q.get()) != PGRES_TUPLES_OK) return failure("cannot read the schema version");
    return std::atoi(PQgetvalue(q.get(), 0, 0));
  }
  bool ensure_connected() override {
    if (PQstatus(conn_) != CONNECTION_OK) {
      PQreset(conn_);
      refresh_cancel();  // a new connection has a new cancel key
    }
    return PQstatus(conn_) == CONNECTION_OK;
  }
  Status write_rows(const std::vector<StatsRows>& all) override { return write_locked(all); }

  Status write_checkpoint(const StatsRows& r) override {
    const std::string saved = sink_timestamp(r.published_ms);
    const std::string empty;
    const std::string& bytes = r.checkpoint ? *r.checkpoint : empty;
    const char* values[4] = {r.job.c_str(), r.instance.c_str(), saved.c_str(), bytes.data()};
    const int lengths[4] = {0, 0, 0, static_cast<int>(bytes.size())};
    const int formats[4] = {0, 0, 0, 1};  // the checkpoint goes as binary
    PgResult put(PQexecParams(conn_,
                              "INSERT INTO logan_checkpoints (job, instance, saved_at, checkpoint) "
                              "VALUES ($1, $2, $3, $4) ON CONFLICT (job, instance) DO UPDATE SET "
                              "saved_at = excluded.saved_at, checkpoint = excluded.checkpoint",
                              4, nullptr, values, lengths, formats, 0));
    if (!put || PQresultStatus(put.get()) != PGRES_COMMAND_OK) return failure("cannot store the checkpoint");
    PgResult del = params("DELETE FROM logan_offsets WHERE job = $1 AND instance = $2",
                          {r.job.c_str(), r.instance.c_str()});
    if (!del || PQresultStatus(del.get()) != PGRES_COMMAND_OK) return failure("cannot store the checkpoint");
    std::string rows;
    for (const auto& o : r.offsets) {
      for (const std::string* field : {&r.job, &r.instance, &o.source}) {
        append_copy_field(rows, *field);
        rows += '\t';
      }
      rows += std::to_string(o.part) + "\t" + std::to_string(o.offset) + "\n";
    }
    if (!copy("COPY logan_offsets (job, instance, source, part, next_offset) FROM STDIN", rows)) {
      return failure("cannot store the checkpoint's offsets");
    }
    return Ok{};
  }

  Result<std::optional<std::string>> load_checkpoint(const std::string& job,
                                                     const std::string& instance) override {
    if (version() < 3) return std::optional<std::string>();
    const char* values[2] = {job.c_str(), instance.c_str()};
    PgResult q(PQexecParams(conn_, "SELECT checkpoint FROM logan_checkpoints WHERE job = $1 AND instance = $2",
                            2, nullptr, values, nullptr, nullptr, 1));
    if (!q || PQresultStatus(q.get()) != PGRES_TUPLES_OK) return failure("cannot read the checkpoint");
    if (PQntuples(q.get()) == 0) return std::optional<std::string>();
    return std::optional<std::string>(
        std::string(PQgetvalue(q.get(), 0, 0), static_cast<size_t>(PQgetlength(q.get(), 0, 0))));
  }

  Result<std::map<uint64_t, uint64_t>> offsets_elsewhere(const std::string& job, const std::string& instance,
                                                         const std::string& source) override {
    std::map<uint64_t, uint64_t> out;
    if (version() < 3) return out;
    PgResult q = params("SELECT part, max(next_offset) FROM logan_offsets "
                        "WHERE job = $1 AND instance <> $2 AND source = $3 GROUP BY part",
                        {job.c_str(), instance.c_str(), source.c_str()});
    if (!q || PQresultStatus(q.get()) != PGRES_TUPLES_OK) {
      return failure("cannot read the other instances' offsets");
    }
    for (int i = 0; i < PQntuples(q.get()); ++i) {
      out[std::stoull(PQgetvalue(q.get(), i, 0))] = std::stoull(PQgetvalue(q.get(), i, 1));
    }
    return out;
  }

 private:
  PgResult params(const char* sql, const std::vector<const char*>& values) {
    return PgResult(PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(),
                                 nullptr, nullptr, 0));
  }

  Status write_locked(const std::vector<StatsRows>& all) {
    const bool v2 = version() >= 2;
    std::string content, statuses, ips, endpoints, methods, groups, group_statuses;
    for (const auto& r : all) {
      const std::string kind = publication_kind_name(r.kind);
      const std::string start = sink_timestamp(r.window_start_ms), end = sink_timestamp(r.window_end_ms);
      PgResult del = r.kind == PublicationKind::kTotal
                         ? params("DELETE FROM logan_windows WHERE job = $1 AND instance = $2 AND kind = $3",
                                  {r.job.c_str(), r.instance.c_str(), kind.c_str()})
                         : params("DELETE FROM logan_windows WHERE job = $1 AND instance = $2 AND kind = $3 "
                                  "AND window_start = $4 AND window_end = $5",
                                  {r.job.c_str(), r.instance.c_str(), kind.c_str(), start.c_str(), end.c_str()});
      if (!del || PQresultStatus(del.get()) != PGRES_COMMAND_OK) return failure("cannot replace a window");

      std::vector<std::string> v = {r.job, r.instance, kind, start, end, r.final ? "true" : "false",
                                    sink_timestamp(r.published_ms), std::to_string(r.lines_total),
                                    std::to_string(r.lines_parsed), std::to_string(r.lines_invalid)};
      std::vector<const char*> p;
      for (const auto& s : v) p.push_back(s.c_str());
      std::string first, last;
      if (r.first_time) {
        first = sink_timestamp(*r.first_time * 1000);
        last = sink_timestamp(*r.last_time * 1000);
        p.push_back(first.c_str());
        p.push_back(last.c_str());
      } else {
        p.push_back(nullptr);
        p.push_back(nullptr);
      }
      std::vector<std::string> extra;
      if (v2) {
        extra.push_back(std::to_string(r.unique_clients));
        for (uint64_t b : r.bytes_by_class) extra.push_back(std::to_string(b));
        for (const auto& s : extra) p.push_back(s.c_str());
      }
      PgResult ins = params(
          v2 ? "INSERT INTO logan_windows (job, instance, kind, window_start, window_end, final, "
               "published_at, lines_total, lines_parsed, lines_invalid, first_time, last_time, "
               "unique_clients, bytes_1xx, bytes_2xx, bytes_3xx, bytes_4xx, bytes_5xx, bytes_other) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
               "$18, $19) RETURNING id"
             : "INSERT INTO logan_windows (job, instance, kind, window_start, window_end, final, "
               "published_at, lines_total, lines_parsed, lines_invalid, first_time, last_time) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
          p);
      if (!ins || PQresultStatus(ins.get()) != PGRES_TUPLES_OK) return failure("cannot insert a window");
      const std::string id = PQgetvalue(ins.get(), 0, 0);

      content += id + "\t" + std::to_string(r.content.count) + "\t" + std::to_string(r.content.sum) +
                 "\t" + std::to_string(r.content.min) + "\t" + std::to_string(r.content.max) + "\t" +
                 std::to_string(r.content.avg()) + "\n";
      for (const auto& [code, count] : r.statuses) {
        statuses += id + "\t" + std::to_string(code) + "\t" + std::to_string(count) + "\n";
      }
      auto add_keys = [&](std::string& out, const std::vector<KeyCount>& keys) {
        for (const KeyCount* k : by_key(keys)) {
          out += id;
          out += '\t';
          append_copy_field(out, k->key);
          out += '\t';
          out += std::to_string(k->count);
          out += '\n';
        }
      };
      add_keys(ips, r.ips);
      add_keys(endpoints, r.endpoints);
      add_keys(methods, r.methods);
      for (const auto& g : r.groups) {
        std::string key = id + "\t";
        append_copy_field(key, g.by);
        key += '\t';
        if (g.value) {
          append_copy_field(key, *g.value);
        } else {
          key += "\\N";
        }
        groups += key + "\t" + std::to_string(g.counts.lines) + "\t" + std::to_string(g.counts.bytes) + "\n";
        for (const auto& [code, count] : g.counts.statuses) {
          group_statuses += key + "\t" + std::to_string(code) + "\t" + std::to_string(count) + "\n";
        }
      }
    }
    if (!copy("COPY logan_content_size (window_id, count, sum, min, max, avg) FROM STDIN", content) ||
        !copy("COPY logan_status_counts (window_id, status, count) FROM STDIN", statuses) ||
        !copy("COPY logan_ip_counts (window_id, ip, count) FROM STDIN", ips) ||
        !copy("COPY logan_endpoint_counts (window_id, endpoint, count) FROM STDIN", endpoints) ||
        (v2 && !copy("COPY logan_method_counts (window_id, method, count) FROM STDIN", methods)) ||
        (version() >= 4 &&
         (!copy("COPY logan_group_counts (window_id, group_by, value, lines, bytes) FROM STDIN", groups) ||
          !copy("COPY logan_group_status_counts (window_id, group_by, value, status, count) FROM STDIN",
                group_statuses)))) {
      return failure("cannot copy counts");
    }
    return Ok{};
  }

  // Sends `data` (COPY text format) through `sql`; true when the server took it all.
  bool copy(const char* sql, const std::string& data) {
    if (data.empty()) return true;
    PgResult start(PQexec(conn_, sql));
    if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) return false;
    bool sent = PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) == 1;
    if (PQputCopyEnd(conn_, sent ? nullptr : "logan: sending failed") != 1) return false;
    bool ok = sent;
    while (PGresult* r = PQgetResult(conn_)) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK) ok = false;
      PQclear(r);
    }
    return ok;
  }

  void refresh_cancel() {
    std::lock_guard lock(cancel_mu_);
    if (cancel_ != nullptr) PQfreeCancel(cancel_);
    cancel_ = PQstatus(conn_) == CONNECTION_OK ? PQgetCancel(conn_) : nullptr;
  }

  PgConn owned_;
  PGconn* conn_;
  std::mutex cancel_mu_;  // guards cancel_: cancel() comes from another thread
  PGcancel* cancel_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<StatsStore>> open_postgres_store(const std::string& conninfo,
                                                        const std::string& name,
                                                        int schema_version) {
  auto conn = connect_postgres(conninfo, "sink " + name);
  if (!conn) return conn.error();
  auto store = std::make_unique<PostgresStore>(std::move(conn.value()), name);
  Status s = store->migrate(schema_version);
  if (!s) return s.error();
  return std::unique_ptr<StatsStore>(std::move(store));
}

}  // namespace sink_internal
}  // namespace logan
