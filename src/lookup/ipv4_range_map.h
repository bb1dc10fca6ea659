// Ipv4RangeMap: a compact map from every IPv4 address to an int32 answer (a lookup row, or a
// value number), built from disjoint ranges that cover the address space. The IPv4 half of a
// CidrTable once its nested prefixes are flattened; a lookup asks it for every log line, so it
// is laid out for few cache misses rather than for generality:
//
//   level 1  a direct table of 65,536 entries, one per /16 (256 KiB): an /16 that is one range
//            holds its answer itself;
//   level 2  otherwise a leaf of the /16's range starts as 16-bit offsets, then their answers,
//            in one block (up to 9 ranges share one cache line); a /16 with many ranges gets a
//            block of 256 entries, one per /24, instead, each an answer or
//   level 3  a leaf of 8-bit offsets within the /24.
//
// So a lookup reads at most three places, usually one or two lines each, and find_batch()
// requests each level's lines for a whole batch before reading any. Neighbouring ranges with
// the same answer are merged, so a map of value numbers is smaller than the map of rows.
// Thread-safety: immutable after build(); find() may be called from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace logan {

class Ipv4RangeMap {
 public:
  // An empty map answers -1 everywhere; it holds no tables (the lookup columns of text and
  // address keys have one).
  Ipv4RangeMap();

  // Ranges [starts[i], starts[i + 1]) -> answers[i], the last up to 255.255.255.255.
  // REQUIRES: starts ascending and distinct, starts[0] == 0, answers the same size, every
  // answer in [-1, 2^31 - 2].
  static Ipv4RangeMap build(const std::vector<uint32_t>& starts, const std::vector<int32_t>& answers);

  // The same ranges with each answer a >= 0 replaced by relabel[a] (-1 stays -1).
  // REQUIRES: relabel covers every answer; its values in [-1, 2^31 - 2].
  Ipv4RangeMap relabeled(const std::vector<int32_t>& relabel) const;

  int32_t find(uint32_t address) const;
  // find() for n addresses at once, each level's memory requested for all before any is read.
  static constexpr size_t kBatch = 64;
  // REQUIRES: n <= kBatch.
  void find_batch(const uint32_t* addresses, size_t n, int32_t* answers) const;

  // The ranges, merged: starts and answers as build() takes them.
  void ranges(std::vector<uint32_t>& starts, std::vector<int32_t>& answers) const;
  size_t memory_bytes() const { return top_.size() * 4 + mid_.size() * 4 + leaves_.size(); }

 private:
  // An entry of top_ or mid_: an answer (kAnswer set; the rest is answer + 1), or the byte
  // offset of a leaf in leaves_ (kMid set in a top_ entry: the index of a 256-entry block in
  // mid_ instead).
  static constexpr uint32_t kAnswer = 0x80000000u;
  static constexpr uint32_t kMid = 0x40000000u;
  // A /16 with more ranges than this gets a block of /24s.
  static constexpr size_t kMaxLeaf16 = 24;

  // Appends a leaf of `Low` offsets: the count of starts after the first (which is always 0),
  // those starts, then one answer per range. Returns its entry.
  template <typename Low>
  uint32_t add_leaf(const uint32_t* starts, const int32_t* answers, size_t n, int shift);
  // Appends the entry (answer or leaf) for ranges[0..n) of one block, whose address starts at
  // `base` and spans `1 << bits` addresses.
  uint32_t add_block(const uint32_t* starts, const int32_t* answers, size_t n, uint32_t base, int bits);

  std::vector<uint32_t> top_;     // [address >> 16]
  std::vector<uint32_t> mid_;     // blocks of 256: [address >> 8 & 255]
  std::vector<uint8_t> leaves_;
};

}  // namespace logan
