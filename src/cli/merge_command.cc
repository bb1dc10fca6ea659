// `logan merge PARTIAL...`: combines partial files written by `logan batch --emit-partial`
// (on other machines, by other schedulers) into one report, or into one partial again for a
// tree of merges; or partials of `logan query --emit-partial` into the query's result.
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
#include "query/query_state.h"
#include "report/query_output.h"
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

// Partials of `logan query --emit-partial`: merged into one state of the query they name, whose
// result is printed (text, or --json).
int merge_query_states(const MergeArgs& args, std::vector<std::string> contents) {
  auto sql = QueryState::sql_of_serialized(contents[0]);
  if (!sql) {
    warn("cannot merge '" + args.partials[0] + "': " + sql.error().message);
    return kExitInput;
  }
  CompiledQuery compiled = compile_query(*sql);
  if (!compiled.plan) {
    warn("cannot merge '" + args.partials[0] + "': its query does not compile: " + compiled.error.message);
    return kExitInput;
  }
  QueryState total(*compiled.plan);
  for (size_t i = 0; i < contents.size(); ++i) {
    Status merged = total.merge_serialized(contents[i], uint64_t{i} << 56);
    if (!merged) {
      warn("cannot merge '" + args.partials[i] + "': " + merged.error().message);
      return kExitInput;
    }
  }
  QueryResult result = total.finish();
  return write_output(args.out.output, args.out.json ? query_result_json(result) : query_result_text(result))
             ? kExitOk
             : kExitFailure;
}

int run(const MergeArgs& args) {
  std::vector<std::string> contents;
  for (const auto& path : args.partials) {
    auto bytes = read_all(path);
    if (!bytes) {
      warn(bytes.error().message);
      return kExitInput;
    }
    contents.push_back(std::move(bytes.value()));
  }
  size_t queries = 0;
  for (const auto& c : contents) queries += QueryState::looks_serialized(c);
  if (queries == contents.size()) return merge_query_states(args, std::move(contents));
  if (queries > 0) {
    warn("cannot merge statistics partials (logan batch --emit-partial) with query partials "
         "(logan query --emit-partial)");
    return kExitInput;
  }
  AccessStats total;
  uint32_t inputs = 0;
  for (size_t i = 0; i < contents.size(); ++i) {
    const std::string& path = args.partials[i];
    auto partial = decode_partial(contents[i]);
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
      "merge", "Combine partial files from `logan batch --emit-partial` into one report (or from "
               "`logan query --emit-partial` into one query result)");
  cmd->add_option("partials", args->partials, "Partial files, in input order ('-' for stdin)")
      ->required();
  add_stats_output_options(*cmd, args->out);
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace logan
