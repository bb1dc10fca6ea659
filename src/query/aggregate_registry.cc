// The aggregate functions by name; see aggregate.h. Each is defined in its agg_*.cc file.
#include <string>

#include "query/aggregate.h"

namespace logan {

std::string check_count(const AggregateCall&, SqlType*);
std::unique_ptr<AggregateStates> make_count(const AggregateCall&);
std::unique_ptr<AggregateStates> make_count_distinct(const AggregateCall&);
std::string check_approx_count_distinct(const AggregateCall&, SqlType*);
std::unique_ptr<AggregateStates> make_approx_count_distinct(const AggregateCall&);
std::string check_sum(const AggregateCall&, SqlType*);
std::unique_ptr<AggregateStates> make_sum(const AggregateCall&);
std::string check_avg(const AggregateCall&, SqlType*);
std::unique_ptr<AggregateStates> make_avg(const AggregateCall&);
std::string check_min_max(const AggregateCall&, SqlType*);
std::unique_ptr<AggregateStates> make_min(const AggregateCall&);
std::unique_ptr<AggregateStates> make_max(const AggregateCall&);
std::string check_quantile(const AggregateCall&, SqlType*);
std::unique_ptr<AggregateStates> make_quantile(const AggregateCall&);
std::string check_median(const AggregateCall&, SqlType*);
std::unique_ptr<AggregateStates> make_median(const AggregateCall&);

namespace {

// count(DISTINCT x) is its own function; the planner picks it for count with DISTINCT.
std::unique_ptr<AggregateStates> make_count_any(const AggregateCall& call) {
  return call.distinct ? make_count_distinct(call) : make_count(call);
}

const std::vector<AggregateFunction> kAggregates = {
    {"count", check_count, make_count_any, "count(*): rows; count(x): rows where x is not NULL; count(DISTINCT x): distinct values, exactly"},
    {"approx_count_distinct", check_approx_count_distinct, make_approx_count_distinct, "distinct non-NULL values, estimated (HyperLogLog: exact to 256, then 1.6% standard error)"},
    {"sum", check_sum, make_sum, "sum of the non-NULL values: integer for integers, real for reals"},
    {"avg", check_avg, make_avg, "mean of the non-NULL values (real)"},
    {"min", check_min_max, make_min, "least non-NULL value"},
    {"max", check_min_max, make_max, "greatest non-NULL value"},
    {"quantile", check_quantile, make_quantile, "quantile(x, q): value at rank ceil(q*n), within 1% (DDSketch)", "ddsketch"},
    {"median", check_median, make_median, "quantile(x, 0.5)", "ddsketch"},
};

}  // namespace

const AggregateFunction* find_aggregate(std::string_view name) {
  for (const auto& a : kAggregates) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

const std::vector<AggregateFunction>& all_aggregates() { return kAggregates; }

}  // namespace logan
