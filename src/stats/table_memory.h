// Zero-filled arrays for hash tables and other large, randomly probed arrays. Small ones come
// from calloc; from 1 MiB on they are mapped on their own, aligned to 2 MiB and marked for
// transparent huge pages (madvise), because a table probed at random addresses otherwise
// misses the TLB on almost every probe: a 16 MiB table spans 4,096 pages of 4 KiB, more than
// the CPU's TLB holds, and 8 pages of 2 MiB. Where the kernel gives no huge pages the arrays
// work the same, on small pages. Memory is zero until written (mmap's pages, calloc).
// Thread-safety: the functions are thread-safe; an array belongs to its owner.
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>

namespace logan {

namespace table_memory {
constexpr size_t kMappedFrom = size_t{1} << 20;
constexpr size_t kHugePage = size_t{2} << 20;
// `bytes` of zeroes, or null when the system has no memory for them.
void* allocate_zeroed(size_t bytes);
void release(void* p, size_t bytes);
}  // namespace table_memory

// Frees an array made by make_zeroed_array().
struct ZeroedArrayFree {
  size_t bytes = 0;
  void operator()(void* p) const { table_memory::release(p, bytes); }
};

template <typename T>
using ZeroedArray = std::unique_ptr<T[], ZeroedArrayFree>;

// `n` elements whose bytes are all zero. REQUIRES: T is an implicit-lifetime type for which
// zero bytes are a valid value (plain structs of integers). Throws std::bad_alloc when out of
// memory, as new does.
template <typename T>
ZeroedArray<T> make_zeroed_array(size_t n) {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
  const size_t bytes = n * sizeof(T);
  void* p = table_memory::allocate_zeroed(bytes);
  if (p == nullptr && bytes > 0) throw std::bad_alloc();
  return ZeroedArray<T>(static_cast<T*>(p), ZeroedArrayFree{bytes});
}

}  // namespace logan
