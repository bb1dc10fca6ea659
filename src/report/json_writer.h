// JsonWriter: builds compact JSON text. Strings are written as valid UTF-8 whatever bytes they
// hold: ill-formed sequences become U+FFFD, one per maximal ill-formed subsequence (Unicode's
// recommended practice, as Python's "replace" error handler does), and control characters are
// escaped. Doubles are written in the shortest form that reads back to the same value.
// Thread-safety: one writer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace logan {

// Appends `text` to `out` as valid UTF-8, ill-formed sequences replaced by U+FFFD, nothing else
// changed.
void append_valid_utf8(std::string& out, std::string_view text);

// Appends `text` to `out` as the body of a JSON string (without the quotes).
void append_json_string_body(std::string& out, std::string_view text);

// Appends a finite double in the shortest form that reads back to the same value, always with a
// '.' or an exponent ("7.0", not "7"), so that readers take it as floating point.
void append_shortest_double(std::string& out, double d);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(uint64_t n);
  JsonWriter& value(int64_t n);
  JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
  JsonWriter& value(double d);
  JsonWriter& value(bool b);
  JsonWriter& null();

 private:
  void separate();
  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace logan
