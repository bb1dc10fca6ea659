#include "stream/checkpoint.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "stats/serial.h"
#include "stream/duration.h"

namespace logan {
namespace {

namespace fs = std::filesystem;

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("logan-ckpt-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

CheckpointData sample() {
  CheckpointData d;
  d.windows = "window-bytes";
  d.next_input = 42;
  d.written_ms = 1234567;
  FilePosition p;
  p.path = "access.log";
  p.device = 7;
  p.inode = 99;
  p.fingerprint_len = 1024;
  p.fingerprint = 0xdeadbeef;
  p.offset = 5000;
  p.lines = 40;
  p.compressed = true;
  p.complete = true;
  p.raw_size = 777;
  d.positions["/var/log/nginx"].push_back({3, p});
  return d;
}

TEST_F(CheckpointTest, EncodingRoundTrips) {
  CheckpointData d = sample();
  auto back = decode_checkpoint(encode_checkpoint(d));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->windows, d.windows);
  EXPECT_EQ(back->next_input, 42u);
  EXPECT_EQ(back->written_ms, 1234567);
  ASSERT_EQ(back->positions.size(), 1u);
  const auto& entries = back->positions.at("/var/log/nginx");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].first, 3u);
  EXPECT_EQ(entries[0].second, d.positions.at("/var/log/nginx")[0].second);
}

TEST_F(CheckpointTest, VersionOneFilesAreStillRead) {
  // Version 1 had no compressed size; written here field by field as that version did.
  std::string out("LOGANCK\x01");
  BinaryWriter w(out);
  w.u64(1);
  w.i64(99);
  w.u64(5);
  w.bytes("panes");
  w.u64(1);
  w.bytes("logs");
  w.u64(1);
  w.u64(2);  // file id
  w.bytes("a.log");
  for (uint64_t v : {1, 2, 3, 4, 500, 6, 1}) w.u64(v);  // dev ino fp_len fp offset lines flags
  append_checksum(out, 0);
  auto back = decode_checkpoint(out);
  ASSERT_TRUE(back) << back.error().message;
  const FilePosition& p = back->positions.at("logs")[0].second;
  EXPECT_EQ(p.path, "a.log");
  EXPECT_EQ(p.offset, 500u);
  EXPECT_TRUE(p.compressed);
  EXPECT_EQ(p.raw_size, 0u);
}

TEST_F(CheckpointTest, CorruptTruncatedAndForeignDataAreRefused) {
  std::string bytes = encode_checkpoint(sample());
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 1;
  EXPECT_FALSE(decode_checkpoint(flipped));
  EXPECT_FALSE(decode_checkpoint(bytes.substr(0, bytes.size() - 3)));
  EXPECT_FALSE(decode_checkpoint("LOGANPT\x01 something else"));
  EXPECT_FALSE(decode_checkpoint(""));
}

TEST_F(CheckpointTest, DirectorySavesLoadsAndStartsEmpty) {
  auto dir = CheckpointDir::open(dir_.string());
  ASSERT_TRUE(dir) << dir.error().message;
  auto none = (*dir)->load();
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE((*dir)->save(sample()));
  ASSERT_TRUE((*dir)->save(sample()));  // replaces
  auto loaded = (*dir)->load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((**loaded).next_input, 42u);
  EXPECT_FALSE(fs::exists(dir_ / "stream.checkpoint.tmp"));
}

TEST_F(CheckpointTest, CorruptFileIsAnErrorNamingIt) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "stream.checkpoint") << "garbage";
  auto dir = CheckpointDir::open(dir_.string());
  ASSERT_TRUE(dir);
  auto loaded = (*dir)->load();
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("stream.checkpoint"), std::string::npos);
  EXPECT_NE(loaded.error().message.find("refusing"), std::string::npos);
}

TEST_F(CheckpointTest, SecondHolderOfADirectoryIsRefused) {
  auto first = CheckpointDir::open(dir_.string());
  ASSERT_TRUE(first);
  auto second = CheckpointDir::open(dir_.string());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("in use"), std::string::npos);
  first->reset();
  EXPECT_TRUE(CheckpointDir::open(dir_.string()));
}

TEST(DurationTest, ParsesUnitsAndRejectsJunk) {
  EXPECT_EQ(parse_duration_ms("30s"), 30000);
  EXPECT_EQ(parse_duration_ms("500ms"), 500);
  EXPECT_EQ(parse_duration_ms("5m"), 300000);
  EXPECT_EQ(parse_duration_ms("2h"), 7200000);
  EXPECT_EQ(parse_duration_ms("1d"), 86400000);
  EXPECT_EQ(parse_duration_ms("1.5"), 1500);
  EXPECT_EQ(parse_duration_ms("0s"), 0);
  EXPECT_FALSE(parse_duration_ms(""));
  EXPECT_FALSE(parse_duration_ms("s"));
  EXPECT_FALSE(parse_duration_ms("-1s"));
  EXPECT_FALSE(parse_duration_ms("5 s"));
  EXPECT_FALSE(parse_duration_ms("1.2.3s"));
  EXPECT_FALSE(parse_duration_ms("10x"));
}

}  // namespace
}  // namespace logan
