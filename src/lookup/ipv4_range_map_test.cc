// Tests of Ipv4RangeMap: its levels against a plain binary search over the same ranges.
#include "lookup/ipv4_range_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace logan {
namespace {

// The answer of the last range starting at or before `a`: what the map must agree with.
int32_t reference(const std::vector<uint32_t>& starts, const std::vector<int32_t>& answers, uint32_t a) {
  auto it = std::upper_bound(starts.begin(), starts.end(), a);
  return answers[static_cast<size_t>(it - starts.begin()) - 1];
}

void expect_agrees(const Ipv4RangeMap& map, const std::vector<uint32_t>& starts,
                   const std::vector<int32_t>& answers, const std::vector<uint32_t>& probes) {
  for (size_t from = 0; from < probes.size(); from += Ipv4RangeMap::kBatch) {
    const size_t n = std::min(Ipv4RangeMap::kBatch, probes.size() - from);
    int32_t got[Ipv4RangeMap::kBatch];
    map.find_batch(probes.data() + from, n, got);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t a = probes[from + i];
      const int32_t want = reference(starts, answers, a);
      ASSERT_EQ(map.find(a), want) << a;
      ASSERT_EQ(got[i], want) << a;
    }
  }
}

TEST(Ipv4RangeMapTest, AnEmptyMapAndOneRangeAnswerEverywhere) {
  Ipv4RangeMap empty;
  EXPECT_EQ(empty.find(0), -1);
  EXPECT_EQ(empty.find(0xffffffffu), -1);
  EXPECT_EQ(empty.memory_bytes(), 0u);  // no tables for columns that never search addresses
  const uint32_t addresses[] = {0, 0x0a000001u, 0xffffffffu};
  int32_t answers[3] = {5, 5, 5};
  empty.find_batch(addresses, 3, answers);
  EXPECT_EQ(answers[0], -1);
  EXPECT_EQ(answers[2], -1);
  std::vector<uint32_t> starts;
  std::vector<int32_t> values;
  empty.ranges(starts, values);
  EXPECT_EQ(starts, std::vector<uint32_t>{0});
  EXPECT_EQ(values, std::vector<int32_t>{-1});
  EXPECT_EQ(empty.relabeled({}).find(0x0a000001u), -1);
  auto all = Ipv4RangeMap::build({0}, {7});
  EXPECT_EQ(all.find(0), 7);
  EXPECT_EQ(all.find(0x12345678u), 7);
  EXPECT_EQ(all.find(0xffffffffu), 7);
}

TEST(Ipv4RangeMapTest, EdgesOfEveryLevel) {
  // A /16 with a few ranges (a 16-bit leaf), one with many (a block of /24s, some with 8-bit
  // leaves), single addresses, and the last address of the space on its own.
  std::vector<uint32_t> starts{0, 0x0a000000u, 0x0a000001u, 0x0a00ff00u, 0x0a010000u};
  std::vector<int32_t> answers{-1, 1, 2, 3, -1};
  for (uint32_t i = 0; i < 200; ++i) {
    starts.push_back(0x0b000000u + i * 37);
    answers.push_back(static_cast<int32_t>(i % 5));
  }
  starts.push_back(0x0b010000u);
  answers.push_back(-1);
  starts.push_back(0xffffffffu);
  answers.push_back(9);
  auto map = Ipv4RangeMap::build(starts, answers);
  std::vector<uint32_t> probes;
  for (uint32_t s : starts) {
    probes.push_back(s);
    probes.push_back(s - 1);
    probes.push_back(s + 1);
  }
  expect_agrees(map, starts, answers, probes);
}

TEST(Ipv4RangeMapTest, NeighboursWithTheSameAnswerMergeAndRelabelingKeepsTheRanges) {
  auto map = Ipv4RangeMap::build({0, 100, 200, 300, 0x01000000u}, {-1, 4, 4, 5, -1});
  std::vector<uint32_t> starts;
  std::vector<int32_t> answers;
  map.ranges(starts, answers);
  EXPECT_EQ(starts, (std::vector<uint32_t>{0, 100, 300, 0x01000000u}));
  EXPECT_EQ(answers, (std::vector<int32_t>{-1, 4, 5, -1}));
  // 4 and 5 become the same value: one range.
  auto relabeled = map.relabeled({0, 0, 0, 0, 8, 8});
  relabeled.ranges(starts, answers);
  EXPECT_EQ(starts, (std::vector<uint32_t>{0, 100, 0x01000000u}));
  EXPECT_EQ(answers, (std::vector<int32_t>{-1, 8, -1}));
  EXPECT_EQ(relabeled.find(299), 8);
  EXPECT_EQ(relabeled.find(99), -1);
}

TEST(Ipv4RangeMapTest, AgreesWithABinarySearchOnRandomRanges) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 30; ++round) {
    // Dense clusters (many ranges in one /16 and one /24) and sparse ones.
    std::set<uint32_t> set{0};
    const int count = 1 + static_cast<int>(rng() % 3000);
    const uint32_t mask = round % 3 == 0 ? 0x0001ffffu : round % 3 == 1 ? 0x03ff00ffu : 0xffffffffu;
    for (int i = 0; i < count; ++i) set.insert(static_cast<uint32_t>(rng()) & mask);
    std::vector<uint32_t> starts(set.begin(), set.end());
    std::vector<int32_t> answers;
    for (size_t i = 0; i < starts.size(); ++i) answers.push_back(static_cast<int32_t>(rng() % 40) - 1);
    auto map = Ipv4RangeMap::build(starts, answers);
    std::vector<uint32_t> probes;
    for (int i = 0; i < 4000; ++i) {
      const uint32_t s = starts[rng() % starts.size()];
      probes.push_back(i % 4 == 0 ? static_cast<uint32_t>(rng()) & mask : s + static_cast<uint32_t>(rng() % 3) - 1);
    }
    expect_agrees(map, starts, answers, probes);
    // Rebuilding from its own ranges gives the same answers.
    std::vector<uint32_t> s2;
    std::vector<int32_t> a2;
    map.ranges(s2, a2);
    expect_agrees(Ipv4RangeMap::build(s2, a2), starts, answers, probes);
  }
}

}  // namespace
}  // namespace logan
