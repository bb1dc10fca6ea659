// Evaluator: computes a bound expression for a batch of rows at once, operator by operator,
// into ValueColumns (no virtual call per field per line). Rows are either parsed records (the
// first stage: WHERE, GROUP BY keys, aggregate arguments, and the output of a query that does
// not aggregate) or the aggregated rows' slots (the output stage).
// NULLs and three-valued logic follow SQLite: integer division truncates, x / 0 is NULL,
// comparisons and logic give 0, 1 or NULL. An integer overflow gives NULL.
// Called by QueryState. Thread-safety: one Evaluator per thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "parse/log_record.h"
#include "query/query_ast.h"
#include "query/value_column.h"

namespace logan {

struct EvalRows {
  size_t n = 0;
  const uint32_t* sel = nullptr;          // row k is records[sel[k]] (or slot row sel[k])
  const LogRecord* records = nullptr;     // first stage
  std::string_view source;                // the records' input name
  const std::vector<ValueColumn>* slots = nullptr;  // output stage
  // Looked-up values: extras[records index * extra_count + i] for QueryPlan::extra_columns[i]
  // (nullptr: none). May be null: every looked-up column is then NULL.
  const std::string* const* extras = nullptr;
  size_t extra_count = 0;
  // For QueryPlan::header_columns[i]: the LogRecord::headers slot of the records' format, or
  // -1 (NULL). May be null: every header column is then NULL.
  const int8_t* header_slots = nullptr;
};

class Evaluator {
 public:
  void eval(const Expr& e, const EvalRows& rows, ValueColumn& out);
  // Rows k where `condition` is true (not NULL, not 0): writes their sel entries to `kept`,
  // returns how many.
  size_t filter(const Expr& condition, const EvalRows& rows, uint32_t* kept);
  // Computed text of the batch (lower(), strftime(), ...) lives here until clear().
  TextArena& arena() { return arena_; }
  void clear() { arena_.clear(); }

 private:
  void column(int c, const EvalRows& rows, ValueColumn& out);
  void binary(const Expr& e, const EvalRows& rows, ValueColumn& out);
  void compare(const std::string& op, const ValueColumn& a, const ValueColumn& b, size_t n, ValueColumn& out);

  TextArena arena_;
  ValueColumn condition_;
};

// a LIKE pattern (case-sensitive; `fold`: ASCII letters match either case). % matches any run
// of characters, _ one character.
bool like_match(std::string_view text, std::string_view pattern, bool fold);

}  // namespace logan
