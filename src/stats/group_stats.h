// GroupStats: statistics per value of a looked-up column (`--group-by org.name`): for each
// value its lines, response bytes and response codes, plus the lines whose lookup found no
// value ("unmatched"). One GroupDimension per --group-by, kept by name.
//
// A part of AccessStats and of its contract (README.md in this folder): merge() is associative
// and commutative with an empty state as identity (dimensions are matched by name; a dimension
// one side lacks contributes nothing), subtract() takes out a state merged in earlier, and the
// serialized form lists dimensions and values in ascending order when canonical.
// Thread-safety: not thread-safe; each thread keeps its own and they are merged.
#pragma once

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
  GroupDimension(const GroupDimension& o) : values_(o.values_), unmatched_(o.unmatched_) {}
  GroupDimension(GroupDimension&& o) noexcept
      : values_(std::move(o.values_)), unmatched_(std::move(o.unmatched_)) {
    o.forget_numbering();
  }
  GroupDimension& operator=(const GroupDimension& o) {
    values_ = o.values_;
    unmatched_ = o.unmatched_;
    forget_numbering();
    return *this;
  }
  GroupDimension& operator=(GroupDimension&& o) noexcept {
    values_ = std::move(o.values_);
    unmatched_ = std::move(o.unmatched_);
    forget_numbering();
    o.forget_numbering();
    return *this;
  }

  // A line whose lookup gave `value`. The value is copied the first time it is seen.
  void add(std::string_view value, const LogRecord& record) { counts_of(value).add(record); }
  // The same for a value that its source numbers densely (`id` among the values of source
  // `numbering`, e.g. a lookup snapshot's generation): after the first sight of an id its
  // counts are found by number, without hashing the value.
  void add_numbered(uint64_t numbering, uint32_t id, std::string_view value, const LogRecord& record) {
    numbered_counts(numbering, id, value).add(record);
  }
  // The counts add_numbered() adds to, for callers that prefetch them first. They stay where
  // they are until subtract() or an assignment.
  GroupCounts& numbered_counts(uint64_t numbering, uint32_t id, std::string_view value) {
    GroupCounts* known = known_numbered(numbering, id);
    if (known == nullptr) known = numbered_[id] = &counts_of(value);
    return *known;
  }
  // The counts of number `id` of `numbering` when it has been seen before, else null (then
  // numbered_counts() with its value): lets a caller skip reading the value itself.
  GroupCounts* known_numbered(uint64_t numbering, uint32_t id) {
    if (numbering != numbering_) {
      forget_numbering();
      numbering_ = numbering;
    }
    if (id >= numbered_.size()) numbered_.resize(id + 1, nullptr);
    return numbered_[id];
  }
  // A line whose lookup found no row, or a row without a value in this column.
  void add_unmatched(const LogRecord& record) { unmatched_.add(record); }

  const GroupCounts& unmatched() const { return unmatched_; }
  size_t distinct() const { return values_.size(); }
  // The `n` values with the most lines (ties: value ascending, bytewise).
  std::vector<GroupRow> top(size_t n) const;
  const GroupCounts* find(std::string_view value) const;

  void merge(const GroupDimension& other);
  void subtract(const GroupDimension& part);
  void serialize(BinaryWriter& w, bool canonical) const;
  bool merge_serialized(BinaryReader& r);
  bool operator==(const GroupDimension& o) const {
    return values_ == o.values_ && unmatched_ == o.unmatched_;
  }

 private:
  GroupCounts& counts_of(std::string_view value) {
    auto it = values_.find(absl::string_view(value.data(), value.size()));
    if (it == values_.end()) it = values_.emplace(std::string(value), GroupCounts{}).first;
    return it->second;
  }
  void forget_numbering() {
    numbered_.clear();
    numbering_ = 0;
  }

  // A node map: counts stay where they are as values are added, so numbered_ can point at them.
  absl::node_hash_map<std::string, GroupCounts> values_;
  GroupCounts unmatched_;
  uint64_t numbering_ = 0;                // 0: none
  std::vector<GroupCounts*> numbered_;    // [id] -> counts in values_, or null until first seen
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

// Puts parsed records into groups by something outside the record (the lookups of
// src/lookup); the batch and stream engines call it beside AccessStats::add_parsed().
// Thread-safety: add() is called by every worker thread at once and must allow it.
class RecordGrouper {
 public:
  virtual ~RecordGrouper() = default;
  // Adds records[0..n), already counted by AccessStats::add_parsed(), to `groups`.
  virtual void add(const LogRecord* records, size_t n, GroupStats& groups) const = 0;
};

}  // namespace logan
