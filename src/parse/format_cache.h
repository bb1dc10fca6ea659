// FormatCache: the formats of one job, each compiled once from its spec (a nickname or a format
// string) and kept at a stable address for the parsers that use it.
// Thread-safety: not thread-safe; a job calls it under its own lock or from one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "parse/log_format.h"

namespace logan {

class FormatCache {
 public:
  // The compiled format for `spec`; an error when it does not compile.
  Result<const LogFormat*> get(const std::string& spec) {
    for (const auto& f : formats_) {
      if (f->spec() == spec) return f.get();
    }
    auto f = LogFormat::compile(spec);
    if (!f) return f.error();
    formats_.push_back(std::make_unique<LogFormat>(std::move(f.value())));
    return static_cast<const LogFormat*>(formats_.back().get());
  }

 private:
  std::vector<std::unique_ptr<LogFormat>> formats_;
};

}  // namespace logan
