// hash_key(): a fast 64-bit hash of a short byte string (client addresses, endpoints), for the
// statistics' own hash tables. Keys are mostly 7 to 60 bytes: they are read 8 or 16 bytes at a
// time with unaligned loads and folded by 64x64->128-bit multiplies. The seed is chosen at
// random once per process, so that logged URLs cannot be crafted to collide; hashes are
// therefore never stored or sent anywhere, only used inside one process.
// Thread-safety: pure function after the seed's thread-safe one-time initialization.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace logan {
namespace hash_detail {

inline uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint64_t load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Folds two words into one: the two halves of their 128-bit product, xored.
inline uint64_t fold(uint64_t a, uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

constexpr uint64_t kOdd1 = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t kOdd2 = 0xd6e8feb86659fd93ULL;
constexpr uint64_t kOdd3 = 0xa0761d6478bd642fULL;

// The per-process seed (random, never zero).
uint64_t process_seed();

}  // namespace hash_detail

inline uint64_t hash_key(std::string_view key) {
  using namespace hash_detail;
  static const uint64_t seed = process_seed();
  const char* p = key.data();
  size_t n = key.size();
  uint64_t state = seed ^ (n * kOdd1);
  uint64_t a;
  uint64_t b;
  if (n <= 16) {
    if (n >= 8) {
      a = load64(p);
      b = load64(p + n - 8);
    } else if (n >= 4) {
      a = load32(p);
      b = load32(p + n - 4);
    } else if (n > 0) {
      const auto byte = [p](size_t i) { return static_cast<uint64_t>(static_cast<uint8_t>(p[i])); };
      a = (byte(0) << 16) | (byte(n >> 1) << 8) | byte(n - 1);
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    while (n > 16) {
      state = fold(load64(p) ^ kOdd2, load64(p + 8) ^ state);
      p += 16;
      n -= 16;
    }
    // The last 16 bytes, overlapping what the loop took when the length is not a multiple.
    a = load64(p + n - 16);
    b = load64(p + n - 8);
  }
  return fold(a ^ kOdd2, b ^ state ^ kOdd3) ^ state;
}

}  // namespace logan
