// Reading the lines that start in a byte range; see line_range_source.h.
#include "input/line_range_source.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace logan {

Result<std::unique_ptr<LineRangeSource>> LineRangeSource::open(const std::string& path,
                                                               uint64_t offset, uint64_t length) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open '" + path + "': " + std::strerror(errno)};
  uint64_t end = length > UINT64_MAX - offset ? UINT64_MAX : offset + length;
  return std::unique_ptr<LineRangeSource>(new LineRangeSource(fd, path, offset, end));
}

LineRangeSource::~LineRangeSource() { ::close(fd_); }

Result<size_t> LineRangeSource::pread_some(char* buffer, size_t capacity) {
  for (;;) {
    ssize_t n = ::pread(fd_, buffer, capacity, static_cast<off_t>(pos_));
    if (n >= 0) {
      pos_ += static_cast<uint64_t>(n);
      bytes_read_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
    if (errno != EINTR) return Error{"cannot read '" + name_ + "': " + std::strerror(errno)};
  }
}

Result<size_t> LineRangeSource::read(char* buffer, size_t capacity) {
  if (done_ || capacity == 0) return size_t{0};
  if (!started_) {
    started_ = true;
    if (pos_ > 0) {
      // The line in progress at the range's start belongs to the range before: skip through
      // its end (looking from the byte before, in case the range starts on a line start).
      --pos_;
      char scratch[64 * 1024];
      for (;;) {
        auto n = pread_some(scratch, sizeof scratch);
        if (!n) return n.error();
        if (*n == 0) {
          done_ = true;
          return size_t{0};
        }
        const void* nl = std::memchr(scratch, '\n', *n);
        if (nl != nullptr) {
          pos_ -= *n - (static_cast<const char*>(nl) - scratch + 1);
          break;
        }
      }
      if (pos_ >= end_) {  // no line starts inside the range
        done_ = true;
        return size_t{0};
      }
    }
  }
  if (pos_ < end_) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(capacity, end_ - pos_));
    auto n = pread_some(buffer, want);
    if (!n) return n.error();
    if (*n == 0) {
      done_ = true;
    } else {
      last_was_newline_ = buffer[*n - 1] == '\n';
    }
    return *n;
  }
  // Past the range: finish the last line, if it is not finished yet.
  if (last_was_newline_) {
    done_ = true;
    return size_t{0};
  }
  auto n = pread_some(buffer, capacity);
  if (!n) return n.error();
  if (*n == 0) {
    done_ = true;
    return size_t{0};
  }
  const void* nl = std::memchr(buffer, '\n', *n);
  if (nl != nullptr) {
    done_ = true;
    return static_cast<size_t>(static_cast<const char*>(nl) - buffer + 1);
  }
  return *n;
}

}  // namespace logan
