// Grouping records by looked-up values; see lookup_grouper.h.
#include "lookup/lookup_grouper.h"

#include <algorithm>

#include "lookup/lookup_source.h"

namespace logan {

Result<std::unique_ptr<LookupGrouper>> LookupGrouper::open(const std::vector<LookupSpec>& lookups,
                                                           const std::vector<GroupBySpec>& group_by,
                                                           const std::string& flag) {
  auto grouper = std::unique_ptr<LookupGrouper>(new LookupGrouper());
  for (const auto& spec : lookups) {
    for (const auto& l : grouper->lookups_) {
      if (l->spec.name == spec.name) return Error{"--lookup " + spec.name + " is given twice"};
    }
    auto l = std::make_unique<Lookup>();
    l->spec = spec;
    grouper->lookups_.push_back(std::move(l));
  }
  for (const auto& g : group_by) {
    auto it = std::find_if(grouper->lookups_.begin(), grouper->lookups_.end(),
                           [&](const auto& l) { return l->spec.name == g.lookup; });
    if (it == grouper->lookups_.end()) {
      return Error{flag + " " + g.name() + ": no --lookup is called '" + g.lookup + "'"};
    }
    Lookup& l = **it;
    if (std::find(l.columns.begin(), l.columns.end(), g.column) != l.columns.end()) continue;
    grouper->order_.emplace_back(static_cast<size_t>(it - grouper->lookups_.begin()), l.columns.size());
    l.columns.push_back(g.column);
    l.dimensions.push_back(g.name());
  }
  for (auto& l : grouper->lookups_) {
    if (l->columns.empty()) {
      return Error{"--lookup " + l->spec.name + " is not used by any " + flag + " " + l->spec.name + ".COLUMN"};
    }
    auto rows = read_lookup_rows(l->spec, l->columns);
    if (!rows) return rows.error();
    l->kind = l->spec.kind ? *l->spec.kind : LookupTable::infer_kind(*rows);
    l->field = l->spec.field ? *l->spec.field : default_field(l->kind);
    auto table = LookupTable::build(l->kind, std::move(rows.value()), l->columns.size());
    if (!table) return Error{"lookup " + l->spec.name + " (" + l->spec.shown + "): " + table.error().message};
    l->table.store(std::move(table.value()));
  }
  return grouper;
}

Result<std::shared_ptr<const LookupTable>> LookupGrouper::load(const Lookup& l) {
  auto rows = read_lookup_rows(l.spec, l.columns);
  if (!rows) return rows.error();
  auto table = LookupTable::build(l.kind, std::move(rows.value()), l.columns.size());
  if (!table) return Error{"lookup " + l.spec.name + " (" + l.spec.shown + "): " + table.error().message};
  return table;
}

std::vector<Error> LookupGrouper::reload() {
  std::vector<Error> errors;
  for (auto& l : lookups_) {
    auto table = load(*l);
    if (!table) {
      errors.push_back(Error{table.error().message + "; keeping the rows read before"});
      continue;
    }
    l->table.store(std::move(table.value()), std::memory_order_release);
  }
  return errors;
}

std::vector<std::string> LookupGrouper::describe() const {
  std::vector<std::string> out;
  for (const auto& l : lookups_) {
    auto table = l->table.load(std::memory_order_acquire);
    out.push_back(l->spec.name + ": " + lookup_kind_name(l->kind) + " keys, " +
                  std::to_string(table ? table->size() : 0) + " rows");
  }
  return out;
}

std::vector<std::string> LookupGrouper::column_names() const {
  std::vector<std::string> out;
  for (const auto& [l, c] : order_) out.push_back(lookups_[l]->dimensions[c]);
  return out;
}

std::vector<std::shared_ptr<const LookupTable>> LookupGrouper::snapshots() const {
  std::vector<std::shared_ptr<const LookupTable>> out;
  for (const auto& l : lookups_) out.push_back(l->table.load(std::memory_order_acquire));
  return out;
}

void LookupGrouper::values(const std::vector<std::shared_ptr<const LookupTable>>& snapshots,
                           const LogRecord& record, const std::string** out) const {
  for (size_t l = 0; l < lookups_.size(); ++l) {
    const LookupTable& table = *snapshots[l];
    const int32_t row = table.find(record_field(record, lookups_[l]->field));
    for (size_t i = 0; i < order_.size(); ++i) {
      const auto [of, c] = order_[i];
      if (of != l) continue;
      const int32_t id = row < 0 ? -1 : table.value_id(row, c);
      out[i] = id < 0 ? nullptr : &table.value(c, id);
    }
  }
}

void LookupGrouper::add(const LogRecord* records, size_t n, GroupStats& groups) const {
  for (const auto& l : lookups_) {
    std::shared_ptr<const LookupTable> table = l->table.load(std::memory_order_acquire);
    for (size_t c = 0; c < l->columns.size(); ++c) {
      // Searched again per column (a lookup rarely has more than one --group-by column): an
      // IPv4 range answers the column's value number without a second miss for the row.
      GroupDimension& dim = groups.dimension(l->dimensions[c]);
      for (size_t start = 0; start < n; start += CidrTable::kBatch) {
        add_batch(*table, c, records + start, std::min(n - start, CidrTable::kBatch), l->field, dim);
      }
    }
  }
}

void LookupGrouper::add(const LogRecord* records, size_t n, GroupStats& groups, ClientTags& tags) const {
  // The tags remember the answers of the first lookup keyed by the client, for its first
  // --group-by column; every other column is looked up as without tags.
  bool remembered = false;
  for (const auto& l : lookups_) {
    std::shared_ptr<const LookupTable> table = l->table.load(std::memory_order_acquire);
    for (size_t c = 0; c < l->columns.size(); ++c) {
      GroupDimension& dim = groups.dimension(l->dimensions[c]);
      if (!remembered && c == 0 && l->field == LookupField::kClient) {
        remembered = true;
        add_tagged(*table, records, n, dim, tags);
        continue;
      }
      for (size_t start = 0; start < n; start += CidrTable::kBatch) {
        add_batch(*table, c, records + start, std::min(n - start, CidrTable::kBatch), l->field, dim);
      }
    }
  }
  if (!remembered) std::fill(tags.store, tags.store + n, false);
}

void LookupGrouper::add_batch(const LookupTable& table, size_t column, const LogRecord* records,
                              size_t n, LookupField field, GroupDimension& dim) {
  // Each stage requests what the next one reads for the whole batch before it reads any.
  std::string_view values[CidrTable::kBatch];
  int32_t ids[CidrTable::kBatch];
  for (size_t i = 0; i < n; ++i) values[i] = record_field(records[i], field);
  table.find_value_ids(values, n, column, ids);
  count_batch(table, column, records, ids, n, dim);
}

void LookupGrouper::add_tagged(const LookupTable& table, const LogRecord* records, size_t n,
                               GroupDimension& dim, ClientTags& tags) {
  // A tag is the client's value number plus one (at most 2^31), or kUnmatchedTag; 0 is "not
  // known".
  constexpr uint32_t kUnmatchedTag = 0xffffffff;
  const bool known = tags.epoch == table.generation();
  tags.epoch = table.generation();
  int32_t ids[ClientTags::kMax];
  std::string_view values[ClientTags::kMax];
  size_t where[ClientTags::kMax];
  size_t unknown = 0;
  for (size_t i = 0; i < n; ++i) {
    tags.store[i] = false;
    const uint32_t tag = known ? tags.tag[i] : 0;
    if (tag != 0) {
      ids[i] = tag == kUnmatchedTag ? -1 : static_cast<int32_t>(tag - 1);
    } else {
      values[unknown] = records[i].client;
      where[unknown++] = i;
    }
  }
  for (size_t start = 0; start < unknown; start += CidrTable::kBatch) {
    const size_t m = std::min(unknown - start, CidrTable::kBatch);
    int32_t found[CidrTable::kBatch];
    table.find_value_ids(values + start, m, 0, found);
    for (size_t j = 0; j < m; ++j) {
      const size_t i = where[start + j];
      ids[i] = found[j];
      if (records[i].client.empty()) continue;  // not in the client table: nowhere to keep it
      tags.tag[i] = found[j] < 0 ? kUnmatchedTag : static_cast<uint32_t>(found[j]) + 1;
      tags.store[i] = true;
    }
  }
  count_batch(table, 0, records, ids, n, dim);
}

void LookupGrouper::count_batch(const LookupTable& table, size_t column, const LogRecord* records,
                                const int32_t* ids, size_t n, GroupDimension& dim) {
  // First sights record the value; the rest only request the number's counters.
  for (size_t i = 0; i < n; ++i) {
    if (ids[i] < 0) continue;
    const auto id = static_cast<uint32_t>(ids[i]);
    if (!dim.known_numbered(table.generation(), id)) dim.numbered_counts(table.generation(), id, table.value(column, ids[i]));
    __builtin_prefetch(dim.numbered_address(id), 1);
  }
  for (size_t i = 0; i < n; ++i) {
    if (ids[i] >= 0) {
      dim.add_to_numbered(static_cast<uint32_t>(ids[i]), records[i]);
    } else {
      dim.add_unmatched(records[i]);
    }
  }
}

}  // namespace logan
