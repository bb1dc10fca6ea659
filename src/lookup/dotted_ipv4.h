// parse_dotted_ipv4(): dotted IPv4 text ("10.1.2.3") to its 32-bit value, inline, for the
// lookup of every log line's client (parse_ip_address() in ip_address.h takes every spelling
// and calls this first). Four parts of one to three digits, each at most 255; leading zeros
// are allowed ("010.1.2.3"), nothing else is.
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace logan {

#if defined(__SSE2__)

// Without a branch per digit (the lengths of the parts are random in a log, so branches on
// them are mispredicted): the text in one vector, its dots and digits as bit masks, the parts'
// ends from the dots, and each part from the three bytes before its end.
inline bool parse_dotted_ipv4(std::string_view s, uint32_t& out) {
  const size_t n = s.size();
  if (n - 7 > 8) return false;  // 7 to 15 bytes
  const char* p = s.data();
  // The n bytes, zero after them, read without reading past them.
  uint64_t lo, hi = 0;
  if (n >= 8) {
    std::memcpy(&lo, p, 8);
    if (n > 8) {
      std::memcpy(&hi, p + n - 8, 8);
      hi >>= 8 * (16 - n);
    }
  } else {
    uint32_t first, last;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + 3, 4);
    lo = first | static_cast<uint64_t>(last) << 24;
  }
  const __m128i text = _mm_unpacklo_epi64(_mm_cvtsi64_si128(static_cast<long long>(lo)),
                                          _mm_cvtsi64_si128(static_cast<long long>(hi)));
  const __m128i digits = _mm_sub_epi8(text, _mm_set1_epi8('0'));
  // Unsigned d <= 9: min(d, 9) == d.
  const __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(digits, _mm_set1_epi8(9)), digits);
  const __m128i is_dot = _mm_cmpeq_epi8(text, _mm_set1_epi8('.'));
  const auto digit_mask = static_cast<uint32_t>(_mm_movemask_epi8(is_digit));
  const auto dot_mask = static_cast<uint32_t>(_mm_movemask_epi8(is_dot));
  const uint32_t all = (1u << n) - 1;
  const uint32_t after_first = dot_mask & (dot_mask - 1);
  const uint32_t after_second = after_first & (after_first - 1);
  // Only digits and dots, and exactly three dots.
  if (((digit_mask | dot_mask) & all) != all || after_second == 0 || (after_second & (after_second - 1)) != 0) {
    return false;
  }
  // The parts' ends (exclusive) and lengths, each 1 to 3.
  const auto e0 = static_cast<unsigned>(__builtin_ctz(dot_mask));
  const auto e1 = static_cast<unsigned>(__builtin_ctz(after_first));
  const auto e2 = static_cast<unsigned>(__builtin_ctz(after_second));
  const auto e3 = static_cast<unsigned>(n);
  const unsigned l0 = e0, l1 = e1 - e0 - 1, l2 = e2 - e1 - 1, l3 = e3 - e2 - 1;
  if ((l0 - 1 > 2) | (l1 - 1 > 2) | (l2 - 1 > 2) | (l3 - 1 > 2)) return false;
  // Digit values, dots as 0, as one 128-bit number: byte i is the value at i.
  const __m128i values = _mm_and_si128(digits, is_digit);
  const auto w = static_cast<unsigned __int128>(static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(values, values))))
                     << 64 |
                 static_cast<uint64_t>(_mm_cvtsi128_si64(values));
  // From the three bytes before a part's end (hundreds, tens, ones): a part of two digits has
  // a dot (0) before them; one of one digit a dot, then the previous part's last digit.
  auto part = [](uint32_t t, unsigned length) {
    if (length == 1) t &= 0xff0000;
    return (t & 0xff) * 100 + ((t >> 8) & 0xff) * 10 + (t >> 16);
  };
  // The first part has no three bytes before its end when shorter: shifted up, zeros come in.
  const uint32_t o0 = part(static_cast<uint32_t>(static_cast<uint64_t>(w) << (8 * (3 - e0))) & 0xffffff, l0);
  const uint32_t o1 = part(static_cast<uint32_t>(w >> (8 * (e1 - 3))) & 0xffffff, l1);
  const uint32_t o2 = part(static_cast<uint32_t>(w >> (8 * (e2 - 3))) & 0xffffff, l2);
  const uint32_t o3 = part(static_cast<uint32_t>(w >> (8 * (e3 - 3))) & 0xffffff, l3);
  if ((o0 | o1 | o2 | o3) > 255) return false;
  out = o0 << 24 | o1 << 16 | o2 << 8 | o3;
  return true;
}

#else

inline bool parse_dotted_ipv4(std::string_view s, uint32_t& out) {
  if (s.size() < 7 || s.size() > 15) return false;
  const char* p = s.data();
  const char* end = p + s.size();
  uint32_t value = 0;
  for (int part = 0; part < 4; ++part) {
    // One to three digits, then '.' (or the end after the fourth).
    if (p == end) return false;  // "1.2.3.": nothing after the last dot
    unsigned d0 = static_cast<unsigned char>(*p) - '0';
    if (d0 > 9) return false;
    uint32_t octet = d0;
    ++p;
    for (int more = 0; more < 2 && p < end; ++more) {
      unsigned d = static_cast<unsigned char>(*p) - '0';
      if (d > 9) break;
      octet = octet * 10 + d;
      ++p;
    }
    if (octet > 255) return false;
    value = (value << 8) | octet;
    if (part < 3) {
      if (p >= end || *p != '.') return false;
      ++p;
    }
  }
  if (p != end) return false;
  out = value;
  return true;
}

#endif

}  // namespace logan
