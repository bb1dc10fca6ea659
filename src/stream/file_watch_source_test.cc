#include "stream/file_watch_source.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include <sys/stat.h>
#include <gtest/gtest.h>

#include "input/input_testing.h"
#include "stream/stream_testing.h"

namespace logan {
namespace {

namespace fs = std::filesystem;
using test_support::CollectingContext;
using test_support::SourceRunner;

class FileWatchTest : public ::testing::TestWithParam<int64_t> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("logan-watch-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  FileWatchOptions options(std::string pattern = "") {
    FileWatchOptions o;
    o.pattern = std::move(pattern);
    o.poll_ms = GetParam();
    return o;
  }
  std::unique_ptr<StreamSource> source(FileWatchOptions o) {
    auto s = make_file_watch_source(dir_.string(), dir_.string(), std::move(o));
    EXPECT_TRUE(s->open());
    return s;
  }
  void append(const std::string& name, std::string_view data) {
    std::ofstream out(dir_ / name, std::ios::app | std::ios::binary);
    out << data;
  }
  void write_whole(const std::string& name, std::string_view data) {
    // Written aside and moved in, as a finished file would be.
    fs::path tmp = dir_.parent_path() / (dir_.filename().string() + "-" + name + ".staging");
    std::ofstream(tmp, std::ios::binary) << data;
    fs::rename(tmp, dir_ / name);
  }
  static std::string numbered(const std::string& prefix, int from, int to) {
    std::string out;
    for (int i = from; i < to; ++i) out += prefix + " line " + std::to_string(i) + "\n";
    return out;
  }
  static std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  fs::path dir_;
  static inline int counter_ = 0;
};

TEST_P(FileWatchTest, ReadsFilesThereAtTheStartAndNewOnesAndGrowth) {
  append("a.log", "a1\na2\n");
  CollectingContext ctx;
  auto src = source(options());
  SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(2));
  append("b.log", "b1\n");
  append("a.log", "a3\n");
  ASSERT_TRUE(ctx.wait_for_lines(4));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(sorted(ctx.lines()), (std::vector<std::string>{"a1", "a2", "a3", "b1"}));
}

TEST_P(FileWatchTest, LineWrittenInTwoPartsIsReadOnceWhole) {
  CollectingContext ctx;
  auto src = source(options());
  SourceRunner run(*src, ctx);
  append("a.log", "first\nsec");
  ASSERT_TRUE(ctx.wait_for_lines(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(GetParam() ? 3 * GetParam() : 100));
  append("a.log", "ond\n");
  ASSERT_TRUE(ctx.wait_for_lines(2));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(ctx.lines(), (std::vector<std::string>{"first", "second"}));
  auto pos = ctx.positions();
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos.begin()->second.offset, 13u);
  EXPECT_EQ(pos.begin()->second.lines, 2u);
}

TEST_P(FileWatchTest, RotationByRenameNeitherRereadsNorSkips) {
  append("access.log", numbered("old", 0, 3));
  CollectingContext ctx;
  auto src = source(options("access.log*"));
  SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(3));
  fs::rename(dir_ / "access.log", dir_ / "access.log.1");
  append("access.log.1", numbered("old", 3, 5));  // the server writes on before it reopens
  append("access.log", numbered("new", 0, 2));
  ASSERT_TRUE(ctx.wait_for_lines(7));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(run.stop());
  auto expected = numbered("old", 0, 5) + numbered("new", 0, 2);
  EXPECT_EQ(sorted(ctx.lines()), sorted(test_support::split_lines(expected)));
}

TEST_P(FileWatchTest, FollowedFileRenamedAwayIsDrainedThenTheNewOneRead) {
  append("access.log", "one\n");
  FileWatchOptions o = options("access.log");
  o.follow = true;
  CollectingContext ctx;
  auto src = source(o);
  SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(1));
  fs::rename(dir_ / "access.log", dir_ / "access.log.1");
  append("access.log.1", "two\n");
  append("access.log", "three\n");
  ASSERT_TRUE(ctx.wait_for_lines(3));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(sorted(ctx.lines()), (std::vector<std::string>{"one", "three", "two"}));
}

TEST_P(FileWatchTest, TruncatedFileIsReadAgainFromItsStart) {
  append("a.log", "aaaa\nbbbb\n");
  CollectingContext ctx;
  auto src = source(options());
  SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(2));
  fs::resize_file(dir_ / "a.log", 0);
  append("a.log", "c\n");
  ASSERT_TRUE(ctx.wait_for_lines(3));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(ctx.lines(), (std::vector<std::string>{"aaaa", "bbbb", "c"}));
  EXPECT_TRUE(ctx.wait_for_warning("truncated"));
}

TEST_P(FileWatchTest, CopytruncateCountsEveryLineOnce) {
  append("access.log", numbered("x", 0, 100));
  CollectingContext ctx;
  auto src = source(options("access.log*"));
  SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(100));
  // logrotate's copytruncate: lines written just before the copy may not have been read yet;
  // they are in the copy, past what was counted of the original.
  append("access.log", numbered("x", 100, 110));
  fs::copy_file(dir_ / "access.log", dir_ / "access.log.1");
  fs::resize_file(dir_ / "access.log", 0);
  append("access.log", numbered("y", 0, 5));
  ASSERT_TRUE(ctx.wait_for_lines(115));
  std::this_thread::sleep_for(std::chrono::milliseconds(GetParam() ? 4 * GetParam() : 1500));
  EXPECT_TRUE(run.stop());
  std::vector<std::string> expected = test_support::split_lines(numbered("x", 0, 110));
  for (auto& l : test_support::split_lines(numbered("y", 0, 5))) expected.push_back(l);
  EXPECT_EQ(sorted(ctx.lines()), sorted(expected));
}

TEST_P(FileWatchTest, CopyShorterThanWhatWasCountedAddsNothing) {
  // Lines long enough that the copy holds more than the fingerprinted first KiB.
  const std::string prefix = "GET /a/rather/long/path/to/make/the/copy/longer/than/a/KiB";
  append("access.log", numbered(prefix, 0, 50));
  CollectingContext ctx;
  auto src = source(options("access.log*"));
  SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(50));
  // A copy of an older state of the file (here: its first 30 lines) holds nothing new.
  write_whole("access.log.1", numbered(prefix, 0, 30));
  fs::resize_file(dir_ / "access.log", 0);
  append("access.log", "after\n");
  ASSERT_TRUE(ctx.wait_for_lines(51));
  std::this_thread::sleep_for(std::chrono::milliseconds(GetParam() ? 4 * GetParam() : 1500));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(ctx.lines().size(), 51u);
  EXPECT_EQ(ctx.lines().back(), "after");
}

TEST_P(FileWatchTest, CompressedFilesAreDecoded) {
  write_whole("x.log.gz", test_support::gzip("g1\ng2\n"));
  write_whole("y.log.zst", test_support::zstd("z1\n"));
  write_whole("z.log.bz2", test_support::bzip2("b1\nb2"));  // no final newline
  CollectingContext ctx;
  auto src = source(options());
  SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(sorted(ctx.lines()), (std::vector<std::string>{"b1", "b2", "g1", "g2", "z1"}));
  for (const auto& [id, pos] : ctx.positions()) {
    EXPECT_TRUE(pos.compressed);
    EXPECT_TRUE(pos.complete) << pos.path;
  }
}

TEST_P(FileWatchTest, CompressedFileBeingWrittenIsCountedOnceComplete) {
  std::string data = numbered("gz", 0, 2000);
  std::string packed = test_support::gzip(data);
  CollectingContext ctx;
  auto src = source(options());
  SourceRunner run(*src, ctx);
  append("big.log.gz", packed.substr(0, packed.size() / 2));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  append("big.log.gz", packed.substr(packed.size() / 2));
  ASSERT_TRUE(ctx.wait_for_lines(2000));
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(ctx.lines(), test_support::split_lines(data));
}

TEST_P(FileWatchTest, CompressedCopyOfARotatedFileIsReadOnlyPastWhatWasCounted) {
  append("access.log", numbered("x", 0, 100));
  CollectingContext ctx;
  auto src = source(options("access.log*"));
  SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(100));
  // logrotate: rename, the server writes a little more, then compress and remove.
  fs::rename(dir_ / "access.log", dir_ / "access.log.1");
  append("access.log.1", numbered("x", 100, 110));
  ASSERT_TRUE(ctx.wait_for_lines(110));
  std::string all = numbered("x", 0, 110);
  write_whole("access.log.1.gz", test_support::gzip(all));
  fs::remove(dir_ / "access.log.1");
  std::this_thread::sleep_for(std::chrono::milliseconds(GetParam() ? 4 * GetParam() : 1500));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(ctx.lines(), test_support::split_lines(all));
}

TEST_P(FileWatchTest, TemporaryAndDotFilesAreSkippedUnlessAskedFor) {
  append(".hidden.log", "h\n");
  append("x.log.tmp", "t\n");
  append("x.log~", "s\n");
  append("real.log", "r\n");
  {
    CollectingContext ctx;
    auto src = source(options());
    SourceRunner run(*src, ctx);
    ASSERT_TRUE(ctx.wait_for_lines(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_TRUE(run.stop());
    EXPECT_EQ(ctx.lines(), (std::vector<std::string>{"r"}));
  }
  FileWatchOptions all = options();
  all.all_names = true;
  CollectingContext ctx;
  auto src = source(all);
  SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(4));
}

TEST_P(FileWatchTest, RestoredPositionsResumeWhereTheyWere) {
  append("a.log", "one\ntwo\n");
  std::map<uint64_t, FilePosition> saved;
  {
    CollectingContext ctx;
    auto src = source(options());
    SourceRunner run(*src, ctx);
    ASSERT_TRUE(ctx.wait_for_lines(2));
    EXPECT_TRUE(run.stop());
    saved = ctx.positions();
  }
  append("a.log", "three\n");
  CollectingContext ctx;
  auto src = source(options());
  std::vector<FileEntry> entries(saved.begin(), saved.end());
  src->restore(entries);
  SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(ctx.lines(), (std::vector<std::string>{"three"}));
  EXPECT_EQ(ctx.positions().begin()->second.lines, 3u);
}

TEST_P(FileWatchTest, RestoredPositionOfAnotherFileOnTheSameInodeIsNotTrusted) {
  append("a.log", "new content\n");
  struct stat st;
  ASSERT_EQ(::stat((dir_ / "a.log").c_str(), &st), 0);
  FilePosition p;
  p.path = "a.log";
  p.device = st.st_dev;
  p.inode = st.st_ino;
  p.fingerprint_len = 12;
  p.fingerprint = fingerprint_hash("old content!");
  p.offset = 5;
  p.lines = 1;
  CollectingContext ctx;
  auto src = source(options());
  src->restore({{0, p}});
  SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(1));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(ctx.lines(), (std::vector<std::string>{"new content"}));
}

TEST_P(FileWatchTest, FromEndSkipsWhatIsThereAtTheStart) {
  append("a.log", "old\n");
  FileWatchOptions o = options();
  o.from_end = true;
  CollectingContext ctx;
  auto src = source(o);
  SourceRunner run(*src, ctx);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  append("a.log", "new\n");
  append("b.log", "other\n");
  ASSERT_TRUE(ctx.wait_for_lines(2));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(sorted(ctx.lines()), (std::vector<std::string>{"new", "other"}));
}

INSTANTIATE_TEST_SUITE_P(InotifyAndPolling, FileWatchTest, ::testing::Values(0, 50),
                         [](const auto& info) { return info.param ? "Poll" : "Inotify"; });

TEST(FileWatchNamesTest, TemporaryNames) {
  for (const char* n : {".x.log", "x.log.tmp", "x.swp", "x~", "#x#", "x.part", "x.log.partial"}) {
    EXPECT_TRUE(is_temporary_name(n)) << n;
  }
  for (const char* n : {"access.log", "access.log.1", "access.log.2.gz", "error_log"}) {
    EXPECT_FALSE(is_temporary_name(n)) << n;
  }
}

}  // namespace
}  // namespace logan

namespace logan {
namespace {

class CopyTruncateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("logan-copytruncate-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(CopyTruncateTest, CopyOfATruncatedFileIsReadOnlyPastWhatWasCounted) {
  auto write = [&](const char* name, std::string_view data, bool append) {
    std::ofstream out(dir_ / name, (append ? std::ios::app : std::ios::trunc) | std::ios::binary);
    out << data;
  };
  write("access.log", "one\ntwo\n", false);
  FileWatchOptions o;
  o.pattern = "access.log*";
  auto src = make_file_watch_source(dir_.string(), dir_.string(), o);
  ASSERT_TRUE(src->open());
  test_support::CollectingContext ctx;
  test_support::SourceRunner run(*src, ctx);
  ASSERT_TRUE(ctx.wait_for_lines(2));
  // logrotate's copytruncate: the server wrote a line logan has not read yet, then the file is
  // copied aside and truncated, and the server goes on in the truncated file.
  write("access.log", "three\n", true);
  std::filesystem::copy_file(dir_ / "access.log", dir_ / "access.log.1");
  std::filesystem::resize_file(dir_ / "access.log", 0);
  write("access.log", "four\n", true);
  ASSERT_TRUE(ctx.wait_for_lines(4));
  std::this_thread::sleep_for(std::chrono::milliseconds(4000));
  EXPECT_TRUE(run.stop());
  auto lines = ctx.lines();
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"four", "one", "three", "two"}));
}

}  // namespace
}  // namespace logan
