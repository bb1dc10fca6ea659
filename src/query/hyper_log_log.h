// HyperLogLog (Flajolet et al. 2007, with Heule et al.'s linear counting for small sets) over
// 64-bit hashes: approx_count_distinct(). Up to kSparseLimit distinct hashes are kept as they
// are (an exact count, a few bytes each, so a million small groups stay small); past that, 2^12
// one-byte registers: a standard error of 1.04 / sqrt(4096) = 1.6%. Merging is exact (a union
// of sets, a maximum of registers), so the estimate does not depend on how values were split.
// Called by agg_approx_count_distinct.cc.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <vector>

#include "stats/serial.h"

namespace logan {

class HyperLogLog {
 public:
  static constexpr int kPrecision = 12;
  static constexpr size_t kRegisters = size_t{1} << kPrecision;
  static constexpr size_t kSparseLimit = 256;

  void add(uint64_t hash);
  void merge(const HyperLogLog& other);
  uint64_t estimate() const;
  void serialize(BinaryWriter& out) const;
  void deserialize(BinaryReader& in);
  size_t memory_bytes() const { return sparse_.capacity() * 8 + registers_.capacity(); }

 private:
  void densify();
  void add_dense(uint64_t hash);

  std::vector<uint64_t> sparse_;   // sorted distinct hashes, while registers_ is empty
  std::vector<uint8_t> registers_;
};

}  // namespace logan
