// Tests for LineChunkReader: chunks end at line boundaries and concatenate back to the input
// whatever the source's read sizes, a missing final newline, lines over kMaxLineBytes (cut and
// marked once when they do not fit a chunk, else handed out whole for is_overlong_line; the
// next lines intact), the limit's boundary, the sequence/offset/input fields, and read errors.
#include "input/line_chunk_reader.h"
#include "input/input_testing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace logan {
namespace {

using test_support::MemorySource;
using test_support::split_lines;

constexpr size_t kMax = LineChunkReader::kMaxLineBytes;
constexpr size_t kKeep = LineChunkReader::kOverlongKeepBytes;
constexpr size_t kWhole = SIZE_MAX;


struct Chunk {
  std::string data;
  std::vector<uint64_t> overlong_lines;
  uint32_t input;
  uint64_t sequence;
  uint64_t offset;
};

// How a test source hands out its bytes: at most `max` at a time, copied by read() or lent
// (after the first chunk, which is always read: see LineChunkReader::next()).
struct Reads {
  size_t max;
  bool lend = false;
};

const auto kAllReads = testing::Values(Reads{1}, Reads{7}, Reads{kWhole}, Reads{1, true},
                                        Reads{7, true}, Reads{kWhole, true});

std::string reads_name(Reads reads) {
  return std::string(reads.lend ? "_lend" : "_read") +
         (reads.max == kWhole ? std::string("whole") : std::to_string(reads.max));
}

// Every chunk of `data`, or the reader's first error.
Result<std::vector<Chunk>> read_chunks(std::string data, Reads reads, size_t chunk_bytes = kMax,
                                       uint32_t input = 0) {
  LineChunkReader reader(
      std::make_unique<MemorySource>(std::move(data), reads.max, SIZE_MAX, reads.lend), input,
      chunk_bytes);
  std::vector<Chunk> chunks;
  LineChunk chunk;  // reused, as the batch engine does
  for (;;) {
    auto more = reader.next(chunk);
    if (!more) return more.error();
    if (!*more) break;
    // Lent lines lie in the source's own buffer; copied ones in the chunk's.
    EXPECT_EQ(chunk.lender != nullptr, chunk.mapped.data() != nullptr);
    if (chunk.lender) {
      EXPECT_TRUE(chunk.data.empty());
    }
    chunks.push_back({std::string(chunk.text()), chunk.overlong_lines, chunk.input,
                      chunk.sequence, chunk.offset});
  }
  auto again = reader.next(chunk);  // the end stays the end
  EXPECT_TRUE(again.ok() && !*again);
  return chunks;
}

// Lines of varied length (0 to about 300 bytes), `total` bytes or a little more.
std::string varied_lines(size_t total) {
  std::string text;
  for (size_t i = 0; text.size() < total; ++i) {
    text += std::to_string(i) + ':' + std::string(i * 37 % 300, static_cast<char>('a' + i % 26));
    text += '\n';
  }
  return text;
}

// Checks what holds for every input without overlong lines.
void expect_exact_cut(const std::vector<Chunk>& chunks, const std::string& input,
                      size_t chunk_bytes, uint32_t input_index) {
  std::string joined;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& c = chunks[i];
    SCOPED_TRACE("chunk " + std::to_string(i));
    EXPECT_FALSE(c.data.empty());
    EXPECT_TRUE(c.overlong_lines.empty());
    EXPECT_EQ(c.input, input_index);
    EXPECT_EQ(c.sequence, i);
    EXPECT_EQ(c.offset, joined.size());
    // Room for a line of the maximum length with its "\r\n".
    EXPECT_LE(c.data.size(), std::max(chunk_bytes, kMax + 2));
    if (i + 1 < chunks.size() || input.back() == '\n') {
      EXPECT_EQ(c.data.back(), '\n');
    } else {
      EXPECT_NE(c.data.back(), '\n');
    }
    joined += c.data;
  }
  EXPECT_EQ(joined, input);
}

struct CutCase {
  std::string name;
  std::string input;
  size_t chunk_bytes;
  size_t min_chunks;
};
void PrintTo(const CutCase& c, std::ostream* os) { *os << c.name; }

class LineChunkReaderCutTest
    : public testing::TestWithParam<std::tuple<CutCase, Reads>> {};

TEST_P(LineChunkReaderCutTest, ChunksAreWholeLinesAndJoinToTheInput) {
  const auto& [c, reads] = GetParam();
  auto chunks = read_chunks(c.input, reads, c.chunk_bytes, 3);
  ASSERT_TRUE(chunks.ok()) << chunks.error().message;
  EXPECT_GE(chunks->size(), c.min_chunks);
  if (c.input.empty()) {
    EXPECT_TRUE(chunks->empty());
  } else {
    expect_exact_cut(*chunks, c.input, c.chunk_bytes, 3);
  }
}

std::string cut_case_name(const testing::TestParamInfo<std::tuple<CutCase, Reads>>& info) {
  return std::get<0>(info.param).name + reads_name(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, LineChunkReaderCutTest,
    testing::Combine(
        testing::Values(
            CutCase{"empty", "", kMax, 0},
            CutCase{"one_line", "hello\n", kMax, 1},
            CutCase{"no_final_newline", "a\nbb\nccc", kMax, 1},
            CutCase{"only_newlines", "\n\n\n", kMax, 1},
            CutCase{"single_line_no_newline", "abc", kMax, 1},
            CutCase{"several_chunks", varied_lines(3 * kMax + 12345), kMax, 3},
            CutCase{"several_chunks_no_final_newline",
                    varied_lines(2 * kMax + 999) + "tail without newline", kMax, 3},
            CutCase{"long_lines_near_the_limit",
                    "a\n" + std::string(kMax - 1, 'x') + "\nb\n" + std::string(kMax - 2, 'y') +
                        "\n",
                    kMax, 2},
            CutCase{"small_chunk_bytes_means_the_minimum", varied_lines(kMax / 2), 4096, 1},
            CutCase{"bigger_chunks", varied_lines(5 * kMax), 2 * kMax, 3}),
        kAllReads),
    cut_case_name);

TEST(LineChunkReaderTest, MissingFinalNewlineYieldsLastChunkWithoutIt) {
  const std::string input = varied_lines(kMax + 100) + "last";
  auto chunks = read_chunks(input, {7});
  ASSERT_TRUE(chunks.ok());
  ASSERT_GE(chunks->size(), 2u);
  const Chunk& last = chunks->back();
  EXPECT_EQ(last.data.back(), 't');
  EXPECT_EQ(split_lines(last.data).back(), "last");
  EXPECT_EQ(last.offset + last.data.size(), input.size());
}

// The lines of all chunks, cut ones as kept; checks each cut line is kept short.
std::vector<std::string> lines_of(const std::vector<Chunk>& chunks, size_t* cut_count) {
  std::vector<std::string> lines;
  *cut_count = 0;
  for (const Chunk& c : chunks) {
    EXPECT_TRUE(c.data.empty() || c.data.back() == '\n' || &c == &chunks.back());
    std::vector<std::string> chunk_lines = split_lines(c.data);
    for (uint64_t index : c.overlong_lines) {
      ++*cut_count;
      EXPECT_LT(index, chunk_lines.size());
      if (index < chunk_lines.size()) {
        EXPECT_LE(chunk_lines[index].size(), kKeep);
      }
    }
    lines.insert(lines.end(), chunk_lines.begin(), chunk_lines.end());
  }
  return lines;
}

struct OverlongCase {
  std::string name;
  std::string before;   // whole lines
  size_t length;        // of the overlong line, without '\n'
  bool newline;         // whether the overlong line ends in '\n'
  std::string after;    // whole lines
  size_t chunk_bytes;
  bool must_cut;        // too long for one chunk: the reader must not buffer it
};
void PrintTo(const OverlongCase& c, std::ostream* os) { *os << c.name; }

class LineChunkReaderOverlongTest
    : public testing::TestWithParam<std::tuple<OverlongCase, Reads>> {};

// A line over kMaxLineBytes is rejected exactly once: either cut by the reader (marked in
// overlong_lines, its start kept) or, when it fits in a chunk, handed out whole for the consumer
// to reject with is_overlong_line(). The lines around it are intact and placed exactly.
TEST_P(LineChunkReaderOverlongTest, RejectedOnceNextLinesIntact) {
  const auto& [c, reads] = GetParam();
  std::string overlong(c.length, 'x');
  for (size_t i = 0; i < overlong.size(); i += 1000) overlong[i] = 'y';
  const std::string input = c.before + overlong + (c.newline ? "\n" : "") + c.after;
  auto chunks = read_chunks(input, reads, c.chunk_bytes);
  ASSERT_TRUE(chunks.ok()) << chunks.error().message;

  size_t cut_count = 0;
  std::vector<std::string> lines = lines_of(*chunks, &cut_count);
  EXPECT_LE(cut_count, 1u);
  if (c.must_cut) {
    EXPECT_EQ(cut_count, 1u);
  }

  std::vector<std::string> before = split_lines(c.before);
  std::vector<std::string> after = split_lines(c.after);
  ASSERT_EQ(lines.size(), before.size() + 1 + after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(lines[i], before[i]);
    EXPECT_FALSE(is_overlong_line(lines[i], kMax));
  }
  const std::string& got = lines[before.size()];
  if (cut_count == 1) {
    EXPECT_FALSE(got.empty());
    EXPECT_LE(got.size(), kKeep);
    EXPECT_TRUE(got == overlong.substr(0, got.size())) << "the line's start is kept";
  } else {
    EXPECT_TRUE(got == overlong) << "a line that fits is handed out whole";
    EXPECT_TRUE(is_overlong_line(got, kMax));
  }
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(lines[before.size() + 1 + i], after[i]);
    EXPECT_FALSE(is_overlong_line(lines[before.size() + 1 + i], kMax));
  }

  // Offsets count the skipped bytes, so every chunk after a cut line is placed exactly.
  for (const Chunk& chunk : *chunks) {
    if (!chunk.overlong_lines.empty()) continue;
    EXPECT_EQ(input.compare(chunk.offset, chunk.data.size(), chunk.data), 0)
        << "chunk " << chunk.sequence << " at " << chunk.offset;
  }
  for (size_t i = 0; i < chunks->size(); ++i) EXPECT_EQ((*chunks)[i].sequence, i);
}

std::string overlong_case_name(
    const testing::TestParamInfo<std::tuple<OverlongCase, Reads>>& info) {
  return std::get<0>(info.param).name + reads_name(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, LineChunkReaderOverlongTest,
    testing::Combine(
        testing::Values(
            OverlongCase{"first_line", "", kMax + 100, true, "next\nand next\n", kMax, true},
            OverlongCase{"one_over_the_limit", "a\nbb\n", kMax + 1, true, "c\n", kMax, false},
            OverlongCase{"after_many_lines", varied_lines(kMax / 2), 2 * kMax + 3, true,
                         varied_lines(kMax / 3), kMax, true},
            OverlongCase{"last_without_newline", "a\n", kMax + 10, false, "", kMax, true},
            OverlongCase{"last_with_newline", "a\n", kMax + 10, true, "", kMax, true},
            OverlongCase{"three_limits_long", "", 3 * kMax, true, "z\n", kMax, true},
            OverlongCase{"fits_a_big_chunk", "a\n", 2 * kMax, true, "b\n", 4 * kMax, false},
            OverlongCase{"too_long_for_a_big_chunk", "a\n", 5 * kMax, true, "b\n", 4 * kMax,
                         true}),
        kAllReads),
    overlong_case_name);

// Random inputs (lines of 0 to 400 bytes, some with "\r\n", now and then one about a chunk's
// length, with or without a final newline) cut by a source that lends blocks of random sizes
// give the same lines, the same cut ones, and chunks placed exactly, as the same source read.
TEST(LineChunkReaderTest, LendingGivesTheLinesReadingGives) {
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 random(seed);
    std::string input;
    size_t long_lines = 0;
    while (input.size() < 3 * kMax + long_lines * kMax) {
      if (long_lines < 2 && random() % 5000 == 0) {
        // Around the limit: some are cut by the reader, some handed out whole.
        input += std::string(kMax - 100 + random() % 3000, 'L');
        ++long_lines;
      } else {
        input += std::string(random() % 400, static_cast<char>('a' + random() % 26));
      }
      if (random() % 5 == 0) input += '\r';
      input += '\n';
    }
    if (seed % 2 == 0) input += "no final newline";
    const size_t block = seed % 3 == 0 ? kWhole : 1 + random() % 20000;
    auto read = read_chunks(input, {block});
    auto lent = read_chunks(input, {block, true});
    ASSERT_TRUE(read.ok() && lent.ok());
    size_t read_cut = 0;
    size_t lent_cut = 0;
    const std::vector<std::string> read_lines = lines_of(*read, &read_cut);
    const std::vector<std::string> lent_lines = lines_of(*lent, &lent_cut);
    EXPECT_EQ(lent_cut, read_cut);
    EXPECT_TRUE(lent_lines == read_lines) << lent_lines.size() << " lines against " << read_lines.size();
    for (size_t i = 0; i < lent->size(); ++i) {
      const Chunk& chunk = (*lent)[i];
      EXPECT_EQ(chunk.sequence, i);
      if (chunk.overlong_lines.empty()) {
        EXPECT_EQ(input.compare(chunk.offset, chunk.data.size(), chunk.data), 0) << "chunk " << i;
      }
    }
  }
}

TEST(LineChunkReaderTest, OffsetAfterCutLineCountsSkippedBytes) {
  const std::string input = "ab\n" + std::string(kMax + 500, 'x') + "\nnext\n";
  for (Reads reads : {Reads{kWhole}, Reads{kWhole, true}, Reads{1000, true}}) {
    SCOPED_TRACE(reads_name(reads));
    auto chunks = read_chunks(input, reads);
    ASSERT_TRUE(chunks.ok());
    ASSERT_FALSE(chunks->empty());
    const Chunk& last = chunks->back();
    EXPECT_EQ(last.data, "next\n");
    EXPECT_EQ(last.offset, 3 + kMax + 500 + 1);
  }
}

struct LimitCase {
  std::string name;
  size_t length;
  std::string ending;
};
void PrintTo(const LimitCase& c, std::ostream* os) { *os << c.name; }

class LineChunkReaderLimitTest : public testing::TestWithParam<LimitCase> {};

// A line of up to kMaxLineBytes (without "\n" or "\r\n") is never cut, whatever precedes it.
TEST_P(LineChunkReaderLimitTest, LineUpToTheLimitIsKeptWhole) {
  const std::string line(GetParam().length, 'x');
  for (const std::string& before : {std::string(), std::string("a\n"), varied_lines(kMax / 3)}) {
    for (Reads reads : {Reads{7}, Reads{7, true}, Reads{4096, true}}) {
      SCOPED_TRACE(reads_name(reads));
      const std::string input = before + line + GetParam().ending + "b\n";
      auto chunks = read_chunks(input, reads);
      ASSERT_TRUE(chunks.ok());
      size_t cut_count = 0;
      std::vector<std::string> lines = lines_of(*chunks, &cut_count);
      EXPECT_EQ(cut_count, 0u);
      std::vector<std::string> expected = split_lines(input);
      ASSERT_EQ(lines.size(), expected.size());
      EXPECT_TRUE(lines == expected);
      EXPECT_FALSE(is_overlong_line(lines[lines.size() - 2], kMax));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Lengths, LineChunkReaderLimitTest,
    testing::Values(LimitCase{"under", kMax - 1, "\n"}, LimitCase{"exactly", kMax, "\n"},
                    LimitCase{"exactly_crlf", kMax, "\r\n"}),
    [](const testing::TestParamInfo<LimitCase>& info) { return info.param.name; });

struct IsOverlongCase {
  std::string line;
  size_t limit;
  bool overlong;
};

TEST(IsOverlongLineTest, Table) {
  const IsOverlongCase cases[] = {
      {"", 0, false},          {"a", 0, true},         {"a", 1, false},
      {"a\r", 1, false},       {"ab\r", 1, true},      {"\r", 0, false},
      {"abc", 3, false},       {"abcd", 3, true},      {"abc\r\r", 3, true},
      {std::string(kMax, 'x'), kMax, false},  {std::string(kMax + 1, 'x'), kMax, true},
      {std::string(kMax, 'x') + "\r", kMax, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(is_overlong_line(c.line, c.limit), c.overlong)
        << "length " << c.line.size() << " limit " << c.limit;
  }
}

TEST(LineChunkReaderTest, InputIndexAndFirstOffset) {
  auto chunks = read_chunks("x\ny\n", {kWhole}, kMax, 17);
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 1u);
  EXPECT_EQ((*chunks)[0].input, 17u);
  EXPECT_EQ((*chunks)[0].sequence, 0u);
  EXPECT_EQ((*chunks)[0].offset, 0u);
}

TEST(LineChunkReaderTest, ReportsRawBytesOfTheSource) {
  LineChunkReader reader(std::make_unique<MemorySource>("abc\ndef\n", kWhole), 0, kMax);
  LineChunk chunk;
  auto more = reader.next(chunk);
  ASSERT_TRUE(more.ok() && *more);
  EXPECT_EQ(reader.raw_bytes_read(), 8u);
}

struct FaultCase {
  std::string name;
  std::string input;
  size_t fail_at;
};
void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name; }

class LineChunkReaderFaultTest : public testing::TestWithParam<std::tuple<FaultCase, Reads>> {};

TEST_P(LineChunkReaderFaultTest, ReadErrorIsReturned) {
  const auto& [c, reads] = GetParam();
  LineChunkReader reader(std::make_unique<MemorySource>(c.input, reads.max, c.fail_at, reads.lend),
                         0, kMax);
  LineChunk chunk;
  std::string seen;
  for (;;) {
    auto more = reader.next(chunk);
    if (!more) {
      EXPECT_NE(more.error().message.find("'memory'"), std::string::npos) << more.error().message;
      break;
    }
    ASSERT_TRUE(*more) << "reached the end despite the fault";
    EXPECT_EQ(chunk.text().back(), '\n');
    if (chunk.overlong_lines.empty()) seen += chunk.text();
  }
  EXPECT_LE(seen.size(), c.fail_at) << "no bytes past the fault";
  EXPECT_EQ(c.input.compare(0, seen.size(), seen), 0);
}

std::string fault_case_name(const testing::TestParamInfo<std::tuple<FaultCase, Reads>>& info) {
  return std::get<0>(info.param).name + reads_name(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, LineChunkReaderFaultTest,
    testing::Combine(
        testing::Values(
            FaultCase{"at_start", "abc\ndef\n", 0},
            FaultCase{"first_chunk", "abc\ndef\nghi\n", 5},
            FaultCase{"later_chunk", varied_lines(3 * kMax), 2 * kMax + 17},
            FaultCase{"inside_overlong_line", "a\n" + std::string(3 * kMax, 'x') + "\nb\n",
                      kMax + kMax / 2}),
        testing::Values(Reads{7}, Reads{kWhole}, Reads{7, true}, Reads{kWhole, true})),
    fault_case_name);

}  // namespace
}  // namespace logan
