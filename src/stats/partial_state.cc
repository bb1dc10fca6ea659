// Partial files; see partial_state.h and docs/partial-format.md.
#include "stats/partial_state.h"

#include "stats/serial.h"

namespace logan {
namespace {

constexpr std::string_view kPartialMagic = "LOGANPT\x01";
constexpr uint64_t kPartialVersion = 1;

}  // namespace

std::string encode_partial(const PartialState& partial) {
  std::string out(kPartialMagic);
  BinaryWriter w(out);
  w.u64(kPartialVersion);
  w.u64(partial.inputs);
  std::string stats;
  partial.stats.serialize(stats);
  w.bytes(stats);
  append_checksum(out, 0);
  return out;
}

Result<PartialState> decode_partial(std::string_view data) {
  auto body = open_frame(data, kPartialMagic, "logan partial file");
  if (!body) return body.error();
  BinaryReader r(*body);
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
