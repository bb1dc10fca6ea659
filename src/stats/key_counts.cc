// Exact key counting and ranking; see key_counts.h.
#include "stats/key_counts.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace logan {
namespace {

bool ranks_before(const KeyCount& a, const KeyCount& b) {
  return a.count != b.count ? a.count > b.count : a.key < b.key;
}

// Arena bytes of removed keys are reclaimed once they outweigh the live keys and this.
constexpr size_t kCompactAfterDeadBytes = 1 << 20;

}  // namespace

const char* KeyArena::store(std::string_view bytes) {
  static const char kEmpty = 0;
  if (bytes.empty()) return &kEmpty;
  used_ += bytes.size();
  char* at;
  if (bytes.size() > kBlock / 4) {
    // A long key gets a block of its own, so the current block's space is not wasted.
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(bytes.size()));
    at = blocks_.back().get();
  } else {
    if (bytes.size() > left_) {
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlock));
      next_ = blocks_.back().get();
      left_ = kBlock;
    }
    at = next_;
    next_ += bytes.size();
    left_ -= bytes.size();
  }
  std::memcpy(at, bytes.data(), bytes.size());
  return at;
}

void KeyArena::clear() {
  blocks_.clear();
  next_ = nullptr;
  left_ = 0;
  used_ = 0;
}

KeyCounts::KeyCounts(const KeyCounts& other) : remember_last_(other.remember_last_) {
  *this = other;
}

KeyCounts::KeyCounts(KeyCounts&& other) noexcept
    : slots_(std::move(other.slots_)),
      mask_(other.mask_),
      size_(other.size_),
      grow_at_(other.grow_at_),
      arena_(std::move(other.arena_)),
      live_bytes_(other.live_bytes_),
      remember_last_(other.remember_last_),
      packed_(std::move(other.packed_)),
      packed_tags_(std::move(other.packed_tags_)),
      packed_mask_(other.packed_mask_),
      packed_shift_(other.packed_shift_),
      packed_size_(other.packed_size_),
      packed_grow_at_(other.packed_grow_at_) {
  other.mask_ = other.size_ = other.grow_at_ = other.live_bytes_ = 0;
  other.arena_.clear();
  other.forget();
  other.packed_mask_ = other.packed_size_ = other.packed_grow_at_ = 0;
  other.packed_shift_ = 63;
}

KeyCounts& KeyCounts::operator=(const KeyCounts& other) {
  if (this == &other) return *this;
  forget();
  slots_.reset();
  mask_ = size_ = grow_at_ = live_bytes_ = 0;
  arena_.clear();
  packed_.reset();
  packed_tags_.reset();
  packed_mask_ = packed_size_ = packed_grow_at_ = 0;
  packed_shift_ = 63;
  if (other.packed_size_ != 0) {
    const size_t n = other.packed_capacity();
    packed_ = make_zeroed_array<PackedSlot>(n);
    std::copy(other.packed_.get(), other.packed_.get() + n, packed_.get());
    if (other.packed_tags_) {
      packed_tags_ = make_zeroed_array<uint32_t>(n);
      std::copy(other.packed_tags_.get(), other.packed_tags_.get() + n, packed_tags_.get());
    }
    packed_mask_ = other.packed_mask_;
    packed_shift_ = other.packed_shift_;
    packed_size_ = other.packed_size_;
    packed_grow_at_ = other.packed_grow_at_;
  }
  if (other.size_ == 0) return *this;
  // Same capacity, same layout: copy the slots, then give the keys this table's own bytes.
  slots_ = make_zeroed_array<Slot>(other.capacity());
  std::copy(other.slots_.get(), other.slots_.get() + other.capacity(), slots_.get());
  mask_ = other.mask_;
  size_ = other.size_;
  grow_at_ = other.grow_at_;
  live_bytes_ = 0;
  for (size_t i = 0; i < capacity(); ++i) {
    Slot& slot = slots_[i];
    if (slot.is_long()) slot.w0 = reinterpret_cast<uintptr_t>(store_long(slot.key()));
  }
  return *this;
}

KeyCounts& KeyCounts::operator=(KeyCounts&& other) noexcept {
  if (this == &other) return *this;
  slots_ = std::move(other.slots_);
  mask_ = other.mask_;
  size_ = other.size_;
  grow_at_ = other.grow_at_;
  arena_ = std::move(other.arena_);
  live_bytes_ = other.live_bytes_;
  packed_ = std::move(other.packed_);
  packed_tags_ = std::move(other.packed_tags_);
  packed_mask_ = other.packed_mask_;
  packed_shift_ = other.packed_shift_;
  packed_size_ = other.packed_size_;
  packed_grow_at_ = other.packed_grow_at_;
  forget();
  other.mask_ = other.size_ = other.grow_at_ = other.live_bytes_ = 0;
  other.arena_.clear();
  other.forget();
  other.packed_mask_ = other.packed_size_ = other.packed_grow_at_ = 0;
  other.packed_shift_ = 63;
  return *this;
}

const char* KeyCounts::store_long(std::string_view key) {
  live_bytes_ += key.size();
  return arena_.store(key);
}

KeyCounts::Slot& KeyCounts::insert_long(size_t at, std::string_view key, uint32_t hash, uint64_t n) {
  Slot& slot = slots_[at];
  slot.hash = hash;
  slot.tag = 0;
  slot.w0 = reinterpret_cast<uintptr_t>(store_long(key));
  slot.w1 = long_tag(key.size());
  slot.count = 0;
  ++size_;
  return count_into(slot, n);
}

const KeyCounts::Slot* KeyCounts::find(std::string_view key, uint64_t full_hash) const {
  if (size_ == 0) return nullptr;
  const auto hash = static_cast<uint32_t>(full_hash);
  const bool is_short = key.size() <= kInlineMax;
  const ShortKey packed = is_short ? pack(key) : ShortKey{0, long_tag(key.size())};
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.is_free()) return nullptr;
    if (slot.hash != hash || slot.w1 != packed.w1) continue;
    if (is_short ? slot.w0 == packed.w0 : same_bytes(slot.long_key(), key)) return &slot;
  }
}

size_t KeyCounts::find_packed(uint64_t code) const {
  if (packed_size_ == 0) return kNoSlot;
  for (size_t i = packed_home(code);; i = (i + 1) & packed_mask_) {
    if (packed_[i].code == code) return i;
    if (packed_[i].is_free()) return kNoSlot;
  }
}

void KeyCounts::reserve_packed(size_t keys) {
  const size_t capacity = std::bit_ceil(std::max<size_t>(keys * 2, 16));
  const size_t old_capacity = packed_capacity();
  if (capacity <= old_capacity) return;
  ZeroedArray<PackedSlot> old = std::move(packed_);
  ZeroedArray<uint32_t> old_tags = std::move(packed_tags_);
  packed_ = make_zeroed_array<PackedSlot>(capacity);
  if (old_tags) packed_tags_ = make_zeroed_array<uint32_t>(capacity);
  packed_mask_ = capacity - 1;
  packed_shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
  packed_grow_at_ = capacity / 2;
  for (size_t i = 0; i < old_capacity; ++i) {
    if (old[i].is_free()) continue;
    size_t at = packed_home(old[i].code);
    while (!packed_[at].is_free()) at = (at + 1) & packed_mask_;
    packed_[at] = old[i];
    if (old_tags) packed_tags_[at] = old_tags[i];
  }
}

void KeyCounts::erase_packed_at(size_t i) {
  --packed_size_;
  // Backward-shift deletion, as erase_at().
  for (size_t j = (i + 1) & packed_mask_; !packed_[j].is_free(); j = (j + 1) & packed_mask_) {
    const size_t home = packed_home(packed_[j].code);
    const bool reachable_from_hole = i <= j ? (home <= i || home > j) : (home <= i && home > j);
    if (reachable_from_hole) {
      packed_[i] = packed_[j];
      if (packed_tags_) packed_tags_[i] = packed_tags_[j];
      i = j;
    }
  }
  packed_[i] = PackedSlot{};
  if (packed_tags_) packed_tags_[i] = 0;
}

void KeyCounts::reserve(size_t keys) {
  const size_t wanted = std::bit_ceil(std::max<size_t>(keys * 2, 16));
  if (wanted > capacity()) rebuild(wanted, /*compact=*/false);
}

void KeyCounts::rebuild(size_t capacity, bool compact) {
  forget();
  auto fresh = make_zeroed_array<Slot>(capacity);
  const size_t mask = capacity - 1;
  KeyArena arena;
  for (size_t i = 0; i < this->capacity(); ++i) {
    Slot slot = slots_[i];
    if (slot.is_free()) continue;
    if (compact && slot.is_long()) slot.w0 = reinterpret_cast<uintptr_t>(arena.store(slot.key()));
    size_t at = slot.hash & mask;
    while (!fresh[at].is_free()) at = (at + 1) & mask;
    fresh[at] = slot;
  }
  slots_ = std::move(fresh);
  mask_ = mask;
  grow_at_ = capacity / 2;
  if (compact) {
    arena_ = std::move(arena);
    live_bytes_ = arena_.used();
  }
}

void KeyCounts::erase_at(size_t i) {
  if (slots_[i].is_long()) live_bytes_ -= slots_[i].key().size();
  --size_;
  // Backward-shift deletion: pull later keys of the same probe run into the hole, so that no
  // run is broken by a free slot and no tombstones accumulate.
  for (size_t j = (i + 1) & mask_; !slots_[j].is_free(); j = (j + 1) & mask_) {
    const size_t home = slots_[j].hash & mask_;
    const bool reachable_from_hole = i <= j ? (home <= i || home > j) : (home <= i && home > j);
    if (reachable_from_hole) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Slot{};
}

void KeyCounts::subtract(const KeyCounts& part) {
  forget();
  part.for_each_packed([&](const PackedSlot& taken) {
    const size_t at = find_packed(taken.code);
    if (at == kNoSlot) return;  // not merged in: nothing to take out
    if (packed_[at].count <= taken.count) {
      erase_packed_at(at);
    } else {
      packed_[at].count -= taken.count;
    }
  });
  if (size_ == 0) return;
  part.for_each([&](const Slot& taken) {
    const Slot* found = find(taken.key(), taken.hash);
    if (found == nullptr) return;  // not merged in: nothing to take out
    const size_t at = static_cast<size_t>(found - slots_.get());
    if (slots_[at].count <= taken.count) {
      erase_at(at);
    } else {
      slots_[at].count -= taken.count;
    }
  });
  const size_t dead = arena_.used() - live_bytes_;
  if (dead > kCompactAfterDeadBytes && dead > live_bytes_) {
    rebuild(std::bit_ceil(std::max<size_t>(size_ * 2, 16)), /*compact=*/true);
  }
}

void KeyCounts::merge(const KeyCounts& other) {
  forget();
  if (&other == this) {
    for (size_t i = 0; i < capacity(); ++i) slots_[i].count *= 2;  // free slots stay at 0
    for (size_t i = 0; i < packed_capacity(); ++i) packed_[i].count *= 2;
    return;
  }
  if (other.packed_size_ != 0) {
    reserve_packed(packed_size_ + other.packed_size_ / 2);
    other.for_each_packed([&](const PackedSlot& slot) { (void)add_packed(slot.code, slot.count); });
  }
  if (other.size_ == 0) return;
  reserve(size_ + other.size_ / 2);
  other.for_each([&](const Slot& slot) { (void)add_slot(slot.key(), slot.hash, slot.count); });
  forget();
}

void KeyCounts::set_tag(std::string_view key, uint64_t hash, uint32_t tag) {
  if (hash & kPacked) {
    const size_t at = find_packed(hash & ~kPacked);
    if (at == kNoSlot) return;
    if (!packed_tags_) packed_tags_ = make_zeroed_array<uint32_t>(packed_capacity());
    packed_tags_[at] = tag;
  } else if (const Slot* slot = find(key, hash)) {
    const_cast<Slot*>(slot)->tag = tag;
  }
}

void KeyCounts::clear_tags() {
  for (size_t i = 0; i < capacity(); ++i) slots_[i].tag = 0;
  packed_tags_.reset();
}

uint64_t KeyCounts::count_of(std::string_view key) const {
  const uint64_t h = hash(key);
  if (h & kPacked) {
    const size_t at = find_packed(h & ~kPacked);
    return at == kNoSlot ? 0 : packed_[at].count;
  }
  const Slot* slot = find(key, h);
  return slot == nullptr ? 0 : slot->count;
}

bool KeyCounts::operator==(const KeyCounts& other) const {
  if (size_ != other.size_ || packed_size_ != other.packed_size_) return false;
  bool same = true;
  for_each([&](const Slot& slot) {
    if (!same) return;
    const Slot* there = other.find(slot.key(), slot.hash);
    same = there != nullptr && there->count == slot.count;
  });
  for_each_packed([&](const PackedSlot& slot) {
    if (!same) return;
    const size_t there = other.find_packed(slot.code);
    same = there != kNoSlot && other.packed_[there].count == slot.count;
  });
  return same;
}

// Every key with its count, as views: into the table for the string keys, into `text` (16
// bytes a key, sized up front so that it never moves) for the packed ones.
void KeyCounts::list_keys(std::vector<std::pair<std::string_view, uint64_t>>& all,
                          std::vector<char>& text) const {
  all.reserve(all.size() + distinct());
  for_each([&](const Slot& slot) { all.emplace_back(slot.key(), slot.count); });
  text.resize(packed_size_ * 16);
  char* at = text.data();
  for_each_packed([&](const PackedSlot& slot) {
    char buffer[16];
    const size_t n = unpack_digits(slot.code, buffer);
    std::memcpy(at, buffer, n);
    all.emplace_back(std::string_view(at, n), slot.count);
    at += 16;
  });
}

std::vector<KeyCount> KeyCounts::top(size_t n) const {
  // A bounded partial sort: only the winners are copied out and sorted.
  std::vector<std::pair<std::string_view, uint64_t>> all;
  std::vector<char> text;
  list_keys(all, text);
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
  for_each_key([&](std::string_view key, uint64_t count) {
    if (count > threshold) result.push_back({std::string(key), count});
  });
  std::sort(result.begin(), result.end(), ranks_before);
  return result;
}

void KeyCounts::serialize(BinaryWriter& out, bool sorted) const {
  out.u64(distinct());
  std::vector<std::pair<std::string_view, uint64_t>> entries;
  std::vector<char> text;
  list_keys(entries, text);
  if (sorted) std::sort(entries.begin(), entries.end());
  for (const auto& [key, count] : entries) {
    out.bytes(key);
    out.u64(count);
  }
}

bool KeyCounts::deserialize(BinaryReader& in) {
  *this = KeyCounts(remember_last_);
  return merge_serialized(in);
}

bool KeyCounts::merge_serialized(BinaryReader& in) {
  forget();
  uint64_t n = in.count();
  // No reserve(): the keys may be of either kind, and the tables grow as they fill.
  for (uint64_t i = 0; i < n && !in.failed(); ++i) {
    std::string_view key = in.bytes();
    uint64_t count = in.u64();
    if (in.failed()) break;
    add_hashed(key, hash(key), count);
  }
  forget();
  return !in.failed();
}

}  // namespace logan
