// ShipCheckpoint encoding: see ship_checkpoint.h. The layout (docs/kafka.md):
//   "LOGANSH\x01", then varints and length-prefixed strings:
//   version (1), written_ms, topic, brokers, ship_id, flags (1 exactly-once, 2 clean),
//   number of sources, each: key, number of files, each: id, FilePosition (as in the stream
//   checkpoint), sent_offset, sent_lines;
//   number of partitions, each: partition, read-back offset;
//   then zlib's CRC-32 of all the bytes before it.
#include "kafka/ship_checkpoint.h"

#include <algorithm>
#include <charconv>

#include "stats/serial.h"
#include "stream/checkpoint.h"
#include "stream/file_watch_source.h"

namespace logan {

namespace {
constexpr std::string_view kMagic = "LOGANSH\x01";
constexpr uint64_t kVersion = 1;
}  // namespace

std::string encode_ship_checkpoint(const ShipCheckpoint& c) {
  std::string out(kMagic);
  BinaryWriter w(out);
  w.u64(kVersion);
  w.i64(c.written_ms);
  w.bytes(c.topic);
  w.bytes(c.brokers);
  w.u64(c.ship_id);
  w.u64((c.exactly_once ? 1 : 0) | (c.clean ? 2 : 0));
  w.u64(c.files.size());
  for (const auto& [key, files] : c.files) {
    w.bytes(key);
    w.u64(files.size());
    for (const auto& [id, f] : files) {
      w.u64(id);
      write_file_position(w, f.acked);
      w.u64(f.sent_offset);
      w.u64(f.sent_lines);
    }
  }
  w.u64(c.readback.size());
  for (const auto& [partition, offset] : c.readback) {
    w.i64(partition);
    w.i64(offset);
  }
  append_checksum(out, 0);
  return out;
}

Result<ShipCheckpoint> decode_ship_checkpoint(std::string_view bytes) {
  auto body = open_frame(bytes, kMagic, "ship checkpoint");
  if (!body) return body.error();
  BinaryReader r(*body);
  uint64_t version = r.u64();
  if (!r.failed() && version != kVersion) {
    return Error{"ship checkpoint version " + std::to_string(version) +
                 " is not one this logan reads"};
  }
  ShipCheckpoint c;
  c.written_ms = r.i64();
  c.topic = std::string(r.bytes());
  c.brokers = std::string(r.bytes());
  c.ship_id = r.u64();
  uint64_t flags = r.u64();
  c.exactly_once = flags & 1;
  c.clean = flags & 2;
  uint64_t sources = r.count();
  for (uint64_t s = 0; s < sources && !r.failed(); ++s) {
    ShipFiles& files = c.files[std::string(r.bytes())];
    uint64_t n = r.count();
    for (uint64_t i = 0; i < n && !r.failed(); ++i) {
      uint64_t id = r.u64();
      ShipFileState f;
      f.acked = read_file_position(r);
      f.sent_offset = r.u64();
      f.sent_lines = r.u64();
      files.emplace_back(id, std::move(f));
    }
  }
  uint64_t partitions = r.count();
  for (uint64_t i = 0; i < partitions && !r.failed(); ++i) {
    auto partition = static_cast<int32_t>(r.i64());
    c.readback[partition] = r.i64();
  }
  if (r.failed() || !r.at_end()) return Error{"ship checkpoint is truncated or corrupt"};
  return c;
}

std::string normalized_brokers(std::string_view brokers) {
  std::vector<std::string> parts;
  while (!brokers.empty()) {
    size_t comma = brokers.find(',');
    std::string_view part = brokers.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) parts.emplace_back(part);
    if (comma == std::string_view::npos) break;
    brokers.remove_prefix(comma + 1);
  }
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

std::string format_message_position(const MessagePosition& p) {
  char buf[5 * 17];
  char* at = buf;
  char* end = buf + sizeof buf;
  for (uint64_t v : {p.ship_id, p.source_hash, p.file_id, p.end_offset, p.end_lines}) {
    if (at != buf) *at++ = '/';
    at = std::to_chars(at, end, v, 16).ptr;
  }
  return std::string(buf, at);
}

std::optional<MessagePosition> parse_message_position(std::string_view text) {
  uint64_t v[5];
  const char* at = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 5; ++i) {
    if (i > 0) {
      if (at == end || *at != '/') return std::nullopt;
      ++at;
    }
    auto [next, ec] = std::from_chars(at, end, v[i], 16);
    if (ec != std::errc() || next == at) return std::nullopt;
    at = next;
  }
  if (at != end) return std::nullopt;
  return MessagePosition{v[0], v[1], v[2], v[3], v[4]};
}

uint64_t source_key_hash(std::string_view key) { return fingerprint_hash(key); }

}  // namespace logan
