// Query results as text, CSV and JSON; see query_output.h.
#include "report/query_output.h"

#include <cmath>

#include "parse/timestamp.h"
#include "report/terminal_text.h"

namespace logan {
namespace {

std::string shortest_real(double d) {
  if (!std::isfinite(d)) return std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity");
  std::string text;
  append_shortest_double(text, d);
  return text;
}

size_t display_width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string query_value_text(const SqlValue& v) {
  switch (v.type) {
    case SqlType::kNull: return {};
    case SqlType::kInt: return std::to_string(v.i);
    case SqlType::kReal: return shortest_real(v.r);
    case SqlType::kTime: return format_utc_iso8601(v.i);
    case SqlType::kText: {
      std::string out;
      append_valid_utf8(out, v.text);
      return out;
    }
  }
  return {};
}

std::string query_result_text(const QueryResult& result) {
  const size_t cols = result.columns.size();
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width(cols);
  for (size_t j = 0; j < cols; ++j) width[j] = display_width(terminal_text(result.columns[j]));
  for (const auto& row : result.rows) {
    std::vector<std::string> line;
    for (size_t j = 0; j < cols; ++j) {
      line.push_back(terminal_text(query_value_text(row[j])));
      width[j] = std::max(width[j], display_width(line.back()));
    }
    cells.push_back(std::move(line));
  }
  std::string out;
  auto pad = [&out](const std::string& s, size_t w, bool right) {
    size_t fill = w - std::min(w, display_width(s));
    if (right) out.append(fill, ' ');
    out += s;
    if (!right) out.append(fill, ' ');
  };
  auto finish_line = [&out] {
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  };
  for (size_t j = 0; j < cols; ++j) {
    if (j) out += "  ";
    pad(terminal_text(result.columns[j]), width[j], false);
  }
  finish_line();
  for (size_t j = 0; j < cols; ++j) {
    if (j) out += "  ";
    out.append(width[j], '-');
  }
  finish_line();
  for (const auto& line : cells) {
    for (size_t j = 0; j < cols; ++j) {
      if (j) out += "  ";
      pad(line[j], width[j], is_numeric(result.types[j]));
    }
    finish_line();
  }
  out += "(" + std::to_string(result.rows.size()) + (result.rows.size() == 1 ? " row)\n" : " rows)\n");
  return out;
}

std::string query_result_csv(const QueryResult& result) {
  std::string out;
  auto field = [&out](const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) {
      out += s;
      return;
    }
    out += '"';
    for (char c : s) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  };
  for (size_t j = 0; j < result.columns.size(); ++j) {
    if (j) out += ',';
    std::string name;
    append_valid_utf8(name, result.columns[j]);
    field(name);
  }
  out += "\r\n";
  for (const auto& row : result.rows) {
    for (size_t j = 0; j < row.size(); ++j) {
      if (j) out += ',';
      field(query_value_text(row[j]));
    }
    out += "\r\n";
  }
  return out;
}

void write_query_result_members(JsonWriter& json, const QueryResult& result) {
  json.key("columns").begin_array();
  for (const auto& c : result.columns) json.value(c);
  json.end_array();
  json.key("types").begin_array();
  for (SqlType t : result.types) json.value(sql_type_name(t));
  json.end_array();
  json.key("rows").begin_array();
  for (const auto& row : result.rows) {
    json.begin_array();
    for (const auto& v : row) {
      switch (v.type) {
        case SqlType::kNull: json.null(); break;
        case SqlType::kInt: json.value(v.i); break;
        case SqlType::kReal: json.value(v.r); break;
        case SqlType::kTime: json.value(format_utc_iso8601(v.i)); break;
        case SqlType::kText: json.value(v.text); break;
      }
    }
    json.end_array();
  }
  json.end_array();
}

std::string query_result_json(const QueryResult& result) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  write_query_result_members(json, result);
  json.end_object();
  out += '\n';
  return out;
}

}  // namespace logan
