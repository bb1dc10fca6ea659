#include "kafka/log_shipper.h"

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace logan {
namespace {

// librdkafka's mock cluster, in this process, with a topic "logs" of 4 partitions.
class MockCluster {
 public:
  MockCluster() {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);  // no bootstrap.servers: fine
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    cluster_ = rd_kafka_mock_cluster_new(rk_, 3);
    rd_kafka_mock_topic_create(cluster_, "logs", 4, 3);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(rk_);
  }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  rd_kafka_mock_cluster_t* get() { return cluster_; }

 private:
  rd_kafka_t* rk_;
  rd_kafka_mock_cluster_t* cluster_;
};

class Warnings {
 public:
  LogShipper::Warn sink() {
    return [this](const std::string& m) {
      std::lock_guard lock(mu_);
      all_.push_back(m);
    };
  }
  bool any_contains(const std::string& part) {
    std::lock_guard lock(mu_);
    for (const auto& w : all_) {
      if (w.find(part) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> all_;
};

std::unique_ptr<LineBatch> batch_of(int first, int count, size_t width = 100) {
  auto b = std::make_unique<LineBatch>();
  std::string text;
  for (int i = first; i < first + count; ++i) {
    std::string line = "line " + std::to_string(i) + " ";
    line.resize(width, 'x');
    text += line + "\n";
  }
  b->data.assign(text);
  return b;
}

ShipOptions options_for(const std::string& brokers) {
  ShipOptions o;
  o.brokers = brokers;
  o.topic = "logs";
  o.key = "host";
  o.flush_timeout_ms = 30000;
  return o;
}

void expect_every_line_accounted(const ShipCounts& c) {
  EXPECT_EQ(c.delivered + c.dropped + c.failed + c.unsent, c.read);
}

TEST(LogShipperTest, DeliversEveryLineToAMockCluster) {
  MockCluster cluster;
  Warnings warnings;
  ShipOptions o = options_for(cluster.bootstraps());
  o.limits.max_bytes = 4096;
  auto shipper = LogShipper::create(o, warnings.sink());
  ASSERT_TRUE(shipper) << shipper.error().message;
  for (int i = 0; i < 10; ++i) (*shipper)->emit(batch_of(i * 1000, 1000));
  ShipCounts c = (*shipper)->finish();
  EXPECT_EQ(c.read, 10000u);
  EXPECT_EQ(c.delivered, 10000u);
  EXPECT_TRUE(c.all_delivered());
}

TEST(LogShipperTest, DeliversWhatWasBufferedWhileTheBrokersWereDown) {
  MockCluster cluster;
  Warnings warnings;
  ShipOptions o = options_for(cluster.bootstraps());
  o.properties = {{"reconnect.backoff.max.ms", "200"}};
  auto shipper = LogShipper::create(o, warnings.sink());
  ASSERT_TRUE(shipper);
  (*shipper)->emit(batch_of(0, 100));
  rd_kafka_mock_broker_set_down(cluster.get(), -1);
  (*shipper)->emit(batch_of(100, 100));
  rd_kafka_mock_broker_set_up(cluster.get(), -1);
  (*shipper)->emit(batch_of(200, 100));
  ShipCounts c = (*shipper)->finish();
  EXPECT_EQ(c.read, 300u);
  EXPECT_EQ(c.delivered, 300u);
}

TEST(LogShipperTest, DropPolicyCountsDroppedLinesWhenNoBrokerAnswers) {
  Warnings warnings;
  ShipOptions o = options_for("127.0.0.1:1");
  o.buffer_bytes = 8 * 1024;
  o.limits.max_bytes = 2048;
  o.on_full = OverflowPolicy::kDrop;
  o.flush_timeout_ms = 200;
  auto shipper = LogShipper::create(o, warnings.sink());
  ASSERT_TRUE(shipper);
  for (int i = 0; i < 20; ++i) (*shipper)->emit(batch_of(i * 100, 100));
  ShipCounts c = (*shipper)->finish();
  EXPECT_EQ(c.read, 2000u);
  EXPECT_EQ(c.delivered, 0u);
  EXPECT_GT(c.dropped, 0u);
  EXPECT_GT(c.unsent, 0u);  // what the buffer held when the flush timeout passed
  expect_every_line_accounted(c);
  EXPECT_FALSE(c.all_delivered());
  EXPECT_TRUE(warnings.any_contains("dropping lines"));
}

TEST(LogShipperTest, BlockPolicyWaitsForRoomUntilStopped) {
  Warnings warnings;
  ShipOptions o = options_for("127.0.0.1:1");
  o.buffer_bytes = 8 * 1024;
  o.limits.max_bytes = 2048;
  o.flush_timeout_ms = 0;
  auto shipper = LogShipper::create(o, warnings.sink());
  ASSERT_TRUE(shipper);
  LogShipper& s = **shipper;
  std::thread source([&s] {
    for (int i = 0; i < 20 && !s.stopping(); ++i) s.emit(batch_of(i * 100, 100));
  });
  s.stop();  // the blocked emit() gives up on what it holds and returns
  source.join();
  ShipCounts c = s.finish();
  EXPECT_EQ(c.dropped, 0u);
  EXPECT_EQ(c.delivered, 0u);
  EXPECT_EQ(c.unsent, c.read);
  expect_every_line_accounted(c);
}

TEST(LogShipperTest, RejectsBadProperties) {
  Warnings warnings;
  ShipOptions o = options_for("127.0.0.1:1");
  o.properties = {{"no.such.property", "1"}};
  auto unknown = LogShipper::create(o, warnings.sink());
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("-X no.such.property=1"), std::string::npos);
  o.properties = {{"acks", "sometimes"}};
  EXPECT_FALSE(LogShipper::create(o, warnings.sink()));
  o.properties = {{"message.max.bytes", "10000"}};
  o.limits.max_bytes = 20000;
  o.buffer_bytes = 1 << 20;
  auto too_big = LogShipper::create(o, warnings.sink());
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().message.find("message.max.bytes"), std::string::npos);
  o.properties.clear();
  o.buffer_bytes = 10000;
  auto small_buffer = LogShipper::create(o, warnings.sink());
  ASSERT_FALSE(small_buffer);
  EXPECT_NE(small_buffer.error().message.find("at least one message"), std::string::npos);
}

}  // namespace
}  // namespace logan
