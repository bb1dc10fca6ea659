// fd_reading: see fd_reading.h.
#include "stream/fd_reading.h"

#include <cerrno>

#include <poll.h>
#include <unistd.h>

namespace logan {

Readiness wait_readable(int fd, const SourceContext& ctx, int timeout_ms) {
  for (;;) {
    if (ctx.stopping()) return Readiness::kStop;
    pollfd fds[2] = {{fd, POLLIN, 0}, {ctx.stop_fd(), POLLIN, 0}};
    int n = ::poll(fds, 2, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Readiness::kReady;  // let the read report the error
    }
    if (ctx.stopping()) return Readiness::kStop;
    if (n == 0) return Readiness::kTimeout;
    if (fds[0].revents) return Readiness::kReady;
  }
}

bool sleep_unless_stopping(const SourceContext& ctx, int64_t ms) {
  if (ctx.stopping()) return true;
  pollfd fd = {ctx.stop_fd(), POLLIN, 0};
  while (::poll(&fd, 1, static_cast<int>(ms)) < 0 && errno == EINTR) {
  }
  return ctx.stopping();
}

namespace {
std::unique_ptr<LineBatch> batch_from_context(void* ctx) {
  return static_cast<SourceContext*>(ctx)->new_batch();
}
}  // namespace

void use_context_batches(LineAssembler& assembler, SourceContext& ctx) {
  assembler.set_batch_factory(&batch_from_context, &ctx);
}

void emit_lines(SourceContext& ctx, std::unique_ptr<LineBatch> batch, const InputId& input) {
  if (!batch) return;
  batch->input = input;
  ctx.emit(std::move(batch));
}

int64_t read_lines(int fd, LineAssembler& assembler, SourceContext& ctx, const InputId& input) {
  auto [buf, cap] = assembler.buffer();
  ssize_t n;
  do {
    n = ::read(fd, buf, cap);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int saved = errno;
    assembler.commit(0);
    errno = saved;
    return -1;
  }
  if (n == 0) {
    assembler.commit(0);
    emit_lines(ctx, assembler.finish(), input);
    return 0;
  }
  emit_lines(ctx, assembler.commit(static_cast<size_t>(n)), input);
  return n;
}

bool split_host_port(const std::string& text, std::string& host, std::string& port) {
  size_t colon;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    host = text.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    host = text.substr(0, colon);
    if (host.find(':') != std::string::npos) return false;  // IPv6 needs brackets
  }
  port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  return std::stoi(port) <= 65535;
}

}  // namespace logan
