// Tests of exported record text: JSON, CSV and COPY escaping, nulls, times.
#include "export/record_text.h"

#include <gtest/gtest.h>

#include "sink/pg_connection.h"

namespace logan {
namespace {

LogRecord sample() {
  LogRecord r;
  r.client = "192.0.2.1";
  r.user = "-";
  r.request = "GET /a/b?x=1&y=2 HTTP/1.1";
  r.method = "GET";
  r.endpoint = "/a/b?x=1&y=2";
  r.has_endpoint = true;
  r.protocol = "HTTP/1.1";
  r.status = 200;
  r.size = 512;
  r.time = 1709819736;  // 2024-03-07T13:55:36Z
  return r;
}

std::string render(RecordFormat format, const LogRecord& r) {
  RecordText text(format);
  std::string out;
  text.append(out, r);
  return out;
}

TEST(RecordText, JsonLineHasEveryFieldInOrderWithNulls) {
  EXPECT_EQ(render(RecordFormat::kJsonLines, sample()),
            "{\"time\":\"2024-03-07T13:55:36Z\",\"client\":\"192.0.2.1\",\"user\":null,"
            "\"method\":\"GET\",\"path\":\"/a/b\",\"query\":\"x=1&y=2\",\"protocol\":\"HTTP/1.1\","
            "\"status\":200,\"size\":512,\"duration_us\":null,\"referer\":null,"
            "\"user_agent\":null,\"vhost\":null,\"request\":\"GET /a/b?x=1&y=2 HTTP/1.1\"}\n");
}

TEST(RecordText, ExtraColumnsFollowTheRecordInEveryFormat) {
  const std::vector<std::string> names = {"org.name", "org.\"q\""};
  const std::string name = "Lab, \"Inc\"\t-", dash = "-";
  const std::string* both[] = {&name, &dash};
  const std::string* none[] = {nullptr, nullptr};
  auto render_extra = [&](RecordFormat format, const std::string* const* values) {
    RecordText text(format, names);
    std::string out;
    text.append(out, sample(), values);
    return out;
  };
  std::string json = render_extra(RecordFormat::kJsonLines, both);
  EXPECT_NE(json.find("\"request\":\"GET /a/b?x=1&y=2 HTTP/1.1\",\"org.name\":\"Lab, \\\"Inc\\\"\\t-\","
                      "\"org.\\\"q\\\"\":\"-\"}\n"),
            std::string::npos) << json;
  json = render_extra(RecordFormat::kJsonLines, none);
  EXPECT_NE(json.find(",\"org.name\":null,\"org.\\\"q\\\"\":null}\n"), std::string::npos) << json;
  std::string csv = render_extra(RecordFormat::kCsv, both);
  EXPECT_NE(csv.find(",GET /a/b?x=1&y=2 HTTP/1.1,\"Lab, \"\"Inc\"\"\t-\",-\r\n"), std::string::npos) << csv;
  csv = render_extra(RecordFormat::kCsv, none);
  EXPECT_NE(csv.find(",GET /a/b?x=1&y=2 HTTP/1.1,,\r\n"), std::string::npos) << csv;
  std::string copy = render_extra(RecordFormat::kCopyText, both);
  EXPECT_NE(copy.find("\tGET /a/b?x=1&y=2 HTTP/1.1\tLab, \"Inc\"\\t-\t-\n"), std::string::npos) << copy;
  copy = render_extra(RecordFormat::kCopyText, none);
  EXPECT_NE(copy.find("\tGET /a/b?x=1&y=2 HTTP/1.1\t\\N\t\\N\n"), std::string::npos) << copy;
  EXPECT_EQ(csv_header(names).substr(csv_header().size() - 2), ",org.name,\"org.\"\"q\"\"\"\r\n");
}

TEST(RecordText, JsonEscapesQuotesBackslashesAndControlsAndReplacesBadBytes) {
  LogRecord r = sample();
  r.user_agent = std::string_view("a\"b\\c\td\x01 \xff\xfe z\0y", 15);
  std::string line = render(RecordFormat::kJsonLines, r);
  EXPECT_NE(line.find("\"user_agent\":\"a\\\"b\\\\c\\td\\u0001 \xEF\xBF\xBD\xEF\xBF\xBD z\xEF\xBF\xBDy\""),
            std::string::npos)
      << line;
}

TEST(RecordText, AbsentFieldsAreNullEverywhere) {
  LogRecord r;
  r.client = "h";
  std::string json = render(RecordFormat::kJsonLines, r);
  EXPECT_EQ(json,
            "{\"time\":null,\"client\":\"h\",\"user\":null,\"method\":null,\"path\":null,"
            "\"query\":null,\"protocol\":null,\"status\":null,\"size\":null,\"duration_us\":null,"
            "\"referer\":null,\"user_agent\":null,\"vhost\":null,\"request\":null}\n");
  EXPECT_EQ(render(RecordFormat::kCsv, r), ",h,,,,,,,,,,,,\r\n");
  EXPECT_EQ(render(RecordFormat::kCopyText, r),
            "\\N\th\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n");
}

TEST(RecordText, JunkRequestHasNoPathButKeepsTheRequest) {
  LogRecord r = sample();
  r.has_endpoint = false;
  r.endpoint = "";
  r.method = "";
  r.request = "\x16\x03\x01";
  std::string json = render(RecordFormat::kJsonLines, r);
  EXPECT_NE(json.find("\"path\":null,\"query\":null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"request\":\"\\u0016\\u0003\\u0001\""), std::string::npos) << json;
}

TEST(RecordText, CsvQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(csv_header(),
            "time,client,user,method,path,query,protocol,status,size,duration_us,referer,"
            "user_agent,vhost,request\r\n");
  std::string out;
  append_csv_field(out, "plain text");
  out += '|';
  append_csv_field(out, "a,b");
  out += '|';
  append_csv_field(out, "say \"hi\"");
  out += '|';
  append_csv_field(out, "two\nlines\r");
  EXPECT_EQ(out, "plain text|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\r\"");
}

TEST(RecordText, CsvRowUsesTheSameCleanText) {
  LogRecord r = sample();
  r.referer = "http://x/?a=1,2";
  r.user_agent = std::string_view("bad \xc3 byte \0nul", 15);
  r.duration_us = 1500;
  EXPECT_EQ(render(RecordFormat::kCsv, r),
            "2024-03-07T13:55:36Z,192.0.2.1,,GET,/a/b,x=1&y=2,HTTP/1.1,200,512,1500,"
            "\"http://x/?a=1,2\",bad \xEF\xBF\xBD byte \xEF\xBF\xBDnul,,GET /a/b?x=1&y=2 HTTP/1.1\r\n");
}

TEST(RecordText, CopyTextEscapesSeparatorsAndBackslashes) {
  std::string out;
  append_copy_field(out, "a\tb\\c\nd\re '); DROP TABLE t; --");
  EXPECT_EQ(out, "a\\tb\\\\c\\nd\\re '); DROP TABLE t; --");
}

TEST(RecordText, TimesAcrossDaysAndBeforeTheEpoch) {
  LogRecord r = sample();
  r.time = 86399;
  EXPECT_EQ(render(RecordFormat::kCsv, r).substr(0, 20), "1970-01-01T23:59:59Z");
  RecordText text(RecordFormat::kCsv);
  std::string out;
  for (int64_t t : {int64_t{1709855999}, int64_t{1709856000}, int64_t{-1}}) {
    r.time = t;
    out.clear();
    text.append(out, r);
    EXPECT_EQ(out.substr(0, 20), t == -1 ? "1969-12-31T23:59:59Z"
                                 : t == 1709855999 ? "2024-03-07T23:59:59Z"
                                                   : "2024-03-08T00:00:00Z");
  }
}

TEST(RecordText, CleanTextKeepsValidUtf8AndCopiesOnlyNonAscii) {
  std::string scratch;
  std::string_view ascii = "plain";
  EXPECT_EQ(clean_text(ascii, scratch).data(), ascii.data());
  EXPECT_EQ(clean_text("caf\xC3\xA9", scratch), "caf\xC3\xA9");
  EXPECT_EQ(clean_text(std::string_view("a\0b", 3), scratch), "a\xEF\xBF\xBD" "b");
}

}  // namespace
}  // namespace logan
