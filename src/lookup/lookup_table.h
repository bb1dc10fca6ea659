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

  // Indexes `rows` by their keys as `kind`. Rows without a key are left out. Fails, naming the
  // key, on a malformed address or network, or a key listed twice.
  static Result<std::shared_ptr<const LookupTable>> build(LookupKind kind, LookupRows rows);

  // The row whose key `field_value` matches, or -1.
  int32_t find(std::string_view field_value) const;
  // The value of column `column` (0: the first asked for) in `row`; nullptr when it has none.
  const std::string* value(int32_t row, size_t column) const {
    const auto& cell = rows_[static_cast<size_t>(row)][column + 1];
    return cell ? &*cell : nullptr;
  }
  size_t size() const { return rows_.size(); }

 private:
  LookupKind kind_ = LookupKind::kText;
  std::vector<std::vector<std::optional<std::string>>> rows_;
  absl::flat_hash_map<std::string, int32_t> text_;
  absl::flat_hash_map<uint32_t, int32_t> v4_;
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, int32_t> v6_;
  std::optional<CidrTable> networks_;
};

}  // namespace logan
