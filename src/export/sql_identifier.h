// Table and column names given on the command line (`logan export --table`, `--with`),
// checked and quoted before they reach SQL: nothing a user types can change a statement, only
// name a table or a column.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace logan {

// Accepts NAME or SCHEMA.NAME, each part a letter or '_' followed by letters, digits, '_' or
// '$', at most 63 bytes (PostgreSQL's limit). Parts are folded to lower case, as PostgreSQL
// folds unquoted names, and returned double-quoted: "web"."access_2024". Anything else is an
// error that names the rule.
Result<std::string> quote_table_name(std::string_view name);

// Any name of 1 to 63 bytes without NUL, kept as it is (case included) and double-quoted,
// quotes doubled: org.country -> "org.country", a"b -> "a""b".
Result<std::string> quote_identifier(std::string_view name);

}  // namespace logan
