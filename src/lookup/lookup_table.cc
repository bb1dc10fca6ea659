// Lookup snapshots; see lookup_table.h.
#include "lookup/lookup_table.h"

#include <atomic>

#include "lookup/dotted_ipv4.h"

namespace logan {
namespace {

std::pair<uint64_t, uint64_t> halves(Uint128 bits) {
  return {static_cast<uint64_t>(bits >> 64), static_cast<uint64_t>(bits)};
}

// Spelled like an address or a network ("10.1.0.0/8" too, whose host bits are wrong): only hex
// digits, '.', ':' and '/', with a '.' or a ':'.
bool looks_like_network(std::string_view key) {
  bool separator = false;
  for (char c : key) {
    if (c == '.' || c == ':') {
      separator = true;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '/')) {
      return false;
    }
  }
  return separator;
}

}  // namespace

LookupKind LookupTable::infer_kind(const LookupRows& rows) {
  bool any = false, all_ip = true, all_networks = true;
  for (const auto& row : rows.rows) {
    if (!row[0]) continue;
    any = true;
    if (all_ip && !parse_ip_address(*row[0])) all_ip = false;
    if (all_networks && !looks_like_network(*row[0])) all_networks = false;
    if (!all_ip && !all_networks) break;
  }
  if (!any) return LookupKind::kText;
  // Networks with a malformed one among them are still networks: build() then says which.
  return all_ip ? LookupKind::kIp : all_networks ? LookupKind::kCidr : LookupKind::kText;
}

Result<std::shared_ptr<const LookupTable>> LookupTable::build(LookupKind kind, LookupRows rows,
                                                              size_t columns) {
  static std::atomic<uint64_t> generations{0};
  auto table = std::make_shared<LookupTable>();
  table->kind_ = kind;
  table->generation_ = ++generations;
  table->columns_.resize(columns);
  std::vector<absl::flat_hash_map<std::string, int32_t>> numbering(columns);
  std::vector<std::pair<IpPrefix, int32_t>> networks;
  for (auto& row : rows.rows) {
    if (!row[0]) continue;
    const std::string& key = *row[0];
    const auto index = static_cast<int32_t>(table->rows_);
    bool fresh = true;
    if (kind == LookupKind::kText) {
      fresh = table->text_.emplace(key, index).second;
    } else if (kind == LookupKind::kIp) {
      auto address = parse_ip_address(key);
      if (!address) return Error{"malformed IP address '" + key + "' in the key column"};
      fresh = address->v4 ? table->v4_.emplace(static_cast<uint32_t>(address->bits), index).second
                          : table->v6_.emplace(halves(address->bits), index).second;
    } else {
      std::string why;
      auto prefix = parse_ip_prefix(key, &why);
      if (!prefix) return Error{"malformed CIDR '" + key + "' in the key column: " + why};
      networks.emplace_back(*prefix, index);
    }
    if (!fresh) return Error{"key '" + key + "' is listed twice"};
    ++table->rows_;
    for (size_t c = 0; c < columns; ++c) {
      Column& column = table->columns_[c];
      int32_t id = -1;
      if (row[c + 1]) {
        auto [it, added] = numbering[c].emplace(*row[c + 1], static_cast<int32_t>(column.values.size()));
        if (added) column.values.push_back(std::move(*row[c + 1]));
        id = it->second;
      }
      column.ids.push_back(id);
    }
  }
  if (kind == LookupKind::kCidr) {
    auto built = CidrTable::build(std::move(networks));
    if (!built) return built.error();
    table->networks_ = std::move(built.value());
    for (Column& column : table->columns_) column.v4_ids = table->networks_->v4_rows().relabeled(column.ids);
  }
  return std::shared_ptr<const LookupTable>(std::move(table));
}


void LookupTable::find_value_ids(const std::string_view* values, size_t n, size_t column,
                                 int32_t* ids) const {
  const Column& c = columns_[column];
  if (kind_ != LookupKind::kCidr) {
    for (size_t i = 0; i < n; ++i) {
      const int32_t row = find(values[i]);
      ids[i] = row >= 0 ? c.ids[static_cast<size_t>(row)] : -1;
    }
    return;
  }
  // IPv4 addresses are searched together; the rest one by one.
  uint32_t addresses[CidrTable::kBatch] = {};
  size_t at[CidrTable::kBatch];
  int32_t found[CidrTable::kBatch];
  size_t searched = 0;
  for (size_t i = 0; i < n; ++i) {
    ids[i] = -1;
    if (parse_dotted_ipv4(values[i], addresses[searched])) {
      at[searched++] = i;
      continue;
    }
    auto address = parse_ip_address(values[i]);
    if (!address) continue;
    if (!address->v4) {
      const int32_t row = networks_->find(*address);
      ids[i] = row >= 0 ? c.ids[static_cast<size_t>(row)] : -1;
      continue;
    }
    addresses[searched] = static_cast<uint32_t>(address->bits);
    at[searched++] = i;
  }
  c.v4_ids.find_batch(addresses, searched, found);
  for (size_t j = 0; j < searched; ++j) ids[at[j]] = found[j];
}

int32_t LookupTable::find(std::string_view field_value) const {
  if (field_value.empty()) return -1;
  if (kind_ == LookupKind::kText) {
    auto it = text_.find(absl::string_view(field_value.data(), field_value.size()));
    return it == text_.end() ? -1 : it->second;
  }
  auto address = parse_ip_address(field_value);
  if (!address) return -1;
  if (kind_ == LookupKind::kCidr) return networks_->find(*address);
  if (address->v4) {
    auto it = v4_.find(static_cast<uint32_t>(address->bits));
    return it == v4_.end() ? -1 : it->second;
  }
  auto it = v6_.find(halves(address->bits));
  return it == v6_.end() ? -1 : it->second;
}

}  // namespace logan
