// Query states: grouping, merging and the output stage; see query_state.h.
#include "query/query_state.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "absl/container/flat_hash_set.h"
#include "stats/serial.h"

namespace logan {

QueryState::QueryState(const QueryPlan& plan) : plan_(plan) {
  for (size_t owner : plan.states) {
    const PlannedAggregate& a = plan.aggregates[owner];
    aggregates_.push_back(a.function->make(a.call));
  }
  key_columns_.resize(plan.keys.size());
  if (plan.aggregated && plan.keys.empty()) group_of({});  // one row, even over no lines
}

std::string_view QueryState::keep_key(std::string_view key) {
  constexpr size_t kBlock = 64 << 10;
  if (key.size() > key_block_left_) {
    const size_t size = std::max(kBlock, key.size());
    key_blocks_.push_back(std::make_unique<char[]>(size));
    key_block_at_ = key_blocks_.back().get();
    key_block_left_ = size;
  }
  char* at = key_block_at_;
  if (!key.empty()) std::memcpy(at, key.data(), key.size());
  key_block_at_ += key.size();
  key_block_left_ -= key.size();
  return std::string_view(at, key.size());
}

uint32_t QueryState::group_of(std::string_view key) {
  auto it = groups_.find(key);
  if (it != groups_.end()) return it->second;
  const uint32_t g = static_cast<uint32_t>(group_count_++);
  groups_.emplace(keep_key(key), g);
  for (auto& a : aggregates_) a->resize(group_count_);
  return g;
}

std::vector<int8_t> QueryState::header_slots_for(const QueryPlan& plan, const LogFormat& format) {
  std::vector<int8_t> slots;
  const auto& names = format.header_names();
  for (const auto& h : plan.header_columns) {
    auto it = std::find(names.begin(), names.end(), h);
    slots.push_back(it == names.end() ? int8_t{-1} : static_cast<int8_t>(it - names.begin()));
  }
  return slots;
}

void QueryState::add(const LogRecord* records, size_t n, std::string_view source, uint64_t order,
                     const std::string* const* extras, const int8_t* header_slots) {
  eval_.clear();
  sel_.resize(n);
  std::iota(sel_.begin(), sel_.end(), 0u);
  kept_.resize(n);
  EvalRows rows{n, sel_.data(), records, source, nullptr, extras, plan_.extra_columns.size(), header_slots};
  size_t m = n;
  const uint32_t* sel = sel_.data();
  if (plan_.where) {
    m = eval_.filter(*plan_.where, rows, kept_.data());
    sel = kept_.data();
    rows.n = m;
    rows.sel = sel;
  }
  if (m == 0) return;
  if (!plan_.aggregated) {
    add_rows(rows, order);
    return;
  }
  group_ids_.resize(m);
  if (plan_.keys.empty()) {
    std::fill(group_ids_.begin(), group_ids_.end(), 0u);
  } else {
    for (size_t j = 0; j < plan_.keys.size(); ++j) eval_.eval(*plan_.keys[j], rows, key_columns_[j]);
    for (size_t k = 0; k < m; ++k) {
      key_.clear();
      for (const auto& c : key_columns_) append_value_key(key_, c, k);
      group_ids_[k] = group_of(key_);
    }
  }
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    const auto& planned = plan_.aggregates[plan_.states[a]];
    if (planned.arg) {
      eval_.eval(*planned.arg, rows, arg_);
      aggregates_[a]->update(group_ids_.data(), &arg_, m);
    } else {
      aggregates_[a]->update(group_ids_.data(), nullptr, m);
    }
  }
}

void QueryState::add_rows(const EvalRows& rows, uint64_t order) {
  const size_t m = rows.n;
  const uint32_t* sel = rows.sel;
  const size_t outs = plan_.outputs.size();
  std::vector<ValueColumn> cols(outs + plan_.order.size());
  for (size_t j = 0; j < outs; ++j) eval_.eval(*plan_.outputs[j], rows, cols[j]);
  for (size_t j = 0; j < plan_.order.size(); ++j) eval_.eval(*plan_.order[j].key, rows, cols[outs + j]);
  for (size_t k = 0; k < m; ++k) {
    Row row;
    row.order = order;
    row.index = sel[k];
    row.values.reserve(cols.size());
    for (const auto& c : cols) row.values.push_back(c.value(k));
    rows_.push_back(std::move(row));
  }
}

void QueryState::merge(QueryState& other) {
  if (!plan_.aggregated) {
    for (auto& r : other.rows_) rows_.push_back(std::move(r));
    other.rows_.clear();
    return;
  }
  std::vector<uint32_t> to(other.group_count_);
  for (const auto& [key, g] : other.groups_) to[g] = group_of(key);
  for (size_t a = 0; a < aggregates_.size(); ++a) aggregates_[a]->merge(*other.aggregates_[a], to.data());
}

namespace {

// Reads one value written by append_value_key(); texts are views into `key`.
void read_key_value(std::string_view& key, ValueColumn& out, size_t row) {
  const char tag = key[0];
  key.remove_prefix(1);
  out.null[row] = tag == '\0';
  switch (tag) {
    case 'i':
    case 't': std::memcpy(&out.ints[row], key.data(), 8); key.remove_prefix(8); break;
    case 'r': std::memcpy(&out.reals[row], key.data(), 8); key.remove_prefix(8); break;
    case 's': {
      uint32_t n;
      std::memcpy(&n, key.data(), 4);
      out.texts[row] = key.substr(4, n);
      key.remove_prefix(4 + n);
      break;
    }
    default: break;
  }
}

void set_value(ValueColumn& c, size_t row, const SqlValue& v) {
  c.null[row] = v.is_null();
  if (v.is_null()) return;
  switch (c.type) {
    case SqlType::kInt:
    case SqlType::kTime: c.ints[row] = v.i; break;
    case SqlType::kReal: c.reals[row] = v.type == SqlType::kInt ? static_cast<double>(v.i) : v.r; break;
    case SqlType::kText: c.texts[row] = v.text; break;
    case SqlType::kNull: break;
  }
}

}  // namespace

std::vector<ValueColumn> QueryState::slot_columns(std::deque<SqlValue>& storage) const {
  const size_t g = group_count_;
  std::vector<ValueColumn> slots(plan_.keys.size() + plan_.aggregates.size());
  for (size_t j = 0; j < plan_.keys.size(); ++j) slots[j].reset(plan_.keys[j]->type, g);
  // Keys, in group order.
  std::vector<std::string_view> key_of(g);
  for (const auto& [key, index] : groups_) key_of[index] = key;
  for (size_t i = 0; i < g; ++i) {
    std::string_view key = key_of[i];
    for (size_t j = 0; j < plan_.keys.size(); ++j) read_key_value(key, slots[j], i);
  }
  for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
    const PlannedAggregate& planned = plan_.aggregates[a];
    ValueColumn& c = slots[plan_.keys.size() + a];
    c.reset(planned.type, g);
    const AggregateStates& states = *aggregates_[planned.state];
    for (size_t i = 0; i < g; ++i) {
      storage.push_back(states.finalize_for(static_cast<uint32_t>(i), planned.call));
      set_value(c, i, storage.back());
    }
  }
  return slots;
}

namespace {

// Three-way comparison of rows i and j of one column, in SQLite's order with NULLs first.
int compare_cells(const ValueColumn& c, size_t i, size_t j) {
  const bool ni = c.is_null(i), nj = c.is_null(j);
  if (ni || nj) return ni == nj ? 0 : (ni ? -1 : 1);
  const size_t x = c.at(i), y = c.at(j);
  switch (c.type) {
    case SqlType::kText: {
      int r = c.texts[x].compare(c.texts[y]);
      return (r > 0) - (r < 0);
    }
    case SqlType::kReal: return (c.reals[x] > c.reals[y]) - (c.reals[x] < c.reals[y]);
    case SqlType::kInt:
    case SqlType::kTime: return (c.ints[x] > c.ints[y]) - (c.ints[x] < c.ints[y]);
    case SqlType::kNull: return 0;
  }
  return 0;
}

// Puts `order` (row indices) in the output order: by the ORDER BY keys (columns `keys`, with
// their directions), ties by `tie` (the GROUP BY keys; may be empty), then by position. With
// `first` below the row count and no DISTINCT, only the first `first` rows are sorted.
void order_rows(std::vector<uint32_t>& order, const std::vector<const ValueColumn*>& keys,
                const std::vector<PlannedOrder>& how, const std::vector<const ValueColumn*>& tie,
                size_t first) {
  auto less = [&](uint32_t a, uint32_t b) {
    for (size_t j = 0; j < keys.size(); ++j) {
      const ValueColumn& c = *keys[j];
      const bool na = c.is_null(a), nb = c.is_null(b);
      if (na != nb) return na == how[j].nulls_first;
      const int r = compare_cells(c, a, b);
      if (r) return how[j].descending ? r > 0 : r < 0;
    }
    for (const ValueColumn* c : tie) {
      const int r = compare_cells(*c, a, b);
      if (r) return r < 0;
    }
    return a < b;
  };
  if (first < order.size()) {
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(first), order.end(), less);
    order.resize(first);
  } else {
    std::sort(order.begin(), order.end(), less);
  }
}

}  // namespace

QueryResult QueryState::finish() {
  QueryResult result;
  result.columns = plan_.names;
  result.types = plan_.output_types();
  const size_t outs = plan_.outputs.size();
  // The rows to list, before OFFSET and LIMIT, as many as can matter.
  const size_t wanted = plan_.limit && *plan_.limit >= 0 && !plan_.distinct
                            ? static_cast<size_t>(std::min<int64_t>(*plan_.limit, INT64_MAX - plan_.offset) + plan_.offset)
                            : SIZE_MAX;
  // The output and ORDER BY columns over all rows, and the order to list them in.
  std::vector<ValueColumn> cols(outs + plan_.order.size());
  std::vector<uint32_t> order;
  std::deque<SqlValue> storage;
  std::vector<ValueColumn> slots;
  if (plan_.aggregated) {
    slots = slot_columns(storage);
    Evaluator eval;
    const size_t g = group_count_;
    std::vector<uint32_t> sel(g), kept(g);
    std::iota(sel.begin(), sel.end(), 0u);
    EvalRows rows{g, sel.data(), nullptr, {}, &slots};
    if (plan_.having) {
      rows.n = eval.filter(*plan_.having, rows, kept.data());
      rows.sel = kept.data();
    }
    for (size_t j = 0; j < outs; ++j) eval.eval(*plan_.outputs[j], rows, cols[j]);
    for (size_t j = 0; j < plan_.order.size(); ++j) eval.eval(*plan_.order[j].key, rows, cols[outs + j]);
    // The GROUP BY keys of the rows kept, to order by them (without ORDER BY, groups come in
    // the order of their keys, as SQLite gives them; with it, they break its ties).
    std::vector<ValueColumn> key_cols(plan_.keys.size());
    for (size_t j = 0; j < plan_.keys.size(); ++j) {
      Expr slot;
      slot.kind = ExprKind::kSlot;
      slot.slot = static_cast<int>(j);
      slot.type = plan_.keys[j]->type;
      eval.eval(slot, rows, key_cols[j]);
    }
    order.resize(rows.n);
    std::iota(order.begin(), order.end(), 0u);
    std::vector<const ValueColumn*> keys, tie;
    for (size_t j = 0; j < plan_.order.size(); ++j) keys.push_back(&cols[outs + j]);
    for (const auto& k : key_cols) tie.push_back(&k);
    order_rows(order, keys, plan_.order, tie, wanted);
    result.rows.reserve(std::min(order.size(), wanted));
    // DISTINCT, OFFSET and LIMIT, reading values out only for the rows listed.
    absl::flat_hash_set<std::string> seen;
    size_t skipped = 0;
    for (uint32_t i : order) {
      if (plan_.limit && *plan_.limit >= 0 && result.rows.size() >= static_cast<size_t>(*plan_.limit)) break;
      if (plan_.distinct) {
        std::string key;
        for (size_t j = 0; j < outs; ++j) append_value_key(key, cols[j], i);
        if (!seen.insert(std::move(key)).second) continue;
      }
      if (skipped < static_cast<size_t>(plan_.offset)) {
        ++skipped;
        continue;
      }
      std::vector<SqlValue> row;
      row.reserve(outs);
      for (size_t j = 0; j < outs; ++j) row.push_back(cols[j].value(i));
      result.rows.push_back(std::move(row));
    }
    return result;
  }
  // A query that does not aggregate: its rows, in the order of the logs unless ORDER BY says.
  std::sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) {
    return a.order != b.order ? a.order < b.order : a.index < b.index;
  });
  if (!plan_.order.empty()) {
    std::stable_sort(rows_.begin(), rows_.end(), [&](const Row& a, const Row& b) {
      for (size_t j = 0; j < plan_.order.size(); ++j) {
        const PlannedOrder& o = plan_.order[j];
        const SqlValue& x = a.values[outs + j];
        const SqlValue& y = b.values[outs + j];
        if (x.is_null() != y.is_null()) return x.is_null() == o.nulls_first;
        int c = compare_sql_values(x, y);
        if (c) return o.descending ? c > 0 : c < 0;
      }
      return false;
    });
  }
  absl::flat_hash_set<std::string> seen;
  size_t skipped = 0;
  for (auto& r : rows_) {
    if (plan_.limit && *plan_.limit >= 0 && result.rows.size() >= static_cast<size_t>(*plan_.limit)) break;
    if (plan_.distinct) {
      std::string key;
      for (size_t j = 0; j < outs; ++j) {
        ValueColumn c;
        c.reset(r.values[j].type, 1);
        set_value(c, 0, r.values[j]);
        append_value_key(key, c, 0);
      }
      if (!seen.insert(std::move(key)).second) continue;
    }
    if (skipped < static_cast<size_t>(plan_.offset)) {
      ++skipped;
      continue;
    }
    r.values.resize(outs);
    result.rows.push_back(std::move(r.values));
  }
  rows_.clear();
  return result;
}

namespace {

constexpr std::string_view kStateMagic = "LOGANQS\x01";
constexpr uint64_t kStateVersion = 1;

void write_value(BinaryWriter& w, const SqlValue& v) {
  w.u64(static_cast<uint64_t>(v.type));
  switch (v.type) {
    case SqlType::kInt:
    case SqlType::kTime: w.i64(v.i); break;
    case SqlType::kReal: w.f64(v.r); break;
    case SqlType::kText: w.bytes(v.text); break;
    case SqlType::kNull: break;
  }
}

SqlValue read_value(BinaryReader& r) {
  SqlValue v;
  uint64_t type = r.u64();
  if (type > static_cast<uint64_t>(SqlType::kTime)) {
    r.fail();
    return v;
  }
  v.type = static_cast<SqlType>(type);
  switch (v.type) {
    case SqlType::kInt:
    case SqlType::kTime: v.i = r.i64(); break;
    case SqlType::kReal: v.r = r.f64(); break;
    case SqlType::kText: v.text = std::string(r.bytes()); break;
    case SqlType::kNull: break;
  }
  return v;
}

}  // namespace

std::string QueryState::serialize() const {
  std::string out(kStateMagic);
  BinaryWriter w(out);
  w.u64(kStateVersion);
  w.bytes(plan_.sql);
  if (plan_.aggregated) {
    std::vector<std::string_view> key_of(group_count_);
    for (const auto& [key, index] : groups_) key_of[index] = key;
    w.u64(group_count_);
    for (size_t g = 0; g < group_count_; ++g) {
      w.bytes(key_of[g]);
      for (const auto& a : aggregates_) a->serialize(static_cast<uint32_t>(g), w);
    }
  } else {
    w.u64(rows_.size());
    for (const auto& row : rows_) {
      w.u64(row.order);
      w.u64(row.index);
      w.u64(row.values.size());
      for (const auto& v : row.values) write_value(w, v);
    }
  }
  append_checksum(out, 0);
  return out;
}

bool QueryState::looks_serialized(std::string_view bytes) { return bytes.substr(0, kStateMagic.size()) == kStateMagic; }

Result<std::string> QueryState::sql_of_serialized(std::string_view bytes) {
  auto body = open_frame(bytes, kStateMagic, "query state");
  if (!body) return body.error();
  BinaryReader r(*body);
  if (r.u64() != kStateVersion) return Error{"query state: unknown version (written by a newer logan?)"};
  std::string sql(r.bytes());
  if (r.failed()) return Error{"query state: corrupt"};
  return sql;
}

Status QueryState::merge_serialized(std::string_view bytes, uint64_t order_base) {
  auto body = open_frame(bytes, kStateMagic, "query state");
  if (!body) return body.error();
  BinaryReader r(*body);
  if (r.u64() != kStateVersion) return Error{"query state: unknown version (written by a newer logan?)"};
  if (r.bytes() != plan_.sql) return Error{"query state: written for another query"};
  QueryState other(plan_);
  if (plan_.aggregated) {
    other.groups_.clear();
    other.group_count_ = 0;
    uint64_t groups = r.count();
    for (uint64_t g = 0; g < groups && !r.failed(); ++g) {
      std::string_view key = r.bytes();
      if (other.groups_.contains(key)) {
        r.fail();
        break;
      }
      uint32_t index = other.group_of(key);
      for (auto& a : other.aggregates_) a->deserialize(index, r);
    }
  } else {
    uint64_t rows = r.count();
    const size_t width = plan_.outputs.size() + plan_.order.size();
    for (uint64_t i = 0; i < rows && !r.failed(); ++i) {
      Row row;
      row.order = r.u64() + order_base;
      row.index = static_cast<uint32_t>(r.u64());
      if (r.u64() != width) {
        r.fail();
        break;
      }
      for (size_t j = 0; j < width; ++j) row.values.push_back(read_value(r));
      other.rows_.push_back(std::move(row));
    }
  }
  if (r.failed() || !r.at_end()) return Error{"query state: corrupt"};
  merge(other);
  return Ok{};
}

}  // namespace logan
