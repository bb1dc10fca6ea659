// The scalar functions of logan's SQL (lower, substr, regexp_extract, cidr_contains,
// date_trunc, time_bucket, strftime, ...): how each checks its arguments when a query is
// planned, and how it computes a batch of rows. docs/query.md lists them.
// Called by query_plan.cc (bind_scalar_function) and query_eval.cc (eval_scalar_function).
// Thread-safety: pure; compiled patterns in Expr::aux are immutable and shared.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "query/query_ast.h"
#include "query/value_column.h"

namespace logan {

bool is_scalar_function(std::string_view name);
std::vector<std::string> scalar_function_names();

// Checks call `e` (kFunction, its arguments bound) and sets its type, function and aux.
// Throws QueryMistake for a wrong argument count or type, or a bad literal (a pattern that
// does not compile, an unknown date_trunc unit, a malformed network).
void bind_scalar_function(Expr& e);

// Computes `e` for n rows from its arguments' columns (each of n rows, or constant).
void eval_scalar_function(const Expr& e, const std::vector<ValueColumn>& args, size_t n,
                          ValueColumn& out, TextArena& arena);

// Reads a time literal: '2024-03-07', '2024-03-07 18:00', '2024-03-07 18:00:00', '2024-03-07T18:00:00Z',
// '2024-03-07T18:00:00+01:00' (no zone: UTC); nullopt when `text` is none of these.
std::optional<int64_t> parse_time_literal(std::string_view text);

// "2024-03-07T13:00:00Z".
std::string format_time_value(int64_t seconds);

}  // namespace logan
