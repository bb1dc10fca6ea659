// make_source(): turns a SOURCE argument of `logan stream` into a source (see stream_source.h).
#include <cerrno>
#include <cstring>

#include <sys/stat.h>

#include "stream/file_watch_source.h"
#include "stream/socket_sources.h"
#include "stream/stream_source.h"

namespace logan {

Result<std::unique_ptr<StreamSource>> make_source(const std::string& spec,
                                                  const SourceOptions& options) {
  auto starts_with = [&](std::string_view prefix) { return spec.rfind(prefix, 0) == 0; };
  if (spec == "-") return make_stdin_source();
  if (starts_with("tcp://")) return make_connect_source(spec, spec.substr(6));
  if (starts_with("listen://")) return make_listen_source(spec, spec.substr(9));
  if (spec.find("://") != std::string::npos) {
    return Error{"unknown kind of source '" + spec + "' (expected a path, '-', tcp://HOST:PORT or listen://HOST:PORT)"};
  }
  if (spec.empty()) return Error{"empty source"};
  FileWatchOptions watch;
  watch.all_names = options.all_names;
  watch.poll_ms = options.poll_ms;
  watch.from_end = options.from_end;
  watch.follow_symlinks = options.follow_symlinks;
  struct stat st;
  if (::stat(spec.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return make_file_watch_source(spec, spec, watch);
  }
  std::string path = spec;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string last = slash == std::string::npos ? path : path.substr(slash + 1);
  if (last.find_first_of("*?[") != std::string::npos) {
    if (dir.find_first_of("*?[") != std::string::npos) {
      return Error{"in '" + spec + "', only the file name may be a pattern (a directory is watched, not globbed)"};
    }
    watch.pattern = last;
    return make_file_watch_source(spec, dir, watch);
  }
  if (::stat(spec.c_str(), &st) != 0) {
    return Error{"cannot read '" + spec + "': " + std::strerror(errno)};
  }
  // A pipe or a device is read as it comes, not watched as a file (whose size it has not).
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) return make_pipe_source(spec);
  if (!S_ISREG(st.st_mode)) {
    return Error{"cannot follow '" + spec + "': not a regular file, directory, pipe or device"};
  }
  watch.pattern = last;
  watch.follow = true;
  return make_file_watch_source(spec, dir, watch);
}

}  // namespace logan
