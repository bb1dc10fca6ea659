// SqlValue and SqlType: the values a query computes, with SQLite's ordering and the types
// logan's SQL knows (NULL, INTEGER, REAL, TEXT and TIMESTAMP, kept as UTC seconds). Booleans
// are integers 0 and 1, as in SQLite.
// Called by the query planner, evaluator, aggregates and the output writers.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace logan {

enum class SqlType : uint8_t { kNull, kInt, kReal, kText, kTime };

// "integer", "real", "text", "timestamp", "null": for messages and --json's column types.
const char* sql_type_name(SqlType type);

inline bool is_numeric(SqlType t) { return t == SqlType::kInt || t == SqlType::kReal; }

struct SqlValue {
  SqlType type = SqlType::kNull;
  int64_t i = 0;     // kInt, kTime (seconds since the epoch, UTC)
  double r = 0;      // kReal
  std::string text;  // kText

  static SqlValue null() { return {}; }
  static SqlValue integer(int64_t v) { return {SqlType::kInt, v, 0, {}}; }
  static SqlValue real(double v) { return {SqlType::kReal, 0, v, {}}; }
  static SqlValue time(int64_t v) { return {SqlType::kTime, v, 0, {}}; }
  static SqlValue string(std::string_view v) { return {SqlType::kText, 0, 0, std::string(v)}; }
  bool is_null() const { return type == SqlType::kNull; }
};

// SQLite's order for ORDER BY and DISTINCT: NULL first, then numbers (integers and reals by
// value), then times, then text (bytewise).
int compare_sql_values(const SqlValue& a, const SqlValue& b);
inline bool operator==(const SqlValue& a, const SqlValue& b) { return compare_sql_values(a, b) == 0; }

// A real as SQLite writes it as text ("%!.15g": 15 significant digits, and a ".0" where there is
// no decimal point: "3.0", "7.0e-06").
std::string format_sql_real(double v);

}  // namespace logan
