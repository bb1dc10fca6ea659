// DDSketch; see dd_sketch.h.
#include "query/dd_sketch.h"

#include <algorithm>
#include <cmath>

namespace logan {
namespace {
const double kGamma = (1 + DdSketch::kRelativeAccuracy) / (1 - DdSketch::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
// Bucket indices are kept to what doubles can reach, so a corrupt state cannot ask for more.
constexpr int32_t kMaxIndex = 1 << 20;
}  // namespace

int32_t DdSketch::index_of(double magnitude) {
  double i = std::ceil(std::log(magnitude) / kLogGamma);
  return static_cast<int32_t>(std::clamp(i, -double(kMaxIndex), double(kMaxIndex)));
}

double DdSketch::value_of(int32_t index) {
  return 2 * std::exp(index * kLogGamma) / (kGamma + 1);
}

void DdSketch::Store::add(int32_t index, uint64_t n) {
  if (counts.empty()) {
    offset = index;
    counts.assign(1, 0);
  } else if (index < offset) {
    // Grows by at least what it holds, so that a run of ever smaller values costs amortized
    // constant time per value.
    const size_t room = std::max<size_t>(static_cast<size_t>(offset - index), std::min<size_t>(counts.size(), 256));
    counts.insert(counts.begin(), room, 0);
    offset -= static_cast<int32_t>(room);
  } else if (index >= offset + static_cast<int32_t>(counts.size())) {
    const size_t need = static_cast<size_t>(index - offset) + 1;
    counts.resize(std::max(need, std::min(counts.size() * 2, counts.size() + 256)), 0);
  }
  counts[static_cast<size_t>(index - offset)] += n;
}

void DdSketch::Store::merge(const Store& other) {
  for (size_t k = 0; k < other.counts.size(); ++k) {
    if (other.counts[k]) add(other.offset + static_cast<int32_t>(k), other.counts[k]);
  }
}

void DdSketch::add(double x) {
  if (std::isnan(x)) return;
  ++count_;
  if (x > kMinPositive) {
    positive_.add(index_of(x), 1);
  } else if (x < -kMinPositive) {
    negative_.add(index_of(-x), 1);
  } else {
    ++zero_;
  }
}

void DdSketch::merge(const DdSketch& other) {
  positive_.merge(other.positive_);
  negative_.merge(other.negative_);
  zero_ += other.zero_;
  count_ += other.count_;
}

double DdSketch::quantile(double q) const {
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  // Negative values, most negative (highest index) first.
  for (size_t k = negative_.counts.size(); k-- > 0;) {
    seen += negative_.counts[k];
    if (seen >= rank) return -value_of(negative_.offset + static_cast<int32_t>(k));
  }
  seen += zero_;
  if (seen >= rank) return 0;
  for (size_t k = 0; k < positive_.counts.size(); ++k) {
    seen += positive_.counts[k];
    if (seen >= rank) return value_of(positive_.offset + static_cast<int32_t>(k));
  }
  return positive_.counts.empty() ? 0 : value_of(positive_.offset + static_cast<int32_t>(positive_.counts.size()) - 1);
}

void DdSketch::serialize(BinaryWriter& out) const {
  out.u64(zero_);
  for (const Store* s : {&positive_, &negative_}) {
    // The buckets from the first to the last that count something (stores grow with room).
    size_t first = 0, last = s->counts.size();
    while (first < last && s->counts[first] == 0) ++first;
    while (last > first && s->counts[last - 1] == 0) --last;
    out.i64(first == last ? 0 : s->offset + static_cast<int64_t>(first));
    out.u64(last - first);
    for (size_t k = first; k < last; ++k) out.u64(s->counts[k]);
  }
}

void DdSketch::deserialize(BinaryReader& in) {
  *this = DdSketch();
  zero_ = in.u64();
  count_ = zero_;
  for (Store* s : {&positive_, &negative_}) {
    int64_t offset = in.i64();
    uint64_t n = in.count();
    if (in.failed() || offset < -kMaxIndex || offset + static_cast<int64_t>(n) > kMaxIndex + 1) {
      in.fail();
      return;
    }
    s->offset = static_cast<int32_t>(offset);
    s->counts.resize(n);
    for (auto& c : s->counts) {
      c = in.u64();
      count_ += c;
    }
  }
}

}  // namespace logan
