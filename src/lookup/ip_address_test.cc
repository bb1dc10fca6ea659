// Tests for IP address and prefix parsing: forms, IPv4-mapped IPv6, and what is refused.
#include "lookup/ip_address.h"

#include <gtest/gtest.h>

#include <random>

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

// The rule for dotted IPv4, spelled plainly: four parts of 1 to 3 digits, each at most 255.
std::optional<uint32_t> reference_v4(const std::string& s) {
  uint32_t value = 0;
  size_t start = 0;
  for (int part = 0; part < 4; ++part) {
    size_t end = part < 3 ? s.find('.', start) : s.size();
    if (end == std::string::npos || end == start || end - start > 3) return std::nullopt;
    uint32_t octet = 0;
    for (size_t i = start; i < end; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      octet = octet * 10 + static_cast<uint32_t>(s[i] - '0');
    }
    if (octet > 255) return std::nullopt;
    value = value << 8 | octet;
    start = end + 1;
  }
  return value;
}

void expect_plain_rule(const std::string& s) {
  auto got = parse_ip_address(s);
  auto want = reference_v4(s);
  ASSERT_EQ(got.has_value(), want.has_value()) << s;
  if (want) {
    ASSERT_TRUE(got->v4) << s;
    ASSERT_EQ(static_cast<uint32_t>(got->bits), *want) << s;
  }
}

TEST(IpAddressTest, Ipv4AgreesWithThePlainRuleOnRandomText) {
  std::mt19937_64 rng(3);
  const std::string alphabet = "0123456789..2x";
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    size_t n = rng() % 17;
    for (size_t j = 0; j < n; ++j) s += alphabet[rng() % alphabet.size()];
    ASSERT_NO_FATAL_FAILURE(expect_plain_rule(s));
  }
}

TEST(IpAddressTest, Ipv4AgreesWithThePlainRuleOnNearAddresses) {
  // Addresses with parts of 1 to 4 digits (leading zeros too), some with one byte changed to
  // a dot, a digit, a letter or a byte above 127: every length and every edge of a part.
  std::mt19937_64 rng(5);
  for (int i = 0; i < 300000; ++i) {
    std::string s;
    for (int part = 0; part < 4; ++part) {
      if (part) s += '.';
      const size_t digits = 1 + rng() % (i % 7 == 0 ? 4 : 3);
      const uint64_t value = rng() % (digits == 1 ? 10 : digits == 2 ? 100 : 300);
      std::string text = std::to_string(value);
      while (text.size() < digits) text.insert(text.begin(), '0');
      s += text.substr(text.size() - digits);
    }
    if (i % 3 == 0) s[rng() % s.size()] = ".7a\xb7"[rng() % 4];
    ASSERT_NO_FATAL_FAILURE(expect_plain_rule(s));
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
