// --lookup and --group-by values; see lookup_spec.h.
#include "lookup/lookup_spec.h"

#include <utility>

namespace logan {
namespace {

bool is_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::optional<LookupField> field_named(std::string_view s) {
  static constexpr std::pair<std::string_view, LookupField> kFields[] = {
      {"client", LookupField::kClient},       {"user", LookupField::kUser},
      {"vhost", LookupField::kVhost},         {"referer", LookupField::kReferer},
      {"user_agent", LookupField::kUserAgent}, {"endpoint", LookupField::kEndpoint},
      {"method", LookupField::kMethod}};
  for (const auto& [name, field] : kFields) {
    if (s == name) return field;
  }
  return std::nullopt;
}

// postgresql://user:secret@host/db -> postgresql://user:***@host/db
std::string hide_password(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t at = url.find('@', scheme + 3);
  size_t slash = url.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace

LookupField default_field(LookupKind kind) {
  return kind == LookupKind::kText ? LookupField::kUser : LookupField::kClient;
}

const char* lookup_kind_name(LookupKind kind) {
  switch (kind) {
    case LookupKind::kIp: return "ip";
    case LookupKind::kCidr: return "cidr";
    case LookupKind::kText: return "text";
  }
  return "text";
}

Result<LookupSpec> parse_lookup_spec(std::string_view text) {
  const std::string quoted = "bad --lookup '" + std::string(text) + "': ";
  LookupSpec spec;
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || !is_name(text.substr(0, eq))) {
    return Error{quoted + "expected NAME=SOURCE, NAME made of letters, digits, '_' or '-'"};
  }
  spec.name = std::string(text.substr(0, eq));
  std::string_view source = text.substr(eq + 1);
  size_t q = source.find('?');
  std::string_view base = source.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : source.substr(q + 1);

  std::string passthrough;  // libpq's options
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t peq = pair.find('=');
    std::string_view opt = pair.substr(0, peq);
    auto value = percent_decode(peq == std::string_view::npos ? std::string_view() : pair.substr(peq + 1));
    if (!value) return Error{quoted + "bad percent-encoding in option '" + std::string(opt) + "'"};
    if (opt == "table") {
      spec.table = *value;
    } else if (opt == "key") {
      spec.key = *value;
    } else if (opt == "kind") {
      if (*value == "ip") {
        spec.kind = LookupKind::kIp;
      } else if (*value == "cidr") {
        spec.kind = LookupKind::kCidr;
      } else if (*value == "text") {
        spec.kind = LookupKind::kText;
      } else {
        return Error{quoted + "kind must be ip, cidr or text"};
      }
    } else if (opt == "field") {
      spec.field = field_named(*value);
      if (!spec.field) {
        return Error{quoted + "field must be client, user, vhost, referer, user_agent, endpoint or method"};
      }
    } else if (base.starts_with("postgres")) {
      passthrough += (passthrough.empty() ? "?" : "&") + std::string(pair);
    } else {
      return Error{quoted + "unknown option '" + std::string(opt) + "'"};
    }
  }
  if (base.starts_with("csv:")) {
    spec.scheme = LookupScheme::kCsv;
    spec.location = std::string(base.substr(4));
  } else if (base.starts_with("sqlite:")) {
    spec.scheme = LookupScheme::kSqlite;
    spec.location = std::string(base.substr(7));
  } else if (base.starts_with("postgresql://") || base.starts_with("postgres://")) {
    spec.scheme = LookupScheme::kPostgres;
    spec.location = std::string(base) + passthrough;
  } else {
    return Error{quoted + "SOURCE must start with csv:, sqlite:, postgresql:// or postgres://"};
  }
  spec.shown = spec.scheme == LookupScheme::kPostgres ? hide_password(std::string(base))
                                                      : std::string(base);
  if (spec.location.empty()) return Error{quoted + "no file or database named"};
  if (spec.key.empty()) return Error{quoted + "key=COLUMN is required"};
  if (spec.scheme != LookupScheme::kCsv && spec.table.empty()) {
    return Error{quoted + "table=NAME is required for a database"};
  }
  if (spec.scheme == LookupScheme::kCsv && !spec.table.empty()) {
    return Error{quoted + "table= is for databases, not CSV files"};
  }
  return spec;
}

Result<GroupBySpec> parse_group_by(std::string_view text, const std::string& flag) {
  size_t dot = text.find('.');
  if (dot == std::string_view::npos || !is_name(text.substr(0, dot)) || dot + 1 == text.size()) {
    return Error{"bad " + flag + " '" + std::string(text) + "': expected LOOKUP.COLUMN"};
  }
  return GroupBySpec{std::string(text.substr(0, dot)), std::string(text.substr(dot + 1))};
}

}  // namespace logan
