#include <gtest/gtest.h>

#include "report/stats_report.h"

namespace logan {
namespace {

std::string escaped(std::string_view text) {
  std::string out;
  append_html_text(out, text);
  return out;
}

TEST(StatsHtmlTest, EscapesMarkupQuotesAndControls) {
  EXPECT_EQ(escaped("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(escaped("a&b \"q\""), "a&amp;b &quot;q&quot;");
  EXPECT_EQ(escaped(std::string("\x1b[31m\x7f", 6)), "\\u001b[31m\\u007f");
  EXPECT_EQ(escaped("\xc2\x9b"), "\\u009b");                // C1 control
  EXPECT_EQ(escaped("caf\xc3\xa9 \xff"), "caf\xc3\xa9 \xef\xbf\xbd");  // UTF-8 kept, junk replaced
}

TEST(StatsHtmlTest, PageEscapesEveryPieceOfLogContent) {
  AccessStats s;
  LogRecord r;
  r.client = "<b>evil</b>";
  r.status = 200;
  r.size = 5;
  r.method = "GET";
  r.endpoint = "/<script>alert(1)</script>";
  r.has_endpoint = true;
  for (int i = 0; i < 20; ++i) s.add_parsed(r);
  s.add_invalid(0, 3, "<i>src</i>", "<img src=x onerror=alert(1)>");
  std::string page;
  append_stats_html(page, "t<itle>", "sub\"", {{"Window <w>", &s}, {"All time", &s}}, {}, 5);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<b>evil"), std::string::npos);
  EXPECT_EQ(page.find("<i>src"), std::string::npos);
  EXPECT_EQ(page.find("<itle>"), std::string::npos);
  EXPECT_NE(page.find("/&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(page.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(page.find("http-equiv=\"refresh\" content=\"5\""), std::string::npos);
}

TEST(StatsHtmlTest, NoRefreshWhenAskedForNone) {
  AccessStats s;
  std::string page;
  append_stats_html(page, "t", "s", {{"All time", &s}}, {}, 0);
  EXPECT_EQ(page.find("refresh"), std::string::npos);
  EXPECT_NE(page.find("</html>"), std::string::npos);
}

}  // namespace
}  // namespace logan
