// Tests for CidrTable: longest-prefix matching over IPv4 and IPv6 with nested and adjacent
// networks, /0, host routes, the ends of the address space, and a randomized comparison with
// a brute-force search.
#include "lookup/cidr_table.h"

#include <gtest/gtest.h>

#include <random>

namespace logan {
namespace {

CidrTable table(const std::vector<std::string>& nets) {
  std::vector<std::pair<IpPrefix, int32_t>> prefixes;
  for (size_t i = 0; i < nets.size(); ++i) {
    auto p = parse_ip_prefix(nets[i]);
    EXPECT_TRUE(p) << nets[i];
    prefixes.emplace_back(*p, static_cast<int32_t>(i));
  }
  auto t = CidrTable::build(prefixes);
  EXPECT_TRUE(t) << (t ? "" : t.error().message);
  return std::move(t.value());
}

int32_t find(const CidrTable& t, const char* address) { return t.find(*parse_ip_address(address)); }

TEST(CidrTableTest, LongestOfOverlappingIpv4PrefixesWins) {
  CidrTable t = table({"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "10.200.0.0/16"});
  EXPECT_EQ(find(t, "10.0.0.0"), 0);
  EXPECT_EQ(find(t, "10.0.255.255"), 0);
  EXPECT_EQ(find(t, "10.1.0.0"), 1);
  EXPECT_EQ(find(t, "10.1.1.255"), 1);
  EXPECT_EQ(find(t, "10.1.2.0"), 2);
  EXPECT_EQ(find(t, "10.1.2.2"), 2);
  EXPECT_EQ(find(t, "10.1.2.3"), 3);
  EXPECT_EQ(find(t, "10.1.2.4"), 2);
  EXPECT_EQ(find(t, "10.1.2.255"), 2);
  EXPECT_EQ(find(t, "10.1.3.0"), 1);
  EXPECT_EQ(find(t, "10.2.0.0"), 0);
  EXPECT_EQ(find(t, "10.200.5.5"), 4);
  EXPECT_EQ(find(t, "10.255.255.255"), 0);
  EXPECT_EQ(find(t, "9.255.255.255"), CidrTable::kNoRow);
  EXPECT_EQ(find(t, "11.0.0.0"), CidrTable::kNoRow);
  EXPECT_EQ(find(t, "::ffff:10.1.2.3"), 3);
}

TEST(CidrTableTest, DefaultRoutesAndTheEndsOfTheAddressSpace) {
  CidrTable t = table({"0.0.0.0/0", "255.255.255.255/32", "0.0.0.0/32", "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
                       "::/128"});
  EXPECT_EQ(find(t, "0.0.0.0"), 2);
  EXPECT_EQ(find(t, "0.0.0.1"), 0);
  EXPECT_EQ(find(t, "255.255.255.254"), 0);
  EXPECT_EQ(find(t, "255.255.255.255"), 1);
  EXPECT_EQ(find(t, "::"), 5);
  EXPECT_EQ(find(t, "::1"), 3);
  EXPECT_EQ(find(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), 3);
  EXPECT_EQ(find(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 4);
}

TEST(CidrTableTest, Ipv6PrefixesAndFamiliesApart) {
  CidrTable t = table({"2001:db8::/32", "2001:db8:1::/48", "2001:db8:1:2::/64", "10.0.0.0/8"});
  EXPECT_EQ(find(t, "2001:db8::1"), 0);
  EXPECT_EQ(find(t, "2001:db8:1::1"), 1);
  EXPECT_EQ(find(t, "2001:db8:1:2:ffff::"), 2);
  EXPECT_EQ(find(t, "2001:db8:1:3::"), 1);
  EXPECT_EQ(find(t, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), 0);
  EXPECT_EQ(find(t, "2001:db9::"), CidrTable::kNoRow);
  EXPECT_EQ(find(t, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"), CidrTable::kNoRow);
  EXPECT_EQ(find(t, "::a00:1"), CidrTable::kNoRow);  // IPv4-compatible is IPv6: not 10.0.0.1
}

TEST(CidrTableTest, AdjacentNetworksAndAnEmptyTable) {
  CidrTable t = table({"10.0.0.0/9", "10.128.0.0/9"});
  EXPECT_EQ(find(t, "10.127.255.255"), 0);
  EXPECT_EQ(find(t, "10.128.0.0"), 1);
  CidrTable empty = table({});
  EXPECT_EQ(find(empty, "10.0.0.1"), CidrTable::kNoRow);
  EXPECT_EQ(find(empty, "::1"), CidrTable::kNoRow);
}

TEST(CidrTableTest, ANetworkListedTwiceIsAnError) {
  auto p = *parse_ip_prefix("10.0.0.0/8");
  auto t = CidrTable::build({{p, 0}, {*parse_ip_prefix("10.0.0.0/16"), 1}, {p, 2}});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message, "network 10.0.0.0/8 is listed twice");
  auto v6 = CidrTable::build({{*parse_ip_prefix("2001:db8::/32"), 0}, {*parse_ip_prefix("2001:db8::/32"), 1}});
  ASSERT_FALSE(v6);
  EXPECT_EQ(v6.error().message, "network 2001:db8:0:0:0:0:0:0/32 is listed twice");
}

TEST(CidrTableTest, AgreesWithABruteForceSearchOnRandomNestedPrefixes) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::pair<IpPrefix, int32_t>> prefixes;
    std::vector<std::pair<uint32_t, int>> nets;  // (network, length)
    for (int i = 0; i < 300; ++i) {
      // Few distinct high bits, so that prefixes nest and overlap a lot.
      uint32_t base = static_cast<uint32_t>(rng()) & 0xC3FFFFFFu;
      int length = static_cast<int>(rng() % 33);
      uint32_t mask = length == 0 ? 0 : ~0u << (32 - length);
      base &= mask;
      bool dup = false;
      for (auto& n : nets) dup |= n.first == base && n.second == length;
      if (dup) continue;
      nets.emplace_back(base, length);
      prefixes.push_back({IpPrefix{IpAddress{true, base}, length}, static_cast<int32_t>(prefixes.size())});
    }
    auto t = CidrTable::build(prefixes);
    ASSERT_TRUE(t);
    uint32_t batch[CidrTable::kBatch];
    int32_t want_batch[CidrTable::kBatch];
    size_t batched = 0;
    for (int probe = 0; probe < 3000; ++probe) {
      uint32_t a = static_cast<uint32_t>(rng()) & 0xC3FFFFFFu;
      if (probe % 3 == 0) {  // near a network's edges
        const auto& n = nets[rng() % nets.size()];
        uint32_t size = n.second == 0 ? 0 : (1u << (32 - n.second)) - 1;
        a = (rng() & 1) ? n.first + size + (rng() % 2) : n.first - (rng() % 2);
      }
      int32_t want = CidrTable::kNoRow;
      int best = -1;
      for (size_t i = 0; i < nets.size(); ++i) {
        uint32_t mask = nets[i].second == 0 ? 0 : ~0u << (32 - nets[i].second);
        if ((a & mask) == nets[i].first && nets[i].second > best) {
          best = nets[i].second;
          want = static_cast<int32_t>(i);
        }
      }
      ASSERT_EQ(t->find(IpAddress{true, a}), want) << a;
      // The lockstep search of a batch gives the same answers.
      batch[batched] = a;
      want_batch[batched++] = want;
      if (batched == CidrTable::kBatch || probe == 2999) {
        int32_t got[CidrTable::kBatch];
        t->find_v4_batch(batch, batched, got);
        for (size_t i = 0; i < batched; ++i) ASSERT_EQ(got[i], want_batch[i]) << batch[i];
        batched = 0;
      }
    }
  }
}

}  // namespace
}  // namespace logan
