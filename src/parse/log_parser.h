// LogParser: matches one log line against a compiled LogFormat and fills a LogRecord with views
// into the line. The hot path of logan: no allocation, no exceptions; a line that does not
// match is reported by the return value, never thrown.
// Thread-safety: not thread-safe (it caches the last timestamp's day); use one per thread.
// Several parsers may share one LogFormat.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "parse/log_format.h"
#include "parse/log_record.h"
#include "parse/timestamp.h"

namespace logan {
namespace parse_detail {

// How a field's end is found.
enum class Ends : uint8_t {
  kBracketedTime,  // %t: at the ']' 27 bytes on, or else at the first ']'
  kQuote,          // a quoted field: at the first unescaped '"' followed by the next literal
  kStopByte,       // at the first `stop` byte (the next literal's first)
  kLineEnd,        // the last field: at the end of the line, less trailing blanks
  kPathEnd,        // %U directly followed by a field: at the first '?' or ' '
  kSpace,          // any other field directly followed by a field: at the first ' '
};

// A literal of the format (the bytes between fields) with its first 8 bytes as a word and a
// mask, so that checking a literal of up to 8 bytes is one load and compare.
struct Literal {
  Literal() = default;
  explicit Literal(std::string_view t) : text(t), room(t.size() <= 8 ? 8 : kNever) {
    for (size_t i = 0; i < t.size() && i < 8; ++i) {
      word |= uint64_t{static_cast<unsigned char>(t[i])} << (8 * i);
      mask |= uint64_t{0xff} << (8 * i);
    }
  }
  size_t size() const { return text.size(); }

  static constexpr size_t kNever = size_t{1} << 62;  // no line is that long
  std::string_view text;
  uint64_t word = 0;  // the first bytes, little-endian, as a load of the line would hold them
  uint64_t mask = 0;  // 0xff for each of those bytes
  size_t room = 8;    // bytes the line must have left for the word check; kNever: too long
};

// True when `lit` stands in `line` at `pos`.
inline bool literal_at(std::string_view line, size_t pos, const Literal& lit) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "Literal::word is little-endian");
  if (pos + lit.room <= line.size()) {  // pos < 2^62: no overflow
    uint64_t w;
    std::memcpy(&w, line.data() + pos, 8);
    return (w & lit.mask) == lit.word;
  }
  // Near the end of the line, or a long literal: byte by byte (a loop beats memcmp).
  if (pos > line.size() || lit.size() > line.size() - pos) return false;
  const char* p = line.data() + pos;
  for (size_t i = 0; i < lit.size(); ++i) {
    if (p[i] != lit.text[i]) return false;
  }
  return true;
}

// A field's kind and how it ends: what a format's parsing code is specialized on.
struct Shape {
  FieldKind kind;
  Ends ends;
};

}  // namespace parse_detail

class LogParser {
 public:
  // REQUIRES: `format` outlives the parser. `specialize`: use straight-line code for the
  // common layouts (false only to compare it with the general loop in tests).
  explicit LogParser(const LogFormat& format, bool specialize = true);

  // Parses one line, without its '\n' (a trailing '\r' is ignored). Returns true and fills
  // `record` when the whole line matches the format (trailing spaces and tabs allowed);
  // returns false for an empty or non-matching line, leaving `record` unspecified. Fields
  // the format does not have are left empty (or at their "absent" value).
  bool parse(std::string_view line, LogRecord& record);

  // Parses the line at the start of `text`, which may run on past the line's '\n' (to the end
  // of a chunk of lines), without looking for the line's end first: the field scans stop at a
  // '\n'. Returns the line's length (where its '\n' is, or text.size()) when the line matches
  // the format; kNoMatch when it does not, or when the format has no such quick path (see
  // has_line_at()). The caller then cuts the line itself and calls parse(), which decides.
  // When it returns a length L, parse(text.substr(0, L), record) returns true with the same
  // record.
  static constexpr size_t kNoMatch = std::string_view::npos;
  size_t parse_line_at(std::string_view text, LogRecord& record) {
    if (line_at_ == nullptr) return kNoMatch;
    return (this->*line_at_)(text, record);
  }
  // Whether parse_line_at() can ever match: the common layouts that end in a quoted field
  // (combined, vhost_combined, nginx combined), whose literals hold no '\r' or '\n'.
  bool has_line_at() const { return line_at_ != nullptr; }

 private:
  using Ends = parse_detail::Ends;
  using Shape = parse_detail::Shape;
  using Literal = parse_detail::Literal;
  using ParseFn = bool (LogParser::*)(std::string_view, LogRecord&);
  using LineAtFn = size_t (LogParser::*)(std::string_view, LogRecord&);

  // The value of a field of kind K.
  template <FieldKind K>
  [[gnu::always_inline]] inline bool store_as(const FormatField& field, std::string_view value,
                                              LogRecord& record);
  // The same for a kind known only at run time.
  [[gnu::always_inline]] inline bool store(const FormatField& field, std::string_view value,
                                           LogRecord& record);

  // One field with the literal before it, laid out flat for the hot loop.
  struct Step {
    Literal literal;  // before the field
    Literal next;     // after the field: the next step's literal, or the tail
    const FormatField* field;
    Ends ends;
    char stop;
  };

  // Where a field that starts at `pos` ends, or npos when the line does not match. With
  // `kRunsOn`, `line` may run on past the line's '\n', and a field that would take it in does
  // not match (only the ends kBracketedTime, kQuote and kStopByte are supported then).
  template <Ends E, bool kRunsOn = false>
  [[gnu::always_inline]] static inline size_t field_end(const Step& step, std::string_view line,
                                                        size_t pos);
  // Any format: a loop over the steps, switching on each one's kind and end.
  bool parse_steps(std::string_view line, LogRecord& record);
  // A format of the fields S..., in straight-line code without a switch: used for the common
  // layouts (Apache's common, combined and vhost_combined, nginx's combined), whose literals
  // still come from the format.
  template <Shape... S>
  bool parse_fixed(std::string_view line, LogRecord& record);
  // parse_fixed() for parse_line_at().
  template <Shape... S>
  size_t parse_fixed_line_at(std::string_view text, LogRecord& record);
  template <Shape S, bool kRunsOn = false>
  [[gnu::always_inline]] inline bool fixed_step(const Step& step, std::string_view line,
                                                size_t& pos, LogRecord& record);
  // Chooses parse_fixed<S...> when the format's fields have exactly these shapes.
  template <Shape... S>
  void use_fixed_if();
  // The tail literal and trailing blanks after the last field; completes the record.
  bool finish(std::string_view line, size_t pos, LogRecord& record);
  // finish() for parse_line_at(): also a '\r' before the line's end; returns where the line
  // ends, or kNoMatch.
  size_t finish_line_at(std::string_view text, size_t pos, LogRecord& record);
  // reset() of only the fields that a match of the fields S... does not always set.
  template <Shape... S>
  [[gnu::always_inline]] static inline void reset_unset(LogRecord& record);
  // Every field empty or at its "absent" value.
  static void reset(LogRecord& record) {
    // Field by field rather than `record = LogRecord{}`, which compiles to a slower block fill.
    record.client = record.user = record.request = record.method = record.endpoint =
        record.protocol = record.referer = record.user_agent = record.vhost = std::string_view();
    record.status = -1;
    record.size = -1;
    record.time = LogRecord::kNoTime;
    record.duration_us = -1;
    record.has_endpoint = false;
  }

  const LogFormat& format_;
  ParseFn fixed_ = nullptr;
  LineAtFn line_at_ = nullptr;
  std::vector<Step> steps_;
  Literal tail_;  // the literal after the last field
  ClfTimeParser clf_time_;
  bool size_from_bytes_sent_;  // %O / $bytes_sent is the size only when there is no %b / %B
  bool client_from_remote_ip_; // %a is the client only when there is no %h
};

}  // namespace logan
