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

uint32_t QueryState::group_of(std::string_view key) {
  auto it = groups_.find(key);
  if (it != groups_.end()) return it->second;
  keys_.emplace_back(key);
  const uint32_t g = static_cast<uint32_t>(group_count_++);
  groups_.emplace(keys_.back(), g);
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

QueryResult QueryState::finish() {
  QueryResult result;
  result.columns = plan_.names;
  result.types = plan_.output_types();
  const size_t outs = plan_.outputs.size();
  struct Out {
    std::vector<SqlValue> values;  // outputs, then order keys
    uint64_t order = 0;
    uint32_t index = 0;
  };
  std::vector<Out> out;
  if (plan_.aggregated) {
    std::deque<SqlValue> storage;
    std::vector<ValueColumn> slots = slot_columns(storage);
    Evaluator eval;
    const size_t g = group_count_;
    std::vector<uint32_t> sel(g), kept(g);
    std::iota(sel.begin(), sel.end(), 0u);
    EvalRows rows{g, sel.data(), nullptr, {}, &slots};
    if (plan_.having) {
      rows.n = eval.filter(*plan_.having, rows, kept.data());
      rows.sel = kept.data();
    }
    std::vector<ValueColumn> cols(outs + plan_.order.size());
    for (size_t j = 0; j < outs; ++j) eval.eval(*plan_.outputs[j], rows, cols[j]);
    for (size_t j = 0; j < plan_.order.size(); ++j) eval.eval(*plan_.order[j].key, rows, cols[outs + j]);
    // Without ORDER BY, groups come in the order of their keys, as SQLite gives them.
    std::vector<std::vector<SqlValue>> key_values;
    if (plan_.order.empty() && !plan_.keys.empty()) {
      for (size_t k = 0; k < rows.n; ++k) {
        std::vector<SqlValue> kv;
        for (size_t j = 0; j < plan_.keys.size(); ++j) kv.push_back(slots[j].value(rows.sel[k]));
        key_values.push_back(std::move(kv));
      }
    }
    for (size_t k = 0; k < rows.n; ++k) {
      Out o;
      for (const auto& c : cols) o.values.push_back(c.value(k));
      o.index = static_cast<uint32_t>(k);
      out.push_back(std::move(o));
    }
    if (!key_values.empty()) {
      std::sort(out.begin(), out.end(), [&](const Out& a, const Out& b) {
        const auto& x = key_values[a.index];
        const auto& y = key_values[b.index];
        for (size_t j = 0; j < x.size(); ++j) {
          int c = compare_sql_values(x[j], y[j]);
          if (c) return c < 0;
        }
        return false;
      });
    }
  } else {
    for (auto& r : rows_) out.push_back(Out{std::move(r.values), r.order, r.index});
    rows_.clear();
    std::sort(out.begin(), out.end(), [](const Out& a, const Out& b) {
      return a.order != b.order ? a.order < b.order : a.index < b.index;
    });
  }
  if (!plan_.order.empty()) {
    std::stable_sort(out.begin(), out.end(), [&](const Out& a, const Out& b) {
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
  if (plan_.distinct) {
    absl::flat_hash_set<std::string> seen;
    std::vector<Out> unique;
    for (auto& o : out) {
      std::string key;
      for (size_t j = 0; j < outs; ++j) {
        ValueColumn c;
        c.reset(o.values[j].type, 1);
        set_value(c, 0, o.values[j]);
        append_value_key(key, c, 0);
      }
      if (seen.insert(key).second) unique.push_back(std::move(o));
    }
    out = std::move(unique);
  }
  const size_t begin = std::min<size_t>(out.size(), static_cast<size_t>(plan_.offset));
  size_t end = out.size();
  if (plan_.limit && *plan_.limit >= 0) end = std::min<size_t>(end, begin + static_cast<size_t>(*plan_.limit));
  for (size_t i = begin; i < end; ++i) {
    out[i].values.resize(outs);
    result.rows.push_back(std::move(out[i].values));
  }
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
    other.keys_.clear();
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
