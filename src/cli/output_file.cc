// Writing a report to stdout or a file (atomically: a reader never sees half a report).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "cli/commands.h"

namespace logan {
namespace {

bool write_all(int fd, std::string_view data) {
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

}  // namespace

bool write_output(const std::string& path, std::string_view data) {
  if (path.empty() || path == "-") {
    if (write_all(STDOUT_FILENO, data)) return true;
    std::fprintf(stderr, "logan: cannot write to stdout: %s\n", std::strerror(errno));
    return false;
  }
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && write_all(fd, data) && ::fsync(fd) == 0;
  int saved = errno;
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) return true;
  saved = saved ? saved : errno;
  ::unlink(tmp.c_str());
  std::fprintf(stderr, "logan: cannot write '%s': %s\n", path.c_str(), std::strerror(saved));
  return false;
}

}  // namespace logan
