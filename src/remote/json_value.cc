// The small JSON reader; see json_value.h.
#include "remote/json_value.h"

#include <charconv>

#include "remote/utf8_append.h"

namespace logan {

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}

  Result<JsonValue> document() {
    JsonValue v;
    if (!value(v, 0)) return Error{"bad JSON at byte " + std::to_string(pos_)};
    skip_space();
    if (pos_ != s_.size()) return Error{"bad JSON: text after the value at byte " + std::to_string(pos_)};
    return v;
  }

 private:
  static constexpr int kMaxDepth = 64;

  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) ++pos_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool value(JsonValue& v, int depth) {
    if (depth > kMaxDepth) return false;
    skip_space();
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '{') return object(v, depth);
    if (c == '[') return array(v, depth);
    if (c == '"') {
      v.kind_ = JsonValue::Kind::kString;
      return string(v.text_);
    }
    if (literal("true")) { v.kind_ = JsonValue::Kind::kBool; v.text_ = "true"; return true; }
    if (literal("false")) { v.kind_ = JsonValue::Kind::kBool; v.text_ = "false"; return true; }
    if (literal("null")) return true;
    size_t start = pos_;
    while (pos_ < s_.size() && std::string_view("+-0123456789.eE").find(s_[pos_]) != std::string_view::npos) ++pos_;
    if (pos_ == start) return false;
    v.kind_ = JsonValue::Kind::kNumber;
    v.text_ = std::string(s_.substr(start, pos_ - start));
    return true;
  }

  bool object(JsonValue& v, int depth) {
    v.kind_ = JsonValue::Kind::kObject;
    ++pos_;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '}') { ++pos_; return true; }
    for (;;) {
      skip_space();
      std::string name;
      if (pos_ >= s_.size() || s_[pos_] != '"' || !string(name)) return false;
      skip_space();
      if (pos_ >= s_.size() || s_[pos_++] != ':') return false;
      JsonValue member;
      if (!value(member, depth + 1)) return false;
      v.members_[std::move(name)] = std::move(member);
      skip_space();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == ',') { ++pos_; continue; }
      if (s_[pos_] == '}') { ++pos_; return true; }
      return false;
    }
  }

  bool array(JsonValue& v, int depth) {
    v.kind_ = JsonValue::Kind::kArray;
    ++pos_;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == ']') { ++pos_; return true; }
    for (;;) {
      JsonValue item;
      if (!value(item, depth + 1)) return false;
      v.items_.push_back(std::move(item));
      skip_space();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == ',') { ++pos_; continue; }
      if (s_[pos_] == ']') { ++pos_; return true; }
      return false;
    }
  }

  bool hex4(uint32_t& out) {
    if (pos_ + 4 > s_.size()) return false;
    auto r = std::from_chars(s_.data() + pos_, s_.data() + pos_ + 4, out, 16);
    if (r.ptr != s_.data() + pos_ + 4) return false;
    pos_ += 4;
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // the opening quote
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') { out.push_back(c); continue; }
      if (pos_ >= s_.size()) return false;
      char e = s_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': out.push_back(e); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            uint32_t low = 0;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: return false;
      }
    }
    return false;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

Result<JsonValue> JsonValue::parse(std::string_view text) { return JsonReader(text).document(); }

const JsonValue& JsonValue::operator[](std::string_view name) const {
  static const JsonValue kNull;
  auto it = members_.find(name);
  return it == members_.end() ? kNull : it->second;
}

uint64_t JsonValue::as_u64() const {
  uint64_t v = 0;
  if (kind_ != Kind::kNumber) return 0;
  auto r = std::from_chars(text_.data(), text_.data() + text_.size(), v);
  return r.ec == std::errc() ? v : 0;
}

}  // namespace logan
