// Table tests of key_glob_match() and glob_literal_prefix(): '*' and '?' stay within a
// segment, '**' spans any number of segments (none included), the leading-dot rule.
#include "remote/key_glob.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

TEST(KeyGlobTest, MatchesLikeLocalPaths) {
  struct Case {
    const char* pattern;
    const char* key;
    bool match;
  };
  const Case cases[] = {
      {"logs/2024-03-*/access*.log.gz", "logs/2024-03-01/access.log.gz", true},
      {"logs/2024-03-*/access*.log.gz", "logs/2024-03-01/x/access.log.gz", false},
      {"logs/2024-03-*/access*.log.gz", "logs/2024-04-01/access.log.gz", false},
      {"logs/*.log", "logs/a/b.log", false},
      {"logs/?.log", "logs/a.log", true},
      {"logs/?.log", "logs/ab.log", false},
      {"logs/**/*.log", "logs/a.log", true},
      {"logs/**/*.log", "logs/a/b/c.log", true},
      {"logs/**/*.log", "logs/a/b/c.txt", false},
      {"logs/**", "logs/a/b/c.txt", true},
      {"logs/**/x.log", "logs/.hidden/x.log", false},
      {"logs/*", "logs/.hidden", false},
      {"logs/.h*", "logs/.hidden", true},
      {"logs/[ab].log", "logs/b.log", true},
      {"logs/[!ab].log", "logs/b.log", false},
      {"exact/key.log", "exact/key.log", true},
      {"exact/key.log", "exact/key.log2", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(key_glob_match(c.pattern, c.key), c.match) << c.pattern << " vs " << c.key;
  }
}

TEST(KeyGlobTest, LiteralPrefixStopsAtTheFirstGlobCharacter) {
  EXPECT_EQ(glob_literal_prefix("logs/2024-03-*/access*.log.gz"), "logs/2024-03-");
  EXPECT_EQ(glob_literal_prefix("logs/**/a.log"), "logs/");
  EXPECT_EQ(glob_literal_prefix("*.log"), "");
  EXPECT_EQ(glob_literal_prefix("a/[xy]"), "a/");
  EXPECT_EQ(glob_literal_prefix("plain/key"), "plain/key");
}

}  // namespace
}  // namespace logan
