#include "stream/line_assembler.h"

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace logan {
namespace {

// Feeds `pieces` one read each; returns the lines handed out, and the batches' first_line.
struct Fed {
  std::vector<std::string> lines;
  std::vector<uint64_t> first_lines;
  std::vector<size_t> overlong;  // indices into lines
};

void collect(Fed& fed, std::unique_ptr<LineBatch> b) {
  if (!b) return;
  fed.first_lines.push_back(b->first_line);
  std::string_view d = b->data.view();
  size_t base = fed.lines.size();
  size_t start = 0;
  while (start < d.size()) {
    size_t nl = d.find('\n', start);
    size_t end = nl == std::string_view::npos ? d.size() : nl;
    fed.lines.emplace_back(d.substr(start, end - start));
    start = end + 1;
  }
  for (uint64_t i : b->overlong_lines) fed.overlong.push_back(base + i);
}

Fed feed(LineAssembler& a, const std::vector<std::string>& pieces, bool finish = true) {
  Fed fed;
  for (const auto& p : pieces) {
    size_t done = 0;
    while (done < p.size()) {
      auto [buf, cap] = a.buffer();
      size_t n = std::min(cap, p.size() - done);
      std::memcpy(buf, p.data() + done, n);
      done += n;
      collect(fed, a.commit(n));
    }
  }
  if (finish) collect(fed, a.finish());
  return fed;
}

TEST(LineAssemblerTest, LinesSplitAcrossReadsComeOutWholeAndOnce) {
  LineAssembler a(16);
  Fed fed = feed(a, {"first li", "ne\nsec", "ond\nthird line is lo", "nger than a read\n"});
  EXPECT_EQ(fed.lines, (std::vector<std::string>{"first line", "second", "third line is longer than a read"}));
  EXPECT_EQ(a.lines(), 3u);
  EXPECT_EQ(a.offset(), 11u + 7u + 33u);
  EXPECT_FALSE(a.has_partial_line());
}

TEST(LineAssemblerTest, FirstLineNumbersFollowOn) {
  LineAssembler a(64);
  Fed fed = feed(a, {"a\nb\n", "c\n", "d\ne\n"});
  EXPECT_EQ(fed.first_lines, (std::vector<uint64_t>{1, 3, 4}));
}

TEST(LineAssemblerTest, UnfinishedLastLineWaitsUntilFinish) {
  LineAssembler a(64);
  Fed fed = feed(a, {"a\nb"}, /*finish=*/false);
  EXPECT_EQ(fed.lines, (std::vector<std::string>{"a"}));
  EXPECT_TRUE(a.has_partial_line());
  EXPECT_EQ(a.offset(), 2u);
  EXPECT_EQ(a.consumed(), 3u);
  Fed rest;
  collect(rest, a.finish());
  EXPECT_EQ(rest.lines, (std::vector<std::string>{"b"}));
  EXPECT_EQ(rest.first_lines, (std::vector<uint64_t>{2}));
  EXPECT_EQ(a.offset(), 3u);
}

TEST(LineAssemblerTest, ResetResumesAtAnOffsetAndLineNumber) {
  LineAssembler a(64);
  feed(a, {"x\ny"}, false);
  a.reset(100, 7);
  Fed fed = feed(a, {"z\n"});
  EXPECT_EQ(fed.lines, (std::vector<std::string>{"z"}));
  EXPECT_EQ(fed.first_lines, (std::vector<uint64_t>{8}));
  EXPECT_EQ(a.offset(), 102u);
}

TEST(LineAssemblerTest, OverlongLineIsCutCountedOnceAndOffsetsStayExact) {
  LineAssembler a(256 << 10);
  std::string huge(LineChunkReader::kMaxLineBytes + 5000, 'x');
  Fed fed = feed(a, {"before\n", huge.substr(0, 700000), huge.substr(700000), "\nafter\n"});
  ASSERT_EQ(fed.lines.size(), 3u);
  EXPECT_EQ(fed.lines[0], "before");
  EXPECT_EQ(fed.lines[1].size(), LineChunkReader::kOverlongKeepBytes);
  EXPECT_EQ(fed.lines[2], "after");
  EXPECT_EQ(fed.overlong, (std::vector<size_t>{1}));
  EXPECT_EQ(a.offset(), 7 + huge.size() + 1 + 6);
  EXPECT_EQ(a.lines(), 3u);
}

TEST(LineAssemblerTest, OverlongLineAtTheEndIsHandedOutByFinish) {
  LineAssembler a(512 << 10);
  std::string huge(LineChunkReader::kMaxLineBytes + 10, 'y');
  Fed fed = feed(a, {huge});
  ASSERT_EQ(fed.lines.size(), 1u);
  EXPECT_EQ(fed.overlong, (std::vector<size_t>{0}));
  EXPECT_EQ(a.offset(), huge.size());
}

TEST(LineAssemblerTest, EmptyInputGivesNothing) {
  LineAssembler a(64);
  Fed fed = feed(a, {});
  EXPECT_TRUE(fed.lines.empty());
  EXPECT_EQ(a.lines(), 0u);
}

}  // namespace
}  // namespace logan
