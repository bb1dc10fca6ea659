// Tests of block compression: concatenated members (frames) decompress to the blocks in order.
#include "export/compressor.h"

#include <zlib.h>
#include <zstd.h>

#include <gtest/gtest.h>

namespace logan {
namespace {

// Every gzip member of `data`, decompressed and concatenated (as gzip -d does).
std::string gunzip_all(const std::string& data) {
  std::string out;
  size_t at = 0;
  while (at < data.size()) {
    z_stream z{};
    EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + at));
    z.avail_in = static_cast<uInt>(data.size() - at);
    char buf[4096];
    int rc;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = inflate(&z, Z_NO_FLUSH);
      out.append(buf, sizeof buf - z.avail_out);
    } while (rc == Z_OK);
    EXPECT_EQ(rc, Z_STREAM_END);
    at += z.total_in;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) break;
  }
  return out;
}

std::string blocks() {
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "{\"line\":" + std::to_string(i) + "}\n";
  return big;
}

TEST(Compressor, GzipMembersConcatenate) {
  Compressor c(Compression::kGzip);
  std::string file;
  const std::string a = blocks(), b = "second block\n";
  ASSERT_TRUE(c.compress(a, file).ok());
  ASSERT_TRUE(c.compress("", file).ok());
  ASSERT_TRUE(c.compress(b, file).ok());
  EXPECT_LT(file.size(), a.size() / 3);
  EXPECT_EQ(gunzip_all(file), a + b);
}

TEST(Compressor, ZstdFramesConcatenate) {
  Compressor c(Compression::kZstd);
  std::string file;
  const std::string a = blocks(), b = "second block\n";
  ASSERT_TRUE(c.compress(a, file).ok());
  ASSERT_TRUE(c.compress(b, file).ok());
  std::string out(a.size() + b.size() + 16, '\0');
  ZSTD_DCtx* d = ZSTD_createDCtx();
  size_t n = ZSTD_decompressDCtx(d, out.data(), out.size(), file.data(), file.size());
  ZSTD_freeDCtx(d);
  ASSERT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  out.resize(n);
  EXPECT_EQ(out, a + b);
}

TEST(Compressor, NoneCopies) {
  Compressor c(Compression::kNone);
  std::string out = "x";
  ASSERT_TRUE(c.compress("abc", out).ok());
  EXPECT_EQ(out, "xabc");
  EXPECT_STREQ(compression_extension(Compression::kGzip), "gz");
  EXPECT_STREQ(compression_extension(Compression::kZstd), "zst");
}

}  // namespace
}  // namespace logan
