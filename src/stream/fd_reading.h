// Helpers for sources that read file descriptors (stdin, sockets): waiting for input or for
// the job's stop signal, and feeding what is read through a LineAssembler to the engine.
// Thread-safety: functions of their arguments; each assembler is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "stream/line_assembler.h"
#include "stream/stream_source.h"

namespace logan {

enum class Readiness { kReady, kStop, kTimeout };

// Waits until `fd` is readable (or has hung up), the job stops, or `timeout_ms` (< 0: no
// limit) passes.
Readiness wait_readable(int fd, const SourceContext& ctx, int timeout_ms = -1);

// Waits up to `ms` for the stop signal; true when the job is stopping.
bool sleep_unless_stopping(const SourceContext& ctx, int64_t ms);

// An assembler whose batches come from (and are recycled through) the job's pool.
void use_context_batches(LineAssembler& assembler, SourceContext& ctx);

// Sends the batch (if any) as lines of `input`.
void emit_lines(SourceContext& ctx, std::unique_ptr<LineBatch> batch, const InputId& input);

// Reads what `fd` has into `assembler` and emits the whole lines. Returns the bytes read,
// 0 at the end of the input (the unfinished last line is then emitted), or -1 with errno set.
int64_t read_lines(int fd, LineAssembler& assembler, SourceContext& ctx, const InputId& input);

// "host:port" or "[v6]:port" or ":port" split into host and port; false when malformed.
bool split_host_port(const std::string& text, std::string& host, std::string& port);

}  // namespace logan
