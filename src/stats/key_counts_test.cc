// Tests of KeyCounts' own hash table against std::map: adds, merges, subtracts (which remove
// keys and shift probe runs back), copies, moves and the arena's compaction.
#include "stats/key_counts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace logan {
namespace {

using Model = std::map<std::string, uint64_t>;

void expect_same(const KeyCounts& counts, const Model& model) {
  ASSERT_EQ(counts.distinct(), model.size());
  for (const auto& [key, n] : model) EXPECT_EQ(counts.count_of(key), n) << key;
  std::vector<KeyCount> all = counts.top(model.size() + 1);
  ASSERT_EQ(all.size(), model.size());
  uint64_t total = 0;
  for (const auto& kc : all) total += kc.count;
  uint64_t want = 0;
  for (const auto& [key, n] : model) want += n;
  EXPECT_EQ(total, want);
}

std::string dotted(uint64_t v) {
  return std::to_string(v >> 24 & 255) + "." + std::to_string(v >> 16 & 255) + "." +
         std::to_string(v >> 8 & 255) + "." + std::to_string(v & 255);
}

// Keys of every length class the hash reads differently (0, 1-3, 4-7, 8-16, longer), with
// shared prefixes and suffixes so that only a full compare tells them apart; IPv4 addresses
// and other keys of digits and dots (packed), some one byte too long to be packed.
std::string key_for(uint64_t i) {
  static const std::string kLong(300, 'p');
  switch (i % 8) {
    case 0: return std::to_string(i % 7);
    case 1: return "10.0." + std::to_string(i);
    case 2: return "/api/v1/items/" + std::to_string(i) + "/detail";
    case 3: return kLong + std::to_string(i);
    case 4: return std::string(i % 40, 'x');
    case 5: return dotted(i * 2654435761u);
    case 6:
      if (i % 3 == 0) return std::string(1 + i % 16, static_cast<char>('0' + i % 10));
      return "0" + dotted(i * 40503u);  // 8 to 16 bytes
    default: return "k" + std::to_string(i * 2654435761u);
  }
}

TEST(KeyCountsTest, AddsCountLikeAMap) {
  KeyCounts counts;
  Model model;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 50000; ++i) {
    std::string key = key_for(rng() % 5000);
    uint64_t n = 1 + rng() % 3;
    if (i % 2) counts.add(key, n);
    else counts.add_hashed(key, KeyCounts::hash(key), n);
    model[key] += n;
  }
  expect_same(counts, model);
  EXPECT_EQ(counts.count_of("never added"), 0u);
}

TEST(KeyCountsTest, EmptyKeyIsAKey) {
  KeyCounts counts;
  counts.add("");
  counts.add("", 2);
  EXPECT_EQ(counts.distinct(), 1u);
  EXPECT_EQ(counts.count_of(""), 3u);
  EXPECT_EQ(counts.top(1), (std::vector<KeyCount>{{"", 3}}));
}

TEST(KeyCountsTest, SubtractRemovesKeysAndKeepsTheRestFindable) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    KeyCounts whole;
    KeyCounts part;
    Model model;
    const int keys = 1 + static_cast<int>(rng() % 3000);
    for (int i = 0; i < keys; ++i) {
      std::string key = key_for(rng() % 4000);
      uint64_t n = 1 + rng() % 4;
      whole.add(key, n);
      model[key] += n;
      if (rng() % 2) {
        // Take out all of it (the key goes) or some of it (the key stays).
        uint64_t take = rng() % 2 ? model[key] - part.count_of(key) : 1;
        take = std::min(take, model[key] - part.count_of(key));
        if (take > 0) part.add(key, take);
      }
    }
    Model left = model;
    for (auto& [key, n] : left) n -= part.count_of(key);
    std::erase_if(left, [](const auto& kv) { return kv.second == 0; });
    whole.subtract(part);
    expect_same(whole, left);
    // What is left still takes new keys and counts old ones.
    whole.add("after");
    left["after"] += 1;
    if (!left.empty()) {
      whole.add(left.begin()->first);
      left.begin()->second += 1;
    }
    expect_same(whole, left);
  }
}

TEST(KeyCountsTest, SubtractingEverythingReclaimsTheArena) {
  KeyCounts counts;
  for (int round = 0; round < 5; ++round) {
    KeyCounts pane;
    for (int i = 0; i < 20000; ++i) pane.add(std::string(100, 'a') + std::to_string(round * 100000 + i));
    counts.merge(pane);
    counts.subtract(pane);
    EXPECT_EQ(counts.distinct(), 0u);
  }
  counts.add("x");
  EXPECT_EQ(counts.count_of("x"), 1u);
  EXPECT_EQ(counts.distinct(), 1u);
}

TEST(KeyCountsTest, MergeCopyMoveAndCompare) {
  KeyCounts a;
  KeyCounts b;
  Model model;
  for (int i = 0; i < 3000; ++i) {
    std::string key = key_for(static_cast<uint64_t>(i) * 7 % 1000);
    (i % 3 ? a : b).add(key);
    model[key] += 1;
  }
  KeyCounts merged = a;
  merged.merge(b);
  expect_same(merged, model);
  KeyCounts other_order = b;
  other_order.merge(a);
  EXPECT_EQ(merged, other_order);

  KeyCounts copy(merged);
  EXPECT_EQ(copy, merged);
  copy.add("only in the copy");
  EXPECT_FALSE(copy == merged);
  EXPECT_EQ(merged.count_of("only in the copy"), 0u);

  KeyCounts moved(std::move(copy));
  EXPECT_EQ(moved.count_of("only in the copy"), 1u);
  EXPECT_EQ(copy.distinct(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty
  copy.add("reused");
  EXPECT_EQ(copy.count_of("reused"), 1u);

  KeyCounts assigned;
  assigned = moved;
  EXPECT_EQ(assigned, moved);
  assigned = std::move(moved);
  EXPECT_EQ(assigned.count_of("only in the copy"), 1u);
}

TEST(KeyCountsTest, SerializeRoundTripsSortedAndUnsorted) {
  KeyCounts counts;
  for (int i = 0; i < 500; ++i) counts.add(key_for(static_cast<uint64_t>(i)), static_cast<uint64_t>(i % 5 + 1));
  for (bool sorted : {true, false}) {
    std::string bytes;
    BinaryWriter out(bytes);
    counts.serialize(out, sorted);
    BinaryReader in(bytes);
    KeyCounts back;
    ASSERT_TRUE(back.deserialize(in));
    EXPECT_EQ(back, counts);
  }
}

TEST(KeyCountsTest, RunsOfOneKeyUseTheLastHitCache) {
  KeyCounts methods(/*remember_last=*/true);
  for (int i = 0; i < 100; ++i) methods.add(i % 10 ? "GET" : "POST");
  // Growing the table re-lays its slots out: the cache must not count into an old slot.
  for (int i = 0; i < 100; ++i) methods.add("M" + std::to_string(i));
  methods.add("GET");
  EXPECT_EQ(methods.count_of("GET"), 91u);
  EXPECT_EQ(methods.count_of("POST"), 10u);
}

TEST(KeyCountsTest, KeysAtTheInlineLimitStayApart) {
  // 15 bytes are kept in the slot, 16 and more in the arena (compared a word at a time, the
  // last word overlapping): keys that differ only in their last byte, only in the byte before
  // the last word, or only in length (a zero byte at the end), must not meet.
  KeyCounts counts;
  Model model;
  for (size_t n = 0; n <= 40; ++n) {
    for (size_t back : {size_t{1}, size_t{9}}) {
      if (back > n) continue;
      for (char c : {'a', 'b', '\0'}) {
        std::string key(n, 'k');
        key[n - back] = c;
        counts.add(key);
        model[key] += 1;
      }
    }
  }
  expect_same(counts, model);
}

TEST(KeyCountsTest, MergeIntoItselfDoubles) {
  KeyCounts counts;
  counts.add("short");
  counts.add(std::string(40, 'l'), 3);
  counts.merge(counts);
  EXPECT_EQ(counts.count_of("short"), 2u);
  EXPECT_EQ(counts.count_of(std::string(40, 'l')), 6u);
}

TEST(KeyCountsTest, TagsStartAtZeroAreKeptThroughGrowthAndNeverComeWithMergedKeys) {
  KeyCounts counts;
  const std::string long_key(40, 'x');
  EXPECT_EQ(counts.add_hashed_tagged("10.0.0.1", KeyCounts::hash("10.0.0.1")), 0u);
  EXPECT_EQ(counts.add_hashed_tagged(long_key, KeyCounts::hash(long_key)), 0u);
  counts.set_tag("10.0.0.1", KeyCounts::hash("10.0.0.1"), 7);
  counts.set_tag(long_key, KeyCounts::hash(long_key), 9);
  counts.set_tag("absent", KeyCounts::hash("absent"), 5);  // nothing happens
  EXPECT_EQ(counts.count_of("absent"), 0u);
  for (int i = 0; i < 5000; ++i) counts.add("k" + std::to_string(i));  // grows several times
  for (uint64_t i = 0; i < 5000; ++i) counts.add(dotted(0x0b000000 + i));  // and the packed table
  EXPECT_EQ(counts.add_hashed_tagged("10.0.0.1", KeyCounts::hash("10.0.0.1")), 7u);
  EXPECT_EQ(counts.add_hashed_tagged(long_key, KeyCounts::hash(long_key)), 9u);
  EXPECT_EQ(counts.count_of("10.0.0.1"), 2u);

  KeyCounts copy = counts;  // a copy keeps them
  EXPECT_EQ(copy.add_hashed_tagged("10.0.0.1", KeyCounts::hash("10.0.0.1")), 7u);

  KeyCounts other;
  other.add("10.0.0.2");
  other.add("10.0.0.1");
  other.set_tag("10.0.0.2", KeyCounts::hash("10.0.0.2"), 3);
  counts.merge(other);  // a key already here keeps its tag; a new one comes with 0
  EXPECT_EQ(counts.add_hashed_tagged("10.0.0.1", KeyCounts::hash("10.0.0.1")), 7u);
  EXPECT_EQ(counts.add_hashed_tagged("10.0.0.2", KeyCounts::hash("10.0.0.2")), 0u);

  counts.clear_tags();
  EXPECT_EQ(counts.add_hashed_tagged(long_key, KeyCounts::hash(long_key)), 0u);
  EXPECT_EQ(counts.count_of(long_key), 3u);
}

TEST(KeyCountsTest, PackedKeysAndTheirNeighboursAreDifferentKeys) {
  // Keys of up to 15 digits, dots and slashes are packed; keys that differ from them in a byte
  // or in length are not, and every key comes back exactly as it was added.
  const std::vector<std::string> keys = {
      "10.0.0.1", "010.0.0.1", "10.0.0.01", "10.0.0.1 ", "10.0.0.1.5", "256.0.0.1", "10.0.1",
      "0.0.0.0", "255.255.255.255", "1.2.3.4", "::1", "-", "", "/", "//", ".", "9", "/10/20",
      ":", "123456789012345", "1234567890123456", std::string("1.2.3.4\0", 8), "1.2.3.4-"};
  KeyCounts counts;
  Model model;
  for (size_t i = 0; i < keys.size(); ++i) {
    counts.add(keys[i], 1 + i % 3);
    model[keys[i]] += 1 + i % 3;
  }
  expect_same(counts, model);
  // Ranking runs over both kinds of key: count, then bytes ("010.0.0.1" before "10.0.0.1").
  std::vector<KeyCount> want;
  for (const auto& [key, n] : model) want.push_back({key, n});
  std::stable_sort(want.begin(), want.end(),
                   [](const KeyCount& a, const KeyCount& b) { return a.count > b.count; });
  EXPECT_EQ(counts.top(keys.size()), want);
  std::vector<KeyCount> above_one;
  for (const auto& kc : want) {
    if (kc.count > 1) above_one.push_back(kc);
  }
  EXPECT_EQ(counts.above(1), above_one);
}

// pack_digits() without SSE2, on the words a key of 1 to 15 bytes makes.
uint64_t portable_pack(const std::string& key) {
  uint64_t w0 = 0, w1 = 0;
  std::memcpy(&w0, key.data(), std::min<size_t>(key.size(), 8));
  if (key.size() > 8) std::memcpy(&w1, key.data() + 8, key.size() - 8);
  return KeyCounts::pack_digit_words(w0, w1, key.size());
}

TEST(KeyCountsTest, PackingTakesExactlyTheTwelveBytesUpToFifteenOfThem) {
  const std::string kTwelve = "./0123456789";
  std::mt19937_64 rng(11);
  for (int round = 0; round < 2000; ++round) {
    const size_t n = 1 + round % 15;
    std::string key;
    for (size_t i = 0; i < n; ++i) key += kTwelve[rng() % kTwelve.size()];
    const uint64_t code = KeyCounts::pack_digits(key);
    ASSERT_NE(code, 0u) << key;
    EXPECT_EQ(portable_pack(key), code) << key;
    char text[16];
    EXPECT_EQ(std::string(text, KeyCounts::unpack_digits(code, text)), key);
    // Any other byte, at any place, and the bytes either side of the range above all.
    for (char other : {'-', ':', ' ', '\0', 'a', '\x80', '\xff', '\xae'}) {
      std::string bad = key;
      bad[rng() % n] = other;
      EXPECT_EQ(KeyCounts::pack_digits(bad), 0u) << bad;
      EXPECT_EQ(portable_pack(bad), 0u) << bad;
    }
  }
  EXPECT_EQ(KeyCounts::pack_digits(""), 0u);
  EXPECT_EQ(KeyCounts::pack_digits("1234567890123456"), 0u);
  EXPECT_NE(KeyCounts::pack_digits("123456789012345"), 0u);
}

TEST(KeyCountsTest, EqualCountsSerializeToEqualBytesWhateverTheOrderOfAdding) {
  KeyCounts forward, backward;
  for (uint64_t i = 0; i < 3000; ++i) forward.add(key_for(i), i % 4 + 1);
  for (uint64_t i = 3000; i-- > 0;) backward.add(key_for(i), i % 4 + 1);
  std::string a, b;
  BinaryWriter wa(a), wb(b);
  forward.serialize(wa);
  backward.serialize(wb);
  EXPECT_EQ(a, b);
  // The sorted form lists the keys in byte order, addresses among the others.
  BinaryReader in(a);
  uint64_t n = in.count();
  std::string previous;
  for (uint64_t i = 0; i < n; ++i) {
    std::string key(in.bytes());
    (void)in.u64();
    if (i > 0) {
      EXPECT_LT(previous, key);
    }
    previous = key;
  }
  EXPECT_FALSE(in.failed());
}

TEST(KeyCountsTest, APackedKeyAddedZeroTimesIsStillAKey) {
  KeyCounts counts;
  counts.add("10.1.2.3", 0);
  EXPECT_EQ(counts.distinct(), 1u);
  EXPECT_EQ(counts.count_of("10.1.2.3"), 0u);
  counts.add("10.1.2.3", 2);
  EXPECT_EQ(counts.distinct(), 1u);
  EXPECT_EQ(counts.count_of("10.1.2.3"), 2u);
}

}  // namespace
}  // namespace logan
