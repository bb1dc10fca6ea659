// The per-process seed of hash_key(); see string_hash.h.
#include "stats/string_hash.h"

#include <cstdint>
#include <random>

namespace logan::hash_detail {

uint64_t process_seed() {
  uint64_t seed = 0;
  try {
    std::random_device device;
    seed = (static_cast<uint64_t>(device()) << 32) ^ device();
  } catch (...) {
    // No entropy source: the address of a local differs between runs under ASLR.
    int local = 0;
    seed = fold(reinterpret_cast<uintptr_t>(&local), kOdd1);
  }
  return seed != 0 ? seed : kOdd3;
}

}  // namespace logan::hash_detail
