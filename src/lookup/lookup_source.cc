// Reading lookup rows from CSV, SQLite and PostgreSQL; see lookup_source.h.
#include "lookup/lookup_source.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "lookup/csv_reader.h"
#include "sink/pg_connection.h"

namespace logan {
namespace {

std::string select_sql(const LookupSpec& spec, const std::vector<std::string>& columns) {
  std::string sql = "SELECT " + quote_sql_identifier(spec.key);
  for (const auto& c : columns) sql += ", " + quote_sql_identifier(c);
  return sql + " FROM " + quote_sql_identifier(spec.table);
}

std::string where(const LookupSpec& spec) { return "lookup " + spec.name + " (" + spec.shown + ")"; }

Result<LookupRows> read_csv(const LookupSpec& spec, const std::vector<std::string>& columns) {
  std::ifstream in(spec.location, std::ios::binary);
  if (!in) return Error{where(spec) + ": cannot open: " + std::strerror(errno)};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{where(spec) + ": cannot read: " + std::strerror(errno)};
  auto records = parse_csv(text.str());
  if (!records) return Error{where(spec) + ": " + records.error().message};
  if (records->empty()) return Error{where(spec) + ": no header line naming the columns"};
  const auto& header = records->front();
  std::vector<size_t> at;  // [0] the key, then the columns asked for
  for (const std::string* wanted = &spec.key; wanted != nullptr;) {
    size_t i = 0;
    while (i < header.size() && header[i] != *wanted) ++i;
    if (i == header.size()) return Error{where(spec) + ": no column '" + *wanted + "' in its header"};
    at.push_back(i);
    wanted = at.size() <= columns.size() ? &columns[at.size() - 1] : nullptr;
  }
  LookupRows rows;
  for (size_t r = 1; r < records->size(); ++r) {
    auto& record = (*records)[r];
    if (record.size() == 1 && record[0].empty()) continue;  // a blank line
    if (record.size() != header.size()) {
      return Error{where(spec) + ": record " + std::to_string(r + 1) + " has " +
                   std::to_string(record.size()) + " fields, the header " + std::to_string(header.size())};
    }
    std::vector<std::optional<std::string>> row;
    for (size_t i : at) {
      if (record[i].empty()) {
        row.emplace_back();
      } else {
        row.emplace_back(std::move(record[i]));
      }
    }
    rows.rows.push_back(std::move(row));
  }
  return rows;
}

Result<LookupRows> read_sqlite(const LookupSpec& spec, const std::vector<std::string>& columns) {
  sqlite3* db = nullptr;
  // Read-only and never created: a wrong path is an error, not a new empty database.
  int rc = sqlite3_open_v2(spec.location.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> owned(db, sqlite3_close);
  if (rc != SQLITE_OK) {
    return Error{where(spec) + ": cannot open: " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
  }
  sqlite3_busy_timeout(db, 10000);
  // Otherwise SQLite takes a quoted name that is no column for a string literal, and a
  // misspelt column would give every row that text instead of an error.
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, select_sql(spec, columns).c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return Error{where(spec) + ": cannot read table '" + spec.table + "': " + sqlite3_errmsg(db)};
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  LookupRows rows;
  const int n = static_cast<int>(columns.size()) + 1;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    std::vector<std::optional<std::string>> row;
    for (int i = 0; i < n; ++i) {
      if (sqlite3_column_type(raw, i) == SQLITE_NULL) {
        row.emplace_back();
        continue;
      }
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, i));
      row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(raw, i))));
    }
    rows.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) {
    return Error{where(spec) + ": cannot read table '" + spec.table + "': " + sqlite3_errmsg(db)};
  }
  return rows;
}

Result<LookupRows> read_postgres(const LookupSpec& spec, const std::vector<std::string>& columns) {
  auto conn = connect_postgres(spec.location, where(spec));
  if (!conn) return conn.error();
  PgResult result(PQexec(conn->get(), select_sql(spec, columns).c_str()));
  if (!result || PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    return Error{where(spec) + ": cannot read table '" + spec.table +
                 "': " + pg_first_line(PQerrorMessage(conn->get()))};
  }
  LookupRows rows;
  const int tuples = PQntuples(result.get());
  const int n = static_cast<int>(columns.size()) + 1;
  rows.rows.reserve(static_cast<size_t>(tuples));
  for (int t = 0; t < tuples; ++t) {
    std::vector<std::optional<std::string>> row;
    for (int i = 0; i < n; ++i) {
      if (PQgetisnull(result.get(), t, i)) {
        row.emplace_back();
      } else {
        row.emplace_back(std::string(PQgetvalue(result.get(), t, i),
                                     static_cast<size_t>(PQgetlength(result.get(), t, i))));
      }
    }
    rows.rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::string quote_sql_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '.') {
      out += "\".\"";
    } else {
      if (c == '"') out += '"';
      out += c;
    }
  }
  return out + "\"";
}

Result<LookupRows> read_lookup_rows(const LookupSpec& spec, const std::vector<std::string>& columns) {
  switch (spec.scheme) {
    case LookupScheme::kCsv: return read_csv(spec, columns);
    case LookupScheme::kSqlite: return read_sqlite(spec, columns);
    case LookupScheme::kPostgres: return read_postgres(spec, columns);
  }
  return Error{where(spec) + ": unknown source"};
}

}  // namespace logan
