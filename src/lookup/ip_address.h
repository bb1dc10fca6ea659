// IpAddress: an IPv4 or IPv6 address as a number, parsed from text without allocating (the
// client field of every line goes through it). IPv4-mapped IPv6 addresses (::ffff:10.1.2.3)
// are taken as the IPv4 address they carry, so both spellings find the same lookup row.
// Thread-safety: pure functions and plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logan {

using Uint128 = unsigned __int128;

struct IpAddress {
  bool v4 = true;
  Uint128 bits = 0;  // the address, right-aligned (an IPv4 address is below 2^32)
  bool operator==(const IpAddress&) const = default;
};

// The address `text` spells (dotted IPv4, or IPv6 in any RFC 4291 form, with an optional
// zone "%eth0" ignored), or nullopt.
std::optional<IpAddress> parse_ip_address(std::string_view text);

// A network: the address with its host bits zero, and the prefix length.
struct IpPrefix {
  IpAddress address;
  int length = 0;  // 0..32 for IPv4, 0..128 for IPv6
};

// "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128). An address with host bits
// set below its length ("10.1.0.0/8") is refused, as PostgreSQL's cidr type does. An
// IPv4-mapped IPv6 network of length >= 96 is taken as the IPv4 network it covers.
// On failure, `why` says what is wrong.
std::optional<IpPrefix> parse_ip_prefix(std::string_view text, std::string* why = nullptr);

}  // namespace logan
