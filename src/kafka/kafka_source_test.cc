#include "kafka/kafka_source.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

TEST(KafkaSpecTest, ParsesBrokersTopicGroupAndStart) {
  auto s = parse_kafka_spec("kafka://a:9092,b:9092/access?group=logan&offset=latest");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->brokers, "a:9092,b:9092");
  EXPECT_EQ(s->topic, "access");
  EXPECT_EQ(s->group, "logan");
  EXPECT_EQ(s->start, KafkaStart::kLatest);
  auto d = parse_kafka_spec("kafka://h:1/t?group=g");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->start, KafkaStart::kCommitted);
}

TEST(KafkaSpecTest, RefusesWhatItCannotUse) {
  for (const char* bad : {"kafka://h:1/t", "kafka://h:1/t?group=", "kafka://h:1?group=g",
                          "kafka:///t?group=g", "kafka://h:1/t/u?group=g",
                          "kafka://h:1/t?group=g&offset=middle", "kafka://h:1/t?group=g&colour=red"}) {
    EXPECT_FALSE(parse_kafka_spec(bad)) << bad;
  }
  auto s = parse_kafka_spec("kafka://h:1/t");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("group"), std::string::npos);
}

}  // namespace
}  // namespace logan
