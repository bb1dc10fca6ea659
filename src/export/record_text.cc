// Exported record text; see record_text.h.
#include "export/record_text.h"

#include <charconv>
#include <cstring>

#include "parse/timestamp.h"
#include "report/json_writer.h"
#include "sink/pg_connection.h"

namespace logan {
namespace {

void append_int(std::string& out, int64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

}  // namespace

const char* record_format_extension(RecordFormat format) {
  switch (format) {
    case RecordFormat::kJsonLines: return "jsonl";
    case RecordFormat::kCsv: return "csv";
    case RecordFormat::kCopyText: return "copy";
  }
  return "";
}

std::string csv_header(const std::vector<std::string>& extra) {
  std::string h, scratch;
  for (const auto& f : kRecordFields) {
    if (!h.empty()) h += ',';
    h += f.name;
  }
  for (const auto& name : extra) {
    h += ',';
    append_csv_field(h, clean_text(name, scratch));
  }
  return h + "\r\n";
}

std::string_view clean_text(std::string_view text, std::string& scratch) {
  bool plain = true;
  for (char c : text) {
    unsigned char b = static_cast<unsigned char>(c);
    if (b == 0 || b >= 0x80) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  scratch.clear();
  append_valid_utf8(scratch, text);
  for (size_t i = scratch.find('\0'); i != std::string::npos; i = scratch.find('\0', i)) {
    scratch.replace(i, 1, "\xEF\xBF\xBD");
  }
  return scratch;
}

void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string_view RecordText::iso_time(int64_t seconds) {
  int64_t day = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  if (day != cached_day_) {
    std::string date = format_utc_iso8601(day * 86400);  // "YYYY-MM-DDT00:00:00Z"
    if (date.size() != 20) return {};                    // a year outside 0..9999: no cache
    std::memcpy(time_, date.data(), 20);
    cached_day_ = day;
  }
  int64_t s = seconds - day * 86400;
  int hh = static_cast<int>(s / 3600), mm = static_cast<int>(s / 60 % 60), ss = static_cast<int>(s % 60);
  time_[11] = static_cast<char>('0' + hh / 10);
  time_[12] = static_cast<char>('0' + hh % 10);
  time_[14] = static_cast<char>('0' + mm / 10);
  time_[15] = static_cast<char>('0' + mm % 10);
  time_[17] = static_cast<char>('0' + ss / 10);
  time_[18] = static_cast<char>('0' + ss % 10);
  return std::string_view(time_, 20);
}

RecordText::RecordText(RecordFormat format, const std::vector<std::string>& extra) : format_(format) {
  for (const auto& name : extra) {
    std::string key = ",\"";
    append_json_string_body(key, clean_text(name, scratch_));
    extra_keys_.push_back(key + "\":");
  }
  if (format_ != RecordFormat::kJsonLines) extra_keys_.resize(extra.size());  // only the count
}

void RecordText::append(std::string& out, const LogRecord& r, const std::string* const* extra) {
  if (format_ == RecordFormat::kJsonLines) {
    append_json(out, r, extra);
  } else {
    append_delimited(out, r, extra);
  }
}

void RecordText::append_json(std::string& out, const LogRecord& r, const std::string* const* extra) {
  // The keys are constant: written as literals rather than escaped per record. Values go
  // through the JSON writer's escaping, which also replaces ill-formed UTF-8; only NUL (which
  // JSON could carry as \u0000) needs clean_text, to export the same text as CSV and COPY.
  auto text = [&](const char* key, std::string_view v) {
    out += key;
    if (is_absent_text(v)) {
      out += "null";
      return;
    }
    if (std::memchr(v.data(), '\0', v.size()) != nullptr) v = clean_text(v, scratch_);
    out += '"';
    append_json_string_body(out, v);
    out += '"';
  };
  auto number = [&](const char* key, int64_t v, bool present) {
    out += key;
    if (present) {
      append_int(out, v);
    } else {
      out += "null";
    }
  };
  std::string_view time = r.has_time() ? iso_time(r.time) : std::string_view();
  text("{\"time\":", time);
  text(",\"client\":", r.client);
  text(",\"user\":", r.user);
  text(",\"method\":", r.method);
  text(",\"path\":", path_of(r));
  text(",\"query\":", query_of(r));
  text(",\"protocol\":", r.protocol);
  number(",\"status\":", r.status, r.status >= 0);
  number(",\"size\":", r.size, r.size >= 0);
  number(",\"duration_us\":", r.duration_us, r.duration_us >= 0);
  text(",\"referer\":", r.referer);
  text(",\"user_agent\":", r.user_agent);
  text(",\"vhost\":", r.vhost);
  text(",\"request\":", r.request);
  for (size_t i = 0; i < extra_keys_.size(); ++i) {
    // A looked-up value is data as given: "-" stays "-"; only a missing one is null.
    out += extra_keys_[i];
    if (extra[i] == nullptr) {
      out += "null";
      continue;
    }
    out += '"';
    append_json_string_body(out, clean_text(*extra[i], scratch_));
    out += '"';
  }
  out += "}\n";
}

// CSV and COPY text share the layout: fields in order, a separator, null as an empty field
// (CSV) or \N (COPY).
void RecordText::append_delimited(std::string& out, const LogRecord& r, const std::string* const* extra) {
  const bool csv = format_ == RecordFormat::kCsv;
  const char sep = csv ? ',' : '\t';
  bool first = true;
  auto begin_field = [&] {
    if (!first) out += sep;
    first = false;
  };
  auto null = [&] {
    if (!csv) out += "\\N";
  };
  auto text = [&](std::string_view v) {
    begin_field();
    if (is_absent_text(v)) return null();
    std::string_view clean = clean_text(v, scratch_);
    if (csv) {
      append_csv_field(out, clean);
    } else {
      append_copy_field(out, clean);
    }
  };
  auto number = [&](int64_t v, bool present) {
    begin_field();
    if (present) {
      append_int(out, v);
    } else {
      null();
    }
  };
  std::string_view time = r.has_time() ? iso_time(r.time) : std::string_view();
  text(time);
  text(r.client);
  text(r.user);
  text(r.method);
  text(path_of(r));
  text(query_of(r));
  text(r.protocol);
  number(r.status, r.status >= 0);
  number(r.size, r.size >= 0);
  number(r.duration_us, r.duration_us >= 0);
  text(r.referer);
  text(r.user_agent);
  text(r.vhost);
  text(r.request);
  for (size_t i = 0; i < extra_keys_.size(); ++i) {
    begin_field();
    if (extra[i] == nullptr) {
      null();
      continue;
    }
    std::string_view clean = clean_text(*extra[i], scratch_);
    if (csv) {
      append_csv_field(out, clean);
    } else {
      append_copy_field(out, clean);
    }
  }
  out += csv ? "\r\n" : "\n";
}

}  // namespace logan
