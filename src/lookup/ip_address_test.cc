// Tests for IP address and prefix parsing: forms, IPv4-mapped IPv6, and what is refused.
#include "lookup/ip_address.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

TEST(IpAddressTest, ParsesIpv4AndIpv6) {
  auto a = parse_ip_address("10.1.2.3");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->v4);
  EXPECT_EQ(static_cast<uint32_t>(a->bits), 0x0a010203u);
  auto b = parse_ip_address("2001:db8::1");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->v4);
  EXPECT_EQ(static_cast<uint64_t>(b->bits >> 64), 0x20010db800000000ull);
  EXPECT_EQ(static_cast<uint64_t>(b->bits), 1u);
  EXPECT_TRUE(parse_ip_address("fe80::1%eth0"));
  EXPECT_TRUE(parse_ip_address("255.255.255.255"));
}

TEST(IpAddressTest, Ipv4MappedIpv6IsTheIpv4Address) {
  EXPECT_EQ(parse_ip_address("::ffff:10.1.2.3"), parse_ip_address("10.1.2.3"));
  EXPECT_EQ(parse_ip_address("::FFFF:a01:203"), parse_ip_address("10.1.2.3"));
  EXPECT_FALSE(parse_ip_address("::10.1.2.3")->v4);  // compatible, not mapped
}

TEST(IpAddressTest, RefusesWhatIsNoAddress) {
  for (const char* bad : {"", "10.1.2", "10.1.2.3.4", "256.1.1.1", "1.2.3.04x", "01234.1.1.1", "host.example",
                          "1.2.3.", ".1.2.3", "::g", "1:2:3:4:5:6:7:8:9", "-"}) {
    EXPECT_FALSE(parse_ip_address(bad)) << bad;
  }
}

TEST(IpAddressTest, ParsesPrefixes) {
  auto p = parse_ip_prefix("10.0.0.0/8");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->length, 8);
  EXPECT_EQ(parse_ip_prefix("10.1.2.3")->length, 32);
  EXPECT_EQ(parse_ip_prefix("2001:db8::/32")->length, 32);
  EXPECT_EQ(parse_ip_prefix("::/0")->length, 0);
  EXPECT_EQ(parse_ip_prefix("0.0.0.0/0")->length, 0);
  auto mapped = parse_ip_prefix("::ffff:10.0.0.0/104");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->address.v4);
  EXPECT_EQ(mapped->length, 8);
}

TEST(IpAddressTest, RefusesBadPrefixesSayingWhy) {
  std::string why;
  EXPECT_FALSE(parse_ip_prefix("10.1.0.0/8", &why));
  EXPECT_EQ(why, "host bits set after the prefix length");
  EXPECT_FALSE(parse_ip_prefix("10.0.0.0/33", &why));
  EXPECT_EQ(why, "prefix length too long");
  EXPECT_FALSE(parse_ip_prefix("2001:db8::/129", &why));
  EXPECT_FALSE(parse_ip_prefix("10.0.0.0/", &why));
  EXPECT_FALSE(parse_ip_prefix("10.0.0.0/x", &why));
  EXPECT_FALSE(parse_ip_prefix("ten/8", &why));
  EXPECT_EQ(why, "not an IP address");
  EXPECT_FALSE(parse_ip_prefix("::ffff:10.0.0.0/95", &why));
}

}  // namespace
}  // namespace logan
