// SqlValue ordering and printing; see sql_value.h.
#include "query/sql_value.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace logan {

const char* sql_type_name(SqlType type) {
  switch (type) {
    case SqlType::kNull: return "null";
    case SqlType::kInt: return "integer";
    case SqlType::kReal: return "real";
    case SqlType::kText: return "text";
    case SqlType::kTime: return "timestamp";
  }
  return "?";
}

namespace {
int rank(SqlType t) {
  switch (t) {
    case SqlType::kNull: return 0;
    case SqlType::kInt:
    case SqlType::kReal: return 1;
    case SqlType::kTime: return 2;
    case SqlType::kText: return 3;
  }
  return 4;
}
template <typename T>
int three_way(T a, T b) { return a < b ? -1 : (b < a ? 1 : 0); }
}  // namespace

int compare_sql_values(const SqlValue& a, const SqlValue& b) {
  int ra = rank(a.type), rb = rank(b.type);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.type) {
    case SqlType::kNull: return 0;
    case SqlType::kText: {
      int c = a.text.compare(b.text);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case SqlType::kTime: return three_way(a.i, b.i);
    case SqlType::kInt:
    case SqlType::kReal:
      if (a.type == SqlType::kInt && b.type == SqlType::kInt) return three_way(a.i, b.i);
      {
        double x = a.type == SqlType::kInt ? static_cast<double>(a.i) : a.r;
        double y = b.type == SqlType::kInt ? static_cast<double>(b.i) : b.r;
        return three_way(x, y);
      }
  }
  return 0;
}

std::string format_sql_real(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  std::string text(buf);
  if (text.find('.') == std::string::npos) {
    const size_t e = text.find('e');  // "7e-06" -> "7.0e-06", "3" -> "3.0", as SQLite writes them
    text.insert(e == std::string::npos ? text.size() : e, ".0");
  }
  return text;
}

}  // namespace logan
