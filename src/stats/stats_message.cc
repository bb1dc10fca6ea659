// Statistics messages: see stats_message.h.
#include "stats/stats_message.h"

#include "stats/serial.h"

namespace logan {

namespace {
constexpr std::string_view kMagic = "LOGANSM\x01";
// Version 2 added the checkpoint; version 1 messages are still read.
constexpr uint64_t kVersion = 2;
}  // namespace

std::string encode_stats_message(const StatsMessage& m) { return encode_stats_message(m, m.stats); }

std::string encode_stats_message(const StatsMessage& m, const AccessStats& stats) {
  std::string out(kMagic);
  BinaryWriter w(out);
  w.u64(kVersion);
  w.u64(static_cast<uint64_t>(m.kind));
  w.bytes(m.job);
  w.bytes(m.instance);
  w.i64(m.window_start_ms);
  w.i64(m.window_end_ms);
  w.u64(m.final ? 1 : 0);
  w.u64(m.sequence);
  w.i64(m.published_ms);
  std::string state;
  stats.serialize(state);
  w.bytes(state);
  w.bytes(m.checkpoint);
  append_checksum(out, 0);
  return out;
}

Result<StatsMessage> decode_stats_message(std::string_view data) {
  auto body = open_frame(data, kMagic, "logan statistics message");
  if (!body) return body.error();
  BinaryReader r(*body);
  uint64_t version = r.u64();
  if (!r.failed() && version != kVersion && version != 1) {
    return Error{"unsupported logan statistics message version " + std::to_string(version)};
  }
  StatsMessage m;
  uint64_t kind = r.u64();
  m.job = std::string(r.bytes());
  m.instance = std::string(r.bytes());
  m.window_start_ms = r.i64();
  m.window_end_ms = r.i64();
  uint64_t final = r.u64();
  m.sequence = r.u64();
  m.published_ms = r.i64();
  std::string_view stats = r.bytes();
  if (version >= 2) m.checkpoint = std::string(r.bytes());
  if (r.failed() || !r.at_end()) return Error{"corrupt logan statistics message (truncated)"};
  if (kind != 1 && kind != 2) return Error{"corrupt logan statistics message (kind " + std::to_string(kind) + ")"};
  if (final > 1) return Error{"corrupt logan statistics message (final flag)"};
  m.kind = static_cast<StatsMessage::Kind>(kind);
  m.final = final == 1;
  auto decoded = AccessStats::deserialize(stats);
  if (!decoded) return Error{"corrupt logan statistics message: " + decoded.error().message};
  m.stats = std::move(decoded.value());
  return m;
}

}  // namespace logan
