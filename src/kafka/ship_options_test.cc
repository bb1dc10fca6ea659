#include "kafka/ship_options.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

TEST(ShipOptionsTest, ByteSizes) {
  const std::vector<std::pair<std::string, std::optional<uint64_t>>> cases = {
      {"0", 0},
      {"65536", 65536},
      {"100b", 100},
      {"512KiB", 512 << 10},
      {"512k", 512 << 10},
      {"64MiB", 64ull << 20},
      {"64mb", 64ull << 20},
      {"2GiB", 2ull << 30},
      {"", std::nullopt},
      {"MiB", std::nullopt},
      {"1.5MiB", std::nullopt},
      {"-1", std::nullopt},
      {"64 MiB", std::nullopt},
      {"64TiB", std::nullopt},
      {"99999999999999999999999", std::nullopt},
      {"2000000GiB", std::nullopt},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(parse_byte_size(text), want) << text;
}

TEST(ShipOptionsTest, Properties) {
  auto p = parse_property("acks=all");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->first, "acks");
  EXPECT_EQ(p->second, "all");
  auto with_eq = parse_property("sasl.jaas.config=a=b");
  ASSERT_TRUE(with_eq);
  EXPECT_EQ(with_eq->first, "sasl.jaas.config");
  EXPECT_EQ(with_eq->second, "a=b");
  auto empty_value = parse_property("client.rack=");
  ASSERT_TRUE(empty_value);
  EXPECT_EQ(empty_value->second, "");
  for (const char* bad : {"acks", "=all", ""}) {
    auto r = parse_property(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("NAME=VALUE"), std::string::npos);
  }
}

}  // namespace
}  // namespace logan
