// The few POSIX file helpers the export files share: complete writes and positioned reads
// that retry on EINTR, and errors that name the file.
// Thread-safety: pure functions over file descriptors.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "core/result.h"

namespace logan {

inline Error file_error(const std::string& what, const std::string& path, int error) {
  return Error{what + " '" + path + "': " + std::strerror(error)};
}

// Writes all of `data`; false with errno set when it cannot.
inline bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads exactly `size` bytes at `offset`; false at a short read or an error.
inline bool read_at(int fd, char* out, size_t size, uint64_t offset) {
  while (size > 0) {
    ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

}  // namespace logan
