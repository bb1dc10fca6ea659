// sum(x) and avg(x) over the non-NULL values of a number column. sum is an integer for
// integers (as in SQLite; NULL when there are none) and a real for reals; avg is a real.
// Reals are added with Kahan-Babuska-Neumaier compensation (as SQLite 3.43+ does), the
// compensations merged too, so that a sum hardly depends on how its values were split among
// threads and ranks (at most in its last bit).
// Registered in aggregate_registry.cc. Thread-safety: see aggregate.h.
#include <cmath>

#include "query/aggregate.h"

namespace logan {
namespace {

class SumStates final : public AggregateStates {
 public:
  SumStates(bool integers, bool average) : integers_(integers), average_(average) {}
  void resize(size_t groups) override {
    ints_.resize(groups, 0);
    reals_.resize(groups, 0);
    compensation_.resize(groups, 0);
    counts_.resize(groups, 0);
  }
  void update(const uint32_t* groups, const ValueColumn* arg, size_t n) override {
    if (arg->type == SqlType::kNull) return;
    for (size_t k = 0; k < n; ++k) {
      const size_t i = arg->at(k);
      if (arg->null[i]) continue;
      const uint32_t g = groups[k];
      ++counts_[g];
      if (integers_) {
        ints_[g] += static_cast<uint64_t>(arg->ints[i]);  // wraps as two's complement, no UB
      } else {
        add_real(g, arg->reals[i]);
      }
    }
  }
  void merge(const AggregateStates& other, const uint32_t* to) override {
    const auto& o = static_cast<const SumStates&>(other);
    for (size_t g = 0; g < o.counts_.size(); ++g) {
      ints_[to[g]] += o.ints_[g];
      add_real(to[g], o.reals_[g]);
      add_real(to[g], o.compensation_[g]);
      counts_[to[g]] += o.counts_[g];
    }
  }
  void serialize(uint32_t g, BinaryWriter& out) const override {
    out.u64(counts_[g]);
    out.u64(ints_[g]);
    out.f64(reals_[g]);
    out.f64(compensation_[g]);
  }
  void deserialize(uint32_t g, BinaryReader& in) override {
    counts_[g] = in.u64();
    ints_[g] = in.u64();
    reals_[g] = in.f64();
    compensation_[g] = in.f64();
  }
  SqlValue finalize(uint32_t g) const override {
    if (counts_[g] == 0) return SqlValue::null();
    const double real_total = reals_[g] + compensation_[g];
    const double total = integers_ ? static_cast<double>(static_cast<int64_t>(ints_[g])) : real_total;
    if (average_) return SqlValue::real(total / static_cast<double>(counts_[g]));
    return integers_ ? SqlValue::integer(static_cast<int64_t>(ints_[g])) : SqlValue::real(real_total);
  }
  size_t memory_bytes() const override { return counts_.capacity() * 32; }

 private:
  // Neumaier's step: the low-order bits lost by the addition go to the compensation.
  void add_real(uint32_t g, double v) {
    const double sum = reals_[g];
    const double t = sum + v;
    if (std::fabs(sum) >= std::fabs(v)) {
      compensation_[g] += (sum - t) + v;
    } else {
      compensation_[g] += (v - t) + sum;
    }
    reals_[g] = t;
  }

  bool integers_;
  bool average_;
  std::vector<uint64_t> ints_;
  std::vector<double> reals_;
  std::vector<double> compensation_;
  std::vector<uint64_t> counts_;
};

std::string check_number(const AggregateCall& call, const char* name) {
  if (!call.has_arg || !call.params.empty()) return std::string(name) + " takes one argument";
  if (call.arg_type != SqlType::kNull && !is_numeric(call.arg_type)) {
    return std::string(name) + " needs a number, not " + sql_type_name(call.arg_type);
  }
  return {};
}

}  // namespace

std::string check_sum(const AggregateCall& call, SqlType* result) {
  *result = call.arg_type == SqlType::kReal ? SqlType::kReal : SqlType::kInt;
  return check_number(call, "sum");
}
std::string check_avg(const AggregateCall& call, SqlType* result) {
  *result = SqlType::kReal;
  return check_number(call, "avg");
}
std::unique_ptr<AggregateStates> make_sum(const AggregateCall& call) {
  return std::make_unique<SumStates>(call.arg_type != SqlType::kReal, false);
}
std::unique_ptr<AggregateStates> make_avg(const AggregateCall& call) {
  return std::make_unique<SumStates>(call.arg_type != SqlType::kReal, true);
}

}  // namespace logan
