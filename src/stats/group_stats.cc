// Grouped statistics: merging, ranking and serialization; see group_stats.h and
// docs/partial-format.md.
#include "stats/group_stats.h"

#include <algorithm>

namespace logan {
namespace {

void write_counts(BinaryWriter& w, const GroupCounts& c) {
  w.u64(c.lines);
  w.u64(c.bytes);
  w.u64(c.statuses.size());
  for (const auto& [code, n] : c.statuses) {
    w.u64(static_cast<uint64_t>(code));
    w.u64(n);
  }
}

bool read_counts(BinaryReader& r, GroupCounts& c) {
  c.lines = r.u64();
  c.bytes = r.u64();
  uint64_t n = r.count();
  int last = -1;
  for (uint64_t i = 0; i < n && !r.failed(); ++i) {
    uint64_t code = r.u64();
    uint64_t count = r.u64();
    if (code > 999 || static_cast<int>(code) <= last) return false;
    last = static_cast<int>(code);
    c.statuses.emplace_back(last, count);
  }
  return !r.failed();
}

}  // namespace

void GroupCounts::add_status(int code, uint64_t n) {
  // Few distinct codes per group: a sorted vector beats a hash table here.
  auto it = statuses.begin();
  while (it != statuses.end() && it->first < code) ++it;
  if (it != statuses.end() && it->first == code) {
    it->second += n;
  } else {
    statuses.insert(it, {code, n});
  }
}

void GroupCounts::merge(const GroupCounts& other) {
  lines += other.lines;
  bytes += other.bytes;
  for (const auto& [code, n] : other.statuses) add_status(code, n);
}

void GroupCounts::subtract(const GroupCounts& part) {
  lines -= part.lines;
  bytes -= part.bytes;
  for (const auto& [code, n] : part.statuses) {
    auto it = std::find_if(statuses.begin(), statuses.end(),
                           [code = code](const auto& s) { return s.first == code; });
    if (it == statuses.end()) continue;
    if (it->second <= n) {
      statuses.erase(it);
    } else {
      it->second -= n;
    }
  }
}

void GroupDimension::add_unslotted_status(Pending& p, GroupCounts& target, int code) {
  const auto index = static_cast<size_t>(code);
  if (index < slot_of_.size() && slot_of_[index] == 0) {
    if (slots_ < kSlots) {
      slot_code_[slots_] = code;
      slot_of_[index] = static_cast<uint8_t>(++slots_);
      ++p.statuses[slots_ - 1];
      return;
    }
    slot_of_[index] = kSlots + 1;
  }
  target.add_status(code, 1);
}

void GroupDimension::settle_one(Pending& p, GroupCounts& target) const {
  target.lines += p.lines;
  target.bytes += p.bytes;
  for (unsigned s = 0; s < kSlots; ++s) {
    if (p.statuses[s] != 0) target.add_status(slot_code_[s], p.statuses[s]);
  }
  p = Pending{};
}

void GroupDimension::settle_pending() const {
  for (uint32_t id : touched_) settle_one(pending_[id], *numbered_[id]);
  touched_.clear();
  std::vector<Pending>().swap(pending_);
  if (unmatched_pending_.lines != 0) settle_one(unmatched_pending_, unmatched_);
}

std::vector<GroupRow> GroupDimension::top(size_t n) const {
  settle();
  std::vector<std::pair<std::string_view, const GroupCounts*>> all;
  all.reserve(values_.size());
  for (const auto& [value, counts] : values_) all.emplace_back(value, &counts);
  auto before = [](const auto& a, const auto& b) {
    return a.second->lines != b.second->lines ? a.second->lines > b.second->lines : a.first < b.first;
  };
  n = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(n), all.end(), before);
  std::vector<GroupRow> rows;
  rows.reserve(n);
  for (size_t i = 0; i < n; ++i) rows.push_back({std::string(all[i].first), *all[i].second});
  return rows;
}

const GroupCounts* GroupDimension::find(std::string_view value) const {
  settle();
  auto it = values_.find(absl::string_view(value.data(), value.size()));
  return it == values_.end() ? nullptr : &it->second;
}

void GroupDimension::merge(const GroupDimension& other) {
  other.settle();
  for (const auto& [value, counts] : other.values_) values_[value].merge(counts);
  unmatched_.merge(other.unmatched_);
}

void GroupDimension::subtract(const GroupDimension& part) {
  forget_numbering();  // counts may be erased
  part.settle();
  for (const auto& [value, counts] : part.values_) {
    auto it = values_.find(absl::string_view(value.data(), value.size()));
    if (it == values_.end()) continue;
    if (it->second.lines <= counts.lines) {
      values_.erase(it);
    } else {
      it->second.subtract(counts);
    }
  }
  unmatched_.subtract(part.unmatched_);
}

void GroupDimension::serialize(BinaryWriter& w, bool canonical) const {
  settle();
  write_counts(w, unmatched_);
  w.u64(values_.size());
  if (!canonical) {
    for (const auto& [value, counts] : values_) {
      w.bytes(value);
      write_counts(w, counts);
    }
    return;
  }
  std::vector<const std::pair<const std::string, GroupCounts>*> sorted;
  sorted.reserve(values_.size());
  for (const auto& entry : values_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* entry : sorted) {
    w.bytes(entry->first);
    write_counts(w, entry->second);
  }
}

bool GroupDimension::merge_serialized(BinaryReader& r) {
  GroupCounts unmatched;
  if (!read_counts(r, unmatched)) return false;
  unmatched_.merge(unmatched);
  uint64_t n = r.count();
  for (uint64_t i = 0; i < n && !r.failed(); ++i) {
    std::string_view value = r.bytes();
    GroupCounts counts;
    if (!read_counts(r, counts)) return false;
    values_[std::string(value)].merge(counts);
  }
  return !r.failed();
}

GroupDimension& GroupStats::dimension(std::string_view name) {
  auto it = dims_.find(name);
  if (it == dims_.end()) it = dims_.emplace(std::string(name), GroupDimension{}).first;
  return it->second;
}

void GroupStats::merge(const GroupStats& other) {
  for (const auto& [name, dim] : other.dims_) dimension(name).merge(dim);
}

void GroupStats::subtract(const GroupStats& part) {
  for (const auto& [name, dim] : part.dims_) {
    auto it = dims_.find(name);
    if (it != dims_.end()) it->second.subtract(dim);
  }
}

void GroupStats::serialize(BinaryWriter& w, bool canonical) const {
  w.u64(dims_.size());
  for (const auto& [name, dim] : dims_) {  // a std::map: always in order
    w.bytes(name);
    dim.serialize(w, canonical);
  }
}

bool GroupStats::merge_serialized(BinaryReader& r) {
  uint64_t n = r.count();
  for (uint64_t i = 0; i < n && !r.failed(); ++i) {
    std::string_view name = r.bytes();
    if (r.failed() || !dimension(name).merge_serialized(r)) return false;
  }
  return !r.failed();
}

}  // namespace logan
