// The three-level IPv4 range map; see ipv4_range_map.h.
#include "lookup/ipv4_range_map.h"

#include <algorithm>
#include <cstring>

namespace logan {
namespace {

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T>
void append(std::vector<uint8_t>& out, T v) {
  const size_t at = out.size();
  out.resize(at + sizeof v);
  std::memcpy(out.data() + at, &v, sizeof v);
}

uint32_t answer_entry(int32_t answer, uint32_t flag) { return flag | static_cast<uint32_t>(answer + 1); }
int32_t entry_answer(uint32_t entry, uint32_t flag) { return static_cast<int32_t>(entry & ~flag) - 1; }

// The answer for `low` in a leaf: the last start <= low, branch-free (a conditional move per
// step; each comparison's outcome is random, so a branch would be mispredicted half the time).
// The count at the leaf's head stands in for the first start, 0, which is never compared.
template <typename Low>
int32_t search_leaf(const uint8_t* leaf, Low low) {
  const size_t k = load<Low>(leaf);
  const uint8_t* base = leaf;
  size_t n = k + 1;
  while (n > 1) {
    const size_t half = n / 2;
    const uint8_t* probe = base + half * sizeof(Low);
    base = load<Low>(probe) <= low ? probe : base;
    n -= half;
  }
  const size_t range = static_cast<size_t>(base - leaf) / sizeof(Low);
  return load<int32_t>(leaf + (k + 1) * sizeof(Low) + range * sizeof(int32_t));
}

}  // namespace

Ipv4RangeMap::Ipv4RangeMap() = default;

template <typename Low>
uint32_t Ipv4RangeMap::add_leaf(const uint32_t* starts, const int32_t* answers, size_t n, int shift) {
  const auto at = static_cast<uint32_t>(leaves_.size());
  const uint32_t base_mask = ~((uint32_t{1} << shift) - 1);
  append<Low>(leaves_, static_cast<Low>(n - 1));
  for (size_t i = 1; i < n; ++i) append<Low>(leaves_, static_cast<Low>(starts[i] & ~base_mask));
  for (size_t i = 0; i < n; ++i) append<int32_t>(leaves_, answers[i]);
  return at;
}

uint32_t Ipv4RangeMap::add_block(const uint32_t* starts, const int32_t* answers, size_t n, uint32_t base,
                                 int bits) {
  if (n == 1) return answer_entry(answers[0], kAnswer);
  if (bits == 8) return add_leaf<uint8_t>(starts, answers, n, 8);
  if (n - 1 <= kMaxLeaf16) return add_leaf<uint16_t>(starts, answers, n, 16);
  // Many ranges in this /16: a block of /24s. The block is filled after its leaves are added,
  // so take its index first.
  const auto block = static_cast<uint32_t>(mid_.size() / 256);
  mid_.resize(mid_.size() + 256);
  size_t first = 0;  // the range holding the current /24's first address
  for (uint32_t sub = 0; sub < 256; ++sub) {
    const uint32_t sub_base = base | (sub << 8);
    while (first + 1 < n && starts[first + 1] <= sub_base) ++first;
    size_t end = first + 1;
    while (end < n && starts[end] <= (sub_base | 255)) ++end;
    mid_[block * 256 + sub] = add_block(starts + first, answers + first, end - first, sub_base, 8);
  }
  return kMid | block;
}

Ipv4RangeMap Ipv4RangeMap::build(const std::vector<uint32_t>& starts, const std::vector<int32_t>& answers) {
  // Neighbours with the same answer are one range.
  std::vector<uint32_t> s;
  std::vector<int32_t> a;
  for (size_t i = 0; i < starts.size(); ++i) {
    if (!a.empty() && a.back() == answers[i]) continue;
    s.push_back(starts[i]);
    a.push_back(answers[i]);
  }
  Ipv4RangeMap map;
  map.top_.resize(65536);
  size_t first = 0;  // the range holding the current /16's first address
  for (uint32_t top = 0; top < 65536; ++top) {
    const uint32_t base = top << 16;
    while (first + 1 < s.size() && s[first + 1] <= base) ++first;
    size_t end = first + 1;
    while (end < s.size() && s[end] <= (base | 0xffff)) ++end;
    map.top_[top] = map.add_block(s.data() + first, a.data() + first, end - first, base, 16);
  }
  map.leaves_.shrink_to_fit();
  map.mid_.shrink_to_fit();
  return map;
}

Ipv4RangeMap Ipv4RangeMap::relabeled(const std::vector<int32_t>& relabel) const {
  std::vector<uint32_t> starts;
  std::vector<int32_t> answers;
  ranges(starts, answers);
  for (int32_t& answer : answers) {
    if (answer >= 0) answer = relabel[static_cast<size_t>(answer)];
  }
  return build(starts, answers);
}

void Ipv4RangeMap::ranges(std::vector<uint32_t>& starts, std::vector<int32_t>& answers) const {
  starts.clear();
  answers.clear();
  auto add = [&](uint32_t start, int32_t answer) {
    if (answers.empty() || answers.back() != answer) {
      starts.push_back(start);
      answers.push_back(answer);
    }
  };
  auto add_leaf_ranges = [&](uint32_t entry, uint32_t base, bool wide) {
    const uint8_t* leaf = leaves_.data() + entry;
    const size_t width = wide ? 2 : 1;
    const size_t k = wide ? load<uint16_t>(leaf) : leaf[0];
    for (size_t i = 0; i <= k; ++i) {
      const uint32_t low = i == 0 ? 0 : wide ? load<uint16_t>(leaf + i * 2) : leaf[i];
      add(base | low, load<int32_t>(leaf + (k + 1) * width + i * 4));
    }
  };
  if (top_.empty()) add(0, -1);
  for (uint32_t top = 0; top < top_.size(); ++top) {
    const uint32_t e = top_[top];
    const uint32_t base = top << 16;
    if (e & kAnswer) {
      add(base, entry_answer(e, kAnswer));
    } else if (e & kMid) {
      for (uint32_t sub = 0; sub < 256; ++sub) {
        const uint32_t m = mid_[(e & ~kMid) * 256 + sub];
        if (m & kAnswer) {
          add(base | (sub << 8), entry_answer(m, kAnswer));
        } else {
          add_leaf_ranges(m, base | (sub << 8), false);
        }
      }
    } else {
      add_leaf_ranges(e, base, true);
    }
  }
}

int32_t Ipv4RangeMap::find(uint32_t address) const {
  if (top_.empty()) return -1;
  uint32_t e = top_[address >> 16];
  if (e & kAnswer) return entry_answer(e, kAnswer);
  if (!(e & kMid)) return search_leaf<uint16_t>(leaves_.data() + e, static_cast<uint16_t>(address));
  e = mid_[(e & ~kMid) * 256 + ((address >> 8) & 255)];
  if (e & kAnswer) return entry_answer(e, kAnswer);
  return search_leaf<uint8_t>(leaves_.data() + e, static_cast<uint8_t>(address));
}

void Ipv4RangeMap::find_batch(const uint32_t* addresses, size_t n, int32_t* answers) const {
  // Where each search stands: 0 answered, 1 at a /24 block entry, 2 at a 16-bit leaf, 3 at
  // an 8-bit leaf.
  uint8_t stage[kBatch];
  uint32_t at[kBatch];  // the mid_ index or the leaf offset
  if (top_.empty()) {
    std::fill(answers, answers + n, -1);
    return;
  }
  for (size_t i = 0; i < n; ++i) __builtin_prefetch(&top_[addresses[i] >> 16]);
  bool mids = false;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t e = top_[addresses[i] >> 16];
    if (e & kAnswer) {
      answers[i] = entry_answer(e, kAnswer);
      stage[i] = 0;
    } else if (e & kMid) {
      at[i] = (e & ~kMid) * 256 + ((addresses[i] >> 8) & 255);
      __builtin_prefetch(&mid_[at[i]]);
      stage[i] = 1;
      mids = true;
    } else {
      at[i] = e;
      __builtin_prefetch(leaves_.data() + e);
      __builtin_prefetch(leaves_.data() + e + 64);
      stage[i] = 2;
    }
  }
  if (mids) {
    for (size_t i = 0; i < n; ++i) {
      if (stage[i] != 1) continue;
      const uint32_t e = mid_[at[i]];
      if (e & kAnswer) {
        answers[i] = entry_answer(e, kAnswer);
        stage[i] = 0;
      } else {
        at[i] = e;
        __builtin_prefetch(leaves_.data() + e);
        stage[i] = 3;
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (stage[i] == 2) {
      answers[i] = search_leaf<uint16_t>(leaves_.data() + at[i], static_cast<uint16_t>(addresses[i]));
    } else if (stage[i] == 3) {
      answers[i] = search_leaf<uint8_t>(leaves_.data() + at[i], static_cast<uint8_t>(addresses[i]));
    }
  }
}

}  // namespace logan
