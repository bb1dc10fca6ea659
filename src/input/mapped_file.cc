// Mapped local files and their SIGBUS guard; see mapped_file.h.
#include "input/mapped_file.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/decoding_source.h"

namespace logan {
namespace {

// The mappings the SIGBUS handler watches. A slot is claimed under guard_mu (begin written
// last), read by the handler without a lock (atomics only), and released when the mapping is
// unmapped: no fault can hit a mapping while it is being released, since nothing reads it.
constexpr size_t kGuardSlots = 256;
struct GuardSlot {
  std::atomic<uintptr_t> begin{0};  // 0: free
  std::atomic<uintptr_t> end{0};    // page-rounded
  std::atomic<bool> lost{false};
};
GuardSlot guard_slots[kGuardSlots];
std::mutex guard_mu;
size_t page_size = 4096;           // set before the handler is installed
struct sigaction previous_action;  // what SIGBUS did before: restored for faults not ours

void on_sigbus(int sig, siginfo_t* info, void* /*context*/) {
  const int saved_errno = errno;
  const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (auto& slot : guard_slots) {
    const uintptr_t begin = slot.begin.load(std::memory_order_acquire);
    if (begin == 0 || addr < begin) continue;
    const uintptr_t end = slot.end.load(std::memory_order_relaxed);
    if (addr >= end) continue;
    // The file ends before this page: zero pages from here to the mapping's end, so that the
    // read that faulted, and every later one, sees zeros. (mmap is a plain system call here.)
    const uintptr_t page = addr & ~(static_cast<uintptr_t>(page_size) - 1);
    void* zeros = ::mmap(reinterpret_cast<void*>(page), end - page, PROT_READ,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (zeros != MAP_FAILED) {
      slot.lost.store(true, std::memory_order_release);
      errno = saved_errno;
      return;
    }
    break;
  }
  // Not a mapping of ours (or it could not be patched): what SIGBUS did before the guard (the
  // default action: the process dies, or a sanitizer's report), as if there were no guard. The
  // signal is blocked until this handler returns, then delivered again (and a faulting access
  // would fault again anyway).
  ::sigaction(sig, &previous_action, nullptr);
  ::raise(sig);
  errno = saved_errno;
}

bool install_guard() {
  static const bool installed = [] {
    page_size = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    return ::sigaction(SIGBUS, &sa, &previous_action) == 0;
  }();
  return installed;
}

size_t claim_slot(const char* data, size_t size) {
  std::lock_guard lock(guard_mu);
  for (size_t i = 0; i < kGuardSlots; ++i) {
    auto& slot = guard_slots[i];
    if (slot.begin.load(std::memory_order_relaxed) != 0) continue;
    const auto begin = reinterpret_cast<uintptr_t>(data);
    const uintptr_t end = begin + ((size + page_size - 1) & ~(page_size - 1));
    slot.lost.store(false, std::memory_order_relaxed);
    slot.end.store(end, std::memory_order_relaxed);
    slot.begin.store(begin, std::memory_order_release);
    return i;
  }
  return kGuardSlots;
}

void release_slot(size_t i) {
  std::lock_guard lock(guard_mu);
  guard_slots[i].begin.store(0, std::memory_order_release);
}

}  // namespace

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path, size_t min_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open '" + path + "': " + std::strerror(errno)};
  auto unmappable = [fd]() -> Result<std::shared_ptr<MappedFile>> {
    ::close(fd);
    return std::shared_ptr<MappedFile>();
  };
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return unmappable();
  const auto size = static_cast<size_t>(st.st_size);
  if (size == 0 || size < min_bytes || !install_guard()) return unmappable();
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return unmappable();
  const auto* data = static_cast<const char*>(p);
  const size_t slot = claim_slot(data, size);
  if (slot == kGuardSlots) {
    ::munmap(p, size);
    return unmappable();
  }
  // Compressed files go through their decoder, which reads them. (The guard already watches
  // the mapping: a file truncated since fstat() reads as zeros here.)
  char head[8] = {};
  const size_t head_size = std::min(size, sizeof head);
  std::memcpy(head, data, head_size);
  if (detect_compression(std::string_view(head, head_size)) != Compression::kNone ||
      guard_slots[slot].lost.load()) {
    release_slot(slot);
    ::munmap(p, size);
    return unmappable();
  }
  ::madvise(p, size, MADV_SEQUENTIAL);
  return std::shared_ptr<MappedFile>(new MappedFile(fd, data, size, slot));
}

MappedFile::~MappedFile() {
  // The guard lets go first, so that it never mistakes a later mapping at these addresses
  // for this one.
  release_slot(guard_slot_);
  ::munmap(const_cast<char*>(data_), size_);
  ::close(fd_);
}

size_t MappedFile::size_now() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return size_;
  return std::min(size_, static_cast<size_t>(st.st_size));
}

void MappedFile::release(std::string_view bytes) const {
  // Whole pages only: the first and last may hold bytes of the chunks either side.
  const auto mask = static_cast<uintptr_t>(page_size) - 1;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(bytes.data()) + mask) & ~mask;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(bytes.data()) + bytes.size()) & ~mask;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

bool MappedFile::lost() const { return guard_slots[guard_slot_].lost.load(std::memory_order_acquire); }

bool MappedFile::take_lost() { return lost() && !reported_.exchange(true); }

namespace mapped_file_testing {
size_t guard_capacity() { return kGuardSlots; }
}  // namespace mapped_file_testing

}  // namespace logan
