// `logan merge PARTIAL...`: combines partial files written by `logan batch --emit-partial`
// (on other machines, by other schedulers) into one report, or into one partial again for a
// tree of merges.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/stats_output.h"
#include "cli/warn.h"
#include "stats/partial_state.h"

namespace logan {
namespace {

struct MergeArgs {
  std::vector<std::string> partials;
  StatsOutputArgs out;
};

Result<std::string> read_all(const std::string& path) {
  std::ostringstream buffer;
  if (path == "-") {
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot open '" + path + "': " + std::strerror(errno)};
  buffer << in.rdbuf();
  if (in.bad()) return Error{"cannot read '" + path + "'"};
  return buffer.str();
}

int run(const MergeArgs& args) {
  AccessStats total;
  uint32_t inputs = 0;
  for (const auto& path : args.partials) {
    auto bytes = read_all(path);
    if (!bytes) {
      warn(bytes.error().message);
      return kExitInput;
    }
    auto partial = decode_partial(*bytes);
    if (!partial) {
      warn("cannot merge '" + path + "': " + partial.error().message);
      return kExitInput;
    }
    partial->stats.shift_sample_inputs(inputs);
    inputs += partial->inputs;
    total.merge(partial->stats);
  }
  return write_stats(total, inputs, {}, args.out);
}

}  // namespace

void register_merge(CLI::App& app, CommandAction& action) {
  auto args = std::make_shared<MergeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "Combine partial files from `logan batch --emit-partial` into one report");
  cmd->add_option("partials", args->partials, "Partial files, in input order ('-' for stdin)")
      ->required();
  add_stats_output_options(*cmd, args->out);
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace logan
