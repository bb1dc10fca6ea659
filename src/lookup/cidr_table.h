// CidrTable: longest-prefix matching of IPv4 and IPv6 addresses against a set of networks
// (`--lookup ...&key=cidr`), each network naming a row of a lookup table.
//
// Built once per lookup snapshot: the (possibly nested, overlapping) prefixes are flattened
// into disjoint address ranges, each holding the row of the longest prefix that covers it.
// IPv4 ranges go into an Ipv4RangeMap (direct tables on the top 16 and next 8 bits over small
// leaves of range starts); IPv6 lookups are a binary search over range starts after a direct
// index on the top 16 address bits. Two prefixes that are the same network are an error.
// Thread-safety: immutable after build(); find() may be called from any number of threads.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/result.h"
#include "lookup/ip_address.h"
#include "lookup/ipv4_range_map.h"

namespace logan {

class CidrTable {
 public:
  static constexpr int32_t kNoRow = -1;

  // `prefixes`: (network, row) pairs in any order. Fails, naming it, on a network listed twice.
  static Result<CidrTable> build(std::vector<std::pair<IpPrefix, int32_t>> prefixes);

  // The row of the longest prefix that contains `address`, or kNoRow.
  int32_t find(const IpAddress& address) const {
    return address.v4 ? v4_.find(static_cast<uint32_t>(address.bits)) : v6_.find(address.bits);
  }

  // find() for n IPv4 addresses at once (n <= kBatch): each level's memory is requested for
  // every address before any is read, so the misses of one search overlap the others'.
  static constexpr size_t kBatch = Ipv4RangeMap::kBatch;
  void find_v4_batch(const uint32_t* addresses, size_t n, int32_t* rows) const {
    v4_.find_batch(addresses, n, rows);
  }
  // The IPv4 ranges with their rows as answers: relabeled() gives a map straight to something
  // of the row (a value number), without a second miss to get it.
  const Ipv4RangeMap& v4_rows() const { return v4_; }

 private:
  // The ranges of one address family: ranges[i] = [starts[i], starts[i+1]) -> rows[i].
  template <typename Key>
  struct Ranges {
    static constexpr int kShift = sizeof(Key) * 8 - 16;
    std::vector<Key> starts;     // ascending; starts[0] == 0
    std::vector<int32_t> rows;
    std::vector<uint32_t> by_top16;  // [t]: the range holding address t << kShift; 65537 entries

    int32_t find(Key address) const {
      const size_t top = static_cast<size_t>(address >> kShift);
      // The answer is in ranges by_top16[top] .. by_top16[top + 1]: find the last start <= address.
      // Branch-free (a conditional move per step): the outcome of each comparison is random, so
      // a branch would be mispredicted half the time.
      const Key* base = starts.data() + by_top16[top];
      size_t n = by_top16[top + 1] - by_top16[top] + 1;
      while (n > 1) {
        const size_t half = n / 2;
        base = base[half] <= address ? base + half : base;
        n -= half;
      }
      return rows[static_cast<size_t>(base - starts.data())];
    }
    void build(std::vector<std::pair<IpPrefix, int32_t>>& prefixes);
  };

  Ipv4RangeMap v4_;
  Ranges<Uint128> v6_;
};

}  // namespace logan
