// Tests of MappedFile: which files are mapped (regular, not empty, not compressed) and which are
// left to be read; the size seen after a truncation; the SIGBUS guard (a read past the end of a
// file truncated under its mapping gives zeros and marks the file lost, reported once, while a
// SIGBUS about anything else still kills the process); and LineChunkReader over a mapping,
// which gives the same lines and marks as reading the file.
#include "input/mapped_file.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "input/input_testing.h"
#include "input/line_chunk_reader.h"

namespace logan {
namespace {

namespace fs = std::filesystem;

class MappedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("logan-mapped-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  fs::path dir_;
};

TEST_F(MappedFileTest, MapsARegularFileAndLeavesTheRestToBeRead) {
  const std::string text = "192.0.2.1 a\n192.0.2.2 b\n";
  auto mapped = MappedFile::open(write("plain.log", text), 1);
  ASSERT_TRUE(mapped.ok());
  ASSERT_NE(*mapped, nullptr);
  EXPECT_EQ(std::string((*mapped)->data(), (*mapped)->size()), text);
  EXPECT_EQ((*mapped)->size_now(), text.size());
  EXPECT_FALSE((*mapped)->lost());

  for (const auto& [name, bytes] : {std::pair<std::string, std::string>{"empty.log", ""},
                                    {"log.gz", std::string("\x1f\x8b\x08\x00rest", 8)},
                                    {"log.zst", std::string("\x28\xb5\x2f\xfdrest", 8)}}) {
    auto none = MappedFile::open(write(name, bytes), 1);
    ASSERT_TRUE(none.ok()) << name;
    EXPECT_EQ(*none, nullptr) << name;
  }
  auto small = MappedFile::open(write("small.log", "x\n"), 100);  // under min_bytes
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(*small, nullptr);
  auto dir = MappedFile::open(dir_.string(), 1);
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(*dir, nullptr);
  auto missing = MappedFile::open((dir_ / "missing.log").string(), 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("missing.log"), std::string::npos);
}

TEST_F(MappedFileTest, AReadPastATruncationGivesZerosAndIsReportedOnce) {
  const std::string path = write("rotated.log", std::string(256 * 1024, 'x'));
  auto mapped = MappedFile::open(path, 1);
  ASSERT_TRUE(mapped.ok() && *mapped);
  MappedFile& file = **mapped;
  fs::resize_file(path, 100);
  EXPECT_EQ(file.size_now(), 100u);
  EXPECT_EQ(file.size(), 256u * 1024);
  EXPECT_EQ(file.data()[0], 'x');  // the page still backed by the file
  EXPECT_FALSE(file.lost());
  // Past the new end: SIGBUS, caught; the rest of the mapping reads as zeros.
  const volatile char* p = file.data();
  EXPECT_EQ(p[200 * 1024], '\0');
  EXPECT_EQ(p[256 * 1024 - 1], '\0');
  EXPECT_TRUE(file.lost());
  EXPECT_TRUE(file.take_lost());
  EXPECT_FALSE(file.take_lost());  // reported once
  EXPECT_TRUE(file.lost());
}

TEST_F(MappedFileTest, ManyMappingsAtOnceAreAllGuardedOrNotMapped) {
  const std::string path = write("many.log", std::string(8192, 'y'));
  std::vector<std::shared_ptr<MappedFile>> all;
  size_t mapped = 0;
  for (size_t i = 0; i < mapped_file_testing::guard_capacity() + 10; ++i) {
    auto m = MappedFile::open(path, 1);
    ASSERT_TRUE(m.ok());
    if (*m) ++mapped;
    all.push_back(std::move(m.value()));
  }
  // Beyond the guard's slots a file is read instead (null), never mapped unguarded.
  EXPECT_LE(mapped, mapped_file_testing::guard_capacity());
  EXPECT_GT(mapped, 0u);
  all.clear();
  auto again = MappedFile::open(path, 1);  // slots are given back
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, nullptr);
}

TEST_F(MappedFileTest, ASigbusThatIsNotAboutAMappingStillKills) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto mapped = MappedFile::open(write("guarded.log", "a\n"), 1);  // the guard is installed
  ASSERT_TRUE(mapped.ok() && *mapped);
  // It goes to what SIGBUS did before the guard: the default action (killed by SIGBUS), or a
  // sanitizer's report and abort.
  EXPECT_DEATH(::raise(SIGBUS), "");
}

// The chunks of a file read in place against those of the same file read into buffers: the
// same lines, in the same chunks, with the same overlong marks and offsets.
TEST_F(MappedFileTest, ChunksCutInPlaceAreTheChunksReadingGives) {
  constexpr size_t kMax = LineChunkReader::kMaxLineBytes;
  const std::string overlong(kMax + 5000, 'o');
  const std::string just_fits(kMax - 10, 'f');
  const std::vector<std::string> texts = {
      "one line without a newline",
      "a\nb\r\n\nc\n",
      std::string(3 * kMax, 'l').replace(100, 1, "\n").replace(kMax + 7, 1, "\n") + "\n",
      "start\n" + overlong + "\nafter\n" + just_fits + "\n" + overlong,
      [] {
        std::string t;
        for (int i = 0; t.size() < 5 * kMax; ++i) t += std::to_string(i) + std::string(i % 500, 'v') + "\n";
        return t;
      }(),
  };
  struct Seen {
    std::string text;
    std::vector<uint64_t> overlong;
    uint64_t sequence, offset;
    bool operator==(const Seen&) const = default;
  };
  for (size_t t = 0; t < texts.size(); ++t) {
    SCOPED_TRACE("text " + std::to_string(t));
    const std::string path = write("chunks.log", texts[t]);
    auto mapped = MappedFile::open(path, 1);
    ASSERT_TRUE(mapped.ok() && *mapped);
    for (size_t chunk_bytes : {size_t{1}, 2 * kMax}) {
      LineChunkReader in_place(*mapped, 3, chunk_bytes);
      LineChunkReader reading(std::make_unique<test_support::MemorySource>(texts[t], 100000), 3,
                              chunk_bytes);
      std::vector<Seen> a, b;
      LineChunk chunk;
      for (;;) {
        auto more = in_place.next(chunk);
        ASSERT_TRUE(more.ok());
        if (!*more) break;
        EXPECT_EQ(chunk.input, 3u);
        a.push_back({std::string(chunk.text()), chunk.overlong_lines, chunk.sequence, chunk.offset});
      }
      for (;;) {
        auto more = reading.next(chunk);
        ASSERT_TRUE(more.ok());
        if (!*more) break;
        b.push_back({std::string(chunk.text()), chunk.overlong_lines, chunk.sequence, chunk.offset});
      }
      EXPECT_TRUE(a == b) << a.size() << " chunks in place, " << b.size() << " read";
      EXPECT_EQ(in_place.raw_bytes_read(), texts[t].size());
    }
  }
}

}  // namespace
}  // namespace logan
