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

namespace logan {
namespace {

// Lines added by number (counted aside, with slots for the first status codes) read the same
// as the same lines added by value, through every reading method and across numberings.
TEST(GroupStatsTest, LinesAddedByNumberReadTheSameAsByValue) {
  std::mt19937_64 rng(9);
  const std::vector<std::string> values{"alpha", "beta", "gamma", "delta", "eps"};
  GroupDimension by_value, by_number;
  GroupCounts unmatched;
  uint64_t numbering = 1;
  // Numbers mean a different value in each numbering (a new lookup snapshot).
  auto value_of = [&](uint32_t id) { return values[(id + numbering) % values.size()]; };
  for (int i = 0; i < 20000; ++i) {
    if (i % 5000 == 4999) ++numbering;
    LogRecord r;
    // More status codes than slots, none at times, and an odd one outside 100..999.
    const int codes[] = {200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 408, 500, 502, 503, -1, 1234};
    r.status = codes[rng() % std::size(codes)];
    r.size = rng() % 4 == 0 ? -1 : static_cast<int64_t>(rng() % 10000);
    const auto id = static_cast<uint32_t>(rng() % (values.size() + 1));
    if (id == values.size()) {  // unmatched lines are counted aside too
      by_number.add_unmatched(r);
      by_value.add_unmatched(r);
      unmatched.add(r);
      continue;
    }
    by_value.add(value_of(id), r);
    if (!by_number.known_numbered(numbering, id)) by_number.numbered_counts(numbering, id, value_of(id));
    by_number.add_to_numbered(id, r);
    if (i % 3333 == 0) {  // reads in the middle settle, and adding goes on after them
      ASSERT_TRUE(by_number.find(value_of(id)));
      EXPECT_EQ(*by_number.find(value_of(id)), *by_value.find(value_of(id)));
    }
  }
  EXPECT_EQ(by_number.unmatched(), unmatched);
  const GroupDimension copy = by_number;  // copies settle first
  EXPECT_TRUE(copy == by_value);
  EXPECT_TRUE(by_number == by_value);
  std::string a, b;
  BinaryWriter wa(a), wb(b);
  by_number.serialize(wa, true);
  by_value.serialize(wb, true);
  EXPECT_EQ(a, b);
  const auto top = by_number.top(5);
  const auto want = by_value.top(5);
  ASSERT_EQ(top.size(), want.size());
  for (size_t i = 0; i < top.size(); ++i) {
    EXPECT_EQ(top[i].value, want[i].value);
    EXPECT_EQ(top[i].counts, want[i].counts);
  }
  GroupDimension merged;
  merged.merge(by_number);
  EXPECT_TRUE(merged == by_value);
  EXPECT_EQ(merged.unmatched(), unmatched);
}

}  // namespace
}  // namespace logan
