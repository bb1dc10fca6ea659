// Table name checking and quoting; see sql_identifier.h.
#include "export/sql_identifier.h"

namespace logan {
namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

Result<std::string> quote_part(std::string_view part) {
  if (part.empty() || part.size() > 63 || !is_letter(part[0])) return Error{""};
  std::string quoted = "\"";
  for (char c : part) {
    if (!is_letter(c) && !is_digit(c) && c != '$') return Error{""};
    quoted += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return quoted + "\"";
}

}  // namespace

Result<std::string> quote_table_name(std::string_view name) {
  const Error bad{"bad table name '" + std::string(name) +
                  "': use NAME or SCHEMA.NAME, each a letter or '_' followed by letters, "
                  "digits, '_' or '$' (at most 63)"};
  size_t dot = name.find('.');
  auto first = quote_part(name.substr(0, dot));
  if (!first) return bad;
  if (dot == std::string_view::npos) return first;
  auto second = quote_part(name.substr(dot + 1));
  if (!second) return bad;
  return *first + "." + *second;
}

Result<std::string> quote_identifier(std::string_view name) {
  if (name.empty() || name.size() > 63 || name.find('\0') != std::string_view::npos) {
    return Error{"bad column name '" + std::string(name) + "': use 1 to 63 bytes without NUL"};
  }
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace logan
