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

// Position of the first `c` in `text` at or after `pos`, or npos.
inline size_t find_byte(std::string_view text, size_t pos, char c) {
  const char* base = text.data();
  const size_t end = text.size();
  size_t i = pos;
#if defined(__SSE2__)
  if (end >= 16) {
    const __m128i needle = _mm_set1_epi8(c);
    for (; i + 16 <= end; i += 16) {
      __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i));
      int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(block, needle));
      if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
    if (i >= end) return std::string_view::npos;
    // Fewer than 16 bytes left: the 16 that end the view, with the bytes before i masked off
    // (a field that ends its line, the user agent most often, needs no byte-by-byte tail).
    const size_t start = end - 16;
    __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + start));
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, needle))) >> (i - start);
    return mask != 0 ? i + static_cast<size_t>(__builtin_ctz(mask)) : std::string_view::npos;
  }
#endif
  for (; i < end; ++i) {
    if (base[i] == c) return i;
  }
  return std::string_view::npos;
}

// Position of the first `c` in `text` at or after `pos`, when no `stop` comes before it; else
// npos. (A field of a line read in place, which must not run past the line's '\n'.)
inline size_t find_byte_before(std::string_view text, size_t pos, char c, char stop) {
  const char* base = text.data();
  const size_t end = text.size();
  size_t i = pos;
#if defined(__SSE2__)
  if (end >= 16) {
    const __m128i needle = _mm_set1_epi8(c);
    const __m128i stops = _mm_set1_epi8(stop);
    auto first = [&](size_t at, unsigned skip) -> size_t {
      __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + at));
      auto mask = static_cast<unsigned>(_mm_movemask_epi8(
                      _mm_or_si128(_mm_cmpeq_epi8(block, needle), _mm_cmpeq_epi8(block, stops)))) >>
                  skip;
      return mask == 0 ? std::string_view::npos : at + skip + static_cast<size_t>(__builtin_ctz(mask));
    };
    for (; i + 16 <= end; i += 16) {
      const size_t at = first(i, 0);
      if (at != std::string_view::npos) return base[at] == c ? at : std::string_view::npos;
    }
    if (i >= end) return std::string_view::npos;
    // The 16 bytes that end the view, those before i masked off, as find_byte() does.
    const size_t start = end - 16;
    const size_t at = first(start, static_cast<unsigned>(i - start));
    return at != std::string_view::npos && base[at] == c ? at : std::string_view::npos;
  }
#endif
  for (; i < end; ++i) {
    if (base[i] == c) return i;
    if (base[i] == stop) return std::string_view::npos;
  }
  return std::string_view::npos;
}

}  // namespace logan
