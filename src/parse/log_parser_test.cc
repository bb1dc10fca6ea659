// Tests for LogFormat and LogParser: every supported directive and variable, and the
// real-world details of docs/json-output.md (CRLF, escapes, IPv6, "-" sizes, junk requests).
#include "parse/log_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "gen/log_generator.h"
#include "parse/log_format.h"

namespace logan {
namespace {

LogFormat compile(std::string_view spec) {
  auto f = LogFormat::compile(spec);
  EXPECT_TRUE(f.ok()) << (f.ok() ? "" : f.error().message);
  return std::move(f.value());
}

struct ParseCase {
  std::string name;
  std::string format;
  std::string line;
  bool parses;
};

class ParsesTest : public testing::TestWithParam<ParseCase> {};

TEST_P(ParsesTest, MatchesOrNot) {
  const ParseCase& c = GetParam();
  LogFormat format = compile(c.format);
  LogParser parser(format);
  LogRecord r;
  EXPECT_EQ(parser.parse(c.line, r), c.parses) << c.line;
}

const char* kCommon = "common";
const char* kCombined = "combined";

INSTANTIATE_TEST_SUITE_P(
    Lines, ParsesTest,
    testing::Values(
        ParseCase{"common", kCommon, R"(1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] "GET / HTTP/1.1" 200 12)", true},
        ParseCase{"common_crlf", kCommon, "1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] \"GET / HTTP/1.1\" 200 12\r", true},
        ParseCase{"trailing_blanks", kCommon, "1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] \"GET / HTTP/1.1\" 200 12 \t", true},
        ParseCase{"empty", kCommon, "", false},
        ParseCase{"cr_only", kCommon, "\r", false},
        ParseCase{"garbage", kCommon, "hello world", false},
        ParseCase{"bad_status", kCommon, R"(1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] "GET / HTTP/1.1" 2x0 12)", false},
        ParseCase{"four_digit_status", kCommon, R"(1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] "GET / HTTP/1.1" 2000 12)", false},
        ParseCase{"bad_size", kCommon, R"(1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] "GET / HTTP/1.1" 200 1x)", false},
        ParseCase{"bad_month", kCommon, R"(1.2.3.4 - - [07/Foo/2004:16:05:49 -0800] "GET / HTTP/1.1" 200 1)", false},
        ParseCase{"bad_day", kCommon, R"(1.2.3.4 - - [30/Feb/2004:16:05:49 -0800] "GET / HTTP/1.1" 200 1)", false},
        ParseCase{"truncated", kCommon, R"(1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] "GET / HT)", false},
        ParseCase{"combined_as_common", kCommon, R"(1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] "GET / HTTP/1.1" 200 12 "-" "curl")", false},
        ParseCase{"common_as_combined", kCombined, R"(1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] "GET / HTTP/1.1" 200 12)", false},
        ParseCase{"combined", kCombined, R"x(::1 - bob [07/Mar/2004:16:05:49 +0000] "GET / HTTP/1.1" 200 - "http://x/" "Mozilla/5.0 (X11)")x", true},
        ParseCase{"nul_byte", kCommon, std::string("1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] \"GET /") + '\0' + " HTTP/1.1\" 200 1", true}),
    [](const testing::TestParamInfo<ParseCase>& info) { return info.param.name; });

// literal_at() compares up to 8 bytes as one word when the line has 8 bytes left at `pos`, and
// byte by byte otherwise: both must agree with a plain comparison at every position, for
// literals shorter and longer than a word, that match, differ in any byte, or run past the end.
TEST(LiteralTest, MatchesLikeAPlainComparisonEverywhere) {
  const std::string line = "10.0.0.1 - - [x] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"";
  std::vector<std::string> literals = {"", " ", "\" ", "\" \"", "] \"", " - - [", "HTTP/1.1",
                                       "HTTP/1.1\"", "\" 200 5 \"-\"", "x", "\"ua\"", "\"ua\"z"};
  // Every substring of the line up to 12 bytes is a literal that matches somewhere.
  for (size_t at = 0; at < line.size(); ++at) {
    for (size_t n = 1; n <= 12 && at + n <= line.size(); ++n) literals.push_back(line.substr(at, n));
  }
  for (const auto& text : literals) {
    parse_detail::Literal lit(text);
    for (size_t pos = 0; pos <= line.size() + 1; ++pos) {
      bool want = pos <= line.size() && line.compare(pos, text.size(), text) == 0 &&
                  text.size() <= line.size() - pos;
      EXPECT_EQ(parse_detail::literal_at(line, pos, lit), want) << "'" << text << "' at " << pos;
    }
  }
}

TEST(LogParserTest, CommonFieldsAndUtcTime) {
  LogFormat format = compile("common");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse(
      R"(64.242.88.10 - bob [07/Mar/2004:16:05:49 -0800] "GET /twiki/bin/view?x=1 HTTP/1.1" 401 12846)", r));
  EXPECT_EQ(r.client, "64.242.88.10");
  EXPECT_EQ(r.user, "bob");
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.endpoint, "/twiki/bin/view?x=1");
  EXPECT_TRUE(r.has_endpoint);
  EXPECT_EQ(r.protocol, "HTTP/1.1");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.size, 12846);
  EXPECT_EQ(r.time, 1078704349);  // 2004-03-08T00:05:49Z
}

TEST(LogParserTest, DashSizeIsZero) {
  LogFormat format = compile("common");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse(R"(h - - [07/Mar/2004:16:05:49 -0800] "GET / HTTP/1.1" 304 -)", r));
  EXPECT_EQ(r.size, 0);
}

TEST(LogParserTest, DashRequestCountsWithoutEndpoint) {
  LogFormat format = compile("combined");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse(R"(1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] "-" 408 - "-" "-")", r));
  EXPECT_EQ(r.status, 408);
  EXPECT_FALSE(r.has_endpoint);
  EXPECT_TRUE(r.method.empty());
}

TEST(LogParserTest, TlsJunkRequestCountsWithoutEndpoint) {
  LogFormat format = compile("common");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse(
      R"(1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" 400 226)", r));
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(r.has_endpoint);
  EXPECT_TRUE(r.method.empty());
}

TEST(LogParserTest, Http09RequestHasEndpointWithoutProtocol) {
  LogFormat format = compile("common");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse(R"(1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] "GET /" 200 5)", r));
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.endpoint, "/");
  EXPECT_TRUE(r.protocol.empty());
}

TEST(LogParserTest, EscapedQuotesStayAsLogged) {
  LogFormat format = compile("combined");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse(
      R"(h - - [07/Mar/2004:16:05:49 -0800] "GET /a\"b HTTP/1.1" 200 5 "-" "Bot \"quoted\" \\ end\\")", r));
  EXPECT_EQ(r.endpoint, R"(/a\"b)");
  EXPECT_EQ(r.user_agent, R"(Bot \"quoted\" \\ end\\)");
}

TEST(LogParserTest, ZoneOffsetsConvertToUtc) {
  LogFormat format = compile("common");
  LogParser parser(format);
  LogRecord a, b;
  ASSERT_TRUE(parser.parse(R"(h - - [01/Jan/2024:05:30:00 +0530] "GET / HTTP/1.1" 200 5)", a));
  ASSERT_TRUE(parser.parse(R"(h - - [31/Dec/2023:16:00:00 -0800] "GET / HTTP/1.1" 200 5)", b));
  EXPECT_EQ(a.time, 1704067200);
  EXPECT_EQ(b.time, 1704067200);
}

TEST(LogParserTest, VhostCombined) {
  LogFormat format = compile("vhost_combined");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse(
      R"(www.example.com:443 2001:db8::1 - - [07/Mar/2024:00:00:01 +0000] "POST /api HTTP/2.0" 201 17 "-" "curl/8.0")", r));
  EXPECT_EQ(r.vhost, "www.example.com");
  EXPECT_EQ(r.client, "2001:db8::1");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.size, 17);
}

TEST(LogParserTest, ApacheDirectives) {
  LogFormat format = compile(
      R"(%a %{Host}i %V %p %m %U%q %H %>s %B %D %T %I %O %{X-Id}o %v "%{User-Agent}i" %{msec}t %%)");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse(
      R"(10.0.0.1 example.org example.org 443 PUT /p?q=1 HTTP/1.1 204 0 1500 2 300 512 abc vh "UA x" 1709769600123 %)", r));
  EXPECT_EQ(r.client, "10.0.0.1");  // %a stands in for %h
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.endpoint, "/p?q=1");
  EXPECT_TRUE(r.has_endpoint);
  EXPECT_EQ(r.protocol, "HTTP/1.1");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.size, 0);
  EXPECT_EQ(r.duration_us, 2000000);  // %T after %D: the later one wins
  EXPECT_EQ(r.vhost, "example.org");
  EXPECT_EQ(r.user_agent, "UA x");
  EXPECT_EQ(r.time, 1709769600);
}

TEST(LogParserTest, ATimeOutsideYears1To9999MakesTheLineInvalid) {
  LogFormat clf_format = compile(R"(%h %l %u %t "%r" %>s %b)");
  LogParser clf(clf_format);
  LogRecord r;
  EXPECT_FALSE(clf.parse(R"(1.2.3.4 - - [01/Jan/0000:00:00:00 +2359] "GET / HTTP/1.1" 200 1)", r));
  EXPECT_TRUE(clf.parse(R"(1.2.3.4 - - [01/Jan/0001:00:00:00 +0000] "GET / HTTP/1.1" 200 1)", r));
  LogFormat sec_format = compile(R"(%h %{sec}t %>s)");
  LogParser sec(sec_format);
  EXPECT_FALSE(sec.parse("1.2.3.4 99999999999999 200", r));
  EXPECT_TRUE(sec.parse("1.2.3.4 253402300799 200", r));
  EXPECT_FALSE(sec.parse("1.2.3.4 253402300800 200", r));
  LogFormat msec_format = compile(R"(%h %{msec}t %>s)");
  LogParser msec(msec_format);
  EXPECT_FALSE(msec.parse("1.2.3.4 99999999999999999 200", r));
  EXPECT_TRUE(msec.parse("1.2.3.4 1709769600123 200", r));
}

TEST(LogParserTest, SizeFallsBackToBytesSent) {
  LogFormat format = compile(R"(%h %>s %O)");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse("h 200 999", r));
  EXPECT_EQ(r.size, 999);
  LogFormat with_b = compile(R"(%h %>s %b %O)");
  LogParser parser_b(with_b);
  ASSERT_TRUE(parser_b.parse("h 200 5 999", r));
  EXPECT_EQ(r.size, 5);
}

TEST(LogParserTest, StatusConditionsAndConfigEscapes) {
  // As pasted from httpd.conf: \" escapes and a %400,501{...}i condition.
  LogFormat format = compile(R"(%h %!200,304{Referer}i \"%r\" %>s %b)");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse(R"(h - "GET /x HTTP/1.0" 200 1)", r));
  EXPECT_EQ(r.endpoint, "/x");
}

TEST(LogParserTest, NginxCombined) {
  LogFormat format = compile(
      R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent")");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse(
      R"(203.0.113.9 - - [07/Mar/2024:10:00:00 +0100] "GET /a HTTP/1.1" 200 612 "-" "Mozilla \x22x\x22")", r));
  EXPECT_EQ(r.client, "203.0.113.9");
  EXPECT_EQ(r.endpoint, "/a");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.size, 612);
  EXPECT_EQ(r.time, 1709802000);
  EXPECT_EQ(r.user_agent, R"(Mozilla \x22x\x22)");
}

TEST(LogParserTest, NginxVariables) {
  LogFormat format = compile(
      R"($host ${remote_addr} $time_iso8601 $request_method $request_uri $server_protocol $status $bytes_sent $request_time $http_x_forwarded_for $upstream_addr)");
  LogParser parser(format);
  LogRecord r;
  ASSERT_TRUE(parser.parse(
      "example.org 2001:db8::2 2024-03-07T10:00:00+01:00 GET /x?y HTTP/1.1 404 321 0.250 1.1.1.1 -", r));
  EXPECT_EQ(r.vhost, "example.org");
  EXPECT_EQ(r.client, "2001:db8::2");
  EXPECT_EQ(r.time, 1709802000);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.endpoint, "/x?y");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.size, 321);
  EXPECT_EQ(r.duration_us, 250000);
}

TEST(LogFormatTest, Nicknames) {
  for (const char* name : {"common", "combined", "vhost_combined", "referer", "agent", "nginx",
                           "nginx_combined"}) {
    EXPECT_TRUE(LogFormat::compile(name).ok()) << name;
  }
  EXPECT_TRUE(LogFormat::compile("combined")->has(FieldKind::kUserAgent));
  EXPECT_FALSE(LogFormat::compile("common")->has(FieldKind::kUserAgent));
}

TEST(LogFormatTest, Errors) {
  EXPECT_FALSE(LogFormat::compile("").ok());
  EXPECT_FALSE(LogFormat::compile("no fields here").ok());
  EXPECT_FALSE(LogFormat::compile("%h %{Referer").ok());
  EXPECT_FALSE(LogFormat::compile("%h %Y").ok());
  EXPECT_NE(LogFormat::compile("%h %Y").error().message.find("%Y"), std::string::npos);
}

TEST(LogFormatTest, QuotedFieldsAreMarked) {
  auto f = LogFormat::compile("combined");
  ASSERT_TRUE(f.ok());
  int quoted = 0;
  for (const auto& field : f->fields()) quoted += field.quoted;
  EXPECT_EQ(quoted, 3);  // request, referer, user agent
}

}  // namespace
}  // namespace logan

namespace logan {
namespace {

// A record reused across parsers of different formats keeps nothing from an earlier line.
TEST(LogParserTest, RecordReusedAcrossFormatsKeepsNothingStale) {
  LogFormat combined = LogFormat::compile("combined").value();
  LogFormat common = LogFormat::compile("common").value();
  LogParser a(combined), b(common);
  LogRecord r;
  ASSERT_TRUE(a.parse(R"(h - bob [07/Mar/2004:16:05:49 -0800] "GET /x HTTP/1.1" 200 5 "ref" "ua")", r));
  ASSERT_TRUE(b.parse(R"(i - - [07/Mar/2004:16:05:49 -0800] "GET /y HTTP/1.1" 200 5)", r));
  EXPECT_TRUE(r.referer.empty());
  EXPECT_TRUE(r.user_agent.empty());
  EXPECT_EQ(r.user, "-");
  EXPECT_EQ(r.endpoint, "/y");
}

void expect_same_record(const LogRecord& a, const LogRecord& b, std::string_view context) {
  EXPECT_EQ(a.client, b.client) << context;
  EXPECT_EQ(a.user, b.user) << context;
  EXPECT_EQ(a.request, b.request) << context;
  EXPECT_EQ(a.method, b.method) << context;
  EXPECT_EQ(a.endpoint, b.endpoint) << context;
  EXPECT_EQ(a.protocol, b.protocol) << context;
  EXPECT_EQ(a.referer, b.referer) << context;
  EXPECT_EQ(a.user_agent, b.user_agent) << context;
  EXPECT_EQ(a.vhost, b.vhost) << context;
  EXPECT_EQ(a.status, b.status) << context;
  EXPECT_EQ(a.size, b.size) << context;
  EXPECT_EQ(a.time, b.time) << context;
  EXPECT_EQ(a.duration_us, b.duration_us) << context;
  EXPECT_EQ(a.has_endpoint, b.has_endpoint) << context;
}

// `lines` generated lines in `format` (a `logan gen` format), 5% of them malformed.
std::string generated_lines(const char* format, size_t lines) {
  GenOptions options;
  options.lines = lines;
  options.format = format;
  options.malformed_ratio = 0.05;
  LogGenerator generator(options);
  std::string text;
  generator.append_lines(text, options.lines);
  return text;
}

// The straight-line parsers of the common layouts against the general loop, on generated lines
// and on lines broken at random (bytes changed, cut short, quotes and brackets moved): the
// same verdict and the same fields, line by line.
TEST(LogParserTest, SpecializedLayoutsMatchTheGeneralLoop) {
  const std::pair<const char*, const char*> cases[] = {
      {"common", "common"},
      {"combined", "combined"},
      {"vhost_combined", "vhost_combined"},
      // nginx's combined has Apache's combined fields but other literals around the time.
      {"nginx", "combined"},
  };
  std::mt19937_64 rng(11);
  const std::string noise = " \"[]-:/\\\r\tGET HTTP/1.1 0123456789";
  for (const auto& [format_name, gen_format] : cases) {
    auto format = LogFormat::compile(format_name);
    ASSERT_TRUE(format) << format_name;
    LogParser fast(*format);
    LogParser general(*format, /*specialize=*/false);
    const std::string text = generated_lines(gen_format, 3000);
    size_t start = 0;
    int matched = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      start = end + 1;
      for (int variant = 0; variant < 4; ++variant) {
        std::string probe = line;
        if (variant > 0 && !probe.empty()) {
          const size_t at = rng() % probe.size();
          switch (variant) {
            case 1: probe[at] = noise[rng() % noise.size()]; break;
            case 2: probe.resize(at); break;
            default: probe.insert(at, 1, noise[rng() % noise.size()]); break;
          }
        }
        LogRecord a, b;
        const bool ok_fast = fast.parse(probe, a);
        const bool ok_general = general.parse(probe, b);
        ASSERT_EQ(ok_fast, ok_general) << format_name << ": " << probe;
        if (!ok_fast) continue;
        ++matched;
        expect_same_record(a, b, probe);
      }
    }
    // Most lines parse (nginx's combined reads Apache's combined lines, whose %l is "-").
    EXPECT_GT(matched, 2000) << format_name;
  }
}


// parse_line_at(), which parses a line in place in the text that follows it, against parse()
// of the line cut out first: the same verdict and the same fields, on generated lines broken
// at random, '\n' and '\r' among the noise (so fields run into the next line), CRLF line ends,
// trailing blanks and a last line without its '\n'; for layouts whose last field ends at the
// line's end (common, the *_duration ones) too.
TEST(LogParserTest, ParsingALineInPlaceMatchesParsingItCutOut) {
  std::mt19937_64 rng(5);
  const std::string noise = " \"[]-:/\\\r\n\tGET HTTP/1.1 0123456789";
  for (const auto& [format_name, gen_format] :
       {std::pair{"combined", "combined"}, std::pair{"vhost_combined", "vhost_combined"},
        std::pair{"nginx", "combined"}, std::pair{"common", "common"},
        std::pair{"combined_duration", "combined_duration"},
        std::pair{"vhost_combined_duration", "vhost_combined_duration"}}) {
    auto format = LogFormat::compile(format_name);
    ASSERT_TRUE(format) << format_name;
    LogParser parser(*format);
    ASSERT_TRUE(parser.has_line_at()) << format_name;
    const std::string lines = generated_lines(gen_format, 2000);
    std::string text;
    for (size_t start = 0; start < lines.size();) {
      size_t end = lines.find('\n', start);
      std::string line = lines.substr(start, end - start);
      start = end + 1;
      if (!line.empty() && rng() % 4 == 0) {
        const size_t at = rng() % line.size();
        switch (rng() % 3) {
          case 0: line[at] = noise[rng() % noise.size()]; break;
          case 1: line.resize(at); break;
          default: line.insert(at, 1, noise[rng() % noise.size()]); break;
        }
      }
      if (rng() % 8 == 0) line += rng() % 2 ? " " : " \t";
      text += line;
      text += rng() % 3 == 0 ? "\r\n" : "\n";
    }
    text.pop_back();  // the last line without its '\n' (and, sometimes, with a '\r')
    int quick = 0;
    LogRecord in_place;  // reused, as the batch job does: nothing may stay from a line before
    for (size_t start = 0; start < text.size();) {
      const std::string_view rest = std::string_view(text).substr(start);
      const std::string_view line = rest.substr(0, rest.find('\n'));
      LogRecord cut_out;
      const size_t length = parser.parse_line_at(rest, in_place);
      const bool parsed = parser.parse(line, cut_out);
      ASSERT_EQ(length != LogParser::kNoMatch, parsed) << format_name << ": " << line;
      if (parsed) {
        ++quick;
        ASSERT_EQ(length, line.size()) << line;
        expect_same_record(in_place, cut_out, line);
      }
      start += line.size() + 1;
    }
    EXPECT_GT(quick, 1500) << format_name;
  }
}

}  // namespace
}  // namespace logan


namespace logan {
namespace {

TEST(LogParserTest, OtherHeadersAreKeptByTheirNginxNames) {
  auto apache = LogFormat::compile(R"(%h "%{X-Forwarded-For}i" "%{Content-Type}o" "%{Referer}i" %{X-Forwarded-For}i)");
  ASSERT_TRUE(apache);
  EXPECT_EQ(apache->header_names(), (std::vector<std::string>{"http_x_forwarded_for", "sent_http_content_type"}));
  LogParser parser(*apache);
  LogRecord r;
  ASSERT_TRUE(parser.parse(R"(10.0.0.1 "203.0.113.7, 10.0.0.1" "text/html" "-" 1.2.3.4)", r));
  EXPECT_EQ(r.headers[0], "1.2.3.4");  // the same header twice: the last one logged
  EXPECT_EQ(r.headers[1], "text/html");
  EXPECT_EQ(r.referer, "-");
  auto nginx = LogFormat::compile(R"($remote_addr "$http_x_forwarded_for" $sent_http_content_type)");
  ASSERT_TRUE(nginx);
  EXPECT_EQ(nginx->header_names(), (std::vector<std::string>{"http_x_forwarded_for", "sent_http_content_type"}));
  LogParser nginx_parser(*nginx);
  ASSERT_TRUE(nginx_parser.parse(R"(10.0.0.1 "a, b" text/plain)", r));
  EXPECT_EQ(r.headers[0], "a, b");
  EXPECT_EQ(r.headers[1], "text/plain");
  // Past LogRecord::kMaxHeaders, headers are matched but not kept.
  std::string many = "%h";
  for (int i = 0; i < LogRecord::kMaxHeaders + 2; ++i) many += " %{H" + std::to_string(i) + "}i";
  auto wide = LogFormat::compile(many);
  ASSERT_TRUE(wide);
  EXPECT_EQ(wide->header_names().size(), static_cast<size_t>(LogRecord::kMaxHeaders));
  EXPECT_EQ(wide->fields().back().header_slot, -1);
}

}  // namespace
}  // namespace logan
