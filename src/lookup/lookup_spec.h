// LookupSpec: what `--lookup NAME=SOURCE` names, and GroupBySpec, what `--group-by NAME.COLUMN`
// names (docs/lookup.md):
//   cust=sqlite:/path/db.sqlite?table=customers&key=ip
//   org=postgresql://user@host/db?table=networks&key=cidr&sslmode=require
//   plan=csv:/path/users.csv?key=user_id&field=user
// Options after '?' (joined by '&', values percent-decoded): table (SQL sources), key (the key
// column), kind (ip | cidr | text; inferred from the keys when absent), field (the log field
// matched: client, user, vhost, referer, user_agent, endpoint, method; client for ip and cidr
// keys, user for text keys). Other options of a postgresql:// URL go to libpq.
// Thread-safety: pure functions and plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "parse/log_record.h"

namespace logan {

enum class LookupKind { kIp, kCidr, kText };
enum class LookupField { kClient, kUser, kVhost, kReferer, kUserAgent, kEndpoint, kMethod };
enum class LookupScheme { kCsv, kSqlite, kPostgres };

struct LookupSpec {
  std::string name;          // NAME: what --group-by NAME.COLUMN refers to
  LookupScheme scheme = LookupScheme::kCsv;
  std::string location;      // CSV or SQLite path, or the libpq URL without logan's options
  std::string shown;         // the source for messages, password hidden
  std::string table;         // SQL sources
  std::string key;           // the key column
  std::optional<LookupKind> kind;    // nullopt: inferred from the keys at the first load
  std::optional<LookupField> field;  // nullopt: from the kind
};

// Parses NAME=SOURCE; the error names the flag value and what is wrong with it.
Result<LookupSpec> parse_lookup_spec(std::string_view text);

// The log field a lookup of `kind` matches unless `field=` says otherwise.
LookupField default_field(LookupKind kind);
const char* lookup_kind_name(LookupKind kind);

// The field of `record` that `field` names.
inline std::string_view record_field(const LogRecord& r, LookupField field) {
  switch (field) {
    case LookupField::kClient: return r.client;
    case LookupField::kUser: return r.user;
    case LookupField::kVhost: return r.vhost;
    case LookupField::kReferer: return r.referer;
    case LookupField::kUserAgent: return r.user_agent;
    case LookupField::kEndpoint: return r.has_endpoint ? r.endpoint : std::string_view();
    case LookupField::kMethod: return r.method;
  }
  return {};
}

struct GroupBySpec {
  std::string lookup;  // NAME
  std::string column;  // COLUMN
  std::string name() const { return lookup + "." + column; }
};

// Parses NAME.COLUMN (the column may itself contain dots: the first one splits).
// `flag` names the option in the error (`logan export` calls it --with).
Result<GroupBySpec> parse_group_by(std::string_view text, const std::string& flag = "--group-by");

}  // namespace logan
