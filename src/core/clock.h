// The clocks logan reads, in milliseconds: steady_ms() for intervals and deadlines (never
// jumps), wall_ms() for what is written down (checkpoints, windows). One place, so that every
// component reads time the same way.
// Thread-safety: pure functions of the system clocks.
#pragma once

#include <chrono>
#include <cstdint>

namespace logan {

inline int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace logan
