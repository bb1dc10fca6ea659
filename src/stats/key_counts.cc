// Exact key counting and ranking; see key_counts.h.
#include "stats/key_counts.h"

#include <algorithm>

namespace logan {
namespace {

bool ranks_before(const KeyCount& a, const KeyCount& b) {
  return a.count != b.count ? a.count > b.count : a.key < b.key;
}

}  // namespace

void KeyCounts::subtract(const KeyCounts& part) {
  forget();
  for (const auto& [key, n] : part.counts_) {
    auto it = counts_.find(absl::string_view(key.data(), key.size()));
    if (it == counts_.end()) continue;  // not merged in: nothing to take out
    if (it->second <= n) {
      counts_.erase(it);
    } else {
      it->second -= n;
    }
  }
}

void KeyCounts::merge(const KeyCounts& other) {
  forget();
  counts_.reserve(counts_.size() + other.counts_.size() / 2);
  for (const auto& [key, n] : other.counts_) counts_[key] += n;
}

uint64_t KeyCounts::count_of(std::string_view key) const {
  auto it = counts_.find(absl::string_view(key.data(), key.size()));
  return it == counts_.end() ? 0 : it->second;
}

std::vector<KeyCount> KeyCounts::top(size_t n) const {
  // A bounded partial sort: only the winners are copied out and sorted.
  std::vector<std::pair<std::string_view, uint64_t>> all;
  all.reserve(counts_.size());
  for (const auto& [key, count] : counts_) all.emplace_back(key, count);
  auto before = [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  n = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(n), all.end(), before);
  std::vector<KeyCount> result;
  result.reserve(n);
  for (size_t i = 0; i < n; ++i) result.push_back({std::string(all[i].first), all[i].second});
  return result;
}

std::vector<KeyCount> KeyCounts::above(uint64_t threshold) const {
  std::vector<KeyCount> result;
  for (const auto& [key, count] : counts_) {
    if (count > threshold) result.push_back({key, count});
  }
  std::sort(result.begin(), result.end(), ranks_before);
  return result;
}

void KeyCounts::serialize(BinaryWriter& out, bool sorted) const {
  out.u64(counts_.size());
  if (!sorted) {
    for (const auto& [key, count] : counts_) {
      out.bytes(key);
      out.u64(count);
    }
    return;
  }
  std::vector<std::pair<std::string_view, uint64_t>> entries(counts_.begin(), counts_.end());
  std::sort(entries.begin(), entries.end());
  for (const auto& [key, count] : entries) {
    out.bytes(key);
    out.u64(count);
  }
}

bool KeyCounts::deserialize(BinaryReader& in) {
  forget();
  counts_.clear();
  return merge_serialized(in);
}

bool KeyCounts::merge_serialized(BinaryReader& in) {
  forget();
  uint64_t n = in.count();
  counts_.reserve(counts_.size() + n);
  for (uint64_t i = 0; i < n && !in.failed(); ++i) {
    std::string_view key = in.bytes();
    uint64_t count = in.u64();
    auto it = counts_.find(absl::string_view(key.data(), key.size()));
    if (it != counts_.end()) {
      it->second += count;
    } else {
      counts_.emplace(std::string(key), count);
    }
  }
  return !in.failed();
}

}  // namespace logan
