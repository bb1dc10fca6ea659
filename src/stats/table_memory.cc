// Zero-filled arrays, large ones on huge pages; see table_memory.h.
#include "stats/table_memory.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

namespace logan::table_memory {
namespace {

size_t mapped_bytes(size_t bytes) { return (bytes + kHugePage - 1) & ~(kHugePage - 1); }

}  // namespace

void* allocate_zeroed(size_t bytes) {
  if (bytes == 0) return nullptr;
  if (bytes < kMappedFrom) return std::calloc(1, bytes);
  // Map a huge page more than needed, then unmap the unaligned head and the tail, so that the
  // array starts on a 2 MiB boundary and every 2 MiB of it can be one huge page.
  const size_t size = mapped_bytes(bytes);
  void* raw = mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + size + kHugePage;
  if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  void* p = reinterpret_cast<void*>(aligned);
#ifdef MADV_HUGEPAGE
  (void)madvise(p, size, MADV_HUGEPAGE);  // advice only: small pages when refused
#endif
  return p;
}

void release(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (bytes < kMappedFrom) {
    std::free(p);
    return;
  }
  munmap(p, mapped_bytes(bytes));
}

}  // namespace logan::table_memory
