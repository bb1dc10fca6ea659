// Binary encoding for serialized statistics (checkpoints, partial files, MPI messages):
// little-endian varints and length-prefixed byte strings. The framing (magic, version,
// checksum) lives in AccessStats; docs/partial-format.md describes the whole layout.
// Thread-safety: a writer or reader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace logan {

class BinaryWriter {
 public:
  explicit BinaryWriter(std::string& out) : out_(out) {}
  void u64(uint64_t v);
  void i64(int64_t v);  // zig-zag, so small negative numbers stay short
  void bytes(std::string_view s);
  void f64(double v);

 private:
  std::string& out_;
};

// Reads what BinaryWriter wrote. Any read past the end or malformed varint sets failed() and
// returns zero values, so callers check once after a group of reads.
class BinaryReader {
 public:
  explicit BinaryReader(std::string_view in) : in_(in) {}
  uint64_t u64();
  int64_t i64();
  std::string_view bytes();
  double f64();
  bool failed() const { return failed_; }
  // Marks the input malformed (a value out of its range).
  void fail() { failed_ = true; }
  bool at_end() const { return pos_ == in_.size(); }
  // A count that cannot exceed the bytes left (each element takes at least one byte): guards
  // allocations against corrupt input.
  uint64_t count();

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool failed_ = false;
};

// Checksummed frames: a magic string, a body, and zlib's CRC-32 of both (4 bytes, little
// endian). Statistics states and partial files are both frames.
void append_checksum(std::string& out, size_t frame_start);
// The body of a frame (after the magic, before the checksum), or an error saying whether the
// magic or the checksum is wrong; `what` names the kind of file in the message.
Result<std::string_view> open_frame(std::string_view data, std::string_view magic,
                                    const std::string& what);

}  // namespace logan
