// Shared PostgreSQL helpers; see pg_connection.h.
#include "sink/pg_connection.h"

namespace logan {
namespace {

void ignore_notice(void*, const char*) {}

}  // namespace

std::string pg_first_line(const char* message) {
  std::string m = message ? message : "";
  size_t nl = m.find('\n');
  if (nl != std::string::npos) m.resize(nl);
  return m.empty() ? "unknown error" : m;
}

Result<PgConn> connect_postgres(const std::string& conninfo, const std::string& name) {
  // Later keywords override earlier ones: timeouts the user gave win over ours, and the
  // application name is only a fallback. A server that goes silent (a dropped network) is
  // noticed within about a minute, by TCP keepalives and the TCP user timeout, instead of the
  // system's two hours.
  const char* keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                        "tcp_user_timeout", "dbname", "fallback_application_name", nullptr};
  const char* values[] = {"10", "30", "10", "3", "60000", conninfo.c_str(), "logan", nullptr};
  PgConn conn(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (!conn) return Error{"cannot connect to " + name + ": out of memory"};
  PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Error{"cannot connect to " + name + ": " + pg_first_line(PQerrorMessage(conn.get()))};
  }
  return conn;
}

void append_copy_field(std::string& out, std::string_view text) {
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char* escape = nullptr;
    switch (text[i]) {
      case '\\': escape = "\\\\"; break;
      case '\n': escape = "\\n"; break;
      case '\r': escape = "\\r"; break;
      case '\t': escape = "\\t"; break;
      default: continue;
    }
    out.append(text.data() + start, i - start);
    out += escape;
    start = i + 1;
  }
  out.append(text.data() + start, text.size() - start);
}

}  // namespace logan
