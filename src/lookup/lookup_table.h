// LookupTable: one immutable snapshot of a lookup (`--lookup NAME=SOURCE`): its rows' values
// for the columns that --group-by asks for, and an index from the key column to the rows:
// exact IP addresses (hash table), networks (CidrTable, longest prefix wins) or exact text.
// A refresh builds a new snapshot and swaps it in; readers keep the one they hold.
// Thread-safety: immutable after build(); every method may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/result.h"
#include "lookup/cidr_table.h"
#include "lookup/lookup_spec.h"

namespace logan {

// What a source gives: for each row its key, then the value of each column asked for, in the
// order asked (nullopt: SQL NULL, or an empty CSV field).
struct LookupRows {
  std::vector<std::vector<std::optional<std::string>>> rows;
};

class LookupTable {
 public:
  // The kind the keys look like: ip when every key is an address, cidr when every key is
  // spelled like an address or network (hex digits, '.', ':', '/'), text otherwise (and for a
  // table without keys).
  static LookupKind infer_kind(const LookupRows& rows);

  // Indexes `rows` (each the key and `columns` values) by their keys as `kind`. Rows without a
  // key are left out. Fails, naming the key, on a malformed address or network, or a key
  // listed twice.
  static Result<std::shared_ptr<const LookupTable>> build(LookupKind kind, LookupRows rows,
                                                          size_t columns);

  // The row whose key `field_value` matches, or -1.
  int32_t find(std::string_view field_value) const;
  // value_id(find(v), column) for n values at once (-1 where no row matches or the row has no
  // value), n <= CidrTable::kBatch. Faster than one at a time for network keys: the searches
  // overlap, and an IPv4 range answers the value number itself.
  void find_value_ids(const std::string_view* field_values, size_t n, size_t column, int32_t* ids) const;
  // The number of the value of column `column` (0: the first asked for) in `row` among that
  // column's distinct values, or -1 when the row has none there. Numbers are dense from 0.
  int32_t value_id(int32_t row, size_t column) const {
    return columns_[column].ids[static_cast<size_t>(row)];
  }
  // REQUIRES: id >= 0, from value_id(..., column).
  const std::string& value(size_t column, int32_t id) const {
    return columns_[column].values[static_cast<size_t>(id)];
  }
  size_t size() const { return rows_; }
  // Distinct for every snapshot built in this process: value numbers mean something only
  // together with it.
  uint64_t generation() const { return generation_; }

 private:
  struct Column {
    std::vector<int32_t> ids;          // [row]
    std::vector<std::string> values;   // [id]
    Ipv4RangeMap v4_ids;               // cidr keys: IPv4 address -> id
  };

  LookupKind kind_ = LookupKind::kText;
  size_t rows_ = 0;
  uint64_t generation_ = 0;
  std::vector<Column> columns_;
  absl::flat_hash_map<std::string, int32_t> text_;
  absl::flat_hash_map<uint32_t, int32_t> v4_;
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, int32_t> v6_;
  std::optional<CidrTable> networks_;
};

}  // namespace logan
