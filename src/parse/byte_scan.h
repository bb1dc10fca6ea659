// find_byte(): the position of a byte in a short field, for the parser's hot path;
// find_byte_before(): the same, stopping at another byte (a line's end). Fields are
// mostly a few to a hundred bytes, where a call to memchr costs more than the search: SSE2
// (part of every x86-64) compares 16 bytes at a time, never reading past the view; the last
// bytes of a view of 16 or more are one load that overlaps bytes already searched.
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace logan {

namespace byte_scan_detail {

// Position of the first `c` in `text` at or after `pos`, or npos; with kStop, npos also when a
// `stop` comes first. (kStop is a template argument so that find_byte() compares each block
// once.)
template <bool kStop>
inline size_t find_first(std::string_view text, size_t pos, char c, char stop) {
  const char* base = text.data();
  const size_t end = text.size();
  size_t i = pos;
#if defined(__SSE2__)
  if (end >= 16) {
    const __m128i needle = _mm_set1_epi8(c);
    const __m128i stops = _mm_set1_epi8(stop);
    auto hits = [&](size_t at) {
      const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + at));
      __m128i found = _mm_cmpeq_epi8(block, needle);
      if constexpr (kStop) found = _mm_or_si128(found, _mm_cmpeq_epi8(block, stops));
      return static_cast<unsigned>(_mm_movemask_epi8(found));
    };
    // The first hit: `c`, or a `stop` that ends the search.
    auto verdict = [&](size_t at) {
      if constexpr (kStop) return base[at] == c ? at : std::string_view::npos;
      return at;
    };
    for (; i + 16 <= end; i += 16) {
      const unsigned mask = hits(i);
      if (mask != 0) return verdict(i + static_cast<size_t>(__builtin_ctz(mask)));
    }
    if (i >= end) return std::string_view::npos;
    // Fewer than 16 bytes left: the 16 that end the view, with the bytes before i masked off
    // (a field that ends its line, the user agent most often, needs no byte-by-byte tail).
    const size_t start = end - 16;
    const unsigned mask = hits(start) >> (i - start);
    return mask != 0 ? verdict(i + static_cast<size_t>(__builtin_ctz(mask))) : std::string_view::npos;
  }
#endif
  for (; i < end; ++i) {
    if (base[i] == c) return i;
    if (kStop && base[i] == stop) return std::string_view::npos;
  }
  return std::string_view::npos;
}

}  // namespace byte_scan_detail

// Position of the first `c` in `text` at or after `pos`, or npos.
inline size_t find_byte(std::string_view text, size_t pos, char c) {
  return byte_scan_detail::find_first<false>(text, pos, c, c);
}

// Position of the first `c` in `text` at or after `pos`, when no `stop` comes before it; else
// npos. (A field of a line read in place, which must not run past the line's '\n'.)
inline size_t find_byte_before(std::string_view text, size_t pos, char c, char stop) {
  return byte_scan_detail::find_first<true>(text, pos, c, stop);
}

}  // namespace logan
