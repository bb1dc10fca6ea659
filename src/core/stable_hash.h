// Hashes that are the same in every process, build and machine, for values that are written
// down or sent elsewhere (file fingerprints in checkpoints, HyperLogLog states between MPI
// ranks), unlike absl::Hash, which is seeded per process.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace logan {

// 64-bit FNV-1a.
constexpr uint64_t fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// FNV-1a with a finalizer (MurmurHash3's fmix64) that spreads every input bit over the whole
// word, for uses that read the top bits (HyperLogLog's register index).
constexpr uint64_t mixed_hash64(std::string_view bytes) {
  uint64_t h = fnv1a64(bytes);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace logan
