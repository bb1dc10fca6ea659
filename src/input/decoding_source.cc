// gzip (zlib), zstd (libzstd) and bzip2 (libbz2) decoders; see decoding_source.h.
#include "input/decoding_source.h"

#include <bzlib.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace logan {
namespace {

constexpr size_t kInputBufferSize = 256 * 1024;

// Holds the compressed bytes: first the ones read to detect the format, then refills.
class CompressedInput {
 public:
  CompressedInput(std::unique_ptr<ByteSource> raw, std::string head)
      : raw_(std::move(raw)), buffer_(std::move(head)) {}

  // Makes sure some unread input is buffered; false at the end of the raw input.
  Result<bool> fill() {
    if (pos_ < buffer_.size()) return true;
    buffer_.resize(kInputBufferSize);
    auto n = raw_->read(buffer_.data(), buffer_.size());
    if (!n) return n.error();
    buffer_.resize(*n);
    pos_ = 0;
    return *n > 0;
  }
  const char* data() const { return buffer_.data() + pos_; }
  size_t available() const { return buffer_.size() - pos_; }
  void consume(size_t n) { pos_ += n; }
  uint64_t raw_bytes_read() const { return raw_->raw_bytes_read(); }
  // Whether `bytes` raw bytes are at hand, buffered or in the raw input: about what a decoder
  // needs to produce `bytes` (usually far fewer; a little more for incompressible data, when
  // the read may still wait a moment for the rest).
  bool ready(size_t bytes) {
    size_t have = available();
    return have >= bytes || raw_->ready(bytes - have);
  }
  // Reads past the buffer, straight from the raw input. REQUIRES: available() == 0.
  Result<size_t> read_raw(char* out, size_t capacity) { return raw_->read(out, capacity); }
  bool raw_lends() const { return raw_->lends(); }
  // Lends past the buffer. REQUIRES: available() == 0, raw_lends().
  Result<LentBytes> lend_raw(size_t max) { return raw_->lend(max); }

 private:
  std::unique_ptr<ByteSource> raw_;
  std::string buffer_;
  size_t pos_ = 0;
};

// A decoder that meets an error after decoding some bytes hands those bytes out first and the
// error on the next read, so nothing decoded before a truncation is lost.
class Decoder : public ByteSource {
 protected:
  Result<size_t> fail(Error e, size_t produced) {
    if (produced == 0) return e;
    pending_ = std::move(e);
    return produced;
  }
  std::optional<Error> pending_;
};

class GzipSource final : public Decoder {
 public:
  GzipSource(CompressedInput in, std::string name) : in_(std::move(in)), name_(std::move(name)) {
    std::memset(&z_, 0, sizeof z_);
    inflateInit2(&z_, 15 + 32);  // 32: accept the gzip header
  }
  ~GzipSource() override { inflateEnd(&z_); }

  Result<size_t> read(char* out, size_t capacity) override {
    if (pending_) return *pending_;
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(std::min<size_t>(capacity, 1u << 30));
    while (z_.avail_out > 0) {
      auto more = in_.fill();
      if (!more) return more.error();
      if (!*more) {
        if (in_stream_) return fail(Error{"truncated gzip stream in '" + name_ + "'"}, capacity - z_.avail_out);
        break;
      }
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in_.data()));
      z_.avail_in = static_cast<uInt>(in_.available());
      size_t before = z_.avail_in;
      in_stream_ = true;
      int rc = inflate(&z_, Z_NO_FLUSH);
      in_.consume(before - z_.avail_in);
      if (rc == Z_STREAM_END) {
        in_stream_ = false;
        inflateReset(&z_);  // another member may follow (concatenated gzip files)
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return fail(Error{"corrupt gzip stream in '" + name_ + "': " + (z_.msg ? z_.msg : "error")},
                    capacity - z_.avail_out);
      }
    }
    return capacity - z_.avail_out;
  }
  uint64_t raw_bytes_read() const override { return in_.raw_bytes_read(); }
  bool ready(size_t bytes) override { return pending_ || in_.ready(bytes); }

 private:
  CompressedInput in_;
  std::string name_;
  z_stream z_;
  bool in_stream_ = false;
};

class ZstdSource final : public Decoder {
 public:
  ZstdSource(CompressedInput in, std::string name)
      : in_(std::move(in)), name_(std::move(name)), ctx_(ZSTD_createDCtx()) {}
  ~ZstdSource() override { ZSTD_freeDCtx(ctx_); }

  Result<size_t> read(char* out, size_t capacity) override {
    if (pending_) return *pending_;
    ZSTD_outBuffer ob{out, capacity, 0};
    while (ob.pos < ob.size) {
      auto more = in_.fill();
      if (!more) return more.error();
      if (!*more) {
        if (frame_open_) return fail(Error{"truncated zstd stream in '" + name_ + "'"}, ob.pos);
        break;
      }
      ZSTD_inBuffer ib{in_.data(), in_.available(), 0};
      size_t rc = ZSTD_decompressStream(ctx_, &ob, &ib);
      in_.consume(ib.pos);
      if (ZSTD_isError(rc)) {
        return fail(Error{"corrupt zstd stream in '" + name_ + "': " + ZSTD_getErrorName(rc)}, ob.pos);
      }
      frame_open_ = rc != 0;
    }
    return ob.pos;
  }
  uint64_t raw_bytes_read() const override { return in_.raw_bytes_read(); }
  bool ready(size_t bytes) override { return pending_ || in_.ready(bytes); }

 private:
  CompressedInput in_;
  std::string name_;
  ZSTD_DCtx* ctx_;
  bool frame_open_ = false;
};

class Bzip2Source final : public Decoder {
 public:
  Bzip2Source(CompressedInput in, std::string name) : in_(std::move(in)), name_(std::move(name)) {
    std::memset(&bz_, 0, sizeof bz_);
    BZ2_bzDecompressInit(&bz_, 0, 0);
  }
  ~Bzip2Source() override { BZ2_bzDecompressEnd(&bz_); }

  Result<size_t> read(char* out, size_t capacity) override {
    if (pending_) return *pending_;
    bz_.next_out = out;
    bz_.avail_out = static_cast<unsigned>(std::min<size_t>(capacity, 1u << 30));
    while (bz_.avail_out > 0) {
      auto more = in_.fill();
      if (!more) return more.error();
      if (!*more) {
        if (in_stream_) return fail(Error{"truncated bzip2 stream in '" + name_ + "'"}, capacity - bz_.avail_out);
        break;
      }
      bz_.next_in = const_cast<char*>(in_.data());
      bz_.avail_in = static_cast<unsigned>(in_.available());
      size_t before = bz_.avail_in;
      in_stream_ = true;
      int rc = BZ2_bzDecompress(&bz_);
      in_.consume(before - bz_.avail_in);
      if (rc == BZ_STREAM_END) {
        in_stream_ = false;
        BZ2_bzDecompressEnd(&bz_);  // another stream may follow (concatenated files)
        BZ2_bzDecompressInit(&bz_, 0, 0);
        continue;
      }
      if (rc != BZ_OK) return fail(Error{"corrupt bzip2 stream in '" + name_ + "'"}, capacity - bz_.avail_out);
    }
    return capacity - bz_.avail_out;
  }
  uint64_t raw_bytes_read() const override { return in_.raw_bytes_read(); }
  bool ready(size_t bytes) override { return pending_ || in_.ready(bytes); }

 private:
  CompressedInput in_;
  std::string name_;
  bz_stream bz_;
  bool in_stream_ = false;
};

// Passes bytes through, after handing back the ones read for detection.
class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(CompressedInput in) : in_(std::move(in)) {}
  Result<size_t> read(char* out, size_t capacity) override {
    if (in_.available() == 0) return in_.read_raw(out, capacity);
    size_t n = std::min(capacity, in_.available());
    std::memcpy(out, in_.data(), n);
    in_.consume(n);
    return n;
  }
  uint64_t raw_bytes_read() const override { return in_.raw_bytes_read(); }
  bool ready(size_t bytes) override { return in_.ready(bytes); }
  bool lends() const override { return in_.raw_lends(); }
  Result<LentBytes> lend(size_t max) override {
    if (in_.available() == 0) return in_.lend_raw(max);
    // The first bytes, read to recognise the format: a copy of its own.
    size_t n = std::min(max, in_.available());
    auto copy = std::make_shared<const std::string>(in_.data(), n);
    in_.consume(n);
    return LentBytes{*copy, copy};
  }

 private:
  CompressedInput in_;
};

}  // namespace

Compression detect_compression(std::string_view h) {
  if (h.size() >= 2 && static_cast<uint8_t>(h[0]) == 0x1f && static_cast<uint8_t>(h[1]) == 0x8b) {
    return Compression::kGzip;
  }
  if (h.size() >= 4 && h.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4)) {
    return Compression::kZstd;
  }
  if (h.size() >= 4 && h.substr(0, 3) == "BZh" && h[3] >= '1' && h[3] <= '9') {
    return Compression::kBzip2;
  }
  return Compression::kNone;
}

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kBzip2: return "bzip2";
    case Compression::kNone: break;
  }
  return "none";
}

Result<std::unique_ptr<ByteSource>> open_decoded(std::unique_ptr<ByteSource> raw,
                                                 const std::string& name) {
  // Read until 4 bytes are known (a pipe may deliver fewer at a time) or the input ends.
  std::string head(4, '\0');
  size_t got = 0;
  while (got < head.size()) {
    auto n = raw->read(head.data() + got, head.size() - got);
    if (!n) return n.error();
    if (*n == 0) break;
    got += *n;
  }
  head.resize(got);
  Compression c = detect_compression(head);
  CompressedInput in(std::move(raw), std::move(head));
  switch (c) {
    case Compression::kGzip: return std::unique_ptr<ByteSource>(new GzipSource(std::move(in), name));
    case Compression::kZstd: return std::unique_ptr<ByteSource>(new ZstdSource(std::move(in), name));
    case Compression::kBzip2: return std::unique_ptr<ByteSource>(new Bzip2Source(std::move(in), name));
    case Compression::kNone: break;
  }
  return std::unique_ptr<ByteSource>(new PlainSource(std::move(in)));
}

}  // namespace logan
