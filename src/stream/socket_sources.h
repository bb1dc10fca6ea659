// Stream sources that read newline-delimited log lines from outside the file system:
// stdin ("-"), a named pipe or character device, a TCP server that log senders connect to ("listen://HOST:PORT"), and a TCP
// client of a log server ("tcp://HOST:PORT", the reference's socketTextStream), which
// reconnects with backoff when the connection drops or is refused.
// Each connection is an input of its own: its lines are numbered from 1 and a line split
// across two writes is counted once, whole. Unfinished last lines count when a connection
// closes or the job stops.
// Thread-safety: see StreamSource.
#pragma once

#include <memory>
#include <string>

#include "stream/stream_source.h"

namespace logan {

std::unique_ptr<StreamSource> make_stdin_source();
// A named pipe (FIFO) or character device: read as it comes; a pipe until the job stops, across
// any number of writers.
std::unique_ptr<StreamSource> make_pipe_source(std::string path);
// `address` is "HOST:PORT", "[V6]:PORT" or ":PORT" (every interface); port 0 picks a free port,
// which run() reports through SourceContext::warn ("listening on ...").
std::unique_ptr<StreamSource> make_listen_source(std::string name, std::string address);
std::unique_ptr<StreamSource> make_connect_source(std::string name, std::string address);

}  // namespace logan
