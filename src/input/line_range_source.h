// LineRangeSource: the bytes of the lines of a file that start inside [offset, offset+length):
// it skips the tail of a line begun before the range and reads past the range's end to finish
// its last line. Ranges that tile a file therefore hand out every line exactly once, which is
// how MPI ranks split one big uncompressed file.
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "input/byte_source.h"

namespace logan {

class LineRangeSource final : public ByteSource {
 public:
  // Opens `path`; fails naming it when it cannot be opened or positioned.
  static Result<std::unique_ptr<LineRangeSource>> open(const std::string& path, uint64_t offset,
                                                       uint64_t length);
  ~LineRangeSource() override;
  Result<size_t> read(char* buffer, size_t capacity) override;
  uint64_t raw_bytes_read() const override { return bytes_read_; }

 private:
  LineRangeSource(int fd, std::string name, uint64_t offset, uint64_t end)
      : fd_(fd), name_(std::move(name)), pos_(offset), end_(end) {}
  Result<size_t> pread_some(char* buffer, size_t capacity);

  int fd_;
  std::string name_;
  uint64_t pos_;              // next byte to read
  uint64_t end_;              // first byte after the range
  uint64_t bytes_read_ = 0;
  bool started_ = false;      // the partial first line has been skipped
  bool last_was_newline_ = true;
  bool done_ = false;
};

}  // namespace logan
