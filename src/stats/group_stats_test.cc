// Tests for GroupStats: counting, ranking, the merge laws over random partitions, subtract,
// and the serialized form inside AccessStats (version 2, and version 1 when there are none).
#include "stats/group_stats.h"

#include <gtest/gtest.h>

#include <random>

#include "stats/access_stats.h"

namespace logan {
namespace {

struct Line {
  std::string client;
  int status;
  int64_t size;
};

std::vector<Line> lines(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Line> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back({"c" + std::to_string(rng() % 12), static_cast<int>(200 + 100 * (rng() % 4)),
                   static_cast<int64_t>(rng() % 3 == 0 ? -1 : rng() % 5000)});
  }
  return out;
}

// Groups by the client's name modulo two dimensions; "c0" is never matched.
AccessStats fold(const std::vector<Line>& all, size_t begin, size_t end) {
  AccessStats s;
  for (size_t i = begin; i < end; ++i) {
    LogRecord r;
    r.client = all[i].client;
    r.status = all[i].status;
    r.size = all[i].size;
    s.add_parsed(r);
    GroupDimension& a = s.groups().dimension("x.by_client");
    GroupDimension& b = s.groups().dimension("x.parity");
    if (r.client == "c0") {
      a.add_unmatched(r);
      b.add_unmatched(r);
    } else {
      a.add(r.client, r);
      b.add(r.client.size() % 2 ? "odd" : "even", r);
    }
  }
  return s;
}

std::string bytes(const AccessStats& s) {
  std::string out;
  s.serialize(out);
  return out;
}

TEST(GroupStatsTest, CountsLinesBytesAndCodesPerValue) {
  GroupDimension d;
  LogRecord r;
  r.status = 404;
  r.size = 10;
  d.add("acme", r);
  r.status = 200;
  d.add("acme", r);
  r.size = -1;
  d.add("globex", r);
  d.add_unmatched(r);
  ASSERT_EQ(d.distinct(), 2u);
  auto top = d.top(10);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].value, "acme");
  EXPECT_EQ(top[0].counts, (GroupCounts{2, 20, {{200, 1}, {404, 1}}}));
  EXPECT_EQ(top[1].counts, (GroupCounts{1, 0, {{200, 1}}}));
  EXPECT_EQ(d.unmatched().lines, 1u);
  EXPECT_EQ(d.top(1).size(), 1u);
}

TEST(GroupStatsTest, RanksByLinesThenValue) {
  GroupDimension d;
  LogRecord r;
  for (const char* v : {"b", "a", "c", "c"}) d.add(v, r);
  auto top = d.top(3);
  EXPECT_EQ(top[0].value, "c");
  EXPECT_EQ(top[1].value, "a");
  EXPECT_EQ(top[2].value, "b");
}

TEST(GroupStatsTest, MergeIsAssociativeCommutativeWithIdentityOnRandomPartitions) {
  auto all = lines(3000, 11);
  const AccessStats whole = fold(all, 0, all.size());
  std::mt19937_64 rng(5);
  for (int round = 0; round < 20; ++round) {
    size_t i = rng() % all.size(), j = rng() % all.size();
    if (i > j) std::swap(i, j);
    AccessStats a = fold(all, 0, i), b = fold(all, i, j), c = fold(all, j, all.size());
    AccessStats left = a;
    left.merge(b);
    left.merge(c);
    AccessStats bc = b;
    bc.merge(c);
    AccessStats right = a;
    right.merge(bc);
    AccessStats swapped = c;
    swapped.merge(a);
    swapped.merge(b);
    swapped.merge(AccessStats{});
    EXPECT_EQ(bytes(left), bytes(whole));
    EXPECT_EQ(bytes(right), bytes(whole));
    EXPECT_EQ(bytes(swapped), bytes(whole));
    EXPECT_TRUE(left == whole);
  }
}

TEST(GroupStatsTest, SubtractTakesOutAPartMergedEarlier) {
  auto all = lines(1000, 3);
  AccessStats a = fold(all, 0, 400), b = fold(all, 400, 1000);
  AccessStats ab = a;
  ab.merge(b);
  ab.subtract(a);
  EXPECT_EQ(ab.groups(), b.groups());
}

TEST(GroupStatsTest, RoundTripsInsideAccessStatsAsVersion2) {
  auto all = lines(500, 9);
  AccessStats s = fold(all, 0, all.size());
  std::string out = bytes(s);
  EXPECT_EQ(out[8], 2);  // the version, right after the magic
  auto back = AccessStats::deserialize(out);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(*back == s);
  EXPECT_EQ(bytes(*back), out);
  // Merging serialized states is merging states.
  AccessStats twice = s;
  ASSERT_TRUE(twice.merge_serialized(out));
  AccessStats expected = s;
  expected.merge(s);
  EXPECT_TRUE(twice == expected);
  // Non-canonical bytes decode to the same state.
  std::string loose;
  s.serialize(loose, /*canonical=*/false);
  EXPECT_TRUE(*AccessStats::deserialize(loose) == s);
}

TEST(GroupStatsTest, AStateWithoutGroupsIsStillVersion1AndTruncationIsRefused) {
  AccessStats plain;
  LogRecord r;
  r.status = 200;
  plain.add_parsed(r);
  std::string out = bytes(plain);
  EXPECT_EQ(out[8], 1);
  EXPECT_TRUE(AccessStats::deserialize(out));

  auto all = lines(50, 1);
  std::string grouped = bytes(fold(all, 0, all.size()));
  // Cut inside the groups section, with a valid checksum: refused as corrupt, not misread.
  std::string body = grouped.substr(0, grouped.size() - 4 - 3);
  std::string framed = body;
  append_checksum(framed, 0);
  auto cut = AccessStats::deserialize(framed);
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("corrupt"), std::string::npos) << cut.error().message;
}

}  // namespace
}  // namespace logan
