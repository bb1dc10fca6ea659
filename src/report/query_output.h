// The result of `logan query` (and `logan batch --query`) as text, CSV or JSON:
//   - text: an aligned table with a header and a rule, numbers right-aligned, NULL empty
//     (as psql shows them), terminal controls escaped;
//   - CSV: RFC 4180, a header of the column names, NULL as an empty field;
//   - JSON: {"columns": [...], "rows": [[...], ...]}, numbers as numbers, NULL as null.
// Times are ISO 8601 UTC ("2024-03-07T13:00:00Z") everywhere; reals in the shortest form that
// reads back to the same number; text as valid UTF-8 (ill-formed bytes become U+FFFD).
// docs/query.md and docs/json-output.md describe them.
// Called by the CLI. Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "query/query_state.h"
#include "report/json_writer.h"

namespace logan {

std::string query_result_text(const QueryResult& result);
std::string query_result_csv(const QueryResult& result);
std::string query_result_json(const QueryResult& result);
// Writes "columns" and "rows" members into an object being written.
void write_query_result_members(JsonWriter& json, const QueryResult& result);

// One value as CSV and JSON write it, without quoting ("" for NULL).
std::string query_value_text(const SqlValue& v);

}  // namespace logan
