// warn(): see warn.h.
#include "cli/warn.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "query/query_plan.h"
#include "report/terminal_text.h"

namespace logan {

namespace {

std::vector<std::string>& secrets() {
  static std::vector<std::string> list;
  return list;
}

// Where the password of the URL whose "://" is at `scheme_end` lies in `text`: [begin, end),
// or begin == end when it has none.
std::pair<size_t, size_t> url_password(std::string_view text, size_t scheme_end) {
  size_t authority = scheme_end + 3;
  size_t stop = text.find_first_of("/?#\"' \t\n", authority);
  if (stop == std::string_view::npos) stop = text.size();
  std::string_view part = text.substr(authority, stop - authority);
  size_t at = part.rfind('@');
  if (at == std::string_view::npos) return {0, 0};
  size_t colon = part.find(':');
  if (colon == std::string_view::npos || colon > at) return {0, 0};
  return {authority + colon + 1, authority + at};
}

// Where the value of a libpq `password=` keyword starting at `key` lies.
std::pair<size_t, size_t> keyword_password(std::string_view text, size_t key) {
  size_t begin = key + 9;  // strlen("password=")
  size_t end = begin;
  if (end < text.size() && text[end] == '\'') {
    ++begin;
    end = text.find('\'', begin);
    if (end == std::string_view::npos) end = text.size();
  } else {
    while (end < text.size() && text[end] != ' ' && text[end] != '\t' && text[end] != '&' &&
           text[end] != '"' && text[end] != '\'' && text[end] != '\n') {
      ++end;
    }
  }
  return {begin, end};
}

std::string percent_decoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void remember(std::string_view secret) {
  if (secret.empty()) return;
  auto& list = secrets();
  if (std::find(list.begin(), list.end(), secret) == list.end()) list.emplace_back(secret);
}

}  // namespace

void remember_secrets(std::string_view argument) {
  for (size_t at = argument.find("://"); at != std::string_view::npos; at = argument.find("://", at + 3)) {
    auto [begin, end] = url_password(argument, at);
    if (begin == end) continue;
    std::string_view secret = argument.substr(begin, end - begin);
    remember(secret);
    remember(percent_decoded(secret));
  }
  for (size_t at = argument.find("password="); at != std::string_view::npos; at = argument.find("password=", at + 9)) {
    auto [begin, end] = keyword_password(argument, at);
    remember(argument.substr(begin, end - begin));
  }
}

std::string without_secrets(std::string_view text) {
  std::string out(text);
  // Passwords of URLs and keyword strings the text quotes, remembered or not.
  for (size_t at = out.find("://"); at != std::string::npos; at = out.find("://", at + 3)) {
    auto [begin, end] = url_password(out, at);
    if (begin != end) out.replace(begin, end - begin, "***");
  }
  for (size_t at = out.find("password="); at != std::string::npos; at = out.find("password=", at + 9)) {
    auto [begin, end] = keyword_password(out, at);
    if (begin != end) out.replace(begin, end - begin, "***");
  }
  // Every remembered password, wherever the message repeats it (libpq quotes a bad one alone).
  // Longest first, so that one password inside another is not half masked.
  std::vector<std::string> list = secrets();
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& secret : list) {
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) {
      out.replace(at, secret.size(), "***");
    }
  }
  return out;
}

void warn(std::string_view message) {
  std::string line = "logan: " + terminal_text(without_secrets(message)) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void warn_bad_query(std::string_view sql, const QueryCompileError& error, const std::string& prefix) {
  auto [line, column] = line_and_column(sql, error.offset);
  warn(prefix + "bad query at line " + std::to_string(line) + ", column " + std::to_string(column) +
       ": " + error.message);
  size_t begin = 0;
  for (size_t l = 1; l < line; ++l) begin = sql.find('\n', begin) + 1;
  const size_t end = sql.find('\n', begin);
  std::string shown = terminal_text(sql.substr(begin, end == std::string_view::npos ? end : end - begin));
  // The caret goes under the character: count what terminal_text() made of the text before it.
  std::string before = terminal_text(sql.substr(begin, error.offset - std::min(error.offset, begin)));
  size_t width = 0;
  for (unsigned char c : before) width += (c & 0xC0) != 0x80;
  for (char& c : shown) {
    if (c == '\t') c = ' ';
  }
  std::string text = "  " + shown + "\n  " + std::string(width, ' ') + "^\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace logan
