// HyperLogLog; see hyper_log_log.h.
#include "query/hyper_log_log.h"

#include <algorithm>
#include <cmath>

namespace logan {

void HyperLogLog::add(uint64_t hash) {
  if (!registers_.empty()) {
    add_dense(hash);
    return;
  }
  auto it = std::lower_bound(sparse_.begin(), sparse_.end(), hash);
  if (it != sparse_.end() && *it == hash) return;
  sparse_.insert(it, hash);
  if (sparse_.size() > kSparseLimit) densify();
}

void HyperLogLog::add_dense(uint64_t hash) {
  size_t index = hash >> (64 - kPrecision);
  uint64_t rest = (hash << kPrecision) | (uint64_t{1} << (kPrecision - 1));  // never all zero
  uint8_t rank = static_cast<uint8_t>(__builtin_clzll(rest) + 1);
  registers_[index] = std::max(registers_[index], rank);
}

void HyperLogLog::densify() {
  registers_.assign(kRegisters, 0);
  for (uint64_t h : sparse_) add_dense(h);
  sparse_.clear();
  sparse_.shrink_to_fit();
}

void HyperLogLog::merge(const HyperLogLog& other) {
  if (other.registers_.empty()) {
    for (uint64_t h : other.sparse_) add(h);
    return;
  }
  if (registers_.empty()) densify();
  for (size_t i = 0; i < kRegisters; ++i) registers_[i] = std::max(registers_[i], other.registers_[i]);
}

uint64_t HyperLogLog::estimate() const {
  if (registers_.empty()) return sparse_.size();
  const double m = static_cast<double>(kRegisters);
  double sum = 0;
  size_t zeros = 0;
  for (uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  double e = alpha * m * m / sum;
  if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
  return static_cast<uint64_t>(std::llround(e));
}

void HyperLogLog::serialize(BinaryWriter& out) const {
  if (registers_.empty()) {
    out.u64(0);
    out.u64(sparse_.size());
    for (uint64_t h : sparse_) out.u64(h);
  } else {
    out.u64(1);
    out.bytes(std::string_view(reinterpret_cast<const char*>(registers_.data()), registers_.size()));
  }
}

void HyperLogLog::deserialize(BinaryReader& in) {
  *this = HyperLogLog();
  if (in.u64() == 0) {
    uint64_t n = in.count();
    if (n > kSparseLimit) {
      in.fail();
      return;
    }
    for (uint64_t k = 0; k < n && !in.failed(); ++k) add(in.u64());
    return;
  }
  std::string_view r = in.bytes();
  if (r.size() != kRegisters) {
    in.fail();
    return;
  }
  registers_.assign(r.begin(), r.end());
}

}  // namespace logan
