// Format recognition; see format_detect.h.
#include "parse/format_detect.h"

#include "parse/log_format.h"
#include "parse/log_parser.h"

namespace logan {

DetectedFormat detect_format(std::string_view sample, size_t max_lines) {
  static constexpr std::string_view kCandidates[] = {"vhost_combined_duration", "combined_duration",
                                                     "vhost_combined", "combined", "common"};
  std::vector<std::string_view> lines;
  while (!sample.empty() && lines.size() < max_lines) {
    size_t nl = sample.find('\n');
    std::string_view line = sample.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    sample.remove_prefix(nl + 1);
  }
  DetectedFormat best{"combined", 0, lines.size()};
  for (std::string_view name : kCandidates) {
    auto format = LogFormat::compile(name);
    LogParser parser(*format);
    LogRecord record;
    size_t matched = 0;
    for (std::string_view line : lines) matched += parser.parse(line, record);
    if (matched > best.matched) best = {std::string(name), matched, lines.size()};
  }
  return best;
}

}  // namespace logan
