// Varint and byte-string encoding; see serial.h.
#include "stats/serial.h"

#include <cstring>

#include <zlib.h>

namespace logan {

void BinaryWriter::u64(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void BinaryWriter::i64(int64_t v) {
  u64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void BinaryWriter::bytes(std::string_view s) {
  u64(s.size());
  out_.append(s);
}

void BinaryWriter::f64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>(bits >> (8 * i)));
}

uint64_t BinaryReader::u64() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= in_.size()) break;
    uint8_t b = static_cast<uint8_t>(in_[pos_++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  failed_ = true;
  return 0;
}

int64_t BinaryReader::i64() {
  uint64_t z = u64();
  return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
}

std::string_view BinaryReader::bytes() {
  uint64_t n = u64();
  if (failed_ || n > in_.size() - pos_) {
    failed_ = true;
    return {};
  }
  std::string_view s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

double BinaryReader::f64() {
  if (in_.size() - pos_ < 8) {
    failed_ = true;
    return 0;
  }
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
  pos_ += 8;
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

uint64_t BinaryReader::count() {
  uint64_t n = u64();
  if (n > in_.size() - pos_) {
    failed_ = true;
    return 0;
  }
  return n;
}

namespace {

uint32_t crc_of(std::string_view data) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

}  // namespace

void append_checksum(std::string& out, size_t frame_start) {
  uint32_t crc = crc_of(std::string_view(out).substr(frame_start));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(crc >> (8 * i)));
}

Result<std::string_view> open_frame(std::string_view data, std::string_view magic,
                                    const std::string& what) {
  if (data.size() < magic.size() + 4 || data.substr(0, magic.size()) != magic) {
    return Error{"not a " + what + " (bad magic)"};
  }
  std::string_view framed = data.substr(0, data.size() - 4);
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) {
    stored |= static_cast<uint32_t>(static_cast<uint8_t>(data[data.size() - 4 + i])) << (8 * i);
  }
  if (crc_of(framed) != stored) return Error{"corrupt " + what + " (checksum mismatch)"};
  return framed.substr(magic.size());
}

}  // namespace logan
