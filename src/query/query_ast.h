// The syntax tree of a logan query, as the parser builds it and the planner binds it: an Expr
// per expression (with its offset in the query text, for messages) and a SelectStatement.
// After planning, every Expr also carries its type and what it reads (a record column, a slot
// of the aggregated row) or computes (an operator, a function).
// Called by query_parser.cc (builds), query_plan.cc (binds) and query_eval.cc (evaluates).
// Thread-safety: immutable once planned; share freely.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/sql_value.h"

namespace logan {

enum class ExprKind : uint8_t {
  kLiteral,   // literal
  kName,      // an identifier as written (name); bound to kColumn or an alias's expression
  kColumn,    // bound: a record column (column)
  kSlot,      // bound: slot `slot` of the aggregated row (a GROUP BY key or an aggregate)
  kStar,      // the * of count(*)
  kUnary,     // op: "-", "NOT"
  kBinary,    // op: + - * / % || = != < <= > >= AND OR
  kFunction,  // name(args); distinct for count(DISTINCT x)
  kCase,      // args: [operand,] when, then, ..., [else]; has_operand, has_else
  kIn,        // args[0] IN (args[1..]); negated
  kBetween,   // args[0] BETWEEN args[1] AND args[2]; negated
  kLike,      // args[0] LIKE args[1]; op "LIKE" or "ILIKE"; negated
  kIsNull,    // args[0] IS NULL; negated for IS NOT NULL
  kInterval,  // INTERVAL 'N unit': literal holds the seconds (or months, see months)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  size_t pos = 0;          // offset in the query text
  size_t end = 0;          // one past its last byte
  std::string op;          // operator (upper case) or function name (lower case)
  std::string name;        // kName: identifier as written
  SqlValue literal;        // kLiteral, kInterval
  std::vector<ExprPtr> args;
  bool distinct = false;
  bool negated = false;
  bool has_operand = false;
  bool has_else = false;
  bool months = false;     // kInterval: literal counts months, not seconds

  // Set by the planner.
  SqlType type = SqlType::kNull;
  int column = -1;         // kColumn: a QueryColumn
  int slot = -1;           // kSlot
  int function = -1;       // kFunction: a ScalarFunction
  std::shared_ptr<const void> aux;  // compiled pattern, network, format... (function-specific)

  ExprPtr clone() const;
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;  // as written, or empty
  std::string text;   // the expression as written, the column's name when there is no alias
};

struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  std::optional<bool> nulls_first;  // default: first ascending, last descending (SQLite)
};

struct SelectStatement {
  bool distinct = false;
  std::vector<SelectItem> items;  // a lone * is expanded by the planner
  bool star = false;
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;
  int64_t offset = 0;
};

// A mistake in a query: what is wrong, and where (byte offset in the query text). Thrown inside
// the parser and planner only; compile_query() turns it into a result.
struct QueryMistake {
  size_t pos;
  std::string message;
};

}  // namespace logan
