// MappedFile: a local file mapped into memory, so that a batch job parses its lines where the
// page cache holds them instead of copying each chunk out with read() (a tenth of a run's CPU).
//
// A mapped file that shrinks while it is read (log rotation by copytruncate) would kill the
// process with SIGBUS at the first page past its new end. Two guards:
// - size_now() looks at the file's size before each chunk is cut, so a file truncated between
//   chunks simply ends there, as read() would have it;
// - a process-wide SIGBUS handler, for a truncation that races with the parse of a chunk:
//   a fault inside a registered mapping replaces the rest of the mapping with zero pages and
//   marks the file lost(), and the job reports the input as failed (the chunk's bytes past the
//   cut read as zeros: at most one line, counted invalid). A SIGBUS about anything else is
//   not ours: the handler puts back what SIGBUS did before it (the default action, or a
//   sanitizer's handler) and raises it again, as if there were no guard.
// Thread-safety: a MappedFile is shared by the threads parsing its chunks: data(), size(),
// lost() and take_lost() may be called from any of them; size_now() by one at a time.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace logan {

class MappedFile {
 public:
  // Maps `path` when it is a regular file of at least `min_bytes` bytes whose first bytes are
  // not a compression format's magic; returns null (not an error) when it is not, or when no
  // mapping can be made or guarded, so that the caller reads the file the usual way. An error
  // only when the file cannot be opened.
  static Result<std::shared_ptr<MappedFile>> open(const std::string& path, size_t min_bytes);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return data_; }
  // The size when mapped.
  size_t size() const { return size_; }
  // The size now: less than size() once the file has been truncated.
  size_t size_now() const;
  // Whether a read of the mapping hit the file's end after a truncation (see above).
  bool lost() const;
  // lost(), true only for the first caller: the one to report it.
  bool take_lost();
  // Drops the pages of `bytes` (a part of the mapping, parsed) from the process: the page
  // cache keeps them, but they no longer count in its resident memory, which would otherwise
  // grow to the file's size. A page touched again is mapped again, with the same bytes.
  void release(std::string_view bytes) const;

 private:
  MappedFile(int fd, const char* data, size_t size, size_t guard_slot)
      : fd_(fd), data_(data), size_(size), guard_slot_(guard_slot) {}
  int fd_;
  const char* data_;
  size_t size_;
  size_t guard_slot_;
  std::atomic<bool> reported_{false};
};

namespace mapped_file_testing {
// How many mappings the SIGBUS guard can watch at once (a file beyond them is read instead).
size_t guard_capacity();
}  // namespace mapped_file_testing

}  // namespace logan
