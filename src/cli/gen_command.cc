// `logan gen`: writes a deterministic, realistic generated log (for the quick start, the tests
// and the benchmarks).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cli/commands.h"
#include "cli/warn.h"
#include "gen/log_generator.h"

namespace logan {
namespace {

struct GenArgs {
  GenOptions options;
  std::string output;
};

int run(const GenArgs& args) {
  if (!LogGenerator::is_supported_format(args.options.format)) {
    warn("gen: unsupported --format '" + args.options.format + "' (common, combined, vhost_combined, combined_duration, vhost_combined_duration)");
    return kExitInput;
  }
  if (args.options.tz_offset_minutes <= -1440 || args.options.tz_offset_minutes >= 1440) {
    warn("gen: --tz-offset must be within a day (minutes)");
    return kExitInput;
  }
  FILE* out = stdout;
  std::string tmp;
  if (!args.output.empty() && args.output != "-") {
    tmp = args.output + ".tmp";
    out = std::fopen(tmp.c_str(), "wb");
    if (out == nullptr) {
      warn("cannot write '" + args.output + "': " + std::strerror(errno));
      return kExitFailure;
    }
  }
  LogGenerator gen(args.options);
  std::string block;
  bool ok = true;
  while (ok) {
    block.clear();
    if (gen.append_lines(block, 16384) == 0) break;
    ok = std::fwrite(block.data(), 1, block.size(), out) == block.size();
  }
  ok = std::fflush(out) == 0 && ok;
  if (out != stdout) {
    ok = std::fclose(out) == 0 && ok;
    ok = ok && std::rename(tmp.c_str(), args.output.c_str()) == 0;
    if (!ok) std::remove(tmp.c_str());
  }
  if (!ok) {
    warn("cannot write '" + (args.output.empty() ? std::string("stdout") : args.output) + "': " +
         std::strerror(errno));
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void register_gen(CLI::App& app, CommandAction& action) {
  auto args = std::make_shared<GenArgs>();
  CLI::App* cmd = app.add_subcommand("gen", "Write a deterministic, realistic generated access log");
  cmd->add_option("-n,--lines", args->options.lines, "Lines to write")->capture_default_str();
  cmd->add_option("--seed", args->options.seed, "Random seed (same seed, same bytes)")
      ->capture_default_str();
  cmd->add_option("-f,--format", args->options.format, "common, combined, vhost_combined, or combined_duration and vhost_combined_duration (the same with %D, the time taken in microseconds, at the end)")
      ->capture_default_str();
  cmd->add_option("--malformed", args->options.malformed_ratio,
                  "Fraction of deliberately malformed lines (0..1)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--start", args->options.start_time,
                  "First timestamp, seconds since the epoch (UTC)")
      ->capture_default_str();
  cmd->add_option("--tz-offset", args->options.tz_offset_minutes,
                  "Zone offset written in timestamps, in minutes (e.g. -420 for -0700)")
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write to FILE instead of stdout");
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace logan
