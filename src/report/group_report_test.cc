// Tests for how grouped statistics (--group-by) are reported: the JSON "groups" key (absent
// without groups), the text lines, and the HTML tables, with hostile values escaped.
#include <gtest/gtest.h>

#include "report/stats_report.h"

namespace logan {
namespace {

AccessStats grouped() {
  AccessStats s;
  LogRecord r;
  r.status = 200;
  r.size = 10;
  auto add = [&](const char* value) {
    s.add_parsed(r);
    GroupDimension& d = s.groups().dimension("org.name");
    if (value) {
      d.add(value, r);
    } else {
      d.add_unmatched(r);
    }
  };
  add("<script>x</script>");
  add("acme");
  add("acme");
  r.status = 500;
  r.size = -1;
  add(nullptr);
  return s;
}

TEST(GroupReportTest, JsonListsTopValuesAndUnmatchedOnlyWithGroups) {
  std::string plain;
  append_stats_json(plain, AccessStats{}, {});
  EXPECT_EQ(plain.find("groups"), std::string::npos);
  std::string json;
  ReportOptions options;
  options.group_top = 1;
  append_stats_json(json, grouped(), options);
  EXPECT_NE(json.find(",\"groups\":[{\"by\":\"org.name\",\"distinct_values\":2,\"top\":[{\"value\":\"acme\","
                      "\"lines\":2,\"bytes\":20,\"response_codes\":[{\"code\":200,\"count\":2}]}],"
                      "\"unmatched\":{\"lines\":1,\"bytes\":0,\"response_codes\":[{\"code\":500,\"count\":1}]}}]}"),
            std::string::npos)
      << json;
}

TEST(GroupReportTest, TextAndHtml) {
  std::string text;
  append_stats_text(text, grouped(), {});
  EXPECT_NE(text.find("Lines by org.name (2 values; top 10):\n"
                      "           2  acme  (20 bytes; 200: 2)\n"
                      "           1  <script>x</script>  (10 bytes; 200: 1)\n"
                      "           1  (no match)  (0 bytes; 500: 1)\n"),
            std::string::npos)
      << text;
  std::string page;
  AccessStats s = grouped();
  append_stats_html(page, "t", "s", {{"All time", &s}}, {}, 0);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(page.find("<h3>Lines by org.name (2 values)</h3>"), std::string::npos);
  EXPECT_NE(page.find("<td>&lt;script&gt;x&lt;/script&gt;</td>"), std::string::npos);
  EXPECT_NE(page.find("no match"), std::string::npos);
}

}  // namespace
}  // namespace logan
