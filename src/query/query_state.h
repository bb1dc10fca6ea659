// QueryState: one query's partial result over the lines seen so far: the groups and their
// aggregate states (a query that aggregates), or the rows kept (one that does not). Workers
// each fold batches of records into their own state and the states are merged at the end;
// finish() runs the output stage (HAVING, the select list, ORDER BY, DISTINCT, LIMIT).
// Called by run_query() (query_job.cc) and tests.
// Thread-safety: one state per thread; merge() states of the same plan.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/result.h"
#include "parse/log_record.h"
#include "query/query_eval.h"
#include "query/query_plan.h"

namespace logan {

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<SqlType> types;
  std::vector<std::vector<SqlValue>> rows;
};

class QueryState {
 public:
  // REQUIRES: plan outlives the state.
  explicit QueryState(const QueryPlan& plan);
  QueryState(QueryState&&) = default;

  // Folds in n parsed records from input `source`. `order` numbers the batch among all the
  // batches of the run (input, then position in it), so that a query without ORDER BY lists
  // rows in the order of the logs whatever thread read them.
  // `extras`: the looked-up values of each record (n * plan.extra_columns.size(), row by row;
  // see EvalRows), or null.
  // `header_slots`: where the records' format keeps each of plan.header_columns (see
  // EvalRows), or null.
  void add(const LogRecord* records, size_t n, std::string_view source, uint64_t order,
           const std::string* const* extras = nullptr, const int8_t* header_slots = nullptr);
  // The header_slots argument of add() for records of `format`.
  static std::vector<int8_t> header_slots_for(const QueryPlan& plan, const LogFormat& format);
  // Folds `other` in. REQUIRES: the same plan.
  void merge(QueryState& other);
  QueryResult finish();

  // The state as bytes (docs/partial-format.md, "Query states"): a versioned, checksummed frame
  // that names the query, so that states of different queries are never merged.
  std::string serialize() const;
  // Folds in a state serialize() wrote for the same query; refuses (and leaves this state as it
  // was) a corrupt one or one of another query. `order_base` is added to the order of its rows
  // (a query that does not aggregate), so that the rows of a later partial file come later.
  Status merge_serialized(std::string_view bytes, uint64_t order_base = 0);
  // The query text a serialized state was written for, or an error when `bytes` is not one.
  static Result<std::string> sql_of_serialized(std::string_view bytes);
  static bool looks_serialized(std::string_view bytes);

  size_t groups() const { return group_count_; }

 private:
  uint32_t group_of(std::string_view key);
  void add_rows(const EvalRows& rows, uint64_t order);
  std::vector<ValueColumn> slot_columns(std::deque<SqlValue>& storage) const;

  const QueryPlan& plan_;
  Evaluator eval_;
  // A query that aggregates: group keys (append_value_key bytes) and the aggregates' states.
  // Stable storage for the map's views: keys packed into blocks (no allocation per group).
  std::string_view keep_key(std::string_view key);
  std::vector<std::unique_ptr<char[]>> key_blocks_;
  size_t key_block_left_ = 0;
  char* key_block_at_ = nullptr;
  absl::flat_hash_map<std::string_view, uint32_t> groups_;
  size_t group_count_ = 0;
  std::vector<std::unique_ptr<AggregateStates>> aggregates_;  // one per QueryPlan::states
  // A query that does not: its output values, then its ORDER BY keys, and where it came from.
  struct Row {
    std::vector<SqlValue> values;
    uint64_t order;
    uint32_t index;
  };
  std::vector<Row> rows_;
  // Scratch.
  std::string key_;
  std::vector<uint32_t> sel_, kept_, group_ids_;
  std::vector<ValueColumn> key_columns_;
  ValueColumn arg_;
};

}  // namespace logan
