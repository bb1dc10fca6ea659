// Tests for --format auto: the most specific format that parses the sample wins.
#include "parse/format_detect.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

TEST(FormatDetectTest, RecognisesEachNickname) {
  const std::string common = R"(1.2.3.4 - - [07/Mar/2004:16:05:49 -0800] "GET / HTTP/1.1" 200 12)";
  const std::string combined = common + R"( "-" "curl/8")";
  const std::string vhost = "www.example.com:80 " + combined;
  EXPECT_EQ(detect_format(common + "\r\n" + common).nickname, "common");
  EXPECT_EQ(detect_format(combined + "\n").nickname, "combined");
  EXPECT_EQ(detect_format(vhost + "\n").nickname, "vhost_combined");
  // A few bad lines do not change the verdict.
  DetectedFormat d = detect_format("junk\n\n" + combined + "\n" + combined + "\n");
  EXPECT_EQ(d.nickname, "combined");
  EXPECT_EQ(d.matched, 2u);
  EXPECT_EQ(d.sampled, 3u);
}

TEST(FormatDetectTest, NothingMatches) {
  DetectedFormat d = detect_format("not a log\nat all\n");
  EXPECT_EQ(d.matched, 0u);
  EXPECT_EQ(d.sampled, 2u);
  EXPECT_EQ(detect_format("").sampled, 0u);
}

}  // namespace
}  // namespace logan
