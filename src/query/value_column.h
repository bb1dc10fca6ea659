// ValueColumn: the values of one expression for the rows of a batch (up to a few hundred), one
// type for all of them, the way the evaluator computes every operator for a whole batch at a
// time. A constant column holds one value that stands for every row. Text values are views:
// into the records of the batch, the query text, or the TextArena of the evaluation.
// Called by query_eval.cc, the aggregates and query_state.cc.
// Thread-safety: plain values; one per thread.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "query/sql_value.h"

namespace logan {

struct ValueColumn {
  SqlType type = SqlType::kNull;
  bool constant = false;          // one value (index 0) for every row
  size_t size = 0;                // rows
  std::vector<uint8_t> null;      // 1 where NULL
  std::vector<int64_t> ints;      // kInt, kTime
  std::vector<double> reals;      // kReal
  std::vector<std::string_view> texts;  // kText

  // Makes room for n rows of `t` (contents unspecified).
  void reset(SqlType t, size_t n) {
    type = t;
    constant = false;
    size = n;
    null.assign(n, t == SqlType::kNull);
    if (t == SqlType::kInt || t == SqlType::kTime) ints.resize(n);
    if (t == SqlType::kReal) reals.resize(n);
    if (t == SqlType::kText) texts.resize(n);
  }
  size_t at(size_t row) const { return constant ? 0 : row; }
  bool is_null(size_t row) const { return null[at(row)] != 0; }
  // As a double (kInt, kReal, kTime).
  double number(size_t row) const {
    size_t k = at(row);
    return type == SqlType::kReal ? reals[k] : static_cast<double>(ints[k]);
  }
  SqlValue value(size_t row) const {
    size_t k = at(row);
    if (null[k]) return SqlValue::null();
    switch (type) {
      case SqlType::kInt: return SqlValue::integer(ints[k]);
      case SqlType::kTime: return SqlValue::time(ints[k]);
      case SqlType::kReal: return SqlValue::real(reals[k]);
      case SqlType::kText: return SqlValue::string(texts[k]);
      case SqlType::kNull: break;
    }
    return SqlValue::null();
  }
};

// Appends row `row` of `c` to `key` so that two rows give equal bytes exactly when their values
// are equal (a NULL equals a NULL, as GROUP BY and DISTINCT treat them): a tag byte, then 8
// bytes of number or the text's length and bytes. A column has one type, so an integer never
// meets a real here.
inline void append_value_key(std::string& key, const ValueColumn& c, size_t row) {
  const size_t k = c.at(row);
  if (c.null[k]) {
    key.push_back('\0');
    return;
  }
  auto put8 = [&key](const void* p) { key.append(static_cast<const char*>(p), 8); };
  switch (c.type) {
    case SqlType::kInt:
      key.push_back('i');
      put8(&c.ints[k]);
      break;
    case SqlType::kReal: {
      double d = c.reals[k] == 0 ? 0.0 : c.reals[k];  // -0.0 and 0.0 are one value
      key.push_back('r');
      put8(&d);
      break;
    }
    case SqlType::kTime:
      key.push_back('t');
      put8(&c.ints[k]);
      break;
    case SqlType::kText: {
      key.push_back('s');
      uint32_t n = static_cast<uint32_t>(c.texts[k].size());
      key.append(reinterpret_cast<const char*>(&n), 4);
      key.append(c.texts[k]);
      break;
    }
    case SqlType::kNull: key.push_back('\0'); break;
  }
}

// Where computed text lives while a batch is evaluated; cleared between batches.
class TextArena {
 public:
  std::string_view keep(std::string s) {
    if (used_ == strings_.size()) strings_.emplace_back();
    std::string& slot = strings_[used_++];
    slot = std::move(s);
    return slot;
  }
  void clear() { used_ = 0; }

 private:
  std::deque<std::string> strings_;
  size_t used_ = 0;
};

}  // namespace logan
