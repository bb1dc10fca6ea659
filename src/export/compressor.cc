// Block compression for exported files; see compressor.h.
#include "export/compressor.h"

#include <zlib.h>
#include <zstd.h>

namespace logan {
namespace {

constexpr int kGzipLevel = 1;
constexpr int kZstdLevel = 1;

}  // namespace

struct Compressor::Contexts {
  z_stream deflate{};
  bool deflate_ready = false;
  ZSTD_CCtx* zstd = nullptr;
};

const char* compression_extension(Compression compression) {
  switch (compression) {
    case Compression::kNone: return "";
    case Compression::kGzip: return "gz";
    case Compression::kZstd: return "zst";
  }
  return "";
}

Compressor::Compressor(Compression compression)
    : compression_(compression), contexts_(std::make_unique<Contexts>()) {}

Compressor::~Compressor() {
  if (contexts_->deflate_ready) deflateEnd(&contexts_->deflate);
  ZSTD_freeCCtx(contexts_->zstd);
}

Status Compressor::compress(std::string_view data, std::string& out) {
  const size_t start = out.size();
  switch (compression_) {
    case Compression::kNone:
      out += data;
      return Ok{};
    case Compression::kGzip: {
      z_stream& z = contexts_->deflate;
      if (!contexts_->deflate_ready) {
        // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
        if (deflateInit2(&z, kGzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
          return Error{"cannot start gzip compression"};
        }
        contexts_->deflate_ready = true;
      } else if (deflateReset(&z) != Z_OK) {
        return Error{"cannot restart gzip compression"};
      }
      // deflateBound covers the whole output of one deflate(Z_FINISH) call. Blocks are a few
      // MiB (one chunk's records), far below zlib's 32-bit counts.
      out.resize(start + deflateBound(&z, static_cast<uLong>(data.size())) + 64);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
      z.avail_in = static_cast<uInt>(data.size());
      z.next_out = reinterpret_cast<Bytef*>(out.data() + start);
      z.avail_out = static_cast<uInt>(out.size() - start);
      int rc = deflate(&z, Z_FINISH);
      if (rc != Z_STREAM_END) {
        out.resize(start);
        return Error{"gzip compression failed"};
      }
      out.resize(start + z.total_out);
      return Ok{};
    }
    case Compression::kZstd: {
      if (contexts_->zstd == nullptr) {
        contexts_->zstd = ZSTD_createCCtx();
        if (contexts_->zstd == nullptr) return Error{"cannot start zstd compression"};
      }
      out.resize(start + ZSTD_compressBound(data.size()));
      size_t n = ZSTD_compressCCtx(contexts_->zstd, out.data() + start, out.size() - start,
                                   data.data(), data.size(), kZstdLevel);
      if (ZSTD_isError(n)) {
        out.resize(start);
        return Error{std::string("zstd compression failed: ") + ZSTD_getErrorName(n)};
      }
      out.resize(start + n);
      return Ok{};
    }
  }
  return Ok{};
}

}  // namespace logan
