// libFuzzer target for the parsing layer: every line of the input is parsed with several
// compiled formats (Apache, nginx, a directive-heavy custom one), both by the straight-line code
// of the common layouts and by the general loop, which must agree (and so must parsing each line
// in place, in the rest of the input, where a layout has that quick path); the input is offered to
// format recognition, its first line is compiled as a format string, and everything is
// escaped as JSON, which must always come out as valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "parse/format_detect.h"
#include "parse/log_format.h"
#include "parse/log_parser.h"
#include "report/json_writer.h"

namespace {

const std::vector<logan::LogFormat>& formats() {
  static const std::vector<logan::LogFormat> all = [] {
    std::vector<logan::LogFormat> v;
    for (const char* spec :
         {"common", "combined", "vhost_combined", "nginx", "referer", "combined_duration",
          "vhost_combined_duration",
          R"(%a %{Host}i %p %m %U%q %H %>s %B %D %{ms}T %I %O %{msec}t "%{User-Agent}i" %%)",
          R"($host $remote_addr [$time_iso8601] "$request" $status $bytes_sent $request_time $msec)"}) {
      v.push_back(std::move(logan::LogFormat::compile(spec).value()));
    }
    return v;
  }();
  return all;
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// Every field of two records, compared.
bool same_fields(const logan::LogRecord& a, const logan::LogRecord& b) {
  return a.client == b.client && a.user == b.user && a.request == b.request &&
         a.method == b.method && a.endpoint == b.endpoint && a.protocol == b.protocol &&
         a.referer == b.referer && a.user_agent == b.user_agent && a.vhost == b.vhost &&
         a.status == b.status && a.size == b.size && a.time == b.time &&
         a.duration_us == b.duration_us && a.has_endpoint == b.has_endpoint;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<logan::LogParser> parsers;
  std::vector<logan::LogParser> general;  // the same formats without the straight-line code
  for (const auto& f : formats()) {
    parsers.emplace_back(f);
    general.emplace_back(f, /*specialize=*/false);
  }
  logan::LogRecord record;
  logan::LogRecord general_record;
  std::vector<logan::LogRecord> in_place_records(parsers.size());
  size_t start = 0;
  while (start <= input.size()) {
    size_t nl = input.find('\n', start);
    std::string_view line = input.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    for (size_t i = 0; i < parsers.size(); ++i) {
      const bool parsed = parsers[i].parse(line, record);
      // Both ways of parsing agree on every line, field by field.
      if (parsed != general[i].parse(line, general_record)) std::abort();
      if (parsed && !same_fields(record, general_record)) std::abort();
      // Parsing the line in place, in the rest of the input, gives the same verdict and fields.
      if (parsers[i].has_line_at()) {
        logan::LogRecord& in_place = in_place_records[i];  // reused: nothing may stay from before
        const size_t length = parsers[i].parse_line_at(input.substr(start), in_place);
        if ((length != logan::LogParser::kNoMatch) != parsed) std::abort();
        if (parsed && (length != line.size() || !same_fields(in_place, record))) std::abort();
      }
      if (parsed) {
        // Views must lie inside the line.
        for (std::string_view v : {record.client, record.endpoint, record.method, record.user_agent}) {
          if (!v.empty() && (v.data() < line.data() || v.data() + v.size() > line.data() + line.size())) {
            std::abort();
          }
        }
      }
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  (void)logan::detect_format(input);
  auto custom = logan::LogFormat::compile(input.substr(0, input.find('\n')));
  if (custom.ok()) {
    logan::LogParser p(*custom);
    (void)p.parse(input.substr(input.find('\n') == std::string_view::npos ? 0 : input.find('\n') + 1), record);
  }
  std::string json;
  logan::append_json_string_body(json, input);
  if (!valid_utf8(json)) std::abort();
  return 0;
}
