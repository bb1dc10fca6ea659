// compile_query(): a query's text to a QueryPlan, every name resolved and every type checked,
// or a mistake with its offset in the text and, for a misspelt name, the nearest valid one.
//
// A plan has two stages. Rows are first filtered by `where` and, when the query aggregates,
// grouped by `keys` into `aggregates` (everything over the record columns, evaluated a batch of
// records at a time). The output stage then computes `outputs`, `having` and the `order` keys
// over the aggregated rows, whose slots are the keys followed by the aggregates' values (or,
// for a query that does not aggregate, over the records themselves).
// Called by the CLI (logan query), QueryState and the fuzz target.
// Thread-safety: a plan is immutable; share it between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "parse/log_format.h"
#include "query/aggregate.h"
#include "query/query_ast.h"

namespace logan {

// The record columns a query can read, in the order of `logan export` and then the rest.
enum QueryColumn : int {
  kColTime, kColClient, kColUser, kColMethod, kColPath, kColQuery, kColProtocol, kColStatus,
  kColSize, kColDurationUs, kColReferer, kColUserAgent, kColVhost, kColRequest, kColDuration,
  kColSource, kColumnCount
};
struct QueryColumnInfo {
  const char* name;
  SqlType type;
  const char* meaning;
};
extern const QueryColumnInfo kQueryColumns[kColumnCount];
// Header columns (QueryPlan::header_columns[i]) are numbered kHeaderColumnBase + i.
constexpr int kHeaderColumnBase = 1 << 20;

// Whether lines in `format` can have a value in `column` (source always can).
bool format_has_column(const LogFormat& format, int column);

struct PlannedAggregate {
  AggregateCall call;
  const AggregateFunction* function = nullptr;
  ExprPtr arg;  // over records; null for count(*)
  SqlType type = SqlType::kNull;
  size_t state = 0;  // index of the states it reads (QueryPlan::states); shared when possible
};

struct PlannedOrder {
  ExprPtr key;
  bool descending = false;
  bool nulls_first = true;
};

struct QueryPlan {
  std::string sql;
  ExprPtr where;                          // over records; may be null
  bool aggregated = false;                // GROUP BY or an aggregate anywhere
  std::vector<ExprPtr> keys;              // GROUP BY, over records
  std::vector<PlannedAggregate> aggregates;
  // The aggregate states a query keeps: the index of the aggregate that owns (updates) each.
  std::vector<size_t> states;
  std::vector<ExprPtr> outputs;           // over slots (aggregated) or records
  std::vector<std::string> names;         // output column names
  ExprPtr having;                         // over slots; may be null
  std::vector<PlannedOrder> order;        // over slots (aggregated) or records
  bool distinct = false;
  std::optional<int64_t> limit;
  int64_t offset = 0;
  std::vector<int> columns_used;          // QueryColumn values, sorted
  // Looked-up columns the query reads (NAME.COLUMN, as first written): text columns numbered
  // kColumnCount + i, whose values come from ExtraColumns given to the job in this order.
  std::vector<std::string> extra_columns;
  // Header columns the query reads ("http_x_forwarded_for", "sent_http_content_type"): text,
  // from the LogRecord::headers slot each input's format keeps them in (NULL where it has none).
  std::vector<std::string> header_columns;

  std::vector<SqlType> output_types() const;
};

struct QueryCompileError {
  size_t offset = 0;     // byte offset in the query text
  std::string message;   // without the position
};

// The plan, or what is wrong and where.
struct CompiledQuery {
  std::optional<QueryPlan> plan;
  QueryCompileError error;
};
CompiledQuery compile_query(std::string_view sql);

// "unknown column 'stauts' at line 1, column 45 (did you mean 'status'?)"-style text for
// messages: the line and column (1-based) of `offset` in `sql`.
std::pair<size_t, size_t> line_and_column(std::string_view sql, size_t offset);

}  // namespace logan
