// Partial files; see partial_state.h and docs/partial-format.md.
#include "stats/partial_state.h"

#include <zlib.h>

#include "stats/serial.h"

namespace logan {
namespace {

constexpr std::string_view kPartialMagic = "LOGANPT\x01";
constexpr uint64_t kPartialVersion = 1;

uint32_t crc_of(std::string_view data) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

}  // namespace

std::string encode_partial(const PartialState& partial) {
  std::string out(kPartialMagic);
  BinaryWriter w(out);
  w.u64(kPartialVersion);
  w.u64(partial.inputs);
  std::string stats;
  partial.stats.serialize(stats);
  w.bytes(stats);
  uint32_t crc = crc_of(out);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(crc >> (8 * i)));
  return out;
}

Result<PartialState> decode_partial(std::string_view data) {
  if (data.size() < kPartialMagic.size() + 4 || data.substr(0, kPartialMagic.size()) != kPartialMagic) {
    return Error{"not a logan partial file (bad magic)"};
  }
  std::string_view body = data.substr(0, data.size() - 4);
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) {
    stored |= static_cast<uint32_t>(static_cast<uint8_t>(data[data.size() - 4 + i])) << (8 * i);
  }
  if (crc_of(body) != stored) return Error{"corrupt logan partial file (checksum mismatch)"};
  BinaryReader r(body.substr(kPartialMagic.size()));
  uint64_t version = r.u64();
  if (version != kPartialVersion) {
    return Error{"unsupported logan partial file version " + std::to_string(version)};
  }
  PartialState partial;
  partial.inputs = static_cast<uint32_t>(r.u64());
  std::string_view stats = r.bytes();
  if (r.failed() || !r.at_end()) return Error{"corrupt logan partial file (truncated)"};
  auto decoded = AccessStats::deserialize(stats);
  if (!decoded) return Error{"corrupt logan partial file: " + decoded.error().message};
  partial.stats = std::move(decoded.value());
  return partial;
}

}  // namespace logan
