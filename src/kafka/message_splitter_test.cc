#include "kafka/message_splitter.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace logan {
namespace {

struct Case {
  std::string name;
  std::string lines;
  MessageLimits limits;
  std::vector<std::pair<std::string, uint32_t>> want;  // payload, lines
};

std::vector<std::pair<std::string, uint32_t>> split(const std::string& lines, MessageLimits limits) {
  std::vector<MessageSpan> spans;
  split_into_messages(lines, limits, spans);
  std::vector<std::pair<std::string, uint32_t>> out;
  for (const auto& s : spans) out.emplace_back(std::string(s.payload), s.lines);
  return out;
}

TEST(MessageSplitterTest, Table) {
  const std::vector<Case> cases = {
      {"nothing", "", {10, 0}, {}},
      {"one line", "abc\n", {10, 0}, {{"abc", 1}}},
      {"last line without newline", "abc\nde", {10, 0}, {{"abc\nde", 2}}},
      {"all fit", "a\nb\nc\n", {64, 0}, {{"a\nb\nc", 3}}},
      {"bytes limit counts joining newlines", "aa\nbb\ncc\n", {5, 0}, {{"aa\nbb", 2}, {"cc", 1}}},
      {"exactly at the limit", "aaaa\nbbbb\n", {9, 0}, {{"aaaa\nbbbb", 2}}},
      {"one over the limit", "aaaa\nbbbb\n", {8, 0}, {{"aaaa", 1}, {"bbbb", 1}}},
      {"long line alone", "a\nxxxxxxxxxx\nb\n", {4, 0}, {{"a", 1}, {"xxxxxxxxxx", 1}, {"b", 1}}},
      {"lines limit", "1\n2\n3\n4\n5\n", {100, 2}, {{"1\n2", 2}, {"3\n4", 2}, {"5", 1}}},
      {"one line per message", "1\n2\n", {100, 1}, {{"1", 1}, {"2", 1}}},
      {"empty lines kept", "\n\na\n", {100, 0}, {{"\n\na", 3}}},
      {"a lone empty line", "\n", {100, 0}, {{"", 1}}},
      {"carriage returns kept", "a\r\nb\r\n", {100, 0}, {{"a\r\nb\r", 2}}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(split(c.lines, c.limits), c.want) << c.name;
  }
}

TEST(MessageSplitterTest, JoiningTheMessagesGivesBackEveryLineInOrder) {
  std::string lines;
  for (int i = 0; i < 5000; ++i) {
    lines += std::string(static_cast<size_t>(i % 97), 'x') + std::to_string(i) + "\n";
  }
  for (size_t max_bytes : {1, 50, 100, 4096, 65536}) {
    for (size_t max_lines : {0, 1, 7}) {
      std::vector<MessageSpan> spans;
      split_into_messages(lines, {max_bytes, max_lines}, spans);
      std::string joined;
      uint64_t count = 0;
      for (const auto& s : spans) {
        joined.append(s.payload);
        joined += '\n';
        count += s.lines;
        EXPECT_TRUE(s.payload.size() <= max_bytes || s.lines == 1);
        if (max_lines) {
          EXPECT_LE(s.lines, max_lines);
        }
      }
      EXPECT_EQ(joined, lines) << max_bytes << " " << max_lines;
      EXPECT_EQ(count, 5000u);
    }
  }
}

}  // namespace
}  // namespace logan
