// BatchParser: see batch_parser.h.
#include "stream/batch_parser.h"

#include <cstring>

#include "parse/format_detect.h"

namespace logan {

LogParser& BatchParser::parser_for(uint32_t input, std::string_view first_lines) {
  auto it = input_parser_.find(input);
  if (it != input_parser_.end()) return *it->second;
  std::string spec = format_;
  if (spec == "auto") spec = detect_format(first_lines).nickname;
  auto f = formats_.get(spec);  // checked by the job, or a nickname: cannot fail
  std::unique_ptr<LogParser>& parser = parsers_[*f];
  if (!parser) parser = std::make_unique<LogParser>(**f);
  // A listening source can see millions of connections: forget old choices now and then.
  if (input_parser_.size() > 100000) input_parser_.clear();
  input_parser_[input] = parser.get();
  return *parser;
}

void BatchParser::parse(LineBatch& b) {
  b.parsed = true;
  b.records.clear();
  b.invalid.clear();
  b.line_count = 0;
  if (b.data.empty()) return;
  LogParser& parser = parser_for(b.input.number, b.data.view());
  const char* p = b.data.data();
  const char* end = p + b.data.size();
  uint64_t index = 0;
  size_t next_overlong = 0;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* line_end = nl ? nl : end;
    std::string_view line(p, static_cast<size_t>(line_end - p));
    bool cut = next_overlong < b.overlong_lines.size() && b.overlong_lines[next_overlong] == index;
    next_overlong += cut;
    bool overlong = cut || is_overlong_line(line, LineChunkReader::kMaxLineBytes);
    b.records.emplace_back();
    if (overlong || !parser.parse(line, b.records.back())) {
      b.records.pop_back();
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      b.invalid.push_back({index, line});
    }
    ++index;
    p = line_end + 1;
  }
  b.line_count = index;
}

}  // namespace logan
