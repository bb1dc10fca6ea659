// Tests of the evaluator's SQL semantics on literal expressions (NULLs, three-valued logic,
// integer division, LIKE, CASE) and of the time and text functions.
#include "query/query_eval.h"

#include <gtest/gtest.h>

#include "query/query_plan.h"
#include "query/query_state.h"

namespace logan {
namespace {

// The value of `expr` in a query over no lines: SELECT expr, min(1) (one aggregated row).
SqlValue value_of(const std::string& expr) {
  CompiledQuery c = compile_query("SELECT " + expr + " FROM logs LIMIT 1");
  EXPECT_TRUE(c.plan) << expr << ": " << c.error.message;
  if (!c.plan) return {};
  // One record, so that a row exists.
  LogRecord record;
  record.time = 1709823336;  // 2024-03-07T14:55:36Z
  record.status = 200;
  QueryState s(*c.plan);
  s.add(&record, 1, "x", 0);
  QueryResult r = s.finish();
  EXPECT_EQ(r.rows.size(), 1u);
  return r.rows.empty() ? SqlValue{} : r.rows[0][0];
}

int64_t int_of(const std::string& expr) {
  SqlValue v = value_of(expr);
  EXPECT_EQ(v.type, SqlType::kInt) << expr;
  return v.i;
}
std::string text_of(const std::string& expr) {
  SqlValue v = value_of(expr);
  EXPECT_EQ(v.type, SqlType::kText) << expr;
  return v.text;
}
bool is_null(const std::string& expr) { return value_of(expr).is_null(); }

TEST(Evaluator, ArithmeticAsSqlite) {
  EXPECT_EQ(int_of("7 / 2"), 3);
  EXPECT_EQ(int_of("-7 / 2"), -3);
  EXPECT_EQ(int_of("-7 % 3"), -1);
  EXPECT_TRUE(is_null("1 / 0"));
  EXPECT_TRUE(is_null("1 % 0"));
  EXPECT_TRUE(is_null("1.5 / 0"));
  EXPECT_DOUBLE_EQ(value_of("7 / 2.0").r, 3.5);
  EXPECT_DOUBLE_EQ(value_of("5.5 % 2").r, 1.0);
  EXPECT_TRUE(is_null("9223372036854775807 + 1"));
  EXPECT_TRUE(is_null("1 + NULL"));
}

TEST(Evaluator, ThreeValuedLogic) {
  EXPECT_EQ(int_of("NULL AND 0"), 0);
  EXPECT_TRUE(is_null("NULL AND 1"));
  EXPECT_EQ(int_of("NULL OR 1"), 1);
  EXPECT_TRUE(is_null("NULL OR 0"));
  EXPECT_TRUE(is_null("NOT NULL"));
  EXPECT_TRUE(is_null("NULL = NULL"));
  EXPECT_EQ(int_of("NULL IS NULL"), 1);
  EXPECT_EQ(int_of("1 IN (2, 1, NULL)"), 1);
  EXPECT_TRUE(is_null("3 IN (2, 1, NULL)"));
  EXPECT_EQ(int_of("3 NOT IN (2, 1)"), 1);
  EXPECT_EQ(int_of("2 BETWEEN 1 AND 3"), 1);
  EXPECT_TRUE(is_null("2 BETWEEN NULL AND 3"));
  EXPECT_EQ(int_of("5 BETWEEN NULL AND 3"), 0);
}

TEST(Evaluator, TextAndLike) {
  EXPECT_EQ(int_of("'abc' < 'abd'"), 1);
  EXPECT_EQ(int_of("'B' < 'a'"), 1);  // bytewise
  EXPECT_EQ(int_of("'/Index.html' LIKE '/index%'"), 0);  // case-sensitive, as in PostgreSQL
  EXPECT_EQ(int_of("'/Index.html' ILIKE '/index%'"), 1);
  EXPECT_EQ(int_of("'abc' LIKE 'a_c'"), 1);
  EXPECT_EQ(int_of("'añc' LIKE 'a_c'"), 1);  // _ is one character
  EXPECT_EQ(int_of("'abc' LIKE '%%c'"), 1);
  EXPECT_EQ(int_of("'abc' NOT LIKE 'b%'"), 1);
  EXPECT_EQ(text_of("lower('AbC') || upper('x')"), "abcX");
  EXPECT_EQ(int_of("length('añc')"), 3);
  EXPECT_EQ(text_of("substr('hello', 2, 3)"), "ell");
  EXPECT_EQ(text_of("substr('hello', -3)"), "llo");
  EXPECT_EQ(text_of("substr('hello', 0, 2)"), "h");
  EXPECT_EQ(text_of("substr('hello', 3, -2)"), "he");
  EXPECT_EQ(text_of("coalesce(NULL, 'x')"), "x");
  EXPECT_EQ(text_of("CASE WHEN 1 = 2 THEN 'a' WHEN 2 = 2 THEN 'b' ELSE 'c' END"), "b");
  EXPECT_EQ(text_of("CASE 3 WHEN 1 THEN 'a' ELSE 'z' END"), "z");
  EXPECT_TRUE(is_null("CASE WHEN 0 THEN 'a' END"));
  EXPECT_EQ(text_of("1 || 'x'"), "1x");
  EXPECT_EQ(text_of("7e-06 || ''"), "7.0e-06");
  EXPECT_EQ(text_of("2.5 || ''"), "2.5");
  EXPECT_EQ(text_of("substr('POST', -8)"), "POST");
  EXPECT_EQ(text_of("substr('POST', -8, 6)"), "PO");
  EXPECT_DOUBLE_EQ(value_of("round(1.005, 2)").r, 1.01);
  EXPECT_DOUBLE_EQ(value_of("round(0.00015, 4)").r, 0.0002);
  EXPECT_DOUBLE_EQ(value_of("round(-2.5)").r, -3.0);
  EXPECT_DOUBLE_EQ(value_of("round(123.456, 1)").r, 123.5);
  EXPECT_DOUBLE_EQ(value_of("round(9.995, 2)").r, 10.0);
  EXPECT_DOUBLE_EQ(value_of("round(2.675, 2)").r, 2.68);
  EXPECT_DOUBLE_EQ(value_of("round(0.285, 2)").r, 0.29);
  EXPECT_DOUBLE_EQ(value_of("round(1.115, 2)").r, 1.12);
  EXPECT_DOUBLE_EQ(value_of("round(0.5)").r, 1.0);
  EXPECT_DOUBLE_EQ(value_of("round(-0.5)").r, -1.0);
}

TEST(Evaluator, RegexpAndNetworks) {
  EXPECT_EQ(int_of("regexp_matches('/api/v2/x', 'v[0-9]+')"), 1);
  EXPECT_EQ(text_of("regexp_extract('/api/v2/x', 'v([0-9]+)', 1)"), "2");
  EXPECT_EQ(text_of("regexp_extract('/api', 'v([0-9]+)', 1)"), "");
  EXPECT_EQ(int_of("cidr_contains('10.0.0.0/8', '10.200.3.4')"), 1);
  EXPECT_EQ(int_of("cidr_contains('10.0.0.0/8', '11.0.0.1')"), 0);
  EXPECT_EQ(int_of("cidr_contains('2001:db8::/32', '2001:db8:1::7')"), 1);
  EXPECT_EQ(int_of("cidr_contains('2001:db8::/32', '10.0.0.1')"), 0);
  EXPECT_EQ(int_of("cidr_contains('0.0.0.0/0', 'not-an-ip')"), 0);
}

TEST(Evaluator, TimeFunctions) {
  auto time_of = [](const std::string& e) {
    SqlValue v = value_of(e);
    EXPECT_EQ(v.type, SqlType::kTime) << e;
    return v.i;
  };
  // time is 2024-03-07T14:55:36Z, a Thursday.
  EXPECT_EQ(time_of("date_trunc('minute', time)"), 1709823300);
  EXPECT_EQ(time_of("date_trunc('hour', time)"), 1709820000);
  EXPECT_EQ(time_of("date_trunc('day', time)"), 1709769600);
  EXPECT_EQ(time_of("date_trunc('week', time)"), 1709769600 - 3 * 86400);  // Monday
  EXPECT_EQ(time_of("date_trunc('month', time)"), 1709251200);
  EXPECT_EQ(time_of("date_trunc('year', time)"), 1704067200);
  EXPECT_EQ(time_of("time_bucket(INTERVAL '5 minutes', time)"), 1709823300);
  EXPECT_EQ(time_of("time_bucket(INTERVAL '1 day', time)"), 1709769600);
  EXPECT_EQ(time_of("time_bucket(INTERVAL '1 week', time)"), 1709769600 - 3 * 86400);
  EXPECT_EQ(time_of("time_bucket(INTERVAL '2 months', time)"), 1709251200);
  EXPECT_EQ(int_of("hour(time)"), 14);
  EXPECT_EQ(int_of("minute(time)"), 55);
  EXPECT_EQ(int_of("dayofweek(time)"), 4);
  EXPECT_EQ(int_of("year(time) * 100 + month(time)"), 202403);
  EXPECT_EQ(text_of("strftime('%Y-%m-%dT%H:%M:%SZ %j %w %W', time)"), "2024-03-07T14:55:36Z 067 4 10");
  EXPECT_EQ(text_of("strftime('%J', time)"), "2460377.121944444");
  EXPECT_EQ(int_of("time = '2024-03-07T15:55:36+01:00'"), 1);
  EXPECT_EQ(int_of("time > TIMESTAMP '2024-03-07'"), 1);
}

}  // namespace
}  // namespace logan
