// IP address and prefix parsing; see ip_address.h.
#include "lookup/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

#include "lookup/dotted_ipv4.h"

namespace logan {
namespace {

constexpr Uint128 kMappedPrefix = static_cast<Uint128>(0xffff) << 32;

}  // namespace

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // Most clients are IPv4: try that first, without scanning for ':'.
  if (uint32_t v4; parse_dotted_ipv4(text, v4)) return IpAddress{true, v4};
  if (text.find(':') == std::string_view::npos) return std::nullopt;
  if (size_t zone = text.find('%'); zone != std::string_view::npos) text = text.substr(0, zone);
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  unsigned char bytes[16];
  if (inet_pton(AF_INET6, buf, bytes) != 1) return std::nullopt;
  Uint128 bits = 0;
  for (unsigned char b : bytes) bits = (bits << 8) | b;
  if ((bits >> 32) == (kMappedPrefix >> 32)) return IpAddress{true, bits & 0xffffffffu};
  return IpAddress{false, bits};
}

std::optional<IpPrefix> parse_ip_prefix(std::string_view text, std::string* why) {
  auto fail = [&](const char* reason) -> std::optional<IpPrefix> {
    if (why) *why = reason;
    return std::nullopt;
  };
  size_t slash = text.find('/');
  auto address = parse_ip_address(text.substr(0, slash));
  if (!address) return fail("not an IP address");
  // An IPv4-mapped network is spelled with an IPv6 length; parse_ip_address() made it IPv4.
  const bool mapped = address->v4 && text.substr(0, slash).find(':') != std::string_view::npos;
  const int width = address->v4 && !mapped ? 32 : 128;
  int length = width;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return fail("bad prefix length");
    length = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return fail("bad prefix length");
      length = length * 10 + (c - '0');
    }
    if (length > width) return fail("prefix length too long");
  }
  if (mapped) {
    if (length < 96) return fail("an IPv4-mapped network must be /96 or longer");
    length -= 96;
  }
  const int bits = address->v4 ? 32 : 128;
  const int host_bits = bits - length;
  const Uint128 host_mask = host_bits == 0     ? Uint128{0}
                            : host_bits == 128 ? ~Uint128{0}
                                               : (static_cast<Uint128>(1) << host_bits) - 1;
  if (address->bits & host_mask) return fail("host bits set after the prefix length");
  return IpPrefix{*address, length};
}

}  // namespace logan
