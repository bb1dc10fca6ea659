// GroupStats: statistics per value of a looked-up column (`--group-by org.name`): for each
// value its lines, response bytes and response codes, plus the lines whose lookup found no
// value ("unmatched"). One GroupDimension per --group-by, kept by name.
//
// A part of AccessStats and of its contract (README.md in this folder): merge() is associative
// and commutative with an empty state as identity (dimensions are matched by name; a dimension
// one side lacks contributes nothing), subtract() takes out a state merged in earlier, and the
// serialized form lists dimensions and values in ascending order when canonical.
//
// Lines added by number (add_to_numbered(), the lookups' hot path) are first counted aside in
// one dense array per numbering, a cache line per number with counters for the dimension's
// first twelve status codes, and moved into the values' counts before anything reads them: every
// reading method (const ones too) does that first.
// Thread-safety: not thread-safe; each thread keeps its own and they are merged. A dimension
// that lines were added to by number must be read by one thread first (as merging or copying
// it does); after that, concurrent reads are safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "parse/log_record.h"
#include "stats/serial.h"

namespace logan {

// The counts of one group.
struct GroupCounts {
  uint64_t lines = 0;
  uint64_t bytes = 0;                              // sum of the response sizes logged
  std::vector<std::pair<int, uint64_t>> statuses;  // (code, lines), by code ascending

  void add(const LogRecord& record) {
    ++lines;
    if (record.size > 0) bytes += static_cast<uint64_t>(record.size);
    if (record.status >= 0) add_status(record.status, 1);
  }
  void add_status(int code, uint64_t n);
  void merge(const GroupCounts& other);
  // REQUIRES: `part` was merged into these counts earlier.
  void subtract(const GroupCounts& part);
  bool operator==(const GroupCounts&) const = default;
};

// One value of a dimension and its counts, as ranked for reports.
struct GroupRow {
  std::string value;
  GroupCounts counts;
};

// The groups of one --group-by.
class GroupDimension {
 public:
  GroupDimension() = default;
  // Copies and moves leave the numbering behind: it points into the source's table.
  GroupDimension(const GroupDimension& o) : values_((o.settle(), o.values_)), unmatched_(o.unmatched_) {}
  GroupDimension(GroupDimension&& o) noexcept : values_((o.settle(), std::move(o.values_))), unmatched_(std::move(o.unmatched_)) {
    o.forget_numbering();
  }
  GroupDimension& operator=(const GroupDimension& o) {
    if (this == &o) return *this;
    o.settle();
    forget_numbering();
    values_ = o.values_;
    unmatched_ = o.unmatched_;
    return *this;
  }
  GroupDimension& operator=(GroupDimension&& o) noexcept {
    if (this == &o) return *this;
    o.settle();
    forget_numbering();
    values_ = std::move(o.values_);
    unmatched_ = std::move(o.unmatched_);
    o.forget_numbering();
    return *this;
  }

  // A line whose lookup gave `value`. The value is copied the first time it is seen.
  void add(std::string_view value, const LogRecord& record) { counts_of(value).add(record); }
  // The same for a value that its source numbers densely (`id` among the values of source
  // `numbering`, e.g. a lookup snapshot's generation): after the first sight of an id its
  // counts are found by number, without hashing the value.
  void add_numbered(uint64_t numbering, uint32_t id, std::string_view value, const LogRecord& record) {
    numbered_counts(numbering, id, value);
    add_to_numbered(id, record);
  }
  // Makes number `id` of `numbering` known with its value (a no-op once it is).
  void numbered_counts(uint64_t numbering, uint32_t id, std::string_view value) {
    if (!known_numbered(numbering, id)) numbered_[id] = &counts_of(value);
  }
  // Whether number `id` of `numbering` has been seen before (else numbered_counts() with its
  // value first): lets a caller skip reading the value itself. A new numbering forgets the
  // last one.
  bool known_numbered(uint64_t numbering, uint32_t id) {
    if (numbering != numbering_) {
      forget_numbering();
      numbering_ = numbering;
    }
    if (id >= numbered_.size()) numbered_.resize(id + 1, nullptr);
    if (id >= pending_.size() && id < kMaxPending) pending_.resize(id + 1);
    return numbered_[id] != nullptr;
  }
  // Adds a line to number `id` of the current numbering, which is known.
  void add_to_numbered(uint32_t id, const LogRecord& record) {
    if (id >= kMaxPending) {
      numbered_[id]->add(record);
      return;
    }
    Pending& p = pending_[id];
    if (p.lines == 0) touched_.push_back(id);
    add_pending(p, *numbered_[id], record);
  }
  // For callers that prefetch what add_to_numbered(id, ...) writes.
  const void* numbered_address(uint32_t id) const { return id < pending_.size() ? &pending_[id] : nullptr; }
  // A line whose lookup found no row, or a row without a value in this column.
  void add_unmatched(const LogRecord& record) { add_pending(unmatched_pending_, unmatched_, record); }

  const GroupCounts& unmatched() const {
    settle();
    return unmatched_;
  }
  size_t distinct() const { return values_.size(); }
  // The `n` values with the most lines (ties: value ascending, bytewise).
  std::vector<GroupRow> top(size_t n) const;
  const GroupCounts* find(std::string_view value) const;

  void merge(const GroupDimension& other);
  void subtract(const GroupDimension& part);
  void serialize(BinaryWriter& w, bool canonical) const;
  bool merge_serialized(BinaryReader& r);
  bool operator==(const GroupDimension& o) const {
    settle();
    o.settle();
    return values_ == o.values_ && unmatched_ == o.unmatched_;
  }

 private:
  // Lines counted aside for one number (or for the unmatched): a cache line.
  static constexpr unsigned kSlots = 12;  // status codes with a counter of their own
  struct alignas(64) Pending {
    uint64_t lines = 0;  // 0: not in touched_
    uint64_t bytes = 0;
    uint32_t statuses[kSlots] = {};  // moved into place before they could wrap
  };
  // Numbers from here on are counted in place (bounds the dense array at 4 MiB).
  static constexpr uint32_t kMaxPending = 65536;

  GroupCounts& counts_of(std::string_view value) {
    auto it = values_.find(absl::string_view(value.data(), value.size()));
    if (it == values_.end()) it = values_.emplace(std::string(value), GroupCounts{}).first;
    return it->second;
  }
  // Counts a line aside in `p`, whose counts are `target`.
  void add_pending(Pending& p, GroupCounts& target, const LogRecord& record) {
    ++p.lines;
    if (record.size > 0) p.bytes += static_cast<uint64_t>(record.size);
    if (record.status < 0) return;
    const auto code = static_cast<unsigned>(record.status);
    const unsigned slot = code < slot_of_.size() ? slot_of_[code] : 0;
    if (slot != 0 && slot <= kSlots) {
      if (++p.statuses[slot - 1] == UINT32_MAX) {
        target.add_status(record.status, UINT32_MAX);
        p.statuses[slot - 1] = 0;
      }
    } else {
      add_unslotted_status(p, target, record.status);
    }
  }
  // A status code without a slot: gives it one while there are free ones, else counts it in place.
  void add_unslotted_status(Pending& p, GroupCounts& target, int code);
  // Moves the counts kept aside into values_ and unmatched_, and frees the dense array: a
  // dimension that is read is rarely added to again (a stream's closed panes), and a window
  // of many panes should not keep a line per value for each.
  void settle() const {
    if (!touched_.empty() || unmatched_pending_.lines != 0) settle_pending();
  }
  void settle_pending() const;
  void settle_one(Pending& p, GroupCounts& target) const;
  void forget_numbering() {
    settle();
    numbered_.clear();
    pending_.clear();
    numbering_ = 0;
  }

  // A node map: counts stay where they are as values are added, so numbered_ can point at them.
  // Mutable: settle() moves counts kept aside into it from const methods.
  mutable absl::node_hash_map<std::string, GroupCounts> values_;
  mutable GroupCounts unmatched_;
  mutable Pending unmatched_pending_;
  uint64_t numbering_ = 0;                // 0: none
  std::vector<GroupCounts*> numbered_;    // [id] -> counts in values_, or null until first seen
  mutable std::vector<Pending> pending_;  // [id] for ids below kMaxPending; empty after a read
  mutable std::vector<uint32_t> touched_; // ids whose pending_ entry is not empty
  std::array<uint8_t, 1000> slot_of_{};   // [code]: 0 none yet, 1..kSlots, kSlots + 1 in place
  std::array<int, kSlots> slot_code_{};   // [slot - 1]: its code
  unsigned slots_ = 0;                    // slots given
};

class GroupStats {
 public:
  // The dimension called `name` ("lookup.column"), added if new. References stay valid while
  // this state lives (dimensions are never removed).
  GroupDimension& dimension(std::string_view name);
  // Every dimension, by name ascending.
  const std::map<std::string, GroupDimension, std::less<>>& dimensions() const { return dims_; }
  bool empty() const { return dims_.empty(); }

  void merge(const GroupStats& other);
  void subtract(const GroupStats& part);
  void serialize(BinaryWriter& w, bool canonical) const;
  // Adds what serialize() wrote; false on malformed input.
  bool merge_serialized(BinaryReader& r);
  bool operator==(const GroupStats& o) const { return dims_ == o.dims_; }

 private:
  std::map<std::string, GroupDimension, std::less<>> dims_;
};

// What a RecordGrouper remembers of a batch's clients from one batch to the next: a 32-bit tag
// per client, kept beside the client's count in AccessStats (a lookup's answer for that
// address), so a client seen again costs no new lookup. For records[i]:
// - AccessStats::add_parsed_batch() sets tag[i] (0: nothing remembered, or no client) and
//   hash[i], and `epoch`: what the table's tags belong to (a lookup snapshot);
// - the grouper uses the tags when `epoch` is its own; it sets store[i] (and tag[i]) for the
//   ones it wants kept, and sets `epoch` to its own when it differs;
// - AccessStats::store_client_tags() keeps them, first dropping every tag of another epoch.
// AccessStats::add_parsed_grouped() runs the three steps.
struct ClientTags {
  static constexpr size_t kMax = 64;
  uint64_t epoch = 0;
  uint32_t tag[kMax];
  bool store[kMax];
  uint64_t hash[kMax];
};

// Puts parsed records into groups by something outside the record (the lookups of
// src/lookup); the batch and stream engines call it beside AccessStats::add_parsed().
// Thread-safety: add() is called by every worker thread at once and must allow it.
class RecordGrouper {
 public:
  virtual ~RecordGrouper() = default;
  // Adds records[0..n), already counted by AccessStats::add_parsed(), to `groups`.
  virtual void add(const LogRecord* records, size_t n, GroupStats& groups) const = 0;
  // add() with the clients' tags (see ClientTags; n <= ClientTags::kMax). By default the tags
  // are not used and none is stored.
  virtual void add(const LogRecord* records, size_t n, GroupStats& groups, ClientTags& tags) const {
    for (size_t i = 0; i < n; ++i) tags.store[i] = false;
    add(records, n, groups);
  }
};

}  // namespace logan
