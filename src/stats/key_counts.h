// KeyCounts: exact counts per string key (clients, endpoints, methods), mergeable.
// A key is copied once, the first time it is seen; later sightings only hash, probe and
// increment. The table is open addressing with linear probing, at most half full, of 32-byte
// slots: the low 32 bits of the key's hash, a 32-bit tag its owner may keep with the key, its
// count, and the key itself when it has at most 15 bytes, else its size and where it lies in an
// arena. Large tables live on huge pages (table_memory.h). So a probe for a short key reads one
// cache line, a long key's bytes are read only when the hashes already agree, and growing the
// table never rehashes a key.
// Keys of at most 15 digits, dots and slashes (IPv4 client addresses above all) are kept apart,
// packed four bits a byte into one word, in a second table of 16-byte slots: clients are the
// largest table (hundreds of thousands of keys a day), and half the bytes per key is half the
// memory each lookup misses in. Packing is a few word operations, cheaper than the hash it
// replaces. Everything outside sees one table of string keys. Callers
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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

  // The key's hash, which the *_hashed() calls take. For a key of digits, dots and slashes it
  // is the key packed (pack_digits()) with kPacked set, not a hash.
  static uint64_t hash(std::string_view key) {
    if (const uint64_t code = pack_digits(key)) return kPacked | code;
    return hash_key(key) & ~kPacked;
  }
  // `key` packed four bits a byte, byte 0 lowest: 1 for '.', 2 for '/', 3 to 12 for '0' to
  // '9', 0 after the last byte. 0 when `key` is not 1 to 15 such bytes.
  static uint64_t pack_digits(std::string_view key) {
    const size_t n = key.size();
    if (n - 1 >= 15) return 0;
    // Most other keys (paths, methods) fail on their first byte.
    if (static_cast<unsigned>(static_cast<unsigned char>(key[0]) - '.') > 11) return 0;
    const ShortKey words = pack(key);  // zero bytes after the key's, and n + 1 in w1's top byte
    const uint64_t w1 = words.w1 & ~(uint64_t{0xff} << 56);
#if defined(__SSE2__)
    const __m128i text = _mm_unpacklo_epi64(_mm_cvtsi64_si128(static_cast<long long>(words.w0)),
                                            _mm_cvtsi64_si128(static_cast<long long>(w1)));
    // A byte is one of the twelve when byte - '.' is at most 11 (unsigned); the zero bytes after
    // the key's are not, so `ok` is the key's bytes exactly when the key is good.
    const __m128i offset = _mm_sub_epi8(text, _mm_set1_epi8('.'));
    const __m128i ok = _mm_cmpeq_epi8(_mm_min_epu8(offset, _mm_set1_epi8(11)), offset);
    if (static_cast<unsigned>(_mm_movemask_epi8(ok)) != (1u << n) - 1) return 0;
    // 1 to 12 in each of the key's bytes, 0 after; then each pair of bytes into one.
    const __m128i v = _mm_and_si128(_mm_sub_epi8(text, _mm_set1_epi8('-')), ok);
    const __m128i pairs = _mm_and_si128(_mm_or_si128(v, _mm_srli_epi16(v, 4)), _mm_set1_epi16(0x00ff));
    return static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_packus_epi16(pairs, pairs)));
#else
    return pack_digit_words(words.w0, w1, n);
#endif
  }
  // pack_digits() in plain word operations, for machines without SSE2 (and for its tests): the
  // key's bytes 0-7 in `w0` and 8-14 in `w1`, zero after its `n` bytes.
  static uint64_t pack_digit_words(uint64_t w0, uint64_t w1, size_t n) {
    const uint64_t low = nibbles(w0, n >= 8 ? 8 : n);
    const uint64_t high = n > 8 ? nibbles(w1, n - 8) : 0;
    if ((low | high) >> 32) return 0;  // a byte that is not one of the twelve
    return low | high << 32;
  }
  // The text of a key from pack_digits(); returns its length.
  static size_t unpack_digits(uint64_t code, char (&out)[16]) {
    size_t n = 0;
    for (; n < 15 && (code >> (4 * n) & 15) != 0; ++n) out[n] = static_cast<char>('-' + (code >> (4 * n) & 15));
    return n;
  }

  void add(std::string_view key, uint64_t n = 1) {
    // Runs of one key (GET among methods, a crawler among clients) skip the hash.
    if (last_count_ != nullptr && key.size() == last_key_.size() &&
        same_bytes(last_key_.data(), key)) {
      *last_count_ += n;
      return;
    }
    add_hashed(key, hash(key), n);
  }
  // add() for a key whose hash() is already known.
  void add_hashed(std::string_view key, uint64_t hash, uint64_t n = 1) {
    if (hash & kPacked) {
      (void)add_packed(hash & ~kPacked, n);
    } else {
      (void)add_slot(key, hash, n);
    }
  }
  // add_hashed() that also returns the key's tag (0 for a key new to the table; see set_tag()).
  uint32_t add_hashed_tagged(std::string_view key, uint64_t hash, uint64_t n = 1) {
    if (hash & kPacked) {
      const size_t at = add_packed(hash & ~kPacked, n);
      return packed_tags_ ? packed_tags_[at] : 0;
    }
    return add_slot(key, hash, n).tag;
  }
  // Starts loading the table slot a key with this hash would use first, so that a later
  // add_hashed() does not wait on memory.
  void prefetch_hashed(uint64_t hash) const {
    if (hash & kPacked) {
      if (packed_ != nullptr) __builtin_prefetch(&packed_[packed_home(hash & ~kPacked)], 1);
    } else if (slots_ != nullptr) {
      __builtin_prefetch(&slots_[static_cast<uint32_t>(hash) & mask_], 1);
    }
  }
  void prefetch(std::string_view key) const { prefetch_hashed(hash(key)); }

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

  size_t distinct() const { return size_ + packed_size_; }
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
  static constexpr uint64_t kPacked = uint64_t{1} << 63;  // in hash(): a packed key

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
  void list_keys(std::vector<std::pair<std::string_view, uint64_t>>& all, std::vector<char>& text) const;

  // Without SSE2: four bits for each of the `n` bytes (n <= 8) of `w` (zero above them), as
  // pack_digits() describes, in the low 32 bits; any bit above them set when a byte is not one
  // of the twelve.
  static uint64_t nibbles(uint64_t w, size_t n) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    constexpr uint64_t kHigh = 0x8080808080808080ULL;
    const uint64_t used = n == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
    // With every byte below 0x80, adding 0x52 sets a byte's top bit exactly when it is at least
    // '.', and adding 0x46 when it is past '9'; no carry crosses into the next byte.
    const bool ok = (w & kHigh) == 0 && ((w + 0x52 * kOnes) & kHigh) == (used & kHigh) &&
                    ((w + 0x46 * kOnes) & kHigh) == 0;
    uint64_t v = w - (0x2d * kOnes & used);  // 1 to 12 in each used byte, 0 above
    v = (v | v >> 4) & 0x00ff00ff00ff00ffULL;
    v = (v | v >> 8) & 0x0000ffff0000ffffULL;
    v = (v | v >> 16) & 0xffffffffULL;
    return ok ? v : ~uint64_t{0};
  }

  // The packed keys' table: open addressing with linear probing, at most half full, like the
  // other. A free slot's code is 0 (no key's is). Tags, rarely used, are kept in an array of
  // their own beside it, made when the first is set.
  struct PackedSlot {
    uint64_t code = 0;
    uint64_t count = 0;
    bool is_free() const { return code == 0; }
  };
  static_assert(sizeof(PackedSlot) == 16);

  // Where a code's probe starts: its top bits after a seeded multiply (Fibonacci hashing).
  size_t packed_home(uint64_t code) const {
    static const uint64_t seed = hash_detail::process_seed();
    return static_cast<size_t>(((code ^ seed) * hash_detail::kOdd1) >> packed_shift_);
  }
  // Counts `n` for the key packed as `code`; returns its slot's index.
  size_t add_packed(uint64_t code, uint64_t n) {
    if (packed_size_ >= packed_grow_at_) reserve_packed(packed_size_ + 1);
    size_t i = packed_home(code);
    for (;; i = (i + 1) & packed_mask_) {
      PackedSlot& slot = packed_[i];
      if (slot.code == code) {
        slot.count += n;
        return i;
      }
      if (slot.is_free()) break;
    }
    packed_[i] = PackedSlot{code, n};
    if (packed_tags_) packed_tags_[i] = 0;
    ++packed_size_;
    return i;
  }
  // The index of the slot holding `code`, or kNoSlot.
  static constexpr size_t kNoSlot = ~size_t{0};
  size_t find_packed(uint64_t code) const;
  void reserve_packed(size_t keys);
  void erase_packed_at(size_t i);
  size_t packed_capacity() const { return packed_ ? packed_mask_ + 1 : 0; }
  template <typename F>
  void for_each_packed(F&& f) const {
    for (size_t i = 0; i < packed_capacity(); ++i) {
      if (!packed_[i].is_free()) f(packed_[i]);
    }
  }
  // Calls f(key, count) for every key, a packed key's text in a buffer valid for the call.
  template <typename F>
  void for_each_key(F&& f) const {
    for_each([&](const Slot& slot) { f(slot.key(), slot.count); });
    for_each_packed([&](const PackedSlot& slot) {
      char text[16];
      f(std::string_view(text, unpack_digits(slot.code, text)), slot.count);
    });
  }

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

  ZeroedArray<PackedSlot> packed_;
  ZeroedArray<uint32_t> packed_tags_;  // [slot] -> tag; null until a tag is set
  size_t packed_mask_ = 0;
  unsigned packed_shift_ = 63;  // 64 - log2(capacity); set with the table
  size_t packed_size_ = 0;
  size_t packed_grow_at_ = 0;
};

}  // namespace logan
