// `logan batch INPUT...`: statistics over log files, directories, globs and stdin.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/progress_meter.h"
#include "cli/stats_output.h"
#include "engine/batch_job.h"
#include "input/input_expander.h"

namespace logan {
namespace {

// Inputs at least this large (or stdin) get a progress line when stderr is a terminal.
constexpr uint64_t kProgressMinBytes = 64ull << 20;

struct BatchArgs {
  std::vector<std::string> inputs;
  BatchOptions batch;
  StatsOutputArgs out;
  bool progress = true;
};

void warn(const std::string& message) { std::fprintf(stderr, "logan: %s\n", message.c_str()); }

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

  return write_stats(report->stats, static_cast<uint32_t>(inputs->size()), skipped, args.out);
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
  add_stats_output_options(*cmd, args->out);
  cmd->add_option("-j,--threads", args->batch.threads, "Worker threads (default: one per core)");
  cmd->add_flag("--keep-going", args->batch.keep_going,
                "Report the readable inputs when some cannot be read (they are listed)");
  cmd->add_flag("!--no-progress", args->progress, "Never draw the progress line on stderr");
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace logan
