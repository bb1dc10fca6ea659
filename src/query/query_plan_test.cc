// Tests of compile_query(): what parses and binds, and the mistakes it reports with their place.
#include "query/query_plan.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

QueryPlan ok(const std::string& sql) {
  CompiledQuery c = compile_query(sql);
  EXPECT_TRUE(c.plan.has_value()) << sql << ": " << c.error.message;
  return c.plan ? std::move(*c.plan) : QueryPlan{};
}

QueryCompileError mistake(const std::string& sql) {
  CompiledQuery c = compile_query(sql);
  EXPECT_FALSE(c.plan.has_value()) << sql;
  return c.error;
}

TEST(QueryPlan, PlansTheTwoStages) {
  QueryPlan p = ok("SELECT path, count(*) AS n, quantile(duration, 0.99) AS p99 FROM logs "
                   "WHERE status >= 500 GROUP BY path ORDER BY n DESC LIMIT 10");
  EXPECT_TRUE(p.aggregated);
  ASSERT_EQ(p.keys.size(), 1u);
  ASSERT_EQ(p.aggregates.size(), 2u);
  EXPECT_EQ(p.names, (std::vector<std::string>{"path", "n", "p99"}));
  EXPECT_EQ(p.output_types(), (std::vector<SqlType>{SqlType::kText, SqlType::kInt, SqlType::kReal}));
  ASSERT_EQ(p.order.size(), 1u);
  EXPECT_TRUE(p.order[0].descending);
  EXPECT_FALSE(p.order[0].nulls_first);  // DESC: NULLs last, as in SQLite
  EXPECT_EQ(p.limit, 10);
  EXPECT_EQ(p.columns_used, (std::vector<int>{kColPath, kColStatus, kColDuration}));
}

TEST(QueryPlan, SharesRepeatedAggregatesAndMatchesGroupExpressions) {
  QueryPlan p = ok("SELECT status / 100, count(*), count(*) * 2 FROM logs GROUP BY status / 100 "
                   "HAVING count(*) > 1 ORDER BY count(*)");
  EXPECT_EQ(p.aggregates.size(), 1u);
  EXPECT_EQ(p.outputs[0]->kind, ExprKind::kSlot);
}

TEST(QueryPlan, GroupByOrdinalAliasAndExpression) {
  EXPECT_EQ(ok("SELECT status AS s, count(*) FROM logs GROUP BY 1").keys.size(), 1u);
  EXPECT_EQ(ok("SELECT status AS s, count(*) FROM logs GROUP BY s").keys.size(), 1u);
  EXPECT_EQ(ok("SELECT date_trunc('minute', time), count(*) FROM logs GROUP BY date_trunc('minute', time)").keys.size(), 1u);
}

TEST(QueryPlan, AggregatesWithoutGroupByMakeOneRow) {
  QueryPlan p = ok("SELECT count(*), max(time) FROM logs");
  EXPECT_TRUE(p.aggregated);
  EXPECT_TRUE(p.keys.empty());
}

TEST(QueryPlan, TimeLiteralsAreReadAsTimes) {
  QueryPlan p = ok("SELECT count(*) FROM logs WHERE time >= '2024-03-07 18:00:00' AND time < '2024-03-08'");
  ASSERT_TRUE(p.where);
  const Expr& ge = *p.where->args[0];
  EXPECT_EQ(ge.args[1]->type, SqlType::kTime);
  EXPECT_EQ(ge.args[1]->literal.i, 1709834400);
}

TEST(QueryPlan, AliasesInHavingAndOrderBy) {
  QueryPlan p = ok("SELECT path, count(*) AS n, quantile(duration, 0.99) AS p99 FROM logs GROUP BY path "
                   "HAVING n > 100 ORDER BY p99 DESC");
  EXPECT_EQ(p.aggregates.size(), 2u);
  ok("SELECT count(*) FROM logs WHERE time BETWEEN '2024-03-07 18:00' AND '2024-03-07T19:00Z'");
}

TEST(QueryPlan, StarListsEveryColumn) {
  QueryPlan p = ok("SELECT * FROM logs");
  EXPECT_EQ(p.outputs.size(), static_cast<size_t>(kColumnCount));
  EXPECT_FALSE(p.aggregated);
}

TEST(QueryPlan, MistakesSayWhatAndWhere) {
  auto e = mistake("SELECT stauts FROM logs");
  EXPECT_EQ(e.offset, 7u);
  EXPECT_NE(e.message.find("did you mean 'status'"), std::string::npos) << e.message;

  e = mistake("SELECT count(*) FROM logs WHERE count(*) > 1");
  EXPECT_NE(e.message.find("not allowed in WHERE"), std::string::npos) << e.message;
  EXPECT_EQ(e.offset, 32u);

  e = mistake("SELECT path FROM logs WHERE path > 5");
  EXPECT_NE(e.message.find("cannot compare text with integer"), std::string::npos) << e.message;

  e = mistake("SELECT count(*) FROM logs WHERE time > 'noon'");
  EXPECT_NE(e.message.find("is not a time"), std::string::npos) << e.message;
  EXPECT_EQ(e.offset, 39u);

  e = mistake("SELECT path, count(*) FROM logs");
  EXPECT_NE(e.message.find("must appear in GROUP BY"), std::string::npos) << e.message;

  e = mistake("SELECT regexp_matches(path, '(') FROM logs");
  EXPECT_NE(e.message.find("bad regular expression"), std::string::npos) << e.message;

  e = mistake("SELECT cuont(*) FROM logs");
  EXPECT_NE(e.message.find("did you mean 'count'"), std::string::npos) << e.message;

  e = mistake("SELECT path FROM access");
  EXPECT_NE(e.message.find("the only table is logs"), std::string::npos) << e.message;

  e = mistake("SELECT path FROM logs WHERE");
  EXPECT_NE(e.message.find("found the end of the query"), std::string::npos) << e.message;

  e = mistake("SELECT quantile(duration, 2) FROM logs");
  EXPECT_NE(e.message.find("between 0 and 1"), std::string::npos) << e.message;

  e = mistake("SELECT sum(path) FROM logs");
  EXPECT_NE(e.message.find("needs a number"), std::string::npos) << e.message;

  e = mistake("SELECT count(max(size)) FROM logs");
  EXPECT_NE(e.message.find("cannot be nested"), std::string::npos) << e.message;

  e = mistake("SELECT 'unterminated FROM logs");
  EXPECT_NE(e.message.find("unterminated"), std::string::npos) << e.message;

  e = mistake("SELECT time_bucket('5 minutes', time) FROM logs");
  EXPECT_NE(e.message.find("must be an interval"), std::string::npos) << e.message;

  e = mistake("SELECT x + 1 AS x FROM logs");
  EXPECT_NE(e.message.find("refers to itself"), std::string::npos) << e.message;
  e = mistake("SELECT a AS b, b AS a FROM logs");
  EXPECT_NE(e.message.find("refers to itself"), std::string::npos) << e.message;

  e = mistake("SELECT path FROM logs ORDER BY 3");
  EXPECT_NE(e.message.find("not in the select list"), std::string::npos) << e.message;
}

TEST(QueryPlan, DeepNestingIsAMistakeNotACrash) {
  std::string sql = "SELECT " + std::string(5000, '(') + "1" + std::string(5000, ')') + " FROM logs";
  EXPECT_NE(mistake(sql).message.find("nests too deeply"), std::string::npos);
  sql = "SELECT ";
  for (int i = 0; i < 3000; ++i) sql += "- ";  // not "--": that starts a comment
  sql += "1 FROM logs";
  EXPECT_NE(mistake(sql).message.find("nests too deeply"), std::string::npos);
  sql = "SELECT " + std::string(5000, 'N') + " FROM logs";
  mistake(sql);
}

TEST(QueryPlan, LineAndColumn) {
  EXPECT_EQ(line_and_column("SELECT\n  x", 9), std::make_pair(size_t{2}, size_t{3}));
}

}  // namespace
}  // namespace logan
