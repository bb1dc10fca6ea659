// Tests of ChunkCursor's choice of input: remote inputs are read as their bytes arrive (a later
// input with data goes before an earlier one still downloading, and the cursor waits on the
// opener when none has any), while local inputs, and remote ones that are all at hand, are read
// in order; line numbers and the per-input outcomes come out the same either way.
// The opener here (test_support::ArrivalOpener) holds the inputs in memory and the test says when
// their bytes "arrive": it stands in for the download timing, not for a store (ParallelReader
// and the real stores are tested elsewhere).
#include "engine/chunk_cursor.h"
#include "input/input_testing.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>
#include <string>
#include <utility>
#include <vector>

namespace logan {
namespace {

constexpr char kLine[] = "192.0.2.1 - - [07/Mar/2024:10:00:00 +0000] \"GET /x HTTP/1.1\" 200 5\n";

std::string lines(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kLine;
  return out;
}

using test_support::ArrivalOpener;

// A cursor over `inputs`, remote ones opened by `opener`.
struct Job {
  Job(ArrivalOpener& opener, std::vector<InputFile> files) : inputs(std::move(files)), queue(inputs) {
    options.opener = &opener;
  }
  std::vector<InputFile> inputs;
  InputList queue;
  BatchOptions options;
  ChunkCursor cursor{queue, options, nullptr};
};

struct Taken {
  uint32_t input;
  uint64_t sequence;
  size_t bytes;
};

std::vector<Taken> take_all(ChunkCursor& cursor) {
  std::vector<Taken> out;
  LineChunk chunk;
  const LogFormat* format = nullptr;
  while (cursor.take(chunk, format)) {
    EXPECT_NE(format, nullptr);
    out.push_back({chunk.input, chunk.sequence, chunk.text().size()});
  }
  return out;
}

TEST(ChunkCursorTest, ReadsARemoteInputThatHasDataBeforeAnEarlierOneStillDownloading) {
  ArrivalOpener opener;
  opener.objects["s3://b/a.log"] = {lines(10), false};
  opener.objects["s3://b/b.log"] = {lines(20), true};
  // Once b is read, a's bytes "arrive" on the next wait.
  opener.on_wait = [](ArrivalOpener& o) { o.objects["s3://b/a.log"].ready = true; };
  Job job(opener, {{"s3://b/a.log"}, {"s3://b/b.log"}});
  ChunkCursor& cursor = job.cursor;
  ASSERT_TRUE(cursor.prepare().ok());

  auto taken = take_all(cursor);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].input, 1u);  // b first: a had nothing yet
  EXPECT_EQ(taken[0].bytes, lines(20).size());
  EXPECT_EQ(taken[1].input, 0u);
  EXPECT_EQ(taken[1].bytes, lines(10).size());
  EXPECT_EQ(opener.waits, 1);
  EXPECT_FALSE(cursor.input_failure().has_value());

  // Outcomes and line counts are by input, whatever the reading order.
  auto outcomes = cursor.take_outcomes();
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].path, "s3://b/a.log");
  EXPECT_EQ(outcomes[1].path, "s3://b/b.log");
  EXPECT_EQ(outcomes[0].format, "common");
  for (uint32_t i = 0; i < 2; ++i) cursor.record_chunk_lines(i, 0, i == 0 ? 10 : 20);
  EXPECT_EQ(cursor.input_lines(), (std::vector<uint64_t>{10, 20}));
}

TEST(ChunkCursorTest, WaitsOnTheOpenerWhileNoRemoteInputHasData) {
  ArrivalOpener opener;
  opener.objects["s3://b/a.log"] = {lines(5), false};
  opener.objects["s3://b/b.log"] = {lines(5), false};
  // b arrives on the third wait, a on the fifth.
  opener.on_wait = [](ArrivalOpener& o) {
    if (o.waits == 3) o.objects["s3://b/b.log"].ready = true;
    if (o.waits == 5) o.objects["s3://b/a.log"].ready = true;
  };
  Job job(opener, {{"s3://b/a.log"}, {"s3://b/b.log"}});
  ChunkCursor& cursor = job.cursor;

  auto taken = take_all(cursor);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].input, 1u);
  EXPECT_EQ(taken[1].input, 0u);
  EXPECT_EQ(opener.waits, 5);
}

TEST(ChunkCursorTest, InputsAtHandAndLocalInputsAreReadInOrder) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("logan-chunk-cursor-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string local = (dir / "local.log").string();
  std::ofstream(local) << lines(3);
  ArrivalOpener opener;
  opener.objects["s3://b/a.log"] = {lines(4), true};
  opener.objects["s3://b/b.log"] = {lines(5), true};
  Job job(opener, {{"s3://b/a.log"}, {local}, {"s3://b/b.log"}});
  ChunkCursor& cursor = job.cursor;

  auto taken = take_all(cursor);
  ASSERT_EQ(taken.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(taken[i].input, i);
  EXPECT_EQ(opener.waits, 0);
  std::filesystem::remove_all(dir);
}

// A local file is parsed in place (MappedFile). Cut short while a worker parses a chunk of it,
// the rest of the chunk reads as zeros, and the worker's chunk_done() fails the input, naming
// it; cut short between chunks, it just ends there, as a read would find it.
TEST(ChunkCursorTest, AFileCutShortUnderAChunkFailsItsInput) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("logan-chunk-cut-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "cut.log").string();
  const std::string text = lines(100000);  // several chunks
  for (bool under_a_chunk : {true, false}) {
    SCOPED_TRACE(under_a_chunk ? "under a chunk" : "between chunks");
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    std::vector<InputFile> inputs = {{path}};
    InputList queue(inputs);
    BatchOptions options;
    options.format = "common";
    options.chunk_bytes = 1;  // the least: about 1 MiB
    ChunkCursor cursor(queue, options, nullptr);
    LineChunk chunk;
    const LogFormat* format = nullptr;
    ASSERT_TRUE(cursor.take(chunk, format));
    ASSERT_NE(chunk.mapping, nullptr);
    ASSERT_FALSE(chunk.mapped.empty());
    uint64_t lines_seen = 0;
    if (under_a_chunk) {
      std::filesystem::resize_file(path, 1000);
      lines_seen = for_each_line(chunk, [](std::string_view, uint64_t, bool) {});
      cursor.chunk_done(chunk, lines_seen);
      ASSERT_TRUE(cursor.input_failure().has_value());
      EXPECT_NE(cursor.input_failure()->message.find("'" + path + "' was truncated while it was read"),
                std::string::npos)
          << cursor.input_failure()->message;
      EXPECT_FALSE(cursor.take(chunk, format));
    } else {
      lines_seen = for_each_line(chunk, [](std::string_view, uint64_t, bool) {});
      cursor.chunk_done(chunk, lines_seen);
      const size_t cut = chunk.text().size() + 1000;
      std::filesystem::resize_file(path, cut);
      uint64_t more = 0;
      while (cursor.take(chunk, format)) {
        const uint64_t n = for_each_line(chunk, [](std::string_view, uint64_t, bool) {});
        cursor.chunk_done(chunk, n);
        more += n;
      }
      EXPECT_FALSE(cursor.input_failure().has_value());
      // The whole lines before the cut, and the cut one.
      EXPECT_EQ(more, 1000 / (sizeof kLine - 1) + 1);
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(ChunkCursorTest, ALaterInputThatFailsToOpenFailsTheJobNamingIt) {
  // a waits for data, so the cursor opens b early; b is missing (a local path that is not
  // there): the job fails naming it, as when inputs are read in order.
  ArrivalOpener opener;
  opener.objects["s3://b/a.log"] = {lines(2), false};
  Job job(opener, {{"s3://b/a.log"}, {"/nonexistent/logan-missing.log"}});
  ChunkCursor& cursor = job.cursor;
  auto taken = take_all(cursor);
  EXPECT_TRUE(taken.empty());
  ASSERT_TRUE(cursor.input_failure().has_value());
  EXPECT_NE(cursor.input_failure()->message.find("/nonexistent/logan-missing.log"), std::string::npos);
}

TEST(ChunkCursorTest, LineNumbersAndSkippedInputsAreByInputWhateverTheReadingOrder) {
  // a waits for its bytes and then fails at its end; b (two chunks) is read meanwhile; the
  // missing local file after b fails before a does. Numbers and failures still come by input.
  ArrivalOpener opener;
  opener.objects["s3://b/a.log"] = {lines(3), false, true};
  opener.objects["s3://b/b.log"] = {lines(20000), true};  // 1.3 MB: two chunks of 1 MiB
  opener.on_wait = [](ArrivalOpener& o) { o.objects["s3://b/a.log"].ready = true; };
  Job job(opener, {{"s3://b/a.log"}, {"s3://b/b.log"}, {"/nonexistent/logan-missing.log"}});
  job.options.keep_going = true;
  job.options.chunk_bytes = 1;  // the smallest a reader allows: 1 MiB and a line end
  ChunkCursor& cursor = job.cursor;

  LineChunk chunk;
  const LogFormat* format = nullptr;
  std::vector<uint32_t> order;
  while (cursor.take(chunk, format)) {
    order.push_back(chunk.input);
    uint64_t n = static_cast<uint64_t>(std::count(chunk.data.view().begin(), chunk.data.view().end(), '\n'));
    cursor.record_chunk_lines(chunk.input, chunk.sequence, n);
  }
  EXPECT_EQ(order, (std::vector<uint32_t>{1, 1, 0}));
  EXPECT_EQ(cursor.input_lines(), (std::vector<uint64_t>{3, 20000, 0}));
  auto first = cursor.chunk_first_lines();
  ASSERT_EQ(first[1].size(), 2u);
  EXPECT_EQ(first[1][0], 1u);
  EXPECT_EQ(first[1][1], 1 + (LineChunkReader::chunk_size_for(1) / (sizeof kLine - 1)));
  auto skipped = cursor.take_skipped();
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_NE(skipped[0].message.find("connection reset"), std::string::npos);  // a's, input 0
  EXPECT_NE(skipped[1].message.find("/nonexistent/logan-missing.log"), std::string::npos);
}

TEST(ChunkCursorTest, StopEndsAWaitForData) {
  // Nothing ever arrives: take() waits on the opener until another thread stops the job.
  ArrivalOpener opener;
  opener.objects["s3://b/a.log"] = {lines(3), false};
  Job job(opener, {{"s3://b/a.log"}});
  std::thread stopper([&] {
    while (opener.waits < 3) std::this_thread::yield();
    job.cursor.stop(Error{"the output failed"});
  });
  LineChunk chunk;
  const LogFormat* format = nullptr;
  EXPECT_FALSE(job.cursor.take(chunk, format));
  stopper.join();
  ASSERT_TRUE(job.cursor.stop_reason().has_value());
  EXPECT_EQ(job.cursor.stop_reason()->message, "the output failed");
}

}  // namespace
}  // namespace logan
