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
  // `remember_last`: keep a last-hit cache, for keys that come in runs (methods: mostly GET).
  explicit KeyCounts(bool remember_last = false) : remember_last_(remember_last) {}
  // Copies and moves drop the last-hit cache: it points into the source's table.
  KeyCounts(const KeyCounts& other) : counts_(other.counts_), remember_last_(other.remember_last_) {}
  KeyCounts(KeyCounts&& other) noexcept
      : counts_(std::move(other.counts_)), remember_last_(other.remember_last_) {
    other.forget();
  }
  KeyCounts& operator=(const KeyCounts& other) {
    counts_ = other.counts_;
    forget();
    return *this;
  }
  KeyCounts& operator=(KeyCounts&& other) noexcept {
    counts_ = std::move(other.counts_);
    forget();
    other.forget();
    return *this;
  }

  void add(std::string_view key, uint64_t n = 1) {
    // Runs of one key (GET among methods, a crawler among clients) skip the hash.
    if (last_count_ != nullptr && key == last_key_) {
      *last_count_ += n;
      return;
    }
    // Debian builds abseil with its own string_view type: convert for heterogeneous lookup.
    auto it = counts_.find(absl::string_view(key.data(), key.size()));
    if (it == counts_.end()) {
      it = counts_.emplace(std::string(key), 0).first;  // may move every element: re-point
    }
    it->second += n;
    if (remember_last_) {
      last_key_ = std::string_view(it->first);
      last_count_ = &it->second;
    }
  }
  // Starts loading the table slots `key` would use, so a later add() does not wait on memory.
  void prefetch(std::string_view key) const {
    counts_.prefetch(absl::string_view(key.data(), key.size()));
  }
  void merge(const KeyCounts& other);
  // Takes out `part`, counts that were merged into these earlier (a sliding window dropping
  // its oldest pane); keys whose count reaches 0 are removed. REQUIRES: part <= this, key by key.
  void subtract(const KeyCounts& part);

  size_t distinct() const { return counts_.size(); }
  uint64_t count_of(std::string_view key) const;

  // The `n` highest-ranked keys.
  std::vector<KeyCount> top(size_t n) const;
  // All keys whose count is strictly greater than `threshold`, ranked.
  std::vector<KeyCount> above(uint64_t threshold) const;

  // With `sorted`, keys in ascending order, so equal states serialize to equal bytes.
  void serialize(BinaryWriter& out, bool sorted = true) const;
  // Replaces the counts with what serialize() wrote; false on malformed input.
  bool deserialize(BinaryReader& in);
  // Adds what serialize() wrote to the counts; false on malformed input.
  bool merge_serialized(BinaryReader& in);

  bool operator==(const KeyCounts& other) const { return counts_ == other.counts_; }

 private:
  void forget() {
    last_key_ = {};
    last_count_ = nullptr;
  }

  absl::flat_hash_map<std::string, uint64_t> counts_;
  // The entry of the last key added, valid until the table changes shape (insert, merge,
  // deserialize, copy). Elements stay put between inserts, so the pointers stay valid.
  std::string_view last_key_;
  uint64_t* last_count_ = nullptr;
  bool remember_last_ = false;
};

}  // namespace logan
