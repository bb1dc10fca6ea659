// parse_query(): the text of a logan query (the SELECT subset docs/query.md describes) to its
// syntax tree, unbound. Names are not resolved here: query_plan.cc does that.
// Called by compile_query() and the query parser's fuzz target.
// Thread-safety: pure.
#pragma once

#include <string_view>

#include "query/query_ast.h"

namespace logan {

// Throws QueryMistake (with the offset of the token at fault) when `sql` does not parse.
SelectStatement parse_query(std::string_view sql);

}  // namespace logan
