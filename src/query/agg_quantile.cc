// quantile(x, q) and median(x) (= quantile(x, 0.5)): the value at rank max(1, ceil(q * n)) of
// the n non-NULL values of a number column (PostgreSQL's percentile_disc), within 1% of it
// (relative), from a DDSketch per group; a real, NULL when there are no values.
// Registered in aggregate_registry.cc. Thread-safety: see aggregate.h.
#include "query/aggregate.h"
#include "query/dd_sketch.h"

namespace logan {
namespace {

// q of quantile(x, q); 0.5 for median(x).
double fraction(const AggregateCall& call) {
  if (call.params.empty()) return 0.5;
  const SqlValue& q = call.params[0];
  return q.type == SqlType::kInt ? static_cast<double>(q.i) : q.r;
}

class QuantileStates final : public AggregateStates {
 public:
  explicit QuantileStates(double q) : q_(q) {}
  void resize(size_t groups) override { sketches_.resize(groups); }
  void update(const uint32_t* groups, const ValueColumn* arg, size_t n) override {
    if (arg->type == SqlType::kNull) return;
    for (size_t k = 0; k < n; ++k) {
      if (!arg->is_null(k)) sketches_[groups[k]].add(arg->number(k));
    }
  }
  void merge(const AggregateStates& other, const uint32_t* to) override {
    const auto& o = static_cast<const QuantileStates&>(other);
    for (size_t g = 0; g < o.sketches_.size(); ++g) sketches_[to[g]].merge(o.sketches_[g]);
  }
  void serialize(uint32_t g, BinaryWriter& out) const override { sketches_[g].serialize(out); }
  void deserialize(uint32_t g, BinaryReader& in) override { sketches_[g].deserialize(in); }
  SqlValue finalize(uint32_t g) const override { return value(g, q_); }
  SqlValue finalize_for(uint32_t g, const AggregateCall& call) const override {
    return value(g, fraction(call));
  }
  size_t memory_bytes() const override {
    size_t bytes = sketches_.capacity() * sizeof(DdSketch);
    for (const auto& s : sketches_) bytes += s.memory_bytes();
    return bytes;
  }

 private:
  SqlValue value(uint32_t g, double q) const {
    if (sketches_[g].count() == 0) return SqlValue::null();
    return SqlValue::real(sketches_[g].quantile(q));
  }

  double q_;
  std::vector<DdSketch> sketches_;
};

std::string check_argument(const AggregateCall& call, const char* name) {
  if (call.arg_type != SqlType::kNull && !is_numeric(call.arg_type)) {
    return std::string(name) + " needs a number, not " + sql_type_name(call.arg_type);
  }
  return {};
}

}  // namespace

std::string check_quantile(const AggregateCall& call, SqlType* result) {
  *result = SqlType::kReal;
  if (!call.has_arg || call.params.size() != 1) {
    return "quantile takes two arguments: a number column and a fraction q between 0 and 1, "
           "e.g. quantile(duration, 0.99)";
  }
  const SqlValue& q = call.params[0];
  double v = q.type == SqlType::kInt ? static_cast<double>(q.i) : q.r;
  if (!is_numeric(q.type) || !(v >= 0 && v <= 1)) return "quantile's fraction must be a number between 0 and 1";
  return check_argument(call, "quantile");
}
std::string check_median(const AggregateCall& call, SqlType* result) {
  *result = SqlType::kReal;
  if (!call.has_arg || !call.params.empty()) return "median takes one argument";
  return check_argument(call, "median");
}
std::unique_ptr<AggregateStates> make_quantile(const AggregateCall& call) {
  return std::make_unique<QuantileStates>(fraction(call));
}
std::unique_ptr<AggregateStates> make_median(const AggregateCall&) {
  return std::make_unique<QuantileStates>(0.5);
}

}  // namespace logan
