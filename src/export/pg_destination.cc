// Records loaded into PostgreSQL with COPY in one transaction; see pg_destination.h.
#include "export/pg_destination.h"

#include <cstdlib>

#include "export/record_text.h"
#include "export/sql_identifier.h"
#include "sink/stats_store.h"

namespace logan {

class PgDestination::Writer final : public RecordWriter {
 public:
  explicit Writer(PgDestination& owner) : owner_(owner), text_(RecordFormat::kCopyText, owner.extra_) {}

  void add(const LogRecord& record, const std::string* const* extra) override {
    text_.append(rows_, record, extra);
  }

  Status flush() override {
    if (rows_.empty()) return Ok{};
    Status sent = owner_.send(rows_);
    rows_.clear();
    return sent;
  }

 private:
  PgDestination& owner_;
  RecordText text_;
  std::string rows_;
};

Result<std::unique_ptr<PgDestination>> PgDestination::open(const std::string& url,
                                                           const std::string& table,
                                                           const std::vector<std::string>& extra) {
  auto quoted = quote_table_name(table);
  if (!quoted) return quoted.error();
  const std::string name = redact_store_url(url);
  std::string conninfo = url;
  if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0) {
    if (url.rfind("postgresql:", 0) != 0) {
      return Error{"unknown destination '" + name + "': use postgresql://USER@HOST:PORT/DB"};
    }
    conninfo = url.substr(11);  // postgresql:host=... dbname=... (libpq keywords)
  }
  auto conn = connect_postgres(conninfo, name);
  if (!conn) return conn.error();
  std::unique_ptr<PgDestination> d(new PgDestination(std::move(conn.value()), name, *quoted));

  std::string columns, definitions;
  for (const auto& f : kRecordFields) {
    if (!columns.empty()) {
      columns += ", ";
      definitions += ", ";
    }
    columns += std::string("\"") + f.name + "\"";
    definitions += std::string("\"") + f.name + "\" " + f.sql_type;
  }
  for (const auto& name : extra) {
    auto column = quote_identifier(name);
    if (!column) return column.error();
    columns += ", " + *column;
    definitions += ", " + *column + " text";
  }
  d->extra_ = extra;
  // Text is sent as UTF-8 whatever the database's encoding; the server converts it.
  for (const std::string& sql : {std::string("SET client_encoding TO 'UTF8'"), std::string("BEGIN"),
                                 "CREATE TABLE IF NOT EXISTS " + d->table_ + " (" + definitions + ")"}) {
    PgResult r(PQexec(d->conn_.get(), sql.c_str()));
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      return d->failure(sql == "BEGIN" ? "cannot begin" : "cannot create table " + table);
    }
  }
  std::string copy = "COPY " + d->table_ + " (" + columns + ") FROM STDIN";
  PgResult r(PQexec(d->conn_.get(), copy.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_COPY_IN) return d->failure("cannot copy into " + table);
  d->copying_ = true;
  return d;
}

Error PgDestination::failure(const std::string& what) const {
  return Error{name_ + ": " + what + ": " + pg_first_line(PQerrorMessage(conn_.get()))};
}

std::unique_ptr<RecordWriter> PgDestination::make_writer(unsigned) {
  return std::make_unique<Writer>(*this);
}

Status PgDestination::send(std::string_view rows) {
  std::lock_guard lock(mu_);
  if (PQputCopyData(conn_.get(), rows.data(), static_cast<int>(rows.size())) != 1) {
    return failure("cannot send records");
  }
  return Ok{};
}

Status PgDestination::commit() {
  std::lock_guard lock(mu_);
  copying_ = false;
  if (PQputCopyEnd(conn_.get(), nullptr) != 1) return failure("cannot end the copy");
  bool copied = true;
  while (PGresult* r = PQgetResult(conn_.get())) {
    if (PQresultStatus(r) == PGRES_COMMAND_OK) {
      rows_loaded_ = std::strtoull(PQcmdTuples(r), nullptr, 10);
    } else {
      copied = false;
    }
    PQclear(r);
  }
  if (!copied) return failure("the copy failed (nothing was loaded)");
  PgResult c(PQexec(conn_.get(), "COMMIT"));
  if (!c || PQresultStatus(c.get()) != PGRES_COMMAND_OK) {
    return failure("cannot commit (nothing was loaded)");
  }
  return Ok{};
}

void PgDestination::abort() {
  std::lock_guard lock(mu_);
  if (copying_) {
    copying_ = false;
    if (PQputCopyEnd(conn_.get(), "logan export failed") == 1) {
      while (PGresult* r = PQgetResult(conn_.get())) PQclear(r);
    }
  }
  PgResult r(PQexec(conn_.get(), "ROLLBACK"));
}

}  // namespace logan
