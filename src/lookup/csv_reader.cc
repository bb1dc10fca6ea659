// RFC 4180 parsing; see csv_reader.h.
#include "lookup/csv_reader.h"

namespace logan {

Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  size_t line = 1;
  size_t i = 0;
  const size_t n = text.size();
  auto bad = [&](const char* what) {
    return Error{"line " + std::to_string(line) + ": " + what};
  };
  while (i < n) {
    // At the start of a field.
    if (text[i] == '"') {
      ++i;
      const size_t opened = line;
      while (true) {
        if (i >= n) {
          line = opened;
          return bad("a quoted field is never closed");
        }
        char c = text[i++];
        if (c == '"') {
          if (i < n && text[i] == '"') {
            field += '"';
            ++i;
            continue;
          }
          break;
        }
        if (c == '\n') ++line;
        field += c;
      }
      if (i < n && text[i] != ',' && text[i] != '\n' && !(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') &&
          !(text[i] == '\r' && i + 1 == n)) {
        return bad("text after a closing quote");
      }
    } else {
      while (i < n && text[i] != ',' && text[i] != '\n') {
        if (text[i] == '"') return bad("a quote inside an unquoted field");
        if (text[i] == '\r' && (i + 1 == n || text[i + 1] == '\n')) {
          ++i;
          continue;
        }
        field += text[i++];
      }
    }
    if (i < n && text[i] == '\r') ++i;
    record.push_back(std::move(field));
    field.clear();
    if (i >= n) break;
    if (text[i] == ',') {
      ++i;
      if (i == n) record.emplace_back();  // "a,b," ends with an empty field
      continue;
    }
    // A line break ends the record.
    ++i;
    ++line;
    records.push_back(std::move(record));
    record.clear();
  }
  if (!record.empty()) records.push_back(std::move(record));
  return records;
}

}  // namespace logan
