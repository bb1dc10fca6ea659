// Compressor: turns a block of bytes into one complete gzip member or zstd frame. Concatenated
// members (frames) are a valid gzip (zstd) file that decompresses to the concatenated blocks,
// so threads compress their blocks independently and a file is the blocks appended in any
// order. Fast levels: gzip 1, zstd 1 (exports are written once and read by machines).
// Thread-safety: one Compressor per thread (it keeps its compression context).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace logan {

enum class Compression { kNone, kGzip, kZstd };

// "gz", "zst", or "" for kNone.
const char* compression_extension(Compression compression);

class Compressor {
 public:
  explicit Compressor(Compression compression);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // Appends `data` compressed (as is for kNone) to `out`. Fails only when the library does
  // (out of memory).
  Status compress(std::string_view data, std::string& out);

 private:
  struct Contexts;
  Compression compression_;
  std::unique_ptr<Contexts> contexts_;
};

}  // namespace logan
