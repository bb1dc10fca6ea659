// Local-file and stdin sources; see byte_source.h.
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/byte_source.h"

namespace logan {

Result<std::unique_ptr<FileSource>> FileSource::open(const std::string& path) {
  if (path == "-") return std::unique_ptr<FileSource>(new FileSource(STDIN_FILENO, "-"));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open '" + path + "': " + std::strerror(errno)};
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Error{"cannot read '" + path + "': Is a directory"};
  }
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  return std::unique_ptr<FileSource>(new FileSource(fd, path));
}

FileSource::~FileSource() {
  if (fd_ != STDIN_FILENO) ::close(fd_);
}

Result<size_t> FileSource::read(char* buffer, size_t capacity) {
  for (;;) {
    ssize_t n = ::read(fd_, buffer, capacity);
    if (n >= 0) {
      bytes_read_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
    if (errno != EINTR) return Error{"cannot read '" + name_ + "': " + std::strerror(errno)};
  }
}

}  // namespace logan
