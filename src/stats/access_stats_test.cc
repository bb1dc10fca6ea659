// Tests for AccessStats: each statistic's update, the merge laws (associative, commutative,
// identity) over random partitions of generated logs, and the serialized form (round trip,
// determinism, and rejection of foreign, truncated and corrupt input).
#include "stats/access_stats.h"

#include <gtest/gtest.h>

#include <random>

#include "gen/log_generator.h"
#include "parse/log_format.h"
#include "parse/log_parser.h"

namespace logan {
namespace {

std::vector<std::string> generated_lines(uint64_t n, uint64_t seed) {
  GenOptions options;
  options.lines = n;
  options.seed = seed;
  options.malformed_ratio = 0.05;
  LogGenerator gen(options);
  std::string text;
  gen.append_lines(text, n);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// Folds lines [begin, end) of `lines` into a state, as a worker would.
AccessStats fold(const std::vector<std::string>& lines, size_t begin, size_t end) {
  static const LogFormat format = LogFormat::compile("combined").value();
  LogParser parser(format);
  LogRecord record;
  AccessStats s;
  for (size_t i = begin; i < end; ++i) {
    if (parser.parse(lines[i], record)) {
      s.add_parsed(record);
    } else {
      s.add_invalid(0, i + 1, "gen", lines[i]);
    }
  }
  return s;
}

std::string bytes(const AccessStats& s) {
  std::string out;
  s.serialize(out);
  return out;
}

TEST(AccessStatsTest, CountsEachStatistic) {
  const LogFormat format = LogFormat::compile("common").value();
  LogParser parser(format);
  LogRecord r;
  AccessStats s;
  const char* lines[] = {
      R"(a - - [07/Mar/2004:16:05:49 -0800] "GET /x HTTP/1.1" 200 100)",
      R"(b - - [07/Mar/2004:16:05:50 -0800] "POST /y HTTP/1.1" 404 -)",
      R"(a - - [07/Mar/2004:16:05:48 -0800] "GET /x HTTP/1.1" 500 50)",
      R"(a - - [07/Mar/2004:16:05:51 -0800] "-" 408 -)",
  };
  for (const char* line : lines) {
    ASSERT_TRUE(parser.parse(line, r));
    s.add_parsed(r);
  }
  s.add_invalid(0, 5, "f", "junk");
  EXPECT_EQ(s.total_lines(), 5u);
  EXPECT_EQ(s.parsed_lines(), 4u);
  EXPECT_EQ(s.invalid_lines(), 1u);
  EXPECT_EQ(s.content_size(), (ContentSize{4, 150, 0, 100}));
  EXPECT_DOUBLE_EQ(s.content_size().avg(), 37.5);
  EXPECT_EQ(s.response_codes(),
            (std::vector<std::pair<int, uint64_t>>{{200, 1}, {404, 1}, {408, 1}, {500, 1}}));
  EXPECT_EQ(s.clients().count_of("a"), 3u);
  EXPECT_EQ(s.clients().distinct(), 2u);
  EXPECT_EQ(s.endpoints().count_of("/x"), 2u);
  EXPECT_EQ(s.endpoints().distinct(), 2u);  // "-" has no endpoint
  EXPECT_EQ(s.methods().top(5), (std::vector<KeyCount>{{"GET", 2}, {"POST", 1}}));
  EXPECT_EQ(s.bytes_by_status_class()[1], 100u);
  EXPECT_EQ(s.bytes_by_status_class()[4], 50u);
  EXPECT_EQ(s.first_time(), 1078704348);
  EXPECT_EQ(s.last_time(), 1078704351);
  ASSERT_EQ(s.invalid_samples().size(), 1u);
  EXPECT_EQ(s.invalid_samples()[0].text, "junk");
}

TEST(AccessStatsTest, EmptyStateHasZeroes) {
  AccessStats s;
  EXPECT_EQ(s.content_size().avg(), 0.0);
  EXPECT_FALSE(s.has_time_range());
  EXPECT_TRUE(s.response_codes().empty());
}

TEST(AccessStatsTest, RankingBreaksTiesByKey) {
  KeyCounts k;
  for (const char* key : {"b", "a", "c", "a", "b", "d"}) k.add(key);
  EXPECT_EQ(k.top(3), (std::vector<KeyCount>{{"a", 2}, {"b", 2}, {"c", 1}}));
  EXPECT_EQ(k.above(1), (std::vector<KeyCount>{{"a", 2}, {"b", 2}}));
  EXPECT_EQ(k.top(100).size(), 4u);
}

// Batches of any size, more than kMaxBatch included, fold as line by line does.
TEST(AccessStatsTest, BatchesOfAnySizeFoldLikeSingleLines) {
  const auto lines = generated_lines(2000, 9);
  static const LogFormat format = LogFormat::compile("combined").value();
  LogParser parser(format);
  std::vector<LogRecord> records;
  AccessStats single;
  for (const auto& line : lines) {
    LogRecord record;
    if (parser.parse(line, record)) {
      records.push_back(record);
      single.add_parsed(record);
    }
  }
  for (size_t batch : {size_t{1}, size_t{7}, AccessStats::kMaxBatch, size_t{200}, records.size()}) {
    AccessStats batched;
    for (size_t at = 0; at < records.size(); at += batch) {
      batched.add_parsed_batch(&records[at], std::min(batch, records.size() - at));
    }
    EXPECT_EQ(batched, single) << "batches of " << batch;
  }
}

TEST(AccessStatsTest, SamplesKeepTheEarliest) {
  AccessStats s;
  for (uint64_t line = 30; line >= 1; --line) s.add_invalid(0, line, "f", "x");
  s.add_invalid(1, 1, "g", "later input");
  ASSERT_EQ(s.invalid_samples().size(), AccessStats::kMaxSamples);
  EXPECT_EQ(s.invalid_samples().front().line, 1u);
  EXPECT_EQ(s.invalid_samples().back().line, 10u);
  EXPECT_EQ(s.invalid_lines(), 31u);
  AccessStats long_line;
  long_line.add_invalid(0, 1, "f", std::string(10000, 'x'));
  EXPECT_EQ(long_line.invalid_samples()[0].text.size(), AccessStats::kSampleTextLimit);
}

// The merge laws over random three-way partitions of the same lines: any grouping and order
// of merges gives the state of folding all lines at once.
TEST(AccessStatsTest, MergeLaws) {
  const auto lines = generated_lines(6000, 7);
  const AccessStats whole = fold(lines, 0, lines.size());
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 5; ++trial) {
    size_t cut1 = rng() % lines.size();
    size_t cut2 = cut1 + rng() % (lines.size() - cut1);
    AccessStats a = fold(lines, 0, cut1), b = fold(lines, cut1, cut2), c = fold(lines, cut2, lines.size());

    AccessStats left = a;  // (a + b) + c
    left.merge(b);
    left.merge(c);
    AccessStats bc = b;  // a + (b + c)
    bc.merge(c);
    AccessStats right = a;
    right.merge(bc);
    AccessStats reversed = c;  // c + b + a
    reversed.merge(b);
    reversed.merge(a);
    EXPECT_EQ(left, whole);
    EXPECT_EQ(right, whole);
    EXPECT_EQ(reversed, whole);
    EXPECT_EQ(bytes(left), bytes(whole));
  }
  AccessStats with_identity = whole;
  with_identity.merge(AccessStats{});
  EXPECT_EQ(with_identity, whole);
  AccessStats identity_first;
  identity_first.merge(whole);
  EXPECT_EQ(identity_first, whole);
}

TEST(AccessStatsTest, SerializeRoundTrip) {
  const auto lines = generated_lines(3000, 3);
  const AccessStats s = fold(lines, 0, lines.size());
  std::string data = bytes(s);
  auto back = AccessStats::deserialize(data);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, s);
  EXPECT_EQ(bytes(*back), data);  // deterministic: equal states, equal bytes
  auto empty = AccessStats::deserialize(bytes(AccessStats{}));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, AccessStats{});
}

TEST(AccessStatsTest, DeserializeRejectsBadInput) {
  const auto lines = generated_lines(500, 5);
  std::string data = bytes(fold(lines, 0, lines.size()));
  EXPECT_FALSE(AccessStats::deserialize("").ok());
  EXPECT_FALSE(AccessStats::deserialize("hello, world, not a state").ok());
  EXPECT_NE(AccessStats::deserialize("not a state at all").error().message.find("magic"),
            std::string::npos);
  for (size_t cut : {data.size() - 1, data.size() / 2, size_t{9}}) {
    EXPECT_FALSE(AccessStats::deserialize(data.substr(0, cut)).ok()) << cut;
  }
  for (size_t at : {size_t{8}, size_t{12}, data.size() / 2, data.size() - 5}) {
    std::string flipped = data;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x40);
    auto r = AccessStats::deserialize(flipped);
    ASSERT_FALSE(r.ok()) << at;
  }
}

}  // namespace
}  // namespace logan

namespace logan {
namespace {

// The MPI reduce merges unsorted encodings straight into the receiver's state: the same
// result as decoding first and merging.
TEST(AccessStatsTest, MergeSerializedEqualsMerge) {
  const auto lines = generated_lines(4000, 11);
  const AccessStats a = fold(lines, 0, 1500);
  const AccessStats b = fold(lines, 1500, lines.size());
  AccessStats expected = a;
  expected.merge(b);
  for (bool canonical : {true, false}) {
    std::string wire;
    b.serialize(wire, canonical);
    AccessStats got = a;
    ASSERT_TRUE(got.merge_serialized(wire).ok());
    EXPECT_EQ(got, expected) << "canonical " << canonical;
    auto decoded = AccessStats::deserialize(wire);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, b);
  }
  std::string wire;
  b.serialize(wire, false);
  wire[wire.size() / 2] ^= 0x10;
  AccessStats scratch = a;
  EXPECT_FALSE(scratch.merge_serialized(wire).ok());
}

}  // namespace
}  // namespace logan
