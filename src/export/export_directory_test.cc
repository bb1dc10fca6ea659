// Tests of export directories: files appear only at commit, an export is never overwritten
// by accident, an abort leaves nothing; and of the rejects file's order and line numbers.
#include "export/export_directory.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "export/rejects_file.h"

namespace logan {
namespace {
namespace fs = std::filesystem;

class ExportDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "logan_export_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }

  // Every file below the root, relative, hidden ones included.
  std::set<std::string> files() const {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root_)) {
      if (e.is_regular_file()) out.insert(fs::relative(e.path(), root_).string());
    }
    return out;
  }
  std::string read(const std::string& rel) const {
    std::ifstream in(root_ / rel);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path root_;
};

TEST_F(ExportDirectoryTest, FilesAppearOnlyAtCommit) {
  auto d = ExportDirectory::open((root_ / "out").string(), false);
  ASSERT_TRUE(d.ok()) << d.error().message;
  (*d)->set_preamble("head\n");
  ASSERT_TRUE((*d)->append("date=2024-03-07/hour=13/part-00000.csv", "a\n").ok());
  ASSERT_TRUE((*d)->append("date=2024-03-07/hour=13/part-00000.csv", "b\n").ok());
  ASSERT_TRUE((*d)->append("part-00001.csv", "").ok());
  for (const auto& f : files()) {
    EXPECT_EQ(fs::path(f).filename().string()[0], '.') << f << " visible before commit";
  }
  ASSERT_TRUE((*d)->commit().ok());
  EXPECT_EQ(files(), (std::set<std::string>{"out/_SUCCESS", "out/date=2024-03-07/hour=13/part-00000.csv",
                                            "out/part-00001.csv"}));
  EXPECT_EQ(read("out/date=2024-03-07/hour=13/part-00000.csv"), "head\na\nb\n");
  EXPECT_EQ(read("out/part-00001.csv"), "head\n");
}

TEST_F(ExportDirectoryTest, AbortLeavesNothing) {
  {
    auto d = ExportDirectory::open((root_ / "out").string(), false);
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE((*d)->append("date=2024-03-07/part-00000.jsonl", "x\n").ok());
    (*d)->abort();
  }
  EXPECT_TRUE(files().empty());
  EXPECT_FALSE(fs::exists(root_ / "out" / "date=2024-03-07"));
}

TEST_F(ExportDirectoryTest, AnExportIsReplacedOnlyWithOverwrite) {
  {
    auto d = ExportDirectory::open((root_ / "out").string(), false);
    ASSERT_TRUE((*d)->append("date=2024-03-06/part-00000.jsonl", "old\n").ok());
    ASSERT_TRUE((*d)->append("date=2024-03-07/part-00000.jsonl", "old\n").ok());
    ASSERT_TRUE((*d)->commit().ok());
  }
  auto refused = ExportDirectory::open((root_ / "out").string(), false);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("--overwrite"), std::string::npos);

  auto d = ExportDirectory::open((root_ / "out").string(), true);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->append("date=2024-03-07/part-00000.jsonl", "new\n").ok());
  ASSERT_TRUE((*d)->commit().ok());
  EXPECT_EQ(files(), (std::set<std::string>{"out/_SUCCESS", "out/date=2024-03-07/part-00000.jsonl"}));
  EXPECT_EQ(read("out/date=2024-03-07/part-00000.jsonl"), "new\n");
  EXPECT_FALSE(fs::exists(root_ / "out" / "date=2024-03-06"));
}

TEST_F(ExportDirectoryTest, AnUnwritableDirectoryIsRefusedAtOpen) {
  std::ofstream(root_ / "file") << "x";
  auto d = ExportDirectory::open((root_ / "file" / "out").string(), false);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("file/out"), std::string::npos) << d.error().message;
}

TEST_F(ExportDirectoryTest, RejectsComeOutInInputOrderWithLineNumbers) {
  const std::string path = (root_ / "rejects.txt").string();
  auto r = RejectsFile::open(path, true);
  ASSERT_TRUE(r.ok());
  std::string block;
  append_reject(block, 2, "late chunk");
  ASSERT_TRUE((*r)->add(0, 1, block).ok());
  block.clear();
  append_reject(block, 0, "");
  append_reject(block, 4, std::string_view("bad\0\xff", 5));
  ASSERT_TRUE((*r)->add(0, 0, block).ok());
  block.clear();
  append_reject(block, 0, "second input");
  ASSERT_TRUE((*r)->add(1, 0, block).ok());
  std::vector<std::vector<uint64_t>> first_lines = {{1, 11}, {1}};
  ASSERT_TRUE((*r)->finish(first_lines, [](uint32_t i) { return i == 0 ? std::string("a.log") : std::string("-"); }).ok());
  EXPECT_EQ(read("rejects.txt"),
            std::string("a.log:1:\na.log:5:bad\0\xff\na.log:13:late chunk\n-:1:second input\n", 60));
  EXPECT_EQ(files(), (std::set<std::string>{"rejects.txt"}));
}

}  // namespace
}  // namespace logan
