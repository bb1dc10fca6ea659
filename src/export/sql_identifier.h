// Table names given on the command line (`logan export --table`), checked and quoted before
// they reach SQL: nothing a user types can change a statement, only name a table.
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

}  // namespace logan
