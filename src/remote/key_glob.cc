// Key globbing; see key_glob.h.
#include "remote/key_glob.h"

#include <vector>

#include "input/input_expander.h"

namespace logan {
namespace {

std::vector<std::string_view> segments(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t slash = s.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, slash - start));
    start = slash + 1;
  }
}

bool match_segments(const std::vector<std::string_view>& p, size_t pi,
                    const std::vector<std::string_view>& k, size_t ki) {
  while (pi < p.size()) {
    if (p[pi] == "**") {
      // Any number of whole segments, none included; never a dot-segment, as with directories.
      for (size_t skip = ki; skip <= k.size(); ++skip) {
        if (match_segments(p, pi + 1, k, skip)) return true;
        if (skip < k.size() && k[skip].starts_with(".")) return false;
      }
      return false;
    }
    if (ki == k.size()) return false;
    if (!glob_match_segment(p[pi], k[ki])) return false;
    ++pi;
    ++ki;
  }
  return ki == k.size();
}

}  // namespace

bool key_glob_match(std::string_view pattern, std::string_view key) {
  return match_segments(segments(pattern), 0, segments(key), 0);
}

std::string glob_literal_prefix(std::string_view pattern) {
  size_t first = pattern.find_first_of("*?[\\");
  return std::string(pattern.substr(0, first));
}

}  // namespace logan
