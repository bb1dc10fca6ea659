// What every PostgreSQL client in logan shares (the --sink store, `logan export --to`):
// connecting with logan's defaults, libpq's messages cut to one line, and COPY's text format.
// Thread-safety: pure functions; a connection is used by one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace logan {

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// Connects to `conninfo` (a URL or libpq keywords) with a 10 s connect timeout unless it sets
// one, and notices discarded (library code prints nothing). The error says "cannot connect to
// NAME: ..." with libpq's reason; `name` is the redacted form for messages.
Result<PgConn> connect_postgres(const std::string& conninfo, const std::string& name);

// The first line of a libpq message (they end with a newline and may add a second line).
std::string pg_first_line(const char* message);

// Appends `text` as a field of COPY's text format (backslash, LF, CR and tab escaped).
void append_copy_field(std::string& out, std::string_view text);

}  // namespace logan
