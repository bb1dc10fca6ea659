// ShipPositions: see ship_positions.h.
#include "kafka/ship_positions.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "core/clock.h"

namespace logan {

namespace {

uint64_t random_id() {
  std::random_device rd;
  uint64_t id = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return id == 0 ? 1 : id;
}

}  // namespace

Result<std::unique_ptr<ShipPositions>> ShipPositions::open(const Config& config) {
  auto dir = CheckpointDir::open(config.dir, "ship.checkpoint");
  if (!dir) return dir.error();
  auto bytes = dir.value()->load_bytes();
  if (!bytes) return bytes.error();
  std::unique_ptr<ShipPositions> self(new ShipPositions(config, std::move(dir.value())));
  const std::string& path = self->dir_->path();
  if (*bytes) {
    auto c = decode_ship_checkpoint(**bytes);
    if (!c) {
      return Error{"refusing checkpoint '" + path + "': " + c.error().message +
                   " (move it away to start from nothing)"};
    }
    if (c->topic != config.topic) {
      return Error{"refusing checkpoint '" + path + "': it was written for topic '" + c->topic +
                   "', not '" + config.topic + "' (use another --checkpoint directory)"};
    }
    if (c->brokers != normalized_brokers(config.brokers)) {
      return Error{"refusing checkpoint '" + path + "': it was written for brokers '" +
                   c->brokers + "', not '" + normalized_brokers(config.brokers) +
                   "' (use another --checkpoint directory)"};
    }
    self->ship_id_ = c->ship_id;
    self->base_ = c->readback;
    self->unclaimed_ = c->files;
    self->loaded_ = std::move(c.value());
  } else {
    self->ship_id_ = random_id();
  }
  return self;
}

uint64_t ShipPositions::lines_in_flight_at_last_save() const {
  if (!loaded_) return 0;
  uint64_t n = 0;
  for (const auto& [key, files] : loaded_->files) {
    for (const auto& [id, f] : files) n += f.sent_lines > f.acked.lines ? f.sent_lines - f.acked.lines : 0;
  }
  return n;
}

uint64_t ShipPositions::advance_to(
    const std::map<std::pair<uint64_t, uint64_t>, std::pair<uint64_t, uint64_t>>& ends) {
  std::lock_guard lock(mu_);
  uint64_t skipped = 0;
  for (auto& [key, files] : unclaimed_) {
    uint64_t hash = source_key_hash(key);
    for (auto& [id, f] : files) {
      auto it = ends.find({hash, id});
      if (it == ends.end() || it->second.first <= f.acked.offset) continue;
      skipped += it->second.second > f.acked.lines ? it->second.second - f.acked.lines : 0;
      f.acked.offset = it->second.first;
      f.acked.lines = it->second.second;
      f.acked.complete = false;  // a compressed file is decoded on from there
      f.sent_offset = std::max(f.sent_offset, f.acked.offset);
      f.sent_lines = std::max(f.sent_lines, f.acked.lines);
    }
  }
  return skipped;
}

void ShipPositions::set_partitions(const std::map<int32_t, int64_t>& high, bool all) {
  std::lock_guard lock(mu_);
  for (const auto& [partition, offset] : high) {
    if (all || !base_.count(partition)) base_[partition] = offset;
  }
}

std::map<int32_t, int64_t> ShipPositions::readback_offsets() const {
  std::lock_guard lock(mu_);
  return base_;
}

std::vector<FileEntry> ShipPositions::take_source(uint32_t source, const std::string& key) {
  std::lock_guard lock(mu_);
  source_keys_[source] = key;
  std::vector<FileEntry> out;
  auto it = unclaimed_.find(key);
  if (it == unclaimed_.end()) return out;
  for (auto& [id, f] : it->second) {
    out.emplace_back(id, f.acked);
    File& file = files_[{source, id}];
    file.state = f;
    file.saved = true;
  }
  unclaimed_.erase(it);
  return out;
}

uint64_t ShipPositions::add(uint32_t source, const LineBatch& batch, uint32_t messages,
                            Status* saved) {
  *saved = Ok{};
  Key key{source, batch.file_id};
  bool fresh = false;
  uint64_t entry_id = 0;
  {
    std::lock_guard lock(mu_);
    if (batch.forget_file) {
      files_.erase(key);
      dirty_ = true;
      return 0;
    }
    if (!batch.position) return 0;
    auto [it, inserted] = files_.try_emplace(key);
    File& f = it->second;
    if (inserted) {
      // Known from here on at the start of this batch, saved before any of it is produced.
      f.state.acked = *batch.position;
      if (!batch.data.empty()) {
        f.state.acked.offset = batch.first_offset;
        f.state.acked.lines = batch.first_line - 1;
        f.state.acked.complete = false;
      }
      fresh = !f.saved;
    }
    Entry e;
    e.id = entry_id = f.next_entry++;
    e.pos = *batch.position;
    e.outstanding = messages;
    f.state.sent_offset = batch.position->offset;
    f.state.sent_lines = batch.position->lines;
    f.pending.push_back(std::move(e));
    pop_settled(f);
    dirty_ = true;
  }
  if (fresh) *saved = save(false);
  return entry_id;
}

std::string ShipPositions::header(uint32_t source, uint64_t file_id, uint64_t end_offset,
                                  uint64_t end_lines) const {
  std::lock_guard lock(mu_);
  auto it = source_keys_.find(source);
  uint64_t hash = source_key_hash(it == source_keys_.end() ? std::string() : it->second);
  return format_message_position({ship_id_, hash, file_id, end_offset, end_lines});
}

void ShipPositions::settle(uint32_t source, uint64_t file_id, uint64_t entry, int32_t partition,
                           int64_t offset, bool hold) {
  std::lock_guard lock(mu_);
  if (partition >= 0 && offset >= 0) {
    int64_t& next = delivered_next_[partition];
    next = std::max(next, offset + 1);
  }
  auto it = files_.find({source, file_id});
  if (it == files_.end()) return;  // forgotten meanwhile
  File& f = it->second;
  for (Entry& e : f.pending) {
    if (e.id != entry) continue;
    if (e.outstanding > 0) --e.outstanding;
    e.hold |= hold;
    if (partition >= 0 && offset >= 0) {
      auto [slot, inserted] = e.first.try_emplace(partition, offset);
      if (!inserted) slot->second = std::min(slot->second, offset);
    }
    break;
  }
  pop_settled(f);
}

void ShipPositions::pop_settled(File& f) {
  while (!f.pending.empty() && f.pending.front().outstanding == 0 && !f.pending.front().hold) {
    f.state.acked = f.pending.front().pos;
    f.pending.pop_front();
    dirty_ = true;
  }
}

ShipCheckpoint ShipPositions::snapshot_locked(bool clean, std::vector<Key>& named) {
  ShipCheckpoint c;
  c.topic = config_.topic;
  c.brokers = normalized_brokers(config_.brokers);
  c.ship_id = ship_id_;
  c.exactly_once = config_.exactly_once;
  c.clean = clean;
  c.written_ms = wall_ms();
  c.files = unclaimed_;
  for (const auto& [key, f] : files_) {
    auto source = source_keys_.find(key.first);
    if (source == source_keys_.end()) continue;
    c.files[source->second].emplace_back(key.second, f.state);
    named.push_back(key);
  }
  // Read-back starts: below any delivered message of an entry not yet acknowledged.
  std::map<int32_t, int64_t> lowest;
  for (const auto& [key, f] : files_) {
    for (const Entry& e : f.pending) {
      for (const auto& [partition, offset] : e.first) {
        auto [slot, inserted] = lowest.try_emplace(partition, offset);
        if (!inserted) slot->second = std::min(slot->second, offset);
      }
    }
  }
  c.readback = base_;
  for (const auto& [partition, next] : delivered_next_) {
    int64_t& at = c.readback[partition];
    at = std::max(at, next);
  }
  for (const auto& [partition, offset] : lowest) {
    int64_t& at = c.readback[partition];
    at = std::min(at, offset);
  }
  return c;
}

Status ShipPositions::save(bool clean) {
  std::lock_guard save_lock(save_mu_);
  std::vector<Key> named;
  ShipCheckpoint c;
  {
    std::lock_guard lock(mu_);
    c = snapshot_locked(clean, named);
    dirty_ = false;
  }
  Status s = dir_->save_bytes(encode_ship_checkpoint(c));
  std::lock_guard lock(mu_);
  last_save_ms_ = steady_ms();
  if (!s) {
    dirty_ = true;
    return s;
  }
  for (const Key& k : named) {
    if (auto it = files_.find(k); it != files_.end()) it->second.saved = true;
  }
  return s;
}

Status ShipPositions::save_if_due(int64_t now_ms) {
  {
    std::lock_guard lock(mu_);
    if (!dirty_ || now_ms - last_save_ms_ < config_.interval_ms) return Ok{};
  }
  return save(false);
}

std::optional<ShipFileState> ShipPositions::file(uint32_t source, uint64_t file_id) const {
  std::lock_guard lock(mu_);
  auto it = files_.find({source, file_id});
  if (it == files_.end()) return std::nullopt;
  return it->second.state;
}

}  // namespace logan
