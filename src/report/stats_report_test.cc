// Tests for append_stats_json() and append_stats_text() over an AccessStats built from a few
// hand-written combined lines: the whole JSON document (docs/json-output.md), the document of an
// empty run, the text report's four reference statistics, and escaping of hostile log content.
#include "report/stats_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parse/log_format.h"
#include "parse/log_parser.h"

namespace logan {
namespace {

// Parses `lines` as combined; a line that does not parse is added as invalid, numbered from 1.
AccessStats stats_of(const std::vector<std::string>& lines) {
  auto format = LogFormat::compile("combined");
  EXPECT_TRUE(format.ok());
  LogParser parser(*format);
  AccessStats stats;
  uint64_t line_no = 0;
  for (const std::string& line : lines) {
    ++line_no;
    LogRecord record;
    if (parser.parse(line, record)) {
      stats.add_parsed(record);
    } else {
      stats.add_invalid(0, line_no, "access.log", line);
    }
  }
  return stats;
}

const std::vector<std::string> kLines = {
    R"(1.2.3.4 - - [07/Mar/2024:10:00:00 +0000] "GET /index.html HTTP/1.1" 200 1000 "-" "curl/8.0")",
    R"(1.2.3.4 - bob [07/Mar/2024:10:00:05 +0000] "POST /api?x=1 HTTP/1.1" 201 50 "-" "curl/8.0")",
    R"(5.6.7.8 - - [07/Mar/2024:09:59:00 -0100] "GET /index.html HTTP/1.1" 404 - "http://x/" "Mozilla/5.0")",
    "garbage line",
    R"(1.2.3.4 - - [07/Mar/2024:10:01:00 +0000] "\x16\x03\x01" 400 0 "-" "-")",
};

std::string json_of(const AccessStats& stats, ReportOptions options = {}) {
  std::string out;
  append_stats_json(out, stats, options);
  return out;
}

std::string text_of(const AccessStats& stats, ReportOptions options = {}) {
  std::string out;
  append_stats_text(out, stats, options);
  return out;
}

TEST(StatsJsonTest, SampleDocument) {
  ReportOptions options;
  options.ip_threshold = 1;
  EXPECT_EQ(json_of(stats_of(kLines), options),
            R"({"lines":{"total":5,"parsed":4,"invalid":1},)"
            R"("content_size":{"count":4,"sum":1050,"min":0,"max":1000,"avg":262.5},)"
            R"("response_codes":[{"code":200,"count":1},{"code":201,"count":1},)"
            R"({"code":400,"count":1},{"code":404,"count":1}],)"
            R"("ip_addresses":[{"ip":"1.2.3.4","count":3}],)"
            R"("top_endpoints":[{"endpoint":"/index.html","count":2},{"endpoint":"/api?x=1","count":1}],)"
            R"("methods":[{"method":"GET","count":2},{"method":"POST","count":1}],)"
            R"("unique_clients":2,)"
            R"("bytes_by_status_class":{"1xx":0,"2xx":1050,"3xx":0,"4xx":0,"5xx":0,"other":0},)"
            R"("time_range":{"first":"2024-03-07T10:00:00Z","last":"2024-03-07T10:59:00Z"},)"
            R"("invalid_samples":[{"source":"access.log","line":4,"text":"garbage line"}]})");
}

TEST(StatsJsonTest, ThresholdAndTopLimitTheLists) {
  ReportOptions options;
  options.ip_threshold = 3;  // 1.2.3.4 has exactly 3: not listed
  options.top = 1;
  std::string json = json_of(stats_of(kLines), options);
  EXPECT_NE(json.find(R"("ip_addresses":[],)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("top_endpoints":[{"endpoint":"/index.html","count":2}],)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("unique_clients":2,)"), std::string::npos) << json;
}

TEST(StatsJsonTest, EmptyRun) {
  EXPECT_EQ(json_of(AccessStats{}),
            R"({"lines":{"total":0,"parsed":0,"invalid":0},)"
            R"("content_size":{"count":0,"sum":0,"min":0,"max":0,"avg":0.0},)"
            R"("response_codes":[],"ip_addresses":[],"top_endpoints":[],"methods":[],)"
            R"("unique_clients":0,)"
            R"("bytes_by_status_class":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},)"
            R"("time_range":{"first":null,"last":null},"invalid_samples":[]})");
}

TEST(StatsJsonTest, OnlyInvalidLines) {
  EXPECT_EQ(json_of(stats_of({"junk", ""})),
            R"({"lines":{"total":2,"parsed":0,"invalid":2},)"
            R"("content_size":{"count":0,"sum":0,"min":0,"max":0,"avg":0.0},)"
            R"("response_codes":[],"ip_addresses":[],"top_endpoints":[],"methods":[],)"
            R"("unique_clients":0,)"
            R"("bytes_by_status_class":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},)"
            R"("time_range":{"first":null,"last":null},)"
            R"("invalid_samples":[{"source":"access.log","line":1,"text":"junk"},)"
            R"({"source":"access.log","line":2,"text":""}]})");
}

TEST(StatsJsonTest, AverageIsTheShortestRoundTripDouble) {
  std::vector<std::string> lines;
  for (int size : {1, 2, 4}) {
    lines.push_back("1.1.1.1 - - [07/Mar/2024:10:00:00 +0000] \"GET / HTTP/1.1\" 200 " +
                    std::to_string(size) + " \"-\" \"-\"");
  }
  std::string json = json_of(stats_of(lines));
  EXPECT_NE(json.find(R"("avg":2.3333333333333335})"), std::string::npos) << json;
}

TEST(StatsJsonTest, LogContentIsEscapedAndValidUtf8) {
  AccessStats stats = stats_of({
      "1.2.3.4 - - [07/Mar/2024:10:00:00 +0000] \"GET /\x1b[31mred\\\"q HTTP/1.1\" 200 1 \"-\" \"-\"",
      "1.2.3.4 - - [07/Mar/2024:10:00:00 +0000] \"GET /caf\xe9 HTTP/1.1\" 200 1 \"-\" \"-\"",
      "bad\x01line\xff",
  });
  std::string json = json_of(stats);
  EXPECT_NE(json.find(R"({"endpoint":"/\u001b[31mred\\\"q","count":1})"), std::string::npos)
      << json;
  EXPECT_NE(json.find("{\"endpoint\":\"/caf\xEF\xBF\xBD\",\"count\":1}"), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"text\":\"bad\\u0001line\xEF\xBF\xBD\""), std::string::npos) << json;
}

TEST(StatsTextTest, SampleReport) {
  ReportOptions options;
  options.ip_threshold = 1;
  EXPECT_EQ(text_of(stats_of(kLines), options),
            "Content Size Avg: 262.50, Min: 0, Max: 1000  (over 4 responses, 1050 bytes)\n"
            "Response code counts: (200, 1) (201, 1) (400, 1) (404, 1)\n"
            "IP addresses with more than 1 requests: 1\n"
            "           3  1.2.3.4\n"
            "Top 10 endpoints:\n"
            "           2  /index.html\n"
            "           1  /api?x=1\n"
            "\n"
            "Lines: 5 total, 4 parsed, 1 invalid\n"
            "Unique clients: 2\n"
            "Requests by method: (GET, 2) (POST, 1)\n"
            "Bytes by status class: 1xx=0 2xx=1050 3xx=0 4xx=0 5xx=0 other=0\n"
            "Time range: 2024-03-07T10:00:00Z .. 2024-03-07T10:59:00Z\n"
            "First invalid lines:\n"
            "  access.log:4: garbage line\n");
}

TEST(StatsTextTest, FourReferenceStatisticsComeFirst) {
  std::string text = text_of(stats_of(kLines));
  size_t content = text.find("Content Size Avg: 262.50, Min: 0, Max: 1000");
  size_t codes = text.find("Response code counts: (200, 1) (201, 1) (400, 1) (404, 1)");
  size_t ips = text.find("IP addresses with more than 10 requests: 0\n");
  size_t endpoints = text.find("Top 10 endpoints:\n");
  EXPECT_EQ(content, 0u) << text;
  EXPECT_NE(codes, std::string::npos) << text;
  EXPECT_NE(ips, std::string::npos) << text;
  EXPECT_NE(endpoints, std::string::npos) << text;
  EXPECT_LT(content, codes);
  EXPECT_LT(codes, ips);
  EXPECT_LT(ips, endpoints);
  EXPECT_LT(endpoints, text.find("Lines:"));
}

TEST(StatsTextTest, EmptyRun) {
  EXPECT_EQ(text_of(AccessStats{}),
            "Content Size Avg: 0.00, Min: 0, Max: 0  (over 0 responses, 0 bytes)\n"
            "Response code counts: (none)\n"
            "IP addresses with more than 10 requests: 0\n"
            "Top 10 endpoints:\n"
            "\n"
            "Lines: 0 total, 0 parsed, 0 invalid\n"
            "Unique clients: 0\n"
            "Requests by method: (none)\n"
            "Bytes by status class: 1xx=0 2xx=0 3xx=0 4xx=0 5xx=0 other=0\n");
}

TEST(StatsTextTest, ControlCharactersInLogContentAreEscaped) {
  AccessStats stats = stats_of({
      "1.2.3.4 - - [07/Mar/2024:10:00:00 +0000] \"GET /\x1b[2J\x1b]0;pwned\x07 HTTP/1.1\" 200 1 \"-\" \"-\"",
      "\x1b[31mred\rover\x7f",
  });
  ReportOptions options;
  options.ip_threshold = 0;
  std::string text = text_of(stats, options);
  for (char c : text) {
    EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 || c == '\n')
        << "raw control byte " << static_cast<int>(c) << " in:\n" << text;
  }
  EXPECT_NE(text.find("  /\\u001b[2J\\u001b]0;pwned\\u0007\n"), std::string::npos) << text;
  EXPECT_NE(text.find("access.log:2: \\u001b[31mred\\rover\\u007f"), std::string::npos) << text;
}

// DEL and the C1 controls (U+0080..U+009F) are escaped too: some terminals act on U+009B (CSI).
TEST(StatsTextTest, C1ControlCharactersAreEscaped) {
  AccessStats stats = stats_of({
      "1.2.3.4 - - [07/Mar/2024:10:00:00 +0000] \"GET /a\xc2\x9b" "2Jb\xc2\xa0" "c HTTP/1.1\" 200 1 \"-\" \"-\"",
  });
  std::string text = text_of(stats, ReportOptions{});
  EXPECT_NE(text.find("/a\\u009b2Jb\xc2\xa0" "c"), std::string::npos) << text;  // U+00A0 stays
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos) << text;
}

}  // namespace
}  // namespace logan
