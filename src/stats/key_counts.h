// KeyCounts: exact counts per string key (clients, endpoints, methods), mergeable.
// A key is copied once, the first time it is seen; later sightings only hash, probe and
// increment. The table is open addressing with linear probing, at most half full, of 32-byte
// slots: the low 32 bits of the key's hash, a 32-bit tag its owner may keep with the key, its
// count, and the key itself when it has at most 15 bytes (an IPv4 client address always does),
// else its size and where it lies in an arena. Large tables live on huge pages
// (table_memory.h). So a probe for a short key reads one cache line, a long key's bytes are
// read only when the hashes already agree, and growing the table never rehashes a key. Callers
// that fold many keys at once hash them first (hash()), prefetch their slots
// (prefetch_hashed()), then add them (add_hashed()), so the table's cache misses overlap.
// Ranking is deterministic: count descending, then key ascending (bytewise).
// Thread-safety: not thread-safe; each thread keeps its own and they are merged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stats/serial.h"
#include "stats/string_hash.h"
#include "stats/table_memory.h"

namespace logan {

struct KeyCount {
  std::string key;
  uint64_t count = 0;
  bool operator==(const KeyCount&) const = default;
};

// Owns the bytes of keys; what store() returns stays put until clear() or destruction.
class KeyArena {
 public:
  const char* store(std::string_view bytes);
  void clear();
  // Bytes handed out since the last clear().
  size_t used() const { return used_; }

 private:
  static constexpr size_t kBlock = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
  size_t used_ = 0;
};

class KeyCounts {
 public:
  // `remember_last`: keep a last-hit cache, for keys that come in runs (methods: mostly GET).
  explicit KeyCounts(bool remember_last = false) : remember_last_(remember_last) {}
  KeyCounts(const KeyCounts& other);
  KeyCounts(KeyCounts&& other) noexcept;
  KeyCounts& operator=(const KeyCounts& other);
  KeyCounts& operator=(KeyCounts&& other) noexcept;
  ~KeyCounts() = default;

  static uint64_t hash(std::string_view key) { return hash_key(key); }

  void add(std::string_view key, uint64_t n = 1) {
    // Runs of one key (GET among methods, a crawler among clients) skip the hash.
    if (last_count_ != nullptr && key.size() == last_key_.size() &&
        same_bytes(last_key_.data(), key)) {
      *last_count_ += n;
      return;
    }
    add_hashed(key, hash_key(key), n);
  }
  // add() for a key whose hash() is already known.
  void add_hashed(std::string_view key, uint64_t hash, uint64_t n = 1) { (void)add_slot(key, hash, n); }
  // add_hashed() that also returns the key's tag (0 for a key new to the table; see set_tag()).
  uint32_t add_hashed_tagged(std::string_view key, uint64_t hash, uint64_t n = 1) {
    return add_slot(key, hash, n).tag;
  }
  // Starts loading the table slot a key with this hash would use first, so that a later
  // add_hashed() does not wait on memory.
  void prefetch_hashed(uint64_t hash) const {
    if (slots_ != nullptr) __builtin_prefetch(&slots_[static_cast<uint32_t>(hash) & mask_], 1);
  }
  void prefetch(std::string_view key) const { prefetch_hashed(hash_key(key)); }

  void merge(const KeyCounts& other);
  // Takes out `part`, counts that were merged into these earlier (a sliding window dropping
  // its oldest pane); keys whose count reaches 0 are removed. REQUIRES: part <= this, key by key.
  void subtract(const KeyCounts& part);

  // Tags: a 32-bit value the table's owner may keep with each key, beside its count (AccessStats
  // keeps a RecordGrouper's answer for a client there, so that a client seen again is not
  // looked up again). A key starts with tag 0 when it enters the table, whichever way (added,
  // merged, deserialized); a copy of the table keeps the tags. Sets the tag of `key`, whose
  // hash() is `hash`; nothing when the key is not in the table.
  void set_tag(std::string_view key, uint64_t hash, uint32_t tag);
  // Sets every key's tag to 0.
  void clear_tags();

  size_t distinct() const { return size_; }
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

  bool operator==(const KeyCounts& other) const;

 private:
  // Keys of up to this many bytes are kept in the slot itself.
  static constexpr size_t kInlineMax = 15;
  // A slot's key words. Inline: w0 holds bytes 0-7, w1 bytes 8-14 and, in its top byte, the
  // size plus one. Out of line: w0 is the arena pointer, w1 the size with 0xff in the top
  // byte. A free slot's w1 is 0 (so its top byte is): no key's is.
  struct ShortKey {
    uint64_t w0;
    uint64_t w1;
  };
  // The table uses the low 32 bits of a key's hash, for its place and as a first comparison.
  struct Slot {
    uint32_t hash = 0;
    uint32_t tag = 0;
    uint64_t count = 0;
    uint64_t w0 = 0;
    uint64_t w1 = 0;

    bool is_free() const { return w1 == 0; }
    bool is_long() const { return (w1 >> 56) == 0xff; }
    const char* long_key() const { return reinterpret_cast<const char*>(static_cast<uintptr_t>(w0)); }
    // A view of the key: into the slot for a short key, so valid until the table changes shape.
    std::string_view key() const {
      if (is_long()) return {long_key(), static_cast<uint32_t>(w1)};
      return {reinterpret_cast<const char*>(this) + offsetof(Slot, w0),
              static_cast<size_t>((w1 >> 56) - 1)};
    }
  };
  static_assert(sizeof(Slot) == 32);
  static_assert(offsetof(Slot, w1) == offsetof(Slot, w0) + 8, "a short key's bytes run on");

  static uint64_t long_tag(size_t size) { return (uint64_t{0xff} << 56) | size; }
  static ShortKey pack(std::string_view key) {
    using hash_detail::load32;
    using hash_detail::load64;
    const char* p = key.data();
    const size_t n = key.size();
    uint64_t w0 = 0;
    uint64_t w1 = 0;
    if (n >= 8) {
      w0 = load64(p);
      // Bytes 8..n-1: the last eight bytes, shifted down past the ones w0 already has.
      w1 = n > 8 ? load64(p + n - 8) >> (8 * (16 - n)) : 0;
    } else if (n >= 4) {
      w0 = load32(p) | (load32(p + n - 4) << (8 * (n - 4)));
    } else {
      for (size_t i = 0; i < n; ++i) w0 |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
    }
    return {w0, w1 | (uint64_t{n + 1} << 56)};
  }
  Slot& add_slot(std::string_view key, uint64_t full_hash, uint64_t n) {
    if (size_ >= grow_at_) grow();
    const auto hash = static_cast<uint32_t>(full_hash);
    size_t i = hash & mask_;
    if (key.size() <= kInlineMax) {
      const ShortKey packed = pack(key);
      for (;; i = (i + 1) & mask_) {
        Slot& slot = slots_[i];
        if (slot.hash == hash && slot.w0 == packed.w0 && slot.w1 == packed.w1) {
          return count_into(slot, n);
        }
        if (slot.is_free()) break;
      }
      Slot& slot = slots_[i];
      slot.hash = hash;
      slot.tag = 0;
      slot.w0 = packed.w0;
      slot.w1 = packed.w1;
      slot.count = 0;
      ++size_;
      return count_into(slot, n);
    }
    for (;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.hash == hash && slot.w1 == long_tag(key.size()) &&
          same_bytes(slot.long_key(), key)) {
        return count_into(slot, n);
      }
      if (slot.is_free()) break;
    }
    return insert_long(i, key, hash, n);
  }
  Slot& count_into(Slot& slot, uint64_t n) {
    slot.count += n;
    if (remember_last_) remember(slot);
    return slot;
  }
  Slot& insert_long(size_t at, std::string_view key, uint32_t hash, uint64_t n);
  const char* store_long(std::string_view key);
  static bool same_bytes(const char* stored, std::string_view key) {
    const char* p = key.data();
    size_t n = key.size();
    if (n >= 8) {
      // Whole words, then the last 8 bytes as one load that may overlap the words before.
      const char* p_last = p + n - 8;
      const char* stored_last = stored + n - 8;
      for (; n > 8; n -= 8, p += 8, stored += 8) {
        if (hash_detail::load64(p) != hash_detail::load64(stored)) return false;
      }
      return hash_detail::load64(p_last) == hash_detail::load64(stored_last);
    }
    for (; n > 0; --n, ++p, ++stored) {
      if (*p != *stored) return false;
    }
    return true;
  }
  void remember(Slot& slot) {
    last_key_ = slot.key();
    last_count_ = &slot.count;
  }
  void forget() {
    last_key_ = {};
    last_count_ = nullptr;
  }
  // The slot holding `key`, or null.
  const Slot* find(std::string_view key, uint64_t hash) const;
  // Makes room for at least `keys` keys without growing again.
  void reserve(size_t keys);
  void grow() { reserve(size_ + 1 > 8 ? size_ + 1 : 8); }
  // Re-lays the slots out in a table of `capacity` (a power of two); with `compact`, also
  // copies the keys into a fresh arena, dropping the bytes of removed keys.
  void rebuild(size_t capacity, bool compact);
  void erase_at(size_t i);
  template <typename F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < capacity(); ++i) {
      if (!slots_[i].is_free()) f(slots_[i]);
    }
  }
  size_t capacity() const { return slots_ ? mask_ + 1 : 0; }

  ZeroedArray<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  size_t grow_at_ = 0;  // size_ at which the table grows (half the capacity)
  KeyArena arena_;
  size_t live_bytes_ = 0;  // bytes of the long keys in the table; the arena's others are dead
  // The entry of the last key added, valid until the table changes shape (grows, is merged
  // into, is subtracted from, is copied). Slots stay put between growths.
  std::string_view last_key_;
  uint64_t* last_count_ = nullptr;
  bool remember_last_ = false;
};

}  // namespace logan
