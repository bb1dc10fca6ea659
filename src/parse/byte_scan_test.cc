// Tests for find_byte() and find_byte_before() (byte_scan.h) against plain loops, at every
// length and start around the 16-byte blocks, so the overlapping last load is checked at every
// offset.
#include "parse/byte_scan.h"

#include <gtest/gtest.h>

#include <string>

namespace logan {
namespace {

size_t naive_find(std::string_view text, size_t pos, char c) {
  for (size_t i = pos; i < text.size(); ++i) {
    if (text[i] == c) return i;
  }
  return std::string_view::npos;
}

TEST(FindByteTest, MatchesAPlainLoopAtEveryLengthStartAndPosition) {
  for (size_t length = 0; length <= 50; ++length) {
    for (size_t target = 0; target <= length; ++target) {  // target == length: no match
      std::string text(length, 'a');
      if (target < length) text[target] = '"';
      // The view is cut from a longer buffer: bytes after it must never be found.
      std::string buffer = text + "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"";
      std::string_view view(buffer.data(), length);
      for (size_t pos = 0; pos <= length + 1; ++pos) {
        ASSERT_EQ(find_byte(view, pos, '"'), naive_find(view, pos, '"'))
            << "length " << length << " target " << target << " pos " << pos;
      }
    }
  }
}

size_t naive_find_before(std::string_view text, size_t pos, char c, char stop) {
  for (size_t i = pos; i < text.size(); ++i) {
    if (text[i] == c) return i;
    if (text[i] == stop) return std::string_view::npos;
  }
  return std::string_view::npos;
}

TEST(FindByteTest, BeforeMatchesAPlainLoopWhereverTheByteAndTheStopAre) {
  for (size_t length = 0; length <= 36; ++length) {
    for (size_t target = 0; target <= length; ++target) {  // == length: none
      for (size_t stop = 0; stop <= length; ++stop) {
        if (stop == target && stop < length) continue;
        std::string text(length, 'a');
        if (target < length) text[target] = '"';
        if (stop < length) text[stop] = '\n';
        std::string buffer = text + "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"";
        std::string_view view(buffer.data(), length);
        for (size_t pos = 0; pos <= length + 1; ++pos) {
          ASSERT_EQ(find_byte_before(view, pos, '"', '\n'), naive_find_before(view, pos, '"', '\n'))
              << "length " << length << " target " << target << " stop " << stop << " pos " << pos;
        }
      }
    }
  }
}

TEST(FindByteTest, FindsTheFirstOfSeveral) {
  std::string text = "0123456789abcdef0123\"56789\"bcdef\"";
  EXPECT_EQ(find_byte(text, 0, '"'), 20u);
  EXPECT_EQ(find_byte(text, 21, '"'), 26u);
  EXPECT_EQ(find_byte(text, 27, '"'), 32u);
  EXPECT_EQ(find_byte(text, 33, '"'), std::string_view::npos);
}

}  // namespace
}  // namespace logan
