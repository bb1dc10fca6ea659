// Compiles Apache and nginx format strings; see log_format.h.
#include "parse/log_format.h"

#include "parse/log_record.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace logan {
namespace {

struct Nickname {
  std::string_view name;
  std::string_view format;
};

constexpr Nickname kNicknames[] = {
    {"common", R"(%h %l %u %t "%r" %>s %b)"},
    {"combined", R"(%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i")"},
    {"vhost_combined", R"(%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i")"},
    // logan's own: the two above with the time taken (%D) at the end, as `logan gen` writes.
    {"combined_duration", R"(%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" %D)"},
    {"vhost_combined_duration", R"(%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D)"},
    {"referer", R"(%{Referer}i -> %U)"},
    {"agent", R"(%{User-agent}i)"},
    {"nginx",
     R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent")"},
    {"nginx_combined",
     R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent")"},
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

FieldKind header_kind(std::string_view name) {
  if (iequals(name, "Referer")) return FieldKind::kReferer;
  if (iequals(name, "User-Agent")) return FieldKind::kUserAgent;
  return FieldKind::kHeader;
}

// Maps an Apache directive letter (with its optional {argument}) to a field.
Result<FormatField> apache_field(char letter, std::string_view arg, std::string spec) {
  FormatField f;
  f.spec = std::move(spec);
  switch (letter) {
    case 'h': f.kind = FieldKind::kClient; break;
    case 'a': f.kind = FieldKind::kRemoteIp; break;
    case 'l': f.kind = FieldKind::kIdent; break;
    case 'u': f.kind = FieldKind::kUser; break;
    case 't':
      if (arg.empty()) {
        f.kind = FieldKind::kTimeBracketed;
      } else {
        // %{begin:sec}t and %{end:msec}t: the prefix only says when the time was taken.
        if (arg.starts_with("begin:")) arg.remove_prefix(6);
        if (arg.starts_with("end:")) arg.remove_prefix(4);
        if (arg == "sec") { f.kind = FieldKind::kTimeEpoch; f.scale = 1; }
        else if (arg == "msec") { f.kind = FieldKind::kTimeEpoch; f.scale = 1000; }
        else if (arg == "usec") { f.kind = FieldKind::kTimeEpoch; f.scale = 1000000; }
        else f.kind = FieldKind::kOther;  // strftime formats are matched, not interpreted
      }
      break;
    case 'r': f.kind = FieldKind::kRequest; break;
    case 'm': f.kind = FieldKind::kMethod; break;
    case 'U': f.kind = FieldKind::kPath; break;
    case 'q': f.kind = FieldKind::kQuery; break;
    case 'H': f.kind = FieldKind::kProtocol; break;
    case 's': f.kind = FieldKind::kStatus; break;
    case 'b': f.kind = FieldKind::kSizeClf; break;
    case 'B': f.kind = FieldKind::kBytes; break;
    case 'O': f.kind = FieldKind::kBytesSent; break;
    case 'I': f.kind = FieldKind::kBytesReceived; break;
    case 'D': f.kind = FieldKind::kDurationMicros; break;
    case 'T':
      if (arg == "ms") f.kind = FieldKind::kDurationMillis;
      else if (arg == "us") f.kind = FieldKind::kDurationMicros;
      else f.kind = FieldKind::kDurationSeconds;
      break;
    case 'v':
    case 'V': f.kind = FieldKind::kVhost; break;
    case 'p': f.kind = arg.empty() || arg == "canonical" ? FieldKind::kPort : FieldKind::kOther; break;
    case 'i':
    case 'o':
      f.kind = letter == 'i' ? header_kind(arg) : FieldKind::kHeader;
      if (f.kind == FieldKind::kHeader) {
        f.header = letter == 'i' ? "http_" : "sent_http_";
        for (char c : arg) {
          f.header += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
      }
      break;
    case 'A': case 'C': case 'e': case 'f': case 'k': case 'L': case 'n': case 'P':
    case 'R': case 'S': case 'X': case 'x': case 'M': case '^':
      f.kind = FieldKind::kOther;
      break;
    default:
      return Error{"unknown Apache log format directive '" + f.spec + "'"};
  }
  return f;
}

FormatField nginx_field(std::string_view name) {
  FormatField f;
  f.spec = "$" + std::string(name);
  static constexpr std::pair<std::string_view, FieldKind> kVars[] = {
      {"remote_addr", FieldKind::kClient},
      {"realip_remote_addr", FieldKind::kRemoteIp},
      {"remote_user", FieldKind::kUser},
      {"time_local", FieldKind::kTimeClf},
      {"time_iso8601", FieldKind::kTimeIso8601},
      {"request", FieldKind::kRequest},
      {"request_method", FieldKind::kMethod},
      {"uri", FieldKind::kPath},
      {"document_uri", FieldKind::kPath},
      {"args", FieldKind::kQuery},
      {"query_string", FieldKind::kQuery},
      {"request_uri", FieldKind::kTarget},
      {"server_protocol", FieldKind::kProtocol},
      {"status", FieldKind::kStatus},
      {"body_bytes_sent", FieldKind::kBytes},
      {"bytes_sent", FieldKind::kBytesSent},
      {"request_length", FieldKind::kBytesReceived},
      {"request_time", FieldKind::kDurationDecimal},
      {"host", FieldKind::kVhost},
      {"server_name", FieldKind::kVhost},
      {"server_port", FieldKind::kPort},
      {"http_referer", FieldKind::kReferer},
      {"http_user_agent", FieldKind::kUserAgent},
  };
  for (const auto& [var, kind] : kVars) {
    if (name == var) {
      f.kind = kind;
      return f;
    }
  }
  if (name == "msec") {
    f.kind = FieldKind::kTimeEpoch;  // "1709769600.123": seconds with a fraction
  } else if (name.starts_with("http_") || name.starts_with("sent_http_")) {
    f.kind = FieldKind::kHeader;
    f.header = std::string(name);
  } else {
    f.kind = FieldKind::kOther;
  }
  return f;
}

bool is_nginx_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Apache format strings come from httpd.conf, where \" \t \n \\ are escapes; undo them so a
// string pasted from a config file works as written there.
std::string unescape_apache(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[i + 1];
      if (n == '"' || n == '\\') { out += n; ++i; continue; }
      if (n == 't') { out += '\t'; ++i; continue; }
      if (n == 'n') { out += '\n'; ++i; continue; }
    }
    out += s[i];
  }
  return out;
}

bool looks_like_apache(std::string_view s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != '%') continue;
    char n = s[i + 1];
    if (std::isalpha(static_cast<unsigned char>(n)) || n == '{' || n == '>' || n == '<' ||
        n == '!' || std::isdigit(static_cast<unsigned char>(n)) || n == '^') {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view format_for_nickname(std::string_view name) {
  for (const auto& n : kNicknames) {
    if (n.name == name) return n.format;
  }
  return {};
}

bool LogFormat::has(FieldKind kind) const {
  return std::any_of(fields_.begin(), fields_.end(),
                     [kind](const FormatField& f) { return f.kind == kind; });
}

Result<LogFormat> LogFormat::compile(std::string_view spec) {
  LogFormat format;
  format.spec_ = std::string(spec);
  std::string_view text = format_for_nickname(spec);
  if (text.empty()) text = spec;
  if (text.empty()) return Error{"empty log format"};

  std::string literal;
  auto add_field = [&](FormatField field) {
    format.literals_.push_back(std::move(literal));
    literal.clear();
    format.fields_.push_back(std::move(field));
  };

  if (looks_like_apache(text)) {
    std::string s = unescape_apache(text);
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '%') {
        literal += s[i];
        continue;
      }
      size_t start = i++;
      if (i < s.size() && s[i] == '%') {
        literal += '%';
        continue;
      }
      // Modifiers: status conditions ("!400,501"), and '<' / '>' (original or final request).
      while (i < s.size() && (s[i] == '!' || s[i] == ',' || s[i] == '<' || s[i] == '>' ||
                              std::isdigit(static_cast<unsigned char>(s[i])))) {
        ++i;
      }
      std::string_view arg;
      if (i < s.size() && s[i] == '{') {
        size_t close = s.find('}', i);
        if (close == std::string::npos) {
          return Error{"unclosed '%{' in log format at offset " + std::to_string(start)};
        }
        arg = std::string_view(s).substr(i + 1, close - i - 1);
        i = close + 1;
      }
      if (i >= s.size()) return Error{"log format ends inside a directive"};
      if (s[i] == '^' && i + 2 < s.size()) i += 2;  // %{name}^ti, %^to: trailers
      auto field = apache_field(s[i], arg, s.substr(start, i - start + 1));
      if (!field) return field.error();
      add_field(std::move(field.value()));
    }
  } else {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '$') {
        literal += text[i];
        continue;
      }
      size_t j = i + 1;
      std::string_view name;
      if (j < text.size() && text[j] == '{') {
        size_t close = text.find('}', j);
        if (close == std::string_view::npos) return Error{"unclosed '${' in log format"};
        name = text.substr(j + 1, close - j - 1);
        i = close;
      } else {
        while (j < text.size() && is_nginx_name_char(text[j])) ++j;
        name = text.substr(i + 1, j - i - 1);
        i = j - 1;
      }
      if (name.empty()) {
        literal += '$';
        continue;
      }
      add_field(nginx_field(name));
    }
  }
  format.literals_.push_back(std::move(literal));
  if (format.fields_.empty()) {
    return Error{"log format '" + format.spec_ + "' has no fields (not a nickname, %directive or $variable)"};
  }
  // Header fields get a slot of LogRecord::headers each (one per name), as long as slots last.
  for (auto& f : format.fields_) {
    if (f.kind != FieldKind::kHeader || f.header.empty()) continue;
    auto& names = format.header_names_;
    auto it = std::find(names.begin(), names.end(), f.header);
    if (it != names.end()) {
      f.header_slot = static_cast<int>(it - names.begin());
    } else if (names.size() < static_cast<size_t>(LogRecord::kMaxHeaders)) {
      f.header_slot = static_cast<int>(names.size());
      names.push_back(f.header);
    }
  }
  // A field between two '"' literals is a quoted field: it may hold spaces and escaped quotes.
  for (size_t k = 0; k < format.fields_.size(); ++k) {
    const std::string& before = format.literals_[k];
    const std::string& after = format.literals_[k + 1];
    format.fields_[k].quoted = !before.empty() && before.back() == '"' && !after.empty() &&
                               after.front() == '"';
  }
  return format;
}

}  // namespace logan
