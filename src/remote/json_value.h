// JsonValue: a small JSON reader for the answers of WebHDFS (FileStatuses, FileStatus,
// RemoteException). Numbers are kept as doubles and as their text (file lengths need all 64
// bits); strings are unescaped, \u escapes included.
// Thread-safety: a value type.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace logan {

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  static Result<JsonValue> parse(std::string_view text);

  Kind kind() const { return kind_; }
  bool is_object() const { return kind_ == Kind::kObject; }
  // The member `name` of an object; a null value when absent or not an object.
  const JsonValue& operator[](std::string_view name) const;
  const std::vector<JsonValue>& items() const { return items_; }  // of an array
  const std::string& text() const { return text_; }  // a string's value, a number's digits
  uint64_t as_u64() const;  // a non-negative integer number; 0 otherwise

 private:
  friend class JsonReader;
  Kind kind_ = Kind::kNull;
  std::string text_;
  std::vector<JsonValue> items_;
  std::map<std::string, JsonValue, std::less<>> members_;
};

}  // namespace logan
