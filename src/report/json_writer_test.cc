// Tests for append_json_string_body() (escapes, and U+FFFD per maximal ill-formed subsequence,
// checked against what Python's bytes.decode("utf-8", "replace") gives) and JsonWriter
// (integers, shortest round-trip doubles, null for NaN, nesting and commas).
#include "report/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <random>
#include <string>

namespace logan {
namespace {

const std::string kR = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

std::string body(std::string_view text) {
  std::string out;
  append_json_string_body(out, text);
  return out;
}

struct StringCase {
  std::string name;
  std::string input;
  std::string expected;
};
void PrintTo(const StringCase& c, std::ostream* os) { *os << c.name; }

class JsonStringBodyTest : public testing::TestWithParam<StringCase> {};

TEST_P(JsonStringBodyTest, Escapes) {
  EXPECT_EQ(body(GetParam().input), GetParam().expected);
}

// Expected values for invalid UTF-8 follow Python: b.decode("utf-8", "replace").
// (Literals are split where a hex escape would run into a following hex digit.)
INSTANTIATE_TEST_SUITE_P(
    Cases, JsonStringBodyTest,
    testing::Values(
        StringCase{"empty", "", ""},
        StringCase{"ascii", "GET /index.html?a=1&b=2 HTTP/1.1", "GET /index.html?a=1&b=2 HTTP/1.1"},
        StringCase{"quote", "say \"hi\"", "say \\\"hi\\\""},
        StringCase{"backslash", "a\\b\\", "a\\\\b\\\\"},
        StringCase{"apache_escape_kept_escaped", "\\x16\\x03", "\\\\x16\\\\x03"},
        StringCase{"newline_tab_cr", "a\nb\tc\r", "a\\nb\\tc\\r"},
        StringCase{"control_u0001", "\x01", "\\u0001"},
        StringCase{"escape_char", "\x1b[31mred", "\\u001b[31mred"},
        StringCase{"unit_separator", "\x1f", "\\u001f"},
        StringCase{"backspace_formfeed", "\b\f", "\\u0008\\u000c"},
        StringCase{"nul_byte", std::string("a\0b", 3), "a\\u0000b"},
        StringCase{"del_is_allowed", "\x7f", "\x7f"},
        StringCase{"slash_not_escaped", "/a/b", "/a/b"},
        // Well-formed UTF-8 is kept, from the smallest to the largest of each length.
        StringCase{"two_byte", "caf\xc3\xa9", "caf\xc3\xa9"},
        StringCase{"two_byte_smallest", "\xc2\x80", "\xc2\x80"},
        StringCase{"three_byte", "\xe2\x82\xac", "\xe2\x82\xac"},
        StringCase{"three_byte_e0_smallest", "\xe0\xa0\x80", "\xe0\xa0\x80"},
        StringCase{"three_byte_before_surrogates", "\xed\x9f\xbf", "\xed\x9f\xbf"},
        StringCase{"three_byte_after_surrogates", "\xee\x80\x80", "\xee\x80\x80"},
        StringCase{"three_byte_largest", "\xef\xbf\xbf", "\xef\xbf\xbf"},
        StringCase{"four_byte_emoji", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
        StringCase{"four_byte_largest", "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"},
        StringCase{"mixed", "\xc3\xa9\"\xe2\x82\xac\n", "\xc3\xa9\\\"\xe2\x82\xac\\n"},
        // Ill-formed: one U+FFFD per maximal subpart.
        StringCase{"lone_continuation", "\x80", kR},
        StringCase{"two_continuations", "\x80\x80", kR + kR},
        StringCase{"ff", "\xff", kR},
        StringCase{"fe_ff", "\xfe\xff", kR + kR},
        StringCase{"overlong_c0", "\xc0\xaf", kR + kR},
        StringCase{"overlong_c1", "\xc1\xbf", kR + kR},
        StringCase{"three_byte_cut_by_ascii", "\xe1\x80" "A", kR + "A"},
        StringCase{"e0_overlong", "\xe0\x80", kR + kR},
        StringCase{"e0_overlong_full", "\xe0\x80\x80", kR + kR + kR},
        StringCase{"above_max_f4_90", "\xf4\x90\x80\x80", kR + kR + kR + kR},
        StringCase{"f5_lead", "\xf5\x80\x80\x80", kR + kR + kR + kR},
        StringCase{"surrogate_ed_a0", "\xed\xa0\x80", kR + kR + kR},
        StringCase{"surrogate_ed_bf_bf", "\xed\xbf\xbf", kR + kR + kR},
        StringCase{"truncated_four_at_end", "\xf0\x9f\x98", kR},
        StringCase{"truncated_four_then_ascii", "\xf0\x9f\x98" "A", kR + "A"},
        StringCase{"truncated_four_then_valid", "\xf0\x9f\xc3\xa9", kR + "\xc3\xa9"},
        StringCase{"truncated_two_at_end", "ab\xc3", "ab" + kR},
        StringCase{"truncated_three_at_end", "\xe1\x80", kR},
        StringCase{"truncated_f1_at_end", "\xf1\x80\x80", kR},
        StringCase{"lead_then_paren", "a\xc3(b", "a" + kR + "(b"},
        StringCase{"lead_then_quote", "\xc3\"", kR + "\\\""},
        StringCase{"lead_then_control", std::string("\xe2\x82\x01", 3), kR + "\\u0001"},
        StringCase{"lead_then_nul", std::string("\xc3\0", 2), kR + "\\u0000"},
        StringCase{"latin1_text", "caf\xe9 cr\xe8me", "caf" + kR + " cr" + kR + "me"}),
    [](const testing::TestParamInfo<StringCase>& info) { return info.param.name; });

TEST(AppendJsonStringBodyTest, AppendsToWhatIsThere) {
  std::string out = "prefix:";
  append_json_string_body(out, "\"x\"");
  EXPECT_EQ(out, "prefix:\\\"x\\\"");
}

// Decodes strict UTF-8; false on any ill-formed sequence.
bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    int n = b < 0x80 ? 0 : b >= 0xC2 && b <= 0xDF ? 1 : b >= 0xE0 && b <= 0xEF ? 2
            : b >= 0xF0 && b <= 0xF4 ? 3 : -1;
    if (n < 0) return false;
    uint32_t cp = n == 0 ? b : b & (0x3F >> n);
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      unsigned char c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<size_t>(n) + 1;
  }
  return true;
}

TEST(AppendJsonStringBodyTest, OutputIsAlwaysValidUtf8WithoutRawControls) {
  // Every two-byte input, and three-byte inputs over the bytes that matter to UTF-8.
  const unsigned char interesting[] = {0x00, 0x0a, 0x1b, 0x22, 0x41, 0x5c, 0x7f, 0x80, 0x8f,
                                       0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1,
                                       0xed, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff};
  auto check = [](const std::string& in) {
    std::string out = body(in);
    ASSERT_TRUE(is_valid_utf8(out)) << testing::PrintToString(in);
    for (char c : out) ASSERT_GE(static_cast<unsigned char>(c), 0x20) << testing::PrintToString(in);
    // A body is a valid string when quoted: no unescaped quote.
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == '\\') {
        ++i;
      } else {
        ASSERT_NE(out[i], '"') << testing::PrintToString(in);
      }
    }
  };
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) check({static_cast<char>(a), static_cast<char>(b)});
  }
  for (unsigned char a : interesting) {
    for (unsigned char b : interesting) {
      for (unsigned char c : interesting) {
        check({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
      }
    }
  }
}

TEST(AppendJsonStringBodyTest, ValidUtf8IsKeptWhole) {
  std::string all;
  for (uint32_t cp : {0x80u, 0x7FFu, 0x800u, 0xFFFu, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFFu,
                      0x10000u, 0x1F600u, 0x10FFFFu}) {
    if (cp < 0x800) {
      all += static_cast<char>(0xC0 | (cp >> 6));
    } else if (cp < 0x10000) {
      all += static_cast<char>(0xE0 | (cp >> 12));
      all += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    } else {
      all += static_cast<char>(0xF0 | (cp >> 18));
      all += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      all += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    }
    all += static_cast<char>(0x80 | (cp & 0x3F));
  }
  EXPECT_EQ(body(all), all);
}

std::string write(const std::function<void(JsonWriter&)>& build) {
  std::string out;
  JsonWriter w(out);
  build(w);
  return out;
}

TEST(JsonWriterTest, Integers) {
  EXPECT_EQ(write([](JsonWriter& w) { w.value(uint64_t{0}); }), "0");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(std::numeric_limits<uint64_t>::max()); }),
            "18446744073709551615");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(int64_t{-1}); }), "-1");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(std::numeric_limits<int64_t>::min()); }),
            "-9223372036854775808");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(std::numeric_limits<int64_t>::max()); }),
            "9223372036854775807");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(404); }), "404");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(-7); }), "-7");
}

struct DoubleCase {
  std::string name;
  double value;
  std::string expected;
};
void PrintTo(const DoubleCase& c, std::ostream* os) { *os << c.name; }

class JsonDoubleTest : public testing::TestWithParam<DoubleCase> {};

TEST_P(JsonDoubleTest, ShortestRoundTrip) {
  EXPECT_EQ(write([](JsonWriter& w) { w.value(GetParam().value); }), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonDoubleTest,
    testing::Values(
        DoubleCase{"average", 7775.963726884779, "7775.963726884779"},
        DoubleCase{"integral", 7.0, "7.0"},
        DoubleCase{"zero", 0.0, "0.0"},
        DoubleCase{"negative_zero", -0.0, "-0.0"},
        DoubleCase{"tenth", 0.1, "0.1"},
        DoubleCase{"third", 1.0 / 3.0, "0.3333333333333333"},
        DoubleCase{"negative", -2.5, "-2.5"},
        DoubleCase{"integral_hundreds", 123456.0, "123456.0"},
        DoubleCase{"power_of_ten", 1e15, "1e+15"},
        DoubleCase{"exponent", 1e21, "1e+21"},
        DoubleCase{"small", 1e-7, "1e-07"},
        DoubleCase{"max", std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
        DoubleCase{"denormal_min", std::numeric_limits<double>::denorm_min(), "5e-324"},
        DoubleCase{"nan", std::numeric_limits<double>::quiet_NaN(), "null"},
        DoubleCase{"infinity", std::numeric_limits<double>::infinity(), "null"},
        DoubleCase{"minus_infinity", -std::numeric_limits<double>::infinity(), "null"}),
    [](const testing::TestParamInfo<DoubleCase>& info) { return info.param.name; });

TEST(JsonWriterTest, DoublesReadBackExactly) {
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> dist(0, 1e7);
  for (int i = 0; i < 2000; ++i) {
    double d = i % 2 ? dist(rng) : static_cast<double>(rng() % 100000) / (1 + rng() % 1000);
    std::string text = write([&](JsonWriter& w) { w.value(d); });
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), d) << text;
    EXPECT_NE(text.find_first_of(".e"), std::string::npos) << text;
  }
}

TEST(JsonWriterTest, Literals) {
  EXPECT_EQ(write([](JsonWriter& w) { w.value(true); }), "true");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(false); }), "false");
  EXPECT_EQ(write([](JsonWriter& w) { w.null(); }), "null");
  EXPECT_EQ(write([](JsonWriter& w) { w.value("a\"b"); }), "\"a\\\"b\"");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(std::string_view("x\xff")); }), "\"x" + kR + "\"");
}

TEST(JsonWriterTest, EmptyContainers) {
  EXPECT_EQ(write([](JsonWriter& w) { w.begin_object().end_object(); }), "{}");
  EXPECT_EQ(write([](JsonWriter& w) { w.begin_array().end_array(); }), "[]");
}

TEST(JsonWriterTest, NestingAndCommas) {
  std::string out = write([](JsonWriter& w) {
    w.begin_object();
    w.key("a").begin_array().value(1).value("x").null().end_array();
    w.key("b").begin_object().end_object();
    w.key("c").begin_array();
    w.begin_object().key("k").value(uint64_t{1}).end_object();
    w.begin_object().key("k").value(uint64_t{2}).key("j").value(false).end_object();
    w.begin_array().end_array();
    w.begin_array().value(0.5).begin_array().end_array().end_array();
    w.end_array();
    w.key("d").value(true);
    w.end_object();
  });
  EXPECT_EQ(out, R"({"a":[1,"x",null],"b":{},"c":[{"k":1},{"k":2,"j":false},[],[0.5,[]]],"d":true})");
}

TEST(JsonWriterTest, KeysAreEscaped) {
  std::string out = write([](JsonWriter& w) {
    w.begin_object().key("q\"\n\x01").value(1).key("\xc3").value(2).end_object();
  });
  EXPECT_EQ(out, "{\"q\\\"\\n\\u0001\":1,\"" + kR + "\":2}");
}

TEST(JsonWriterTest, AppendsToTheGivenString) {
  std::string out = "x=";
  JsonWriter w(out);
  w.begin_array().value(1).end_array();
  EXPECT_EQ(out, "x=[1]");
}

}  // namespace
}  // namespace logan
