// count(*) and count(x): the rows, or the rows where x is not NULL. An integer, 0 for none.
// Registered in aggregate_registry.cc. Thread-safety: see aggregate.h.
#include "query/aggregate.h"

namespace logan {
namespace {

class CountStates final : public AggregateStates {
 public:
  void resize(size_t groups) override { counts_.resize(groups, 0); }
  void update(const uint32_t* groups, const ValueColumn* arg, size_t n) override {
    if (arg == nullptr) {
      for (size_t k = 0; k < n; ++k) ++counts_[groups[k]];
    } else if (arg->constant) {
      if (!arg->null[0]) {
        for (size_t k = 0; k < n; ++k) ++counts_[groups[k]];
      }
    } else {
      for (size_t k = 0; k < n; ++k) counts_[groups[k]] += !arg->null[k];
    }
  }
  void merge(const AggregateStates& other, const uint32_t* to) override {
    const auto& o = static_cast<const CountStates&>(other);
    for (size_t g = 0; g < o.counts_.size(); ++g) counts_[to[g]] += o.counts_[g];
  }
  void serialize(uint32_t g, BinaryWriter& out) const override { out.u64(counts_[g]); }
  void deserialize(uint32_t g, BinaryReader& in) override { counts_[g] = in.u64(); }
  SqlValue finalize(uint32_t g) const override { return SqlValue::integer(static_cast<int64_t>(counts_[g])); }
  size_t memory_bytes() const override { return counts_.capacity() * 8; }

 private:
  std::vector<uint64_t> counts_;
};

}  // namespace

std::string check_count(const AggregateCall& call, SqlType* result) {
  if (!call.params.empty()) return "count takes one argument, or *";
  *result = SqlType::kInt;
  return {};
}

std::unique_ptr<AggregateStates> make_count(const AggregateCall&) { return std::make_unique<CountStates>(); }

}  // namespace logan
