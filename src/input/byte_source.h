// ByteSource: the one interface every input is read through (local files, stdin, decoders,
// S3 and WebHDFS downloads, sockets). Tests wrap or replace it to inject faults. A source that
// receives its bytes in blocks of its own (a download) may also lend them, so that the lines
// are parsed where they arrived instead of being copied into a chunk (LentBytes, lend()).
// Thread-safety: a source is read by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace logan {

// Bytes a source hands over without copying them. They stay valid, unchanged, while any copy of
// `owner` lives (and no longer).
struct LentBytes {
  std::string_view bytes;
  std::shared_ptr<const void> owner;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `capacity` bytes into `buffer`. Returns the number read, 0 at the end of the
  // input, or an error naming the input.
  virtual Result<size_t> read(char* buffer, size_t capacity) = 0;
  // Bytes consumed from the underlying storage so far (compressed bytes for a decoder), for
  // progress reporting.
  virtual uint64_t raw_bytes_read() const = 0;
  // Whether reading `bytes` bytes (or up to the end of the input, when less are left) would not
  // wait for a download: remote sources say whether that much has arrived, so that a job can
  // read whichever input has data. Files and pipes always say yes (a read of a pipe may
  // block; the job reads it as it always did).
  virtual bool ready(size_t bytes) { (void)bytes; return true; }
  // Whether lend() may be called: the source holds its bytes in blocks that it can lend.
  virtual bool lends() const { return false; }
  // The next bytes, at most `max` (> 0), lent: the same bytes read() would give, at most the
  // rest of one block. Empty at the end of the input; waits and fails as read() does.
  // REQUIRES: lends().
  virtual Result<LentBytes> lend(size_t max) {
    (void)max;
    return Error{"this input cannot lend its bytes"};
  }
};

// A local file or stdin, read with read(2).
class FileSource final : public ByteSource {
 public:
  // Opens `path` for reading; "-" is stdin. `name` is used in error messages.
  static Result<std::unique_ptr<FileSource>> open(const std::string& path);
  ~FileSource() override;
  Result<size_t> read(char* buffer, size_t capacity) override;
  uint64_t raw_bytes_read() const override { return bytes_read_; }

 private:
  FileSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  int fd_;
  std::string name_;
  uint64_t bytes_read_ = 0;
};

}  // namespace logan
