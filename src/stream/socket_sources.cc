// Stdin, listening and connecting TCP sources: see socket_sources.h.
#include "stream/socket_sources.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream/fd_reading.h"

namespace logan {
namespace {

std::string peer_name(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
  }
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

// stdin, or a named pipe or character device given by path: read until its end (a pipe is
// opened for reading and writing, so that it never ends between two writers: it is read until
// the job stops, like a syslog pipe).
class PipeSource final : public StreamSource {
 public:
  explicit PipeSource(std::string path) : path_(std::move(path)), name_(path_.empty() ? "-" : path_) {}
  ~PipeSource() override {
    if (fd_ > STDIN_FILENO) ::close(fd_);
  }
  const std::string& name() const override { return name_; }
  Status open() override {
    if (path_.empty()) {
      fd_ = STDIN_FILENO;
      return Ok{};
    }
    struct stat st;
    if (::stat(path_.c_str(), &st) != 0) return Error{"cannot read '" + path_ + "': " + std::strerror(errno)};
    int flags = (S_ISFIFO(st.st_mode) ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK;
    fd_ = ::open(path_.c_str(), flags);
    if (fd_ < 0) return Error{"cannot read '" + path_ + "': " + std::strerror(errno)};
    return Ok{};
  }
  Status run(SourceContext& ctx) override {
    LineAssembler assembler;
    use_context_batches(assembler, ctx);
    InputId input = ctx.new_input(path_.empty() ? "stdin" : path_);
    for (;;) {
      Readiness r = wait_readable(fd_, ctx);
      if (r == Readiness::kStop) {
        emit_lines(ctx, assembler.finish(), input);
        return Ok{};
      }
      int64_t n = read_lines(fd_, assembler, ctx, input);
      if (n == 0) return Ok{};
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (n < 0) return Error{"cannot read " + (path_.empty() ? std::string("stdin") : "'" + path_ + "'") + ": " + std::strerror(errno)};
    }
  }

 private:
  std::string path_;
  std::string name_;
  int fd_ = -1;
};

// Resolves host:port into addresses to bind or connect to.
Result<addrinfo*> resolve(const std::string& name, const std::string& address, bool passive) {
  std::string host, port;
  if (!split_host_port(address, host, port)) {
    return Error{"bad address in '" + name + "': expected HOST:PORT, [IPV6]:PORT or :PORT"};
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (passive) hints.ai_flags = AI_PASSIVE;
  addrinfo* result = nullptr;
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &result);
  if (rc != 0) return Error{"cannot resolve '" + name + "': " + gai_strerror(rc)};
  return result;
}

class ListenSource final : public StreamSource {
 public:
  ListenSource(std::string name, std::string address)
      : name_(std::move(name)), address_(std::move(address)) {}
  ~ListenSource() override {
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  const std::string& name() const override { return name_; }

  Status open() override {
    auto ai = resolve(name_, address_, /*passive=*/true);
    if (!ai) return ai.error();
    int last_errno = 0;
    for (addrinfo* a = *ai; a != nullptr; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) {
        last_errno = errno;
        continue;
      }
      int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 128) == 0) {
        listen_fd_ = fd;
        break;
      }
      last_errno = errno;
      ::close(fd);
    }
    freeaddrinfo(*ai);
    if (listen_fd_ < 0) {
      return Error{"cannot listen on '" + name_ + "': " + std::strerror(last_errno)};
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
    bound_ = peer_name(bound);
    return Ok{};
  }

  Status run(SourceContext& ctx) override {
    ctx.warn("listening on " + bound_ + " (" + name_ + ")");
    struct Connection {
      int fd;
      InputId input;
      LineAssembler assembler;
    };
    std::vector<std::unique_ptr<Connection>> conns;
    std::vector<pollfd> fds;
    for (;;) {
      fds.clear();
      fds.push_back({ctx.stop_fd(), POLLIN, 0});
      fds.push_back({listen_fd_, POLLIN, 0});
      for (const auto& c : conns) fds.push_back({c->fd, POLLIN, 0});
      int n = ::poll(fds.data(), fds.size(), -1);
      if (n < 0 && errno != EINTR) {
        std::string why = std::strerror(errno);
        for (auto& c : conns) ::close(c->fd);
        return Error{"poll: " + why};
      }
      if (ctx.stopping()) break;
      if (n <= 0) continue;
      if (fds[1].revents & POLLIN) {
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
        if (fd >= 0) {
          out_of_descriptors_ = false;
          auto c = std::make_unique<Connection>();
          c->fd = fd;
          c->input = ctx.new_input(name_ + " from " + peer_name(peer));
          use_context_batches(c->assembler, ctx);
          conns.push_back(std::move(c));
        } else if (errno == EMFILE || errno == ENFILE) {
          if (!out_of_descriptors_) {
            ctx.warn("cannot accept a connection on " + name_ + ": " + std::strerror(errno) +
                     " (senders wait until connections close)");
          }
          out_of_descriptors_ = true;
          sleep_unless_stopping(ctx, 100);
        } else {
          out_of_descriptors_ = false;
        }
      }
      // Read from every connection that has something; those that end are closed.
      for (size_t i = 2; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        Connection& c = *conns[i - 2];
        if (read_lines(c.fd, c.assembler, ctx, c.input) <= 0) {
          if (c.assembler.has_partial_line()) emit_lines(ctx, c.assembler.finish(), c.input);
          ::close(c.fd);
          c.fd = -1;
        } else {
          // Thousands of senders must not hold a read buffer each between their writes.
          c.assembler.release_if_idle();
        }
      }
      conns.erase(std::remove_if(conns.begin(), conns.end(), [](const auto& c) { return c->fd < 0; }),
                  conns.end());
    }
    // Shutting down: what the senders have written so far counts, an unfinished last line
    // too; what is still waiting in the socket buffers is read first.
    for (auto& c : conns) {
      ::fcntl(c->fd, F_SETFL, ::fcntl(c->fd, F_GETFL) | O_NONBLOCK);
      for (int reads = 0; reads < 64 && read_lines(c->fd, c->assembler, ctx, c->input) > 0; ++reads) {
      }
      emit_lines(ctx, c->assembler.finish(), c->input);
      ::close(c->fd);
    }
    return Ok{};
  }

 private:
  std::string name_;
  std::string address_;
  std::string bound_;
  int listen_fd_ = -1;
  bool out_of_descriptors_ = false;
};

class ConnectSource final : public StreamSource {
 public:
  ConnectSource(std::string name, std::string address)
      : name_(std::move(name)), address_(std::move(address)) {}
  const std::string& name() const override { return name_; }
  Status open() override {
    std::string host, port;
    if (!split_host_port(address_, host, port) || host.empty()) {
      return Error{"bad address in '" + name_ + "': expected tcp://HOST:PORT"};
    }
    return Ok{};
  }

  Status run(SourceContext& ctx) override {
    int64_t backoff_ms = 250;
    bool told = false;
    while (!ctx.stopping()) {
      std::string why;
      int fd = connect_once(ctx, why);
      if (ctx.stopping()) {
        if (fd >= 0) ::close(fd);
        break;
      }
      if (fd < 0) {
        if (!told) ctx.warn("cannot connect to " + name_ + ": " + why + "; retrying");
        told = true;
        if (sleep_unless_stopping(ctx, backoff_ms)) break;
        backoff_ms = std::min<int64_t>(backoff_ms * 2, 30000);
        continue;
      }
      if (told) ctx.warn("connected to " + name_);
      told = false;
      backoff_ms = 250;
      LineAssembler assembler;
      use_context_batches(assembler, ctx);
      InputId input = ctx.new_input(name_);
      for (;;) {
        Readiness r = wait_readable(fd, ctx);
        if (r == Readiness::kStop) {
          emit_lines(ctx, assembler.finish(), input);
          break;
        }
        int64_t n = read_lines(fd, assembler, ctx, input);
        if (n <= 0) {
          if (n < 0) emit_lines(ctx, assembler.finish(), input);
          if (!ctx.stopping()) {
            ctx.warn("connection to " + name_ + " closed; reconnecting");
            told = true;
          }
          break;
        }
      }
      ::close(fd);
    }
    return Ok{};
  }

 private:
  // A connected socket, or -1 with the reason in `why`.
  int connect_once(SourceContext& ctx, std::string& why) {
    auto ai = resolve(name_, address_, /*passive=*/false);
    if (!ai) {
      why = ai.error().message;
      return -1;
    }
    int result = -1;
    for (addrinfo* a = *ai; a != nullptr && result < 0; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
      if (fd < 0) continue;
      int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        pollfd fds[2] = {{fd, POLLOUT, 0}, {ctx.stop_fd(), POLLIN, 0}};
        if (::poll(fds, 2, 10000) > 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
          int err = 0;
          socklen_t len = sizeof err;
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
          rc = err == 0 ? 0 : -1;
          errno = err;
        } else {
          errno = ETIMEDOUT;
        }
      }
      if (rc == 0) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        result = fd;
      } else {
        why = std::strerror(errno);
        ::close(fd);
      }
    }
    freeaddrinfo(*ai);
    return result;
  }

  std::string name_;
  std::string address_;
};

}  // namespace

std::unique_ptr<StreamSource> make_stdin_source() { return std::make_unique<PipeSource>(""); }

std::unique_ptr<StreamSource> make_pipe_source(std::string path) {
  return std::make_unique<PipeSource>(std::move(path));
}
std::unique_ptr<StreamSource> make_listen_source(std::string name, std::string address) {
  return std::make_unique<ListenSource>(std::move(name), std::move(address));
}
std::unique_ptr<StreamSource> make_connect_source(std::string name, std::string address) {
  return std::make_unique<ConnectSource>(std::move(name), std::move(address));
}

}  // namespace logan
