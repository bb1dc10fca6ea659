// Tests for expand_inputs() over a temporary directory tree (plain files, recursive
// directories, '*', '?', '[...]' and '**' globs, "-" for stdin, errors and `skipped`) and a
// table of glob_match_segment() cases (the leading-dot rule, ranges, escapes).
#include "input/input_expander.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace logan {
namespace {

namespace fs = std::filesystem;

class InputExpanderTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "logan_expander_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    for (const char* file : {"access.log", "access.log.1", "access.log.2.gz", "b.log", "c.log",
                             "d.txt", ".hidden.log", ".dotdir/h.log", "sub/e.log",
                             "sub/deeper/f.log", "sub/deeper/g.txt", "weird[1].log"}) {
      write(file, std::string(std::string_view(file).size(), 'x'));
    }
    fs::create_directories(root_ / "empty");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  void write(const std::string& relative, const std::string& content) {
    fs::path p = root_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }

  // `root/relative` as a string.
  std::string at(const std::string& relative) const { return (root_ / relative).string(); }

  // The paths expand_inputs() gives for `args`, failing the test on an error.
  std::vector<std::string> expand(const std::vector<std::string>& args) {
    auto inputs = expand_inputs(args, nullptr);
    EXPECT_TRUE(inputs.ok()) << inputs.error().message;
    std::vector<std::string> paths;
    if (inputs.ok()) {
      for (const auto& input : *inputs) paths.push_back(input.path);
    }
    return paths;
  }

  std::vector<std::string> under_root(const std::vector<std::string>& relatives) const {
    std::vector<std::string> paths;
    for (const auto& r : relatives) paths.push_back(at(r));
    return paths;
  }

  fs::path root_;
};

TEST_F(InputExpanderTest, PlainFileWithItsSize) {
  auto inputs = expand_inputs({at("sub/e.log")}, nullptr);
  ASSERT_TRUE(inputs.ok()) << inputs.error().message;
  ASSERT_EQ(inputs->size(), 1u);
  EXPECT_EQ((*inputs)[0].path, at("sub/e.log"));
  EXPECT_EQ((*inputs)[0].size, std::string("sub/e.log").size());
}

TEST_F(InputExpanderTest, ExplicitDotFileIsRead) {
  EXPECT_EQ(expand({at(".hidden.log")}), under_root({".hidden.log"}));
}

TEST_F(InputExpanderTest, ExistingNameWithGlobCharactersIsTakenLiterally) {
  EXPECT_EQ(expand({at("weird[1].log")}), under_root({"weird[1].log"}));
}

TEST_F(InputExpanderTest, DirectoryIsReadRecursivelySortedWithoutDotFiles) {
  EXPECT_EQ(expand({root_.string()}),
            under_root({"access.log", "access.log.1", "access.log.2.gz", "b.log", "c.log",
                        "d.txt", "sub/deeper/f.log", "sub/deeper/g.txt", "sub/e.log",
                        "weird[1].log"}));
}

TEST_F(InputExpanderTest, ExplicitDotDirectoryIsRead) {
  EXPECT_EQ(expand({at(".dotdir")}), under_root({".dotdir/h.log"}));
}

TEST_F(InputExpanderTest, SizesOfDirectoryEntries) {
  auto inputs = expand_inputs({at("sub")}, nullptr);
  ASSERT_TRUE(inputs.ok());
  ASSERT_EQ(inputs->size(), 3u);
  for (const auto& input : *inputs) {
    std::string relative = fs::path(input.path).lexically_relative(root_).string();
    EXPECT_EQ(input.size, relative.size()) << input.path;
  }
}

struct GlobCase {
  std::string name;
  std::string pattern;  // relative to the tree's root
  std::vector<std::string> expected;
};
void PrintTo(const GlobCase& c, std::ostream* os) { *os << c.name; }

class InputExpanderGlobTest : public InputExpanderTest,
                              public testing::WithParamInterface<GlobCase> {};

TEST_P(InputExpanderGlobTest, MatchesSorted) {
  EXPECT_EQ(expand({at(GetParam().pattern)}), under_root(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, InputExpanderGlobTest,
    testing::Values(
        GlobCase{"star", "*.log", {"access.log", "b.log", "c.log", "weird[1].log"}},
        GlobCase{"star_only_files", "*", {"access.log", "access.log.1", "access.log.2.gz", "b.log",
                                          "c.log", "d.txt", "weird[1].log"}},
        GlobCase{"star_prefix", "access*", {"access.log", "access.log.1", "access.log.2.gz"}},
        GlobCase{"question", "access.log.?", {"access.log.1"}},
        GlobCase{"range", "[a-c].log", {"b.log", "c.log"}},
        GlobCase{"negated_range", "[!a-b].log", {"c.log"}},
        GlobCase{"set", "[bd].*", {"b.log", "d.txt"}},
        GlobCase{"explicit_dot", ".*.log", {".hidden.log"}},
        GlobCase{"star_directory", "*/e.log", {"sub/e.log"}},
        GlobCase{"literal_dot_directory", ".dotdir/*", {".dotdir/h.log"}},
        GlobCase{"stars_in_every_segment", "*/*/*.txt", {"sub/deeper/g.txt"}},
        GlobCase{"globstar_any_depth", "**/*.log",
                 {"access.log", "b.log", "c.log", "sub/deeper/f.log", "sub/e.log",
                  "weird[1].log"}},
        GlobCase{"globstar_deep", "**/f.log", {"sub/deeper/f.log"}},
        GlobCase{"globstar_zero_directories", "sub/**/e.log", {"sub/e.log"}},
        GlobCase{"globstar_middle", "sub/**/*.txt", {"sub/deeper/g.txt"}},
        GlobCase{"globstar_txt", "**/*.txt", {"d.txt", "sub/deeper/g.txt"}},
        GlobCase{"globstar_trailing", "sub/**", {"sub/deeper/f.log", "sub/deeper/g.txt", "sub/e.log"}},
        GlobCase{"globstar_alone", "**",
                 {"access.log", "access.log.1", "access.log.2.gz", "b.log", "c.log", "d.txt",
                  "sub/deeper/f.log", "sub/deeper/g.txt", "sub/e.log", "weird[1].log"}}),
    [](const testing::TestParamInfo<GlobCase>& info) { return info.param.name; });

TEST_F(InputExpanderTest, GlobstarDoesNotFollowDirectorySymlinks) {
  fs::create_directory_symlink(root_, root_ / "sub" / "loop");
  EXPECT_EQ(expand({at("**/e.log")}), under_root({"sub/e.log"}));
  EXPECT_EQ(expand({at("sub/**")}),
            under_root({"sub/deeper/f.log", "sub/deeper/g.txt", "sub/e.log"}));
  EXPECT_EQ(expand({at("sub")}),
            under_root({"sub/deeper/f.log", "sub/deeper/g.txt", "sub/e.log"}));
}

TEST_F(InputExpanderTest, RelativePatternsGiveRelativePaths) {
  const fs::path saved = fs::current_path();
  fs::current_path(root_);
  auto star = expand({"*.log"});
  auto globstar = expand({"**/e.log"});
  auto directory = expand({"sub"});
  auto everything = expand({"**"});
  fs::current_path(saved);
  EXPECT_EQ(star, (std::vector<std::string>{"access.log", "b.log", "c.log", "weird[1].log"}));
  EXPECT_EQ(globstar, (std::vector<std::string>{"sub/e.log"}));
  EXPECT_EQ(directory,
            (std::vector<std::string>{"sub/deeper/f.log", "sub/deeper/g.txt", "sub/e.log"}));
  EXPECT_EQ(everything,
            (std::vector<std::string>{"access.log", "access.log.1", "access.log.2.gz", "b.log",
                                      "c.log", "d.txt", "sub/deeper/f.log", "sub/deeper/g.txt",
                                      "sub/e.log", "weird[1].log"}));
}

TEST_F(InputExpanderTest, ArgumentsKeepTheirOrder) {
  std::vector<std::string> expected = under_root({"d.txt", "b.log", "c.log", "sub/e.log"});
  expected.insert(expected.begin() + 1, "-");
  EXPECT_EQ(expand({at("d.txt"), "-", at("[bc].log"), at("sub/e.log")}), expected);
}

TEST_F(InputExpanderTest, DashIsStdin) {
  auto inputs = expand_inputs({"-"}, nullptr);
  ASSERT_TRUE(inputs.ok());
  ASSERT_EQ(inputs->size(), 1u);
  EXPECT_EQ((*inputs)[0].path, "-");
  EXPECT_EQ((*inputs)[0].size, 0u);
}

TEST_F(InputExpanderTest, GlobMatchingNothingIsAnErrorNamingIt) {
  const std::string pattern = at("*.nothing");
  auto inputs = expand_inputs({at("b.log"), pattern}, nullptr);
  ASSERT_FALSE(inputs.ok());
  EXPECT_EQ(inputs.error().message, "no input matches '" + pattern + "'");
}

TEST_F(InputExpanderTest, GlobMatchingOnlyDirectoriesIsAnError) {
  EXPECT_FALSE(expand_inputs({at("su?")}, nullptr).ok());
}

TEST_F(InputExpanderTest, MissingFileIsAnErrorNamingIt) {
  const std::string missing = at("missing.log");
  auto inputs = expand_inputs({missing}, nullptr);
  ASSERT_FALSE(inputs.ok());
  EXPECT_NE(inputs.error().message.find("'" + missing + "'"), std::string::npos)
      << inputs.error().message;
}

TEST_F(InputExpanderTest, SkippedCollectsErrorsAndGoesOn) {
  const std::string missing = at("missing.log");
  const std::string pattern = at("nothing/*.log");
  std::vector<Error> skipped;
  auto inputs = expand_inputs({missing, at("b.log"), pattern, at("c.log")}, &skipped);
  ASSERT_TRUE(inputs.ok()) << inputs.error().message;
  ASSERT_EQ(inputs->size(), 2u);
  EXPECT_EQ((*inputs)[0].path, at("b.log"));
  EXPECT_EQ((*inputs)[1].path, at("c.log"));
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_NE(skipped[0].message.find("'" + missing + "'"), std::string::npos) << skipped[0].message;
  EXPECT_NE(skipped[1].message.find("'" + pattern + "'"), std::string::npos) << skipped[1].message;
}

TEST(HasGlobCharsTest, Table) {
  EXPECT_FALSE(has_glob_chars("access.log"));
  EXPECT_FALSE(has_glob_chars("/var/log/nginx/"));
  EXPECT_FALSE(has_glob_chars("-"));
  EXPECT_TRUE(has_glob_chars("*.log"));
  EXPECT_TRUE(has_glob_chars("access.log.?"));
  EXPECT_TRUE(has_glob_chars("[ab].log"));
  EXPECT_TRUE(has_glob_chars("logs/**/x"));
}

struct SegmentCase {
  std::string pattern;
  std::string name;
  bool matches;
};
void PrintTo(const SegmentCase& c, std::ostream* os) {
  *os << "'" << c.pattern << "' vs '" << c.name << "'";
}

class GlobMatchSegmentTest : public testing::TestWithParam<SegmentCase> {};

TEST_P(GlobMatchSegmentTest, Matches) {
  const SegmentCase& c = GetParam();
  EXPECT_EQ(glob_match_segment(c.pattern, c.name), c.matches)
      << "pattern '" << c.pattern << "' name '" << c.name << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GlobMatchSegmentTest,
    testing::Values(
        // Literals and '*'.
        SegmentCase{"", "", true}, SegmentCase{"", "a", false}, SegmentCase{"a", "", false},
        SegmentCase{"abc", "abc", true}, SegmentCase{"abc", "abd", false},
        SegmentCase{"*", "abc", true}, SegmentCase{"*", "", true},
        SegmentCase{"*.log", "access.log", true}, SegmentCase{"*.log", "access.log.1", false},
        SegmentCase{"*.log*", "access.log.1", true}, SegmentCase{"a*", "a", true},
        SegmentCase{"*a*b*", "xaybz", true}, SegmentCase{"*a*b", "xaybz", false},
        SegmentCase{"**", "abc", true}, SegmentCase{"x*", "x.y", true},
        // '?'.
        SegmentCase{"?", "a", true}, SegmentCase{"?", "", false}, SegmentCase{"??", "ab", true},
        SegmentCase{"a?c", "abc", true}, SegmentCase{"a?c", "ac", false},
        // Brackets.
        SegmentCase{"[a-c]", "b", true}, SegmentCase{"[a-c]", "d", false},
        SegmentCase{"[!a-c]", "d", true}, SegmentCase{"[!a-c]", "a", false},
        SegmentCase{"[^a-c]", "d", true}, SegmentCase{"[abc]x", "cx", true},
        SegmentCase{"[abc]x", "dx", false}, SegmentCase{"*[0-9]", "log7", true},
        SegmentCase{"[]]", "]", true}, SegmentCase{"[a-]", "-", true},
        SegmentCase{"[", "[", true}, SegmentCase{"[a", "[a", true}, SegmentCase{"[a", "a", false},
        // The leading-dot rule.
        SegmentCase{"*", ".hidden", false}, SegmentCase{"?hidden", ".hidden", false},
        SegmentCase{"[.]x", ".x", false}, SegmentCase{".*", ".hidden", true},
        SegmentCase{".?", ".x", true}, SegmentCase{"*", "..", false},
        SegmentCase{"a*", "a.b", true},
        // Escapes.
        SegmentCase{"\\*", "*", true}, SegmentCase{"\\*", "a", false},
        SegmentCase{"\\?", "?", true}, SegmentCase{"\\?", "a", false},
        SegmentCase{"a\\[b", "a[b", true}, SegmentCase{"*\\]", "x]", true}));

// As in the shell (`echo \.x*` lists ".xa"), an escaped '.' matches a leading '.'.
TEST(GlobMatchSegmentEscapeTest, EscapedLeadingDot) {
  EXPECT_TRUE(glob_match_segment("\\.x*", ".xa"));
  EXPECT_TRUE(glob_match_segment("\\.hidden", ".hidden"));
}

}  // namespace
}  // namespace logan
