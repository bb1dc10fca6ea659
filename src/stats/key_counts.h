// KeyCounts: exact counts per string key (clients, endpoints, methods), mergeable.
// A key is copied once, the first time it is seen; later sightings only hash and increment.
// Ranking is deterministic: count descending, then key ascending (bytewise).
// Thread-safety: not thread-safe; each thread keeps its own and they are merged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "stats/serial.h"

namespace logan {

struct KeyCount {
  std::string key;
  uint64_t count = 0;
  bool operator==(const KeyCount&) const = default;
};

class KeyCounts {
 public:
  void add(std::string_view key, uint64_t n = 1) {
    // Debian builds abseil with its own string_view type: convert for heterogeneous lookup.
    auto it = counts_.find(absl::string_view(key.data(), key.size()));
    if (it != counts_.end()) {
      it->second += n;
    } else {
      counts_.emplace(std::string(key), n);
    }
  }
  // Starts loading the table slots `key` would use, so a later add() does not wait on memory.
  void prefetch(std::string_view key) const {
    counts_.prefetch(absl::string_view(key.data(), key.size()));
  }
  void merge(const KeyCounts& other);

  size_t distinct() const { return counts_.size(); }
  uint64_t count_of(std::string_view key) const;

  // The `n` highest-ranked keys.
  std::vector<KeyCount> top(size_t n) const;
  // All keys whose count is strictly greater than `threshold`, ranked.
  std::vector<KeyCount> above(uint64_t threshold) const;

  // Keys in ascending order, so equal states serialize to equal bytes.
  void serialize(BinaryWriter& out) const;
  // Returns false on malformed input.
  bool deserialize(BinaryReader& in);

  bool operator==(const KeyCounts& other) const { return counts_ == other.counts_; }

 private:
  absl::flat_hash_map<std::string, uint64_t> counts_;
};

}  // namespace logan
