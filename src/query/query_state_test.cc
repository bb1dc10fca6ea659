// Tests of QueryState and the aggregates: answers on known records, the merge laws (any split of
// the lines, merged in any order, gives the answer of one state over all of them), and the
// aggregates' serialization round trip.
#include "query/query_state.h"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "gen/log_generator.h"
#include "parse/log_format.h"
#include "parse/log_parser.h"
#include "query/dd_sketch.h"
#include "query/hyper_log_log.h"

namespace logan {
namespace {

// Generated lines, parsed; the lines are kept so the records' views stay valid.
struct Lines {
  std::vector<std::string> text;
  std::vector<LogRecord> records;
};

const Lines& lines() {
  static const Lines all = [] {
    Lines l;
    GenOptions options;
    options.lines = 4000;
    options.format = "combined_duration";
    options.malformed_ratio = 0.01;
    LogGenerator gen(options);
    std::string out;
    gen.append_lines(out, options.lines);
    size_t start = 0;
    while (start < out.size()) {
      size_t nl = out.find('\n', start);
      l.text.push_back(out.substr(start, nl - start));
      start = nl + 1;
    }
    static const LogFormat format = LogFormat::compile("combined_duration").value();
    LogParser parser(format);
    for (const auto& t : l.text) {
      LogRecord r;
      if (parser.parse(t, r)) l.records.push_back(r);
    }
    return l;
  }();
  return all;
}

QueryPlan plan(const std::string& sql) {
  CompiledQuery c = compile_query(sql);
  EXPECT_TRUE(c.plan) << c.error.message;
  return std::move(*c.plan);
}

QueryResult run_whole(const QueryPlan& p) {
  QueryState s(p);
  const auto& r = lines().records;
  for (size_t i = 0; i < r.size(); i += 100) s.add(r.data() + i, std::min<size_t>(100, r.size() - i), "a.log", i);
  return s.finish();
}

// The records dealt at random to `parts` states (whole batches of random sizes, in order within
// each), merged in a random order.
QueryResult run_split(const QueryPlan& p, int parts, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<QueryState> states;
  for (int i = 0; i < parts; ++i) states.emplace_back(p);
  const auto& r = lines().records;
  for (size_t i = 0; i < r.size();) {
    size_t n = std::min<size_t>(1 + rng() % 300, r.size() - i);
    states[rng() % parts].add(r.data() + i, n, "a.log", i);
    i += n;
  }
  std::vector<size_t> order(parts);
  for (int i = 0; i < parts; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (size_t i = 1; i < order.size(); ++i) states[order[0]].merge(states[order[i]]);
  return states[order[0]].finish();
}

void expect_same(const QueryResult& a, const QueryResult& b) {
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (size_t i = 0; i < a.rows.size(); ++i) {
    ASSERT_EQ(a.rows[i].size(), b.rows[i].size());
    for (size_t j = 0; j < a.rows[i].size(); ++j) {
      const SqlValue& x = a.rows[i][j];
      const SqlValue& y = b.rows[i][j];
      if (x.type == SqlType::kReal && y.type == SqlType::kReal) {
        EXPECT_NEAR(x.r, y.r, 1e-9 * std::max(1.0, std::abs(x.r))) << "row " << i << " column " << j;
      } else {
        EXPECT_TRUE(x == y && x.type == y.type) << "row " << i << " column " << j;
      }
    }
  }
}

TEST(QueryState, EveryAggregateMergesToTheSameAnswer) {
  const char* queries[] = {
      "SELECT status, count(*), count(user), count(DISTINCT client), approx_count_distinct(client), "
      "sum(size), avg(duration), min(path), max(time), quantile(duration, 0.9), median(size) "
      "FROM logs GROUP BY status",
      "SELECT count(*), sum(duration_us), min(duration) FROM logs WHERE method = 'POST'",
      "SELECT date_trunc('minute', time) AS m, status / 100, count(*) FROM logs GROUP BY 1, 2 ORDER BY 1, 2",
      "SELECT client, path FROM logs WHERE status = 404",
      "SELECT DISTINCT method FROM logs ORDER BY 1",
  };
  for (const char* sql : queries) {
    SCOPED_TRACE(sql);
    QueryPlan p = plan(sql);
    QueryResult whole = run_whole(p);
    ASSERT_FALSE(whole.rows.empty());
    for (uint32_t seed = 1; seed <= 4; ++seed) expect_same(whole, run_split(p, 1 + static_cast<int>(seed % 3) + 1, seed));
  }
}

TEST(QueryState, AnswersMatchACountByHand) {
  const auto& r = lines().records;
  int64_t errors = 0, bytes = 0;
  for (const auto& rec : r) {
    if (rec.status >= 500) ++errors;
    if (rec.size > 0) bytes += rec.size;
  }
  QueryResult result = run_whole(plan("SELECT count(*), sum(size) FROM logs WHERE status >= 500"));
  ASSERT_EQ(result.rows.size(), 1u);
  EXPECT_EQ(result.rows[0][0].i, errors);
  QueryResult all = run_whole(plan("SELECT sum(size) FROM logs"));
  EXPECT_EQ(all.rows[0][0].i, bytes);
}

TEST(QueryState, NoLinesStillGiveOneAggregateRow) {
  QueryPlan p = plan("SELECT count(*), sum(size), max(path) FROM logs");
  QueryState s(p);
  QueryResult r = s.finish();
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0].i, 0);
  EXPECT_TRUE(r.rows[0][1].is_null());
  EXPECT_TRUE(r.rows[0][2].is_null());
  QueryPlan grouped = plan("SELECT status, count(*) FROM logs GROUP BY 1");
  QueryState grouped_state(grouped);
  EXPECT_TRUE(grouped_state.finish().rows.empty());
}

TEST(Aggregates, SerializeRoundTrips) {
  QueryPlan p = plan("SELECT status, count(*), count(DISTINCT client), approx_count_distinct(path), "
                     "sum(size), avg(duration), min(path), max(time), quantile(duration, 0.5) FROM logs GROUP BY status");
  QueryState s(p);
  const auto& r = lines().records;
  s.add(r.data(), r.size(), "a.log", 0);
  for (const auto& a : p.aggregates) {
    auto states = a.function->make(a.call);
    states->resize(1);
    ValueColumn arg;
    std::vector<uint32_t> groups(r.size(), 0);
    Evaluator eval;
    std::vector<uint32_t> sel(r.size());
    for (size_t i = 0; i < sel.size(); ++i) sel[i] = static_cast<uint32_t>(i);
    EvalRows rows{r.size(), sel.data(), r.data(), "a.log", nullptr};
    if (a.arg) eval.eval(*a.arg, rows, arg);
    states->update(groups.data(), a.arg ? &arg : nullptr, r.size());
    std::string bytes;
    BinaryWriter w(bytes);
    states->serialize(0, w);
    auto copy = a.function->make(a.call);
    copy->resize(1);
    BinaryReader in(bytes);
    copy->deserialize(0, in);
    EXPECT_FALSE(in.failed()) << a.call.function;
    EXPECT_TRUE(in.at_end()) << a.call.function;
    EXPECT_TRUE(states->finalize(0) == copy->finalize(0)) << a.call.function;
    // A cut state is refused.
    if (bytes.size() > 1) {
      BinaryReader cut(std::string_view(bytes).substr(0, bytes.size() - 1));
      auto broken = a.function->make(a.call);
      broken->resize(1);
      broken->deserialize(0, cut);
      EXPECT_TRUE(cut.failed()) << a.call.function;
    }
  }
}

TEST(DdSketch, QuantilesWithinOnePercentOfTheExactRank) {
  std::mt19937_64 rng(7);
  std::vector<double> values;
  DdSketch a, b;
  for (int i = 0; i < 20000; ++i) {
    double v = std::exp(std::uniform_real_distribution<double>(-12, 4)(rng));
    if (i % 50 == 0) v = 0;
    if (i % 97 == 0) v = -v;
    values.push_back(v);
    (i % 3 ? a : b).add(v);
  }
  a.merge(b);
  std::sort(values.begin(), values.end());
  for (double q : {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0}) {
    size_t rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(q * values.size())));
    double exact = values[rank - 1];
    EXPECT_NEAR(a.quantile(q), exact, std::abs(exact) * 0.01 + 1e-9) << q;
  }
}

TEST(HyperLogLog, ExactWhenSmallCloseWhenLarge) {
  HyperLogLog small, large, part;
  for (uint64_t i = 0; i < 200; ++i) small.add(i * 0x9E3779B97F4A7C15ull);
  EXPECT_EQ(small.estimate(), 200u);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100000; ++i) (i % 2 ? large : part).add(rng());
  large.merge(part);
  EXPECT_NEAR(static_cast<double>(large.estimate()), 100000.0, 100000 * 0.05);
}

}  // namespace
}  // namespace logan

namespace logan {
namespace {

TEST(QueryState, SerializedStatesMergeLikeStates) {
  for (const char* sql : {"SELECT status, count(*), count(DISTINCT client), approx_count_distinct(path), "
                          "sum(size), avg(duration), min(path), max(time), quantile(duration, 0.9) FROM logs GROUP BY status",
                          "SELECT count(*), median(size) FROM logs",
                          "SELECT time, client, size FROM logs WHERE status = 404 ORDER BY size DESC, time"}) {
    SCOPED_TRACE(sql);
    QueryPlan p = plan(sql);
    const auto& r = lines().records;
    const size_t half = r.size() / 2;
    QueryState a(p), b(p);
    a.add(r.data(), half, "a.log", 0);
    b.add(r.data() + half, r.size() - half, "a.log", 1);
    const std::string bytes = b.serialize();
    QueryState from_bytes(p);
    from_bytes.add(r.data(), half, "a.log", 0);
    ASSERT_TRUE(from_bytes.merge_serialized(bytes).ok());
    a.merge(b);
    expect_same(a.finish(), from_bytes.finish());
    // Corrupt and foreign states are refused.
    std::string bad = bytes;
    bad[bad.size() / 2] ^= 1;
    QueryState c(p);
    EXPECT_FALSE(c.merge_serialized(bad).ok());
    EXPECT_FALSE(c.merge_serialized(bytes.substr(0, bytes.size() - 3)).ok());
    QueryPlan other = plan("SELECT count(*) FROM logs WHERE status = 200");
    QueryState d(other);
    Status refused = d.merge_serialized(bytes);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("another query"), std::string::npos);
  }
}

}  // namespace
}  // namespace logan
