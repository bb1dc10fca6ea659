// Input expansion; see input_expander.h.
#include "input/input_expander.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace logan {
namespace fs = std::filesystem;
namespace {

bool match_from(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star_p = pi++;
      star_s = si;
      continue;
    }
    if (pi < p.size()) {
      bool matched = false;
      size_t next = pi + 1;
      if (p[pi] == '?') {
        matched = true;
      } else if (p[pi] == '[') {
        size_t close = p.find(']', pi + 2);
        if (close != std::string_view::npos) {
          size_t k = pi + 1;
          bool negate = p[k] == '!' || p[k] == '^';
          if (negate) ++k;
          bool in = false;
          for (; k < close; ++k) {
            if (k + 2 < close && p[k + 1] == '-') {
              in |= s[si] >= p[k] && s[si] <= p[k + 2];
              k += 2;
            } else {
              in |= s[si] == p[k];
            }
          }
          matched = in != negate;
          next = close + 1;
        } else {
          matched = s[si] == '[';
        }
      } else if (p[pi] == '\\' && pi + 1 < p.size()) {
        matched = s[si] == p[pi + 1];
        next = pi + 2;
      } else {
        matched = s[si] == p[pi];
      }
      if (matched) {
        pi = next;
        ++si;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p + 1;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool is_hidden(const fs::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// Every regular file below `dir`, dot-files and dot-directories skipped.
void list_recursive(const fs::path& dir, std::vector<std::string>& out, std::error_code& ec) {
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    if (is_hidden(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec)) out.push_back(it->path().string());
  }
}

// Matches `parts[i..]` below `base`, appending matches to `out`.
void glob_walk(const fs::path& base, const std::vector<std::string>& parts, size_t i,
               std::vector<std::string>& out) {
  std::error_code ec;
  if (i == parts.size()) {
    if (fs::is_regular_file(base, ec)) out.push_back(base.string());
    return;
  }
  const std::string& part = parts[i];
  // A relative pattern lists "." but yields paths without a "./" prefix.
  const fs::path dir = base.empty() ? fs::path(".") : base;
  if (part == "**" && i + 1 == parts.size()) {
    // A trailing "**" matches every file below, as with the shell's globstar.
    std::error_code list_ec;
    list_recursive(dir, out, list_ec);
    if (base.empty()) {
      for (auto& p : out) {
        if (p.starts_with("./")) p.erase(0, 2);
      }
    }
    return;
  }
  if (part == "**") {
    glob_walk(base, parts, i + 1, out);  // zero directories
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!is_hidden(it->path()) && !it->is_symlink(ec) && it->is_directory(ec)) {
        glob_walk(base / it->path().filename(), parts, i, out);
      }
    }
    return;
  }
  if (!has_glob_chars(part)) {
    glob_walk(base / part, parts, i + 1, out);
    return;
  }
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (glob_match_segment(part, it->path().filename().string())) {
      glob_walk(base / it->path().filename(), parts, i + 1, out);
    }
  }
}

}  // namespace

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool has_glob_chars(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

bool glob_match_segment(std::string_view pattern, std::string_view name) {
  // Like the shell, a leading '.' must be matched by a literal (or escaped) '.'.
  bool literal_dot = pattern.starts_with(".") || pattern.starts_with("\\.");
  if (!name.empty() && name[0] == '.' && !literal_dot) return false;
  return match_from(pattern, name);
}

Result<std::vector<InputFile>> expand_inputs(const std::vector<std::string>& args,
                                             std::vector<Error>* skipped) {
  std::vector<InputFile> inputs;
  auto fail = [&](Error e) -> bool {
    if (skipped == nullptr) return false;
    skipped->push_back(std::move(e));
    return true;
  };
  for (const std::string& arg : args) {
    if (arg == "-") {
      inputs.push_back(InputFile{.path = "-"});
      continue;
    }
    std::vector<std::string> paths;
    std::error_code ec;
    if (has_glob_chars(arg) && !fs::exists(arg, ec)) {
      fs::path base = !arg.empty() && arg[0] == '/' ? fs::path("/") : fs::path();
      glob_walk(base, split_path(arg), 0, paths);
      if (paths.empty()) {
        Error e{"no input matches '" + arg + "'"};
        if (!fail(e)) return e;
        continue;
      }
    } else if (fs::is_directory(arg, ec)) {
      list_recursive(arg, paths, ec);
      if (ec) {
        Error e{"cannot read directory '" + arg + "': " + ec.message()};
        if (!fail(e)) return e;
        continue;
      }
    } else if (fs::exists(arg, ec)) {
      paths.push_back(arg);
    } else {
      Error e{"cannot open '" + arg + "': No such file or directory"};
      if (!fail(e)) return e;
      continue;
    }
    std::sort(paths.begin(), paths.end());
    for (auto& p : paths) {
      std::error_code size_ec;
      uint64_t size = fs::is_regular_file(p, size_ec) ? fs::file_size(p, size_ec) : 0;
      if (size_ec) size = 0;
      inputs.push_back(InputFile{.path = std::move(p), .size = size});
    }
  }
  return inputs;
}

}  // namespace logan
