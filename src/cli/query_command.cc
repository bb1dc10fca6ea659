// `logan query SQL INPUT...`: one SQL question over the log lines (docs/query.md), its result
// as a table, CSV or JSON. Reads inputs as `logan batch` does.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/input_options.h"
#include "cli/lookup_options.h"
#include "cli/progress_meter.h"
#include "cli/remote_options.h"
#include "cli/warn.h"
#include "engine/query_job.h"
#include "query/query_plan.h"
#include "report/query_output.h"
#include "report/terminal_text.h"
#include "remote/remote_url.h"
#ifdef LOGAN_WITH_MPI
#include "mpi/mpi_batch.h"
#endif

namespace logan {
namespace {

struct QueryArgs {
  std::string sql;
  std::vector<std::string> inputs;
  BatchOptions batch;
  RemoteArgs remote;
  LookupArgs lookup;
  bool csv = false;
  bool json = false;
  std::string output;
  std::string emit_partial;
  bool progress = true;
};

std::string format_result(const QueryArgs& args, const QueryResult& result) {
  return args.json ? query_result_json(result) : args.csv ? query_result_csv(result) : query_result_text(result);
}

#ifdef LOGAN_WITH_MPI
// One rank of `mpirun -np N logan query ...`: the batch job across ranks (the statistics are
// computed beside the query: the MPI driver is the batch's), rank 0 prints the result.
int run_mpi(const QueryArgs& args, const QueryPlan& plan) {
  const bool root = g_mpi_session->rank() == 0;
  if (!plan.extra_columns.empty() || !args.lookup.lookups.empty() || !args.emit_partial.empty()) {
    if (root) warn("--lookup and --emit-partial are not supported by logan query under MPI yet");
    return kExitInput;
  }
  for (const auto& in : args.inputs) {
    if (is_remote_url(in)) {
      if (root) warn("'" + in + "': remote inputs are not supported under MPI yet");
      return kExitInput;
    }
  }
  MpiBatchOptions options;
  options.batch = args.batch;
  options.batch.queries.push_back(&plan);
  auto report = run_mpi_batch(*g_mpi_session, args.inputs, options);
  if (!report) {
    if (root) warn(report.error().message);
    return kExitInput;
  }
  if (!root) return kExitOk;
  for (const auto& e : report->skipped) warn("skipped: " + e.message);
  const uint64_t invalid = report->stats.invalid_lines();
  if (invalid > 0) {
    warn(std::to_string(invalid) + " of " + std::to_string(report->stats.total_lines()) +
         " lines could not be parsed and are not in the result");
  }
  return write_output(args.output, format_result(args, report->queries[0].finish())) ? kExitOk : kExitFailure;
}
#endif

int run(const QueryArgs& args) {
  CompiledQuery compiled = compile_query(args.sql);
  if (!compiled.plan) {
    bool quiet = false;  // under MPI, only rank 0 speaks
#ifdef LOGAN_WITH_MPI
    quiet = g_mpi_session != nullptr && g_mpi_session->rank() != 0;
#endif
    if (!quiet) warn_bad_query(args.sql, compiled.error);
    return kExitInput;
  }
  const QueryPlan& plan = *compiled.plan;
#ifdef LOGAN_WITH_MPI
  if (g_mpi_session != nullptr) return run_mpi(args, plan);
#endif
  std::vector<Error> skipped;
  auto remote = open_remote(args.remote);
  auto inputs = remote->expand(args.inputs, args.batch.keep_going ? &skipped : nullptr);
  if (!inputs) {
    warn(inputs.error().message);
    return kExitInput;
  }
  // The looked-up columns the query names (NAME.COLUMN) come from the --lookup tables.
  LookupArgs lookup = args.lookup;
  lookup.group_by = plan.extra_columns;
  lookup.columns_flag = "the query's column";
  if (!plan.extra_columns.empty() && lookup.lookups.empty()) {
    warn("the query reads " + plan.extra_columns[0] + ", a looked-up column: name its table with --lookup " +
         plan.extra_columns[0].substr(0, plan.extra_columns[0].find('.')) + "=SOURCE (docs/lookup.md)");
    return kExitInput;
  }
  auto lookups = Lookups::open(lookup, warn);
  if (!lookups) {
    warn(lookups.error().message);
    return kExitInput;
  }
  const ExtraColumns* extras = *lookups ? (*lookups)->columns() : nullptr;
  BatchOptions options = args.batch;
  options.opener = remote->opener();
  BatchProgress progress;
  auto meter = start_progress_meter(progress, *inputs, args.progress);
  auto report = run_query(*inputs, options, plan, &progress, extras);
  if (meter) meter->stop();
  if (!report) {
    warn(report.error().message);
    return kExitInput;
  }
  for (auto& e : report->skipped) skipped.push_back(std::move(e));
  warn_about_inputs(skipped, report->inputs);
  for (const auto& [column, format] : report->missing_columns) {
    warn("column '" + column + "' is NULL on every line: the log format '" + format + "' does not log it");
  }
  if (report->invalid > 0) {
    std::string msg = std::to_string(report->invalid) + " of " + std::to_string(report->lines) +
                      " lines could not be parsed and are not in the result";
    if (!report->invalid_samples.empty()) msg += "; first: " + report->invalid_samples.front();
    warn(msg);
  }
  if (!args.emit_partial.empty()) {
    if (!skipped.empty()) {
      warn("not writing a partial file: " + std::to_string(skipped.size()) + " input(s) were skipped");
      return kExitInput;
    }
    return write_output(args.emit_partial, report->state->serialize()) ? kExitOk : kExitFailure;
  }
  if (!write_output(args.output, format_result(args, report->state->finish()))) return kExitFailure;
  return kExitOk;
}

}  // namespace

void register_query(CLI::App& app, CommandAction& action) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* cmd = app.add_subcommand(
      "query", "Answer a SQL question over the log lines: SELECT ... [FROM logs] WHERE ... GROUP BY ... (docs/query.md)");
  cmd->add_option("sql", args->sql, "The query, e.g. \"SELECT status, count(*) FROM logs GROUP BY 1\"")
      ->required();
  add_input_options(*cmd, args->inputs, args->batch);
  add_remote_options(*cmd, args->remote);
  cmd->add_option("--lookup", args->lookup.lookups,
                  "A table the query reads as NAME.COLUMN, NAME=SOURCE?key=COLUMN[&kind=ip|cidr|text][&field=F] "
                  "with SOURCE csv:PATH, sqlite:PATH or postgresql://... (docs/lookup.md)");
  cmd->add_option("--lookup-refresh", args->lookup.refresh,
                  "Read every --lookup again at this interval (e.g. 5m)");
  auto* csv = cmd->add_flag("--csv", args->csv, "Write the result as CSV (RFC 4180, with a header line)");
  cmd->add_flag("--json", args->json, "Write the result as JSON: {\"columns\": [...], \"rows\": [[...], ...]}")
      ->excludes(csv);
  cmd->add_option("-o,--output", args->output, "Write the result to this file instead of stdout");
  cmd->add_option("--emit-partial", args->emit_partial,
                  "Write the query's mergeable state to FILE ('-': stdout) instead of its result, "
                  "for `logan merge` (which prints the result of all the partials together)");
  cmd->add_option("-j,--threads", args->batch.threads, "Worker threads (default: one per core)");
  cmd->add_flag("--keep-going", args->batch.keep_going,
                "Answer over the readable inputs when some cannot be read (they are listed)");
  cmd->add_flag("!--no-progress", args->progress, "Never draw the progress line on stderr");
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace logan
