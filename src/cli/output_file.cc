// Writing a report to stdout or a file (atomically: a reader never sees half a report).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/remote_options.h"
#include "cli/warn.h"
#include "export/file_io.h"

namespace logan {

bool write_output(const std::string& path, std::string_view data) {
  if (is_remote_url(path)) {
    std::unique_ptr<RemoteInputs> own;
    RemoteInputs* remote = current_remote();
    if (remote == nullptr) remote = (own = open_remote(RemoteArgs{})).get();
    Status sent = remote->upload(path, data);
    if (sent) return true;
    warn(sent.error().message);
    return false;
  }
  if (path.empty() || path == "-") {
    if (write_all(STDOUT_FILENO, data)) return true;
    warn(std::string("cannot write to stdout: ") + std::strerror(errno));
    return false;
  }
  // Written aside and renamed into place, so a reader never sees half a report. Each step
  // that fails records its own errno for the message.
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int error = 0;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = errno;
  } else {
    if (!write_all(fd, data) || ::fsync(fd) != 0) error = errno;
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) error = errno;
    if (error != 0) ::unlink(tmp.c_str());
  }
  if (error == 0) return true;
  warn("cannot write '" + path + "': " + std::strerror(error));
  return false;
}

}  // namespace logan
