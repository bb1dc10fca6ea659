// Reading a lookup's rows from where its spec points: a CSV file (RFC 4180, first record the
// column names), an SQLite database or a PostgreSQL server (one SELECT of the key column and
// the columns asked for, identifiers quoted, so nothing in a name can change the statement).
// Thread-safety: each call opens and closes its own file or connection; calls may run on any
// thread (the refresh thread among them).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "lookup/lookup_spec.h"
#include "lookup/lookup_table.h"

namespace logan {

// The key and `columns` of every row. Fails with one line naming the lookup and the source:
// a missing file, table or column, a database that cannot be reached, malformed CSV.
Result<LookupRows> read_lookup_rows(const LookupSpec& spec, const std::vector<std::string>& columns);

// `name` as an SQL identifier in double quotes (quotes inside doubled); "a.b" becomes "a"."b".
std::string quote_sql_identifier(const std::string& name);

}  // namespace logan
