// approx_count_distinct(x): the number of distinct non-NULL values of x, estimated with a
// HyperLogLog (exact up to 256 values, then a standard error of 1.6%). Registered in
// aggregate_registry.cc. Thread-safety: see aggregate.h.
#include <string>

#include "core/stable_hash.h"
#include "query/aggregate.h"
#include "query/hyper_log_log.h"

namespace logan {
namespace {

class ApproxDistinctStates final : public AggregateStates {
 public:
  void resize(size_t groups) override { sketches_.resize(groups); }
  void update(const uint32_t* groups, const ValueColumn* arg, size_t n) override {
    for (size_t k = 0; k < n; ++k) {
      if (arg->is_null(k)) continue;
      key_.clear();
      append_value_key(key_, *arg, k);
      sketches_[groups[k]].add(mixed_hash64(key_));  // stable: states travel between processes
    }
  }
  void merge(const AggregateStates& other, const uint32_t* to) override {
    const auto& o = static_cast<const ApproxDistinctStates&>(other);
    for (size_t g = 0; g < o.sketches_.size(); ++g) sketches_[to[g]].merge(o.sketches_[g]);
  }
  void serialize(uint32_t g, BinaryWriter& out) const override { sketches_[g].serialize(out); }
  void deserialize(uint32_t g, BinaryReader& in) override { sketches_[g].deserialize(in); }
  SqlValue finalize(uint32_t g) const override {
    return SqlValue::integer(static_cast<int64_t>(sketches_[g].estimate()));
  }
  size_t memory_bytes() const override {
    size_t bytes = sketches_.capacity() * sizeof(HyperLogLog);
    for (const auto& s : sketches_) bytes += s.memory_bytes();
    return bytes;
  }

 private:
  std::vector<HyperLogLog> sketches_;
  std::string key_;
};

}  // namespace

std::string check_approx_count_distinct(const AggregateCall& call, SqlType* result) {
  if (!call.has_arg || !call.params.empty()) return "approx_count_distinct takes one argument";
  *result = SqlType::kInt;
  return {};
}

std::unique_ptr<AggregateStates> make_approx_count_distinct(const AggregateCall&) {
  return std::make_unique<ApproxDistinctStates>();
}

}  // namespace logan
