// min(x) and max(x): the least or greatest non-NULL value (numbers by value, text bytewise,
// times by time), of x's own type; NULL when there is none.
// Registered in aggregate_registry.cc. Thread-safety: see aggregate.h.
#include "query/aggregate.h"

namespace logan {
namespace {

class ExtremeStates final : public AggregateStates {
 public:
  ExtremeStates(SqlType type, bool max) : type_(type), max_(max) {}
  void resize(size_t groups) override {
    has_.resize(groups, 0);
    if (type_ == SqlType::kText) texts_.resize(groups);
    else if (type_ == SqlType::kReal) reals_.resize(groups);
    else ints_.resize(groups);
  }
  void update(const uint32_t* groups, const ValueColumn* arg, size_t n) override {
    if (arg->type == SqlType::kNull) return;
    for (size_t k = 0; k < n; ++k) {
      const size_t i = arg->at(k);
      if (arg->null[i]) continue;
      const uint32_t g = groups[k];
      switch (type_) {
        case SqlType::kText: offer_text(g, arg->texts[i]); break;
        case SqlType::kReal: offer(reals_[g], g, arg->reals[i]); break;
        default: offer(ints_[g], g, arg->ints[i]); break;
      }
    }
  }
  void merge(const AggregateStates& other, const uint32_t* to) override {
    const auto& o = static_cast<const ExtremeStates&>(other);
    for (size_t g = 0; g < o.has_.size(); ++g) {
      if (!o.has_[g]) continue;
      switch (type_) {
        case SqlType::kText: offer_text(to[g], o.texts_[g]); break;
        case SqlType::kReal: offer(reals_[to[g]], to[g], o.reals_[g]); break;
        default: offer(ints_[to[g]], to[g], o.ints_[g]); break;
      }
    }
  }
  void serialize(uint32_t g, BinaryWriter& out) const override {
    out.u64(has_[g]);
    if (!has_[g]) return;
    if (type_ == SqlType::kText) out.bytes(texts_[g]);
    else if (type_ == SqlType::kReal) out.f64(reals_[g]);
    else out.i64(ints_[g]);
  }
  void deserialize(uint32_t g, BinaryReader& in) override {
    uint64_t has = in.u64();
    if (has > 1) in.fail();
    has_[g] = has == 1;
    if (!has_[g]) return;
    if (type_ == SqlType::kText) texts_[g] = std::string(in.bytes());
    else if (type_ == SqlType::kReal) reals_[g] = in.f64();
    else ints_[g] = in.i64();
  }
  SqlValue finalize(uint32_t g) const override {
    if (!has_[g]) return SqlValue::null();
    switch (type_) {
      case SqlType::kText: return SqlValue::string(texts_[g]);
      case SqlType::kReal: return SqlValue::real(reals_[g]);
      case SqlType::kTime: return SqlValue::time(ints_[g]);
      default: return SqlValue::integer(ints_[g]);
    }
  }
  size_t memory_bytes() const override {
    size_t bytes = has_.capacity() + ints_.capacity() * 8 + reals_.capacity() * 8;
    for (const auto& t : texts_) bytes += sizeof(t) + t.capacity();
    return bytes;
  }

 private:
  template <typename T>
  void offer(T& slot, uint32_t g, T v) {
    if (!has_[g] || (max_ ? v > slot : v < slot)) slot = v;
    has_[g] = 1;
  }
  void offer_text(uint32_t g, std::string_view v) {
    if (!has_[g] || (max_ ? v > texts_[g] : v < texts_[g])) texts_[g].assign(v);
    has_[g] = 1;
  }

  SqlType type_;
  bool max_;
  std::vector<uint8_t> has_;
  std::vector<int64_t> ints_;
  std::vector<double> reals_;
  std::vector<std::string> texts_;
};

}  // namespace

std::string check_min_max(const AggregateCall& call, SqlType* result) {
  if (!call.has_arg || !call.params.empty()) return "min and max take one argument";
  *result = call.arg_type;
  return {};
}
std::unique_ptr<AggregateStates> make_min(const AggregateCall& call) {
  return std::make_unique<ExtremeStates>(call.arg_type, false);
}
std::unique_ptr<AggregateStates> make_max(const AggregateCall& call) {
  return std::make_unique<ExtremeStates>(call.arg_type, true);
}

}  // namespace logan
