// BatchParser: parses the lines of a LineBatch into LogRecords (views into the batch) and notes
// its invalid lines, with the format given or, for "auto", the one each input's first lines show.
// Each source's context owns one and calls it on the source's thread before handing the batch
// on, so parsing runs beside the engine, which only folds records into its statistics.
// Thread-safety: not thread-safe; one per source thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "parse/format_cache.h"
#include "parse/log_parser.h"
#include "stream/line_batch.h"

namespace logan {

class BatchParser {
 public:
  // REQUIRES: `format` is "auto", a nickname, or a format string that compiles.
  explicit BatchParser(std::string format) : format_(std::move(format)) {}

  // Fills b.records, b.invalid and b.line_count; sets b.parsed.
  void parse(LineBatch& b);

 private:
  LogParser& parser_for(uint32_t input, std::string_view first_lines);

  std::string format_;
  FormatCache formats_;
  std::map<const LogFormat*, std::unique_ptr<LogParser>> parsers_;
  std::unordered_map<uint32_t, LogParser*> input_parser_;
};

}  // namespace logan
