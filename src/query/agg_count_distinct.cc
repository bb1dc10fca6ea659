// count(DISTINCT x): the number of distinct non-NULL values of x, exactly (every value is
// kept, as its key bytes). Registered in aggregate_registry.cc. Thread-safety: see aggregate.h.
#include <algorithm>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "query/aggregate.h"

namespace logan {
namespace {

class CountDistinctStates final : public AggregateStates {
 public:
  void resize(size_t groups) override { sets_.resize(groups); }
  void update(const uint32_t* groups, const ValueColumn* arg, size_t n) override {
    for (size_t k = 0; k < n; ++k) {
      if (arg->is_null(k)) continue;
      key_.clear();
      append_value_key(key_, *arg, k);
      auto& set = sets_[groups[k]];
      if (!set.contains(key_)) {
        set.insert(key_);
        bytes_ += key_.size() + 32;
      }
    }
  }
  void merge(const AggregateStates& other, const uint32_t* to) override {
    const auto& o = static_cast<const CountDistinctStates&>(other);
    for (size_t g = 0; g < o.sets_.size(); ++g) {
      for (const auto& v : o.sets_[g]) {
        if (sets_[to[g]].insert(v).second) bytes_ += v.size() + 32;
      }
    }
  }
  void serialize(uint32_t g, BinaryWriter& out) const override {
    std::vector<std::string_view> sorted(sets_[g].begin(), sets_[g].end());
    std::sort(sorted.begin(), sorted.end());  // equal states, equal bytes
    out.u64(sorted.size());
    for (auto v : sorted) out.bytes(v);
  }
  void deserialize(uint32_t g, BinaryReader& in) override {
    sets_[g].clear();
    uint64_t n = in.count();
    for (uint64_t k = 0; k < n && !in.failed(); ++k) sets_[g].insert(std::string(in.bytes()));
  }
  SqlValue finalize(uint32_t g) const override { return SqlValue::integer(static_cast<int64_t>(sets_[g].size())); }
  size_t memory_bytes() const override { return bytes_ + sets_.capacity() * sizeof(sets_[0]); }

 private:
  std::vector<absl::flat_hash_set<std::string>> sets_;
  std::string key_;
  size_t bytes_ = 0;
};

}  // namespace

std::unique_ptr<AggregateStates> make_count_distinct(const AggregateCall&) {
  return std::make_unique<CountDistinctStates>();
}

}  // namespace logan
