// Record text: one parsed log line (LogRecord) as an exported record, in JSON Lines, CSV
// (RFC 4180) or PostgreSQL COPY text format. The record schema (field names, order, types) is
// kRecordFields, documented in docs/export.md, then the extra text columns a RecordText is
// made with (`logan export --with LOOKUP.COLUMN`: looked-up values, null when none). Every format writes the same values:
//   - text is valid UTF-8 without NUL: ill-formed sequences and NUL bytes become U+FFFD;
//   - a text field that is empty or logged as "-" (no value) is null;
//   - status, size and duration_us are null when the format has none; time is ISO 8601 UTC
//     ("2024-03-07T13:55:36Z"), null when the format has none.
// Thread-safety: RecordText keeps scratch buffers; use one per thread. The rest is pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parse/log_record.h"

namespace logan {

enum class RecordFormat { kJsonLines, kCsv, kCopyText };

// The file name extension of a format ("jsonl", "csv").
const char* record_format_extension(RecordFormat format);

struct RecordField {
  const char* name;
  const char* sql_type;  // the PostgreSQL column type
};
inline constexpr RecordField kRecordFields[] = {
    {"time", "timestamptz"},     {"client", "text"},      {"user", "text"},
    {"method", "text"},          {"path", "text"},        {"query", "text"},
    {"protocol", "text"},        {"status", "integer"},   {"size", "bigint"},
    {"duration_us", "bigint"},   {"referer", "text"},     {"user_agent", "text"},
    {"vhost", "text"},           {"request", "text"},
};

// "time,client,...,request[,EXTRA...]\r\n": the header line of a CSV file.
std::string csv_header(const std::vector<std::string>& extra = {});

// Text as it is exported: valid UTF-8 without NUL (see above). Returns `text` itself when it
// needs no change, else a view of `scratch`.
std::string_view clean_text(std::string_view text, std::string& scratch);

// Appends `text` as one CSV field: quoted (quotes doubled) when it holds a comma, a quote, CR
// or LF, as is otherwise. REQUIRES: text is clean (clean_text).
void append_csv_field(std::string& out, std::string_view text);

class RecordText {
 public:
  // `extra`: the names of the text columns that follow kRecordFields.
  explicit RecordText(RecordFormat format, const std::vector<std::string>& extra = {});

  // Appends `record` as one line (JSON object / CSV row / COPY row) with its line end.
  // `extra_values` has one entry per extra column (nullptr: null); it may be null when the
  // RecordText has no extra columns.
  void append(std::string& out, const LogRecord& record, const std::string* const* extra_values = nullptr);

 private:
  void append_json(std::string& out, const LogRecord& r, const std::string* const* extra);
  void append_delimited(std::string& out, const LogRecord& r, const std::string* const* extra);
  // "2024-03-07T13:55:36Z"; the date part is cached, since neighbouring lines share a day.
  std::string_view iso_time(int64_t seconds);

  RecordFormat format_;
  std::vector<std::string> extra_keys_;  // JSON: ',"NAME":' for each extra column
  std::string scratch_;
  int64_t cached_day_ = INT64_MIN;
  char time_[21] = {};
};

}  // namespace logan
