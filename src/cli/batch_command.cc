// `logan batch INPUT...`: statistics over log files, directories, globs and stdin.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/progress_meter.h"
#include "engine/batch_job.h"
#include "input/input_expander.h"
#include "report/json_writer.h"
#include "report/stats_report.h"

namespace logan {
namespace {

// Inputs at least this large (or stdin) get a progress line when stderr is a terminal.
constexpr uint64_t kProgressMinBytes = 64ull << 20;

struct BatchArgs {
  std::vector<std::string> inputs;
  BatchOptions batch;
  ReportOptions report;
  bool json = false;
  bool progress = true;
  std::string output;
};

void warn(const std::string& message) { std::fprintf(stderr, "logan: %s\n", message.c_str()); }

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

int run(const BatchArgs& args) {
  std::vector<Error> skipped;
  auto inputs = expand_inputs(args.inputs, args.batch.keep_going ? &skipped : nullptr);
  if (!inputs) {
    warn(inputs.error().message);
    return kExitInput;
  }
  uint64_t total_bytes = 0;
  bool has_stdin = false;
  for (const auto& in : *inputs) {
    total_bytes += in.size;
    has_stdin |= in.path == "-";
  }
  BatchProgress progress;
  std::optional<ProgressMeter> meter;
  if (args.progress && ::isatty(STDERR_FILENO) && (has_stdin || total_bytes >= kProgressMinBytes)) {
    meter.emplace(progress, has_stdin ? 0 : total_bytes);
    meter->start();
  }
  auto report = run_batch(*inputs, args.batch, &progress);
  if (meter) meter->stop();
  if (!report) {
    warn(report.error().message);
    return kExitInput;
  }
  for (auto& e : report->skipped) skipped.push_back(std::move(e));
  for (const auto& e : skipped) warn("skipped: " + e.message);
  for (const auto& in : report->inputs) {
    if (!in.recognised) {
      warn("no known log format recognised in '" + in.path +
           "' (every line counts as invalid); name it with --format");
    }
  }

  std::string out;
  if (args.json) {
    append_stats_json(out, report->stats, args.report);
    append_skipped(out, skipped);
    out += '\n';
  } else {
    append_stats_text(out, report->stats, args.report);
    if (!skipped.empty()) {
      out += "Skipped inputs:\n";
      for (const auto& e : skipped) out += "  " + e.message + "\n";
    }
  }
  return write_output(args.output, out) ? kExitOk : kExitFailure;
}

}  // namespace

void register_batch(CLI::App& app, CommandAction& action) {
  auto args = std::make_shared<BatchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "batch", "Compute statistics over log files, directories, globs or stdin ('-')");
  cmd->add_option("inputs", args->inputs,
                  "Files, directories (recursive), globs ('*', '?', '**'; quote them) or '-' "
                  "for stdin; gzip, zstd and bzip2 are recognised by their contents")
      ->required();
  cmd->add_option("-f,--format", args->batch.format,
                  "Log format: auto, a nickname (common, combined, vhost_combined, referer, "
                  "agent, nginx), an Apache LogFormat or an nginx log_format string")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON document (docs/json-output.md)");
  cmd->add_option("--ip-threshold", args->report.ip_threshold,
                  "List client addresses seen more than this many times")
      ->capture_default_str();
  cmd->add_option("--top", args->report.top, "How many top endpoints to list")
      ->capture_default_str();
  cmd->add_option("-j,--threads", args->batch.threads, "Worker threads (default: one per core)");
  cmd->add_flag("--keep-going", args->batch.keep_going,
                "Report the readable inputs when some cannot be read (they are listed)");
  cmd->add_option("-o,--output", args->output, "Write the report to FILE (atomically) instead of stdout");
  cmd->add_flag("!--no-progress", args->progress, "Never draw the progress line on stderr");
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace logan
