// DDSketch: a mergeable quantile sketch with relative error (Masson, Rim and Lee, VLDB 2019).
// A value x > 0 falls in bucket ceil(log_gamma(x)), gamma = (1 + a) / (1 - a); a bucket's
// representative 2 gamma^i / (gamma + 1) is within a (relative) of every value in it, so the
// k-th smallest value is answered within a. Negative values go to a mirrored store, values
// whose magnitude is below kMinPositive to a zero count. Merging adds bucket counts: exact, so
// the sketch of a union does not depend on how the values were split.
// Called by the quantile and median aggregates (agg_quantile.cc).
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <vector>

#include "stats/serial.h"

namespace logan {

class DdSketch {
 public:
  // 0.5%: the answer is within 1% of the exact value at the rank, as promised in docs/query.md,
  // with room for the rounding of the rank between neighbouring buckets.
  static constexpr double kRelativeAccuracy = 0.005;
  static constexpr double kMinPositive = 1e-9;

  void add(double x);
  void merge(const DdSketch& other);
  uint64_t count() const { return count_; }
  // The value at rank max(1, ceil(q * count)) (PostgreSQL's percentile_disc), approximately.
  // REQUIRES: count() > 0, 0 <= q <= 1.
  double quantile(double q) const;
  void serialize(BinaryWriter& out) const;
  void deserialize(BinaryReader& in);
  size_t memory_bytes() const { return (positive_.counts.capacity() + negative_.counts.capacity()) * 8; }

 private:
  // Counts of consecutive bucket indices starting at `offset`.
  struct Store {
    int32_t offset = 0;
    std::vector<uint64_t> counts;
    void add(int32_t index, uint64_t n);
    void merge(const Store& other);
  };
  static int32_t index_of(double magnitude);
  static double value_of(int32_t index);

  Store positive_;
  Store negative_;  // by the index of -x
  uint64_t zero_ = 0;
  uint64_t count_ = 0;
};

}  // namespace logan
