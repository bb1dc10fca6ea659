// Report and partial-file output shared by `logan batch` and `logan merge`; see stats_output.h.
#include "cli/stats_output.h"

#include "cli/commands.h"
#include "cli/warn.h"
#include "report/json_writer.h"
#include "report/query_output.h"
#include "report/terminal_text.h"
#include "stats/partial_state.h"

namespace logan {
namespace {

// The "skipped_inputs" key is added to the statistics document only when --keep-going skipped
// something, so that a partial result never passes for a whole one.
void append_skipped(std::string& json, const std::vector<Error>& skipped) {
  if (skipped.empty()) return;
  json.pop_back();  // the document's closing brace
  json += ",\"skipped_inputs\":[";
  for (size_t i = 0; i < skipped.size(); ++i) {
    if (i) json += ',';
    json += '"';
    append_json_string_body(json, skipped[i].message);
    json += '"';
  }
  json += "]}";
}

// Adds "queries": [{"name", "sql", "columns", "types", "rows"}, ...] to the document.
void append_queries_json(std::string& json, const std::vector<NamedQueryResult>& queries) {
  if (queries.empty()) return;
  json.pop_back();  // the document's closing brace
  json += ",\"queries\":";
  JsonWriter w(json);
  w.begin_array();
  for (const auto& q : queries) {
    w.begin_object().key("name").value(q.name).key("sql").value(q.sql);
    write_query_result_members(w, q.result);
    w.end_object();
  }
  w.end_array();
  json += '}';
}

}  // namespace

void add_stats_output_options(CLI::App& cmd, StatsOutputArgs& args) {
  cmd.add_flag("--json", args.json, "Print one JSON document (docs/json-output.md)");
  cmd.add_option("--ip-threshold", args.report.ip_threshold,
                 "List client addresses seen more than this many times")
      ->capture_default_str();
  cmd.add_option("--ip-top", args.report.ip_top,
                 "Text and HTML: list at most this many of those clients (0: all; JSON lists all)")
      ->capture_default_str();
  cmd.add_option("--top", args.report.top, "How many top endpoints to list")->capture_default_str();
  cmd.add_option("--group-top", args.report.group_top, "How many values of each --group-by to list")
      ->capture_default_str();
  cmd.add_option("-o,--output", args.output, "Write the report to FILE (atomically) instead of stdout");
  cmd.add_option("--emit-partial", args.emit_partial,
                 "Write the mergeable statistics to FILE ('-': stdout) for `logan merge`, "
                 "instead of a report");
}

int write_stats(const AccessStats& stats, uint32_t inputs, const std::vector<Error>& skipped,
                const StatsOutputArgs& args, const std::vector<NamedQueryResult>& queries) {
  if (!args.emit_partial.empty()) {
    if (!skipped.empty()) {
      // A partial cannot say what it lacks: refuse rather than hand on a silent gap.
      warn("not writing a partial file: " + std::to_string(skipped.size()) + " input(s) were skipped");
      return kExitInput;
    }
    return write_output(args.emit_partial, encode_partial({inputs, stats})) ? kExitOk : kExitFailure;
  }
  std::string out;
  if (args.json) {
    append_stats_json(out, stats, args.report);
    append_skipped(out, skipped);
    append_queries_json(out, queries);
    out += '\n';
  } else {
    append_stats_text(out, stats, args.report);
    if (!skipped.empty()) {
      out += "Skipped inputs:\n";
      for (const auto& e : skipped) out += "  " + terminal_text(e.message) + "\n";
    }
    for (const auto& q : queries) {
      out += "\nQuery " + terminal_text(q.name) + ": " + terminal_text(q.sql) + "\n";
      out += query_result_text(q.result);
    }
  }
  return write_output(args.output, out) ? kExitOk : kExitFailure;
}

}  // namespace logan
