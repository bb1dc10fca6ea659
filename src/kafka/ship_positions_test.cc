#include "kafka/ship_positions.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "kafka/ship_checkpoint.h"

namespace logan {
namespace {

namespace fs = std::filesystem;

class ShipPositionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/logan-ship-positions-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  ShipPositions::Config config(bool exactly_once = false) const {
    return {dir_ + "/ck", "logs", "b:2,a:1", exactly_once, 1000};
  }
  std::unique_ptr<ShipPositions> open(const ShipPositions::Config& c) {
    auto p = ShipPositions::open(c);
    EXPECT_TRUE(p) << (p ? "" : p.error().message);
    return p ? std::move(p.value()) : nullptr;
  }
  ShipCheckpoint on_disk() const {
    std::ifstream in(dir_ + "/ck/ship.checkpoint", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto c = decode_ship_checkpoint(bytes);
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? c.value() : ShipCheckpoint{};
  }

  // A batch of `file` holding `lines` lines of `bytes` bytes that starts at `offset`.
  static LineBatch batch(uint64_t file, uint64_t offset, uint64_t line, uint64_t bytes,
                         uint64_t lines) {
    LineBatch b;
    b.file_id = file;
    b.first_offset = offset;
    b.first_line = line + 1;
    b.data.assign(std::string(bytes, 'x'));
    FilePosition pos;
    pos.path = "access.log";
    pos.inode = 7;
    pos.offset = offset + bytes;
    pos.lines = line + lines;
    b.position = pos;
    return b;
  }

  std::string dir_;
};

TEST_F(ShipPositionsTest, EncodingRoundTripsAndRefusesCorruption) {
  ShipCheckpoint c;
  c.topic = "logs";
  c.brokers = "a:1,b:2";
  c.ship_id = 0x1234567890abcdefULL;
  c.exactly_once = true;
  c.clean = true;
  c.written_ms = 1700000000000;
  ShipFileState f;
  f.acked.path = "access.log.1";
  f.acked.device = 3;
  f.acked.inode = 99;
  f.acked.fingerprint_len = 1024;
  f.acked.fingerprint = 42;
  f.acked.offset = 5000;
  f.acked.lines = 50;
  f.acked.gone = true;
  f.sent_offset = 6000;
  f.sent_lines = 60;
  c.files["file:/var/log/nginx/access.log"] = {{4, f}};
  c.readback = {{0, 17}, {3, 0}};
  std::string bytes = encode_ship_checkpoint(c);
  auto back = decode_ship_checkpoint(bytes);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, c);
  for (size_t i = 0; i < bytes.size(); i += 7) {
    std::string bad = bytes;
    bad[i] ^= 0x40;
    EXPECT_FALSE(decode_ship_checkpoint(bad)) << "byte " << i;
  }
  EXPECT_FALSE(decode_ship_checkpoint(bytes.substr(0, bytes.size() - 1)));
  EXPECT_FALSE(decode_ship_checkpoint(""));
}

TEST_F(ShipPositionsTest, MessagePositionHeader) {
  MessagePosition p{0xfeedfacecafebeefULL, 12, 3, 1 << 20, 9999};
  std::string text = format_message_position(p);
  EXPECT_EQ(text, "feedfacecafebeef/c/3/100000/270f");
  EXPECT_EQ(parse_message_position(text), p);
  for (std::string bad : {"", "1/2/3/4", "1/2/3/4/5/6", "1/2/3/4/x", "1//3/4/5", "1/2/3/4/5 ",
                          "g/2/3/4/5", "11111111111111111/2/3/4/5"}) {
    EXPECT_FALSE(parse_message_position(bad)) << bad;
  }
}

TEST_F(ShipPositionsTest, BrokersAreASet) {
  EXPECT_EQ(normalized_brokers("b:2, a:1,a:1,"), "a:1,b:2");
  EXPECT_EQ(normalized_brokers("h:9092"), "h:9092");
}

TEST_F(ShipPositionsTest, PositionsMoveOnlyOverSettledEntriesInOrder) {
  auto p = open(config());
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->loaded());
  p->take_source(0, "file:/logs/access.log");
  Status saved = Ok{};
  // A new file is written to the checkpoint at its first batch's start, before it is produced.
  uint64_t e0 = p->add(0, batch(5, 100, 10, 400, 4), 2, &saved);
  ASSERT_TRUE(saved);
  ShipCheckpoint first = on_disk();
  ASSERT_EQ(first.files["file:/logs/access.log"].size(), 1u);
  EXPECT_EQ(first.files["file:/logs/access.log"][0].second.acked.offset, 100u);
  EXPECT_EQ(first.files["file:/logs/access.log"][0].second.acked.lines, 10u);
  EXPECT_FALSE(first.clean);

  uint64_t e1 = p->add(0, batch(5, 500, 14, 100, 1), 1, &saved);
  // The second entry settles first: the file stays where it was.
  p->settle(0, 5, e1, 0, 21);
  EXPECT_EQ(p->file(0, 5)->acked.offset, 100u);
  p->settle(0, 5, e0, 0, 19);
  EXPECT_EQ(p->file(0, 5)->acked.offset, 100u);
  p->settle(0, 5, e0, 0, 20);
  EXPECT_EQ(p->file(0, 5)->acked.offset, 600u);
  EXPECT_EQ(p->file(0, 5)->acked.lines, 15u);
  EXPECT_EQ(p->file(0, 5)->sent_offset, 600u);
  ASSERT_TRUE(p->save(true));
  ShipCheckpoint c = on_disk();
  EXPECT_TRUE(c.clean);
  EXPECT_EQ(c.readback[0], 22);  // one past the highest delivered
}

TEST_F(ShipPositionsTest, ReadbackStartsAtTheLowestUnacknowledgedDelivery) {
  auto p = open(config());
  ASSERT_TRUE(p);
  p->take_source(0, "k");
  Status saved = Ok{};
  uint64_t e0 = p->add(0, batch(1, 0, 0, 100, 2), 2, &saved);
  uint64_t e1 = p->add(0, batch(1, 100, 2, 100, 2), 1, &saved);
  p->settle(0, 1, e0, 2, 40);  // one of e0's two messages
  p->settle(0, 1, e1, 3, 7);   // e1, behind e0: not acknowledged either
  ASSERT_TRUE(p->save(false));
  ShipCheckpoint c = on_disk();
  EXPECT_EQ(c.readback[2], 40);
  EXPECT_EQ(c.readback[3], 7);
  EXPECT_EQ(c.files["k"][0].second.acked.offset, 0u);
  EXPECT_EQ(c.files["k"][0].second.sent_offset, 200u);
}

TEST_F(ShipPositionsTest, AFailedMessageHoldsItsFileAndAForgottenFileGoes) {
  auto p = open(config());
  ASSERT_TRUE(p);
  p->take_source(0, "k");
  Status saved = Ok{};
  uint64_t e0 = p->add(0, batch(1, 0, 0, 100, 1), 1, &saved);
  uint64_t e1 = p->add(0, batch(1, 100, 1, 100, 1), 1, &saved);
  p->settle(0, 1, e0, -1, -1, /*hold=*/true);
  p->settle(0, 1, e1, 0, 5);
  EXPECT_EQ(p->file(0, 1)->acked.offset, 0u);
  // Dropped or too large: given up without holding.
  uint64_t f0 = p->add(0, batch(2, 0, 0, 50, 1), 1, &saved);
  p->settle(0, 2, f0, -1, -1, /*hold=*/false);
  EXPECT_EQ(p->file(0, 2)->acked.offset, 50u);
  LineBatch forget;
  forget.file_id = 2;
  forget.forget_file = true;
  p->add(0, forget, 0, &saved);
  EXPECT_FALSE(p->file(0, 2));
  ASSERT_TRUE(p->save(false));
  EXPECT_EQ(on_disk().files["k"].size(), 1u);
}

TEST_F(ShipPositionsTest, RestartRestoresAdvancesAndRefusesForeignCheckpoints) {
  uint64_t id = 0;
  {
    auto p = open(config(true));
    ASSERT_TRUE(p);
    id = p->ship_id();
    p->take_source(0, "k");
    Status saved = Ok{};
    uint64_t e = p->add(0, batch(3, 0, 0, 300, 3), 3, &saved);
    p->settle(0, 3, e, 1, 10);
    p->set_partitions({{0, 5}, {1, 10}}, false);
    ASSERT_TRUE(p->save(false));  // an unclean stop: two messages in flight
  }
  {
    auto other = config(true);
    other.topic = "elsewhere";
    auto refused = ShipPositions::open(other);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("topic 'logs'"), std::string::npos);
    other = config(true);
    other.brokers = "c:3";
    refused = ShipPositions::open(other);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("brokers"), std::string::npos);
  }
  auto p = open(config(true));
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->unclean());
  EXPECT_EQ(p->ship_id(), id);
  EXPECT_EQ(p->lines_in_flight_at_last_save(), 3u);
  EXPECT_EQ(p->readback_offsets()[1], 10);
  // The read-back found the second message of file 3 (ending at 200) persisted.
  EXPECT_EQ(p->advance_to({{{source_key_hash("k"), 3}, {200, 2}}, {{source_key_hash("k"), 9}, {1, 1}}}), 2u);
  auto entries = p->take_source(0, "k");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].first, 3u);
  EXPECT_EQ(entries[0].second.offset, 200u);
  EXPECT_EQ(entries[0].second.lines, 2u);
  EXPECT_EQ(p->file(0, 3)->acked.offset, 200u);
  // Another process cannot share the directory while this one holds it.
  EXPECT_FALSE(ShipPositions::open(config(true)));
}

TEST_F(ShipPositionsTest, ACorruptCheckpointIsRefusedAndKept) {
  fs::create_directories(dir_ + "/ck");
  {
    std::ofstream out(dir_ + "/ck/ship.checkpoint", std::ios::binary);
    out << "LOGANSH\x01garbage";
  }
  auto p = ShipPositions::open(config());
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("ship.checkpoint"), std::string::npos);
  EXPECT_EQ(fs::file_size(dir_ + "/ck/ship.checkpoint"), 15u);
}

TEST_F(ShipPositionsTest, SourcesNotInThisRunKeepTheirFiles) {
  {
    auto p = open(config());
    p->take_source(0, "a");
    p->take_source(1, "b");
    Status saved = Ok{};
    p->add(0, batch(1, 0, 0, 10, 1), 0, &saved);
    p->add(1, batch(1, 0, 0, 20, 1), 0, &saved);
    ASSERT_TRUE(p->save(true));
  }
  {
    auto p = open(config());
    p->take_source(0, "b");  // "a" is not followed this time
    ASSERT_TRUE(p->save(true));
  }
  ShipCheckpoint c = on_disk();
  ASSERT_EQ(c.files.size(), 2u);
  EXPECT_EQ(c.files["a"][0].second.acked.offset, 10u);
  EXPECT_EQ(c.files["b"][0].second.acked.offset, 20u);
}

}  // namespace
}  // namespace logan
