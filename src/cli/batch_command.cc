// `logan batch INPUT...`: statistics over log files, directories, globs and stdin.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/warn.h"
#include "cli/input_options.h"
#include "cli/lookup_options.h"
#include "cli/progress_meter.h"
#include "cli/remote_options.h"
#include "cli/sink_options.h"
#include "cli/stats_output.h"
#include "engine/batch_job.h"
#include "query/query_plan.h"
#include "input/input_expander.h"
#ifdef LOGAN_WITH_MPI
#include "mpi/mpi_batch.h"
#endif

namespace logan {
namespace {

struct BatchArgs {
  std::vector<std::string> inputs;
  BatchOptions batch;
  StatsOutputArgs out;
  SinkArgs sink;
  RemoteArgs remote;
  LookupArgs lookup;
  bool progress = true;
  uint64_t split_bytes = 256ull << 20;
  std::vector<std::string> queries;  // --query [NAME=]SQL, as given
};

// A --query's name and SQL: "NAME=SQL" when the text before the first '=' is a name, else the
// whole text is the SQL and the name is "query<N>" (1-based).
std::pair<std::string, std::string> split_named_query(const std::string& given, size_t index) {
  const size_t eq = given.find('=');
  if (eq != std::string::npos && eq > 0) {
    bool name = !std::isdigit(static_cast<unsigned char>(given[0]));
    for (size_t i = 0; i < eq && name; ++i) {
      const unsigned char c = static_cast<unsigned char>(given[i]);
      name = std::isalnum(c) || c == '_' || c == '-';
    }
    if (name) return {given.substr(0, eq), given.substr(eq + 1)};
  }
  return {"query" + std::to_string(index + 1), given};
}

// The plans of the --query options, or an error already reported (false).
bool plan_queries(const BatchArgs& args, std::vector<std::pair<std::string, std::string>>& named,
                  std::vector<QueryPlan>& plans) {
  for (size_t i = 0; i < args.queries.size(); ++i) {
    named.push_back(split_named_query(args.queries[i], i));
    CompiledQuery compiled = compile_query(named.back().second);
    if (!compiled.plan) {
      bool quiet = false;  // under MPI, only rank 0 speaks
#ifdef LOGAN_WITH_MPI
      quiet = g_mpi_session != nullptr && g_mpi_session->rank() != 0;
#endif
      if (!quiet) {
        warn_bad_query(named.back().second, compiled.error, "--query " + named.back().first + ": ");
      }
      return false;
    }
    if (!compiled.plan->extra_columns.empty()) {
      warn("--query " + named.back().first + ": looked-up columns (" + compiled.plan->extra_columns[0] +
           ") are read by `logan query --lookup` only, for now");
      return false;
    }
    plans.push_back(std::move(*compiled.plan));
  }
  return true;
}

// Stores the run's statistics in the --sink databases while it writes the report; the exit
// status. A run's rows are keyed by its job, instance and the logged time range, so running the
// same job over the same logs again replaces them.
int report_and_store(const AccessStats& stats, uint32_t inputs, const std::vector<Error>& skipped,
                     const BatchArgs& args, Sinks* sinks, const std::vector<NamedQueryResult>& queries = {}) {
  if (sinks == nullptr || sinks->empty()) return write_stats(stats, inputs, skipped, args.out, queries);
  StatsRows rows = make_stats_rows(stats, args.out.report);
  rows.kind = PublicationKind::kRun;
  if (stats.has_time_range()) {
    rows.window_start_ms = stats.first_time() * 1000;
    rows.window_end_ms = (stats.last_time() + 1) * 1000;
  }
  rows.final = true;
  rows.published_ms = wall_ms();
  sinks->publish(std::move(rows));  // the writers' threads store it meanwhile
  int status = write_stats(stats, inputs, skipped, args.out, queries);
  Status stored = sinks->flush();
  if (!stored) {
    warn(stored.error().message);
    return status == kExitOk ? kExitFailure : status;
  }
  return status;
}

#ifdef LOGAN_WITH_MPI
// One rank of `mpirun -np N logan batch ...`: rank 0 reports, the others only work.
int run_mpi(const BatchArgs& args, const std::vector<std::pair<std::string, std::string>>& named,
            const std::vector<QueryPlan>& plans) {
  for (const auto& in : args.inputs) {
    if (is_remote_url(in)) {
      if (g_mpi_session->rank() == 0) warn("'" + in + "': remote inputs are not supported under MPI yet");
      return kExitInput;
    }
  }
  MpiBatchOptions options;
  options.batch = args.batch;
  for (const auto& plan : plans) options.batch.queries.push_back(&plan);
  auto lookups = Lookups::open(args.lookup, warn);  // every rank groups its own records
  if (!lookups) {
    if (g_mpi_session->rank() == 0) warn(lookups.error().message);
    return kExitInput;
  }
  if (*lookups) options.batch.grouper = (*lookups)->grouper();
  options.unit_bytes = std::max<uint64_t>(args.split_bytes, 1 << 20);
  auto report = run_mpi_batch(*g_mpi_session, args.inputs, options);
  const bool root = g_mpi_session->rank() == 0;
  std::unique_ptr<Sinks> sinks;
  if (root && !args.sink.urls.empty()) {
    auto opened = Sinks::open(args.sink);
    if (!opened) {
      warn(opened.error().message);
      return kExitInput;
    }
    sinks = std::move(opened.value());
  }
  if (!report) {
    if (root) warn(report.error().message);
    return kExitInput;
  }
  if (!root) return kExitOk;
  for (const auto& e : report->skipped) warn("skipped: " + e.message);
  std::vector<NamedQueryResult> answers;
  for (size_t q = 0; q < plans.size(); ++q) {
    answers.push_back({named[q].first, named[q].second, report->queries[q].finish()});
  }
  return report_and_store(report->stats, report->inputs, report->skipped, args, sinks.get(), answers);
}
#endif

int run(const BatchArgs& args) {
  std::vector<std::pair<std::string, std::string>> named;
  std::vector<QueryPlan> plans;
  if (!plan_queries(args, named, plans)) return kExitInput;
  if (!plans.empty()) {
    std::string unsupported = !args.out.emit_partial.empty() ? "--emit-partial"
                              : !args.sink.urls.empty()      ? "--sink"
                                                             : "";
    if (!unsupported.empty()) {
      warn("--query cannot be combined with " + unsupported + " yet: run `logan query` for each question");
      return kExitInput;
    }
  }
#ifdef LOGAN_WITH_MPI
  if (g_mpi_session != nullptr) return run_mpi(args, named, plans);
#endif
  // The databases are checked first: bad credentials should not wait for a long run to end.
  auto sinks = Sinks::open(args.sink);
  if (!sinks) {
    warn(sinks.error().message);
    return kExitInput;
  }
  auto lookups = Lookups::open(args.lookup, warn);
  if (!lookups) {
    warn(lookups.error().message);
    return kExitInput;
  }
  BatchOptions options = args.batch;
  if (*lookups) options.grouper = (*lookups)->grouper();
  for (const auto& plan : plans) options.queries.push_back(&plan);
  std::vector<Error> skipped;
  auto remote = open_remote(args.remote);
  auto inputs = remote->expand(args.inputs, args.batch.keep_going ? &skipped : nullptr);
  if (!inputs) {
    warn(inputs.error().message);
    return kExitInput;
  }
  options.opener = remote->opener();
  BatchProgress progress;
  auto meter = start_progress_meter(progress, *inputs, args.progress);
  auto report = run_batch(*inputs, options, &progress);
  if (meter) meter->stop();
  if (!report) {
    warn(report.error().message);
    return kExitInput;
  }
  for (auto& e : report->skipped) skipped.push_back(std::move(e));
  warn_about_inputs(skipped, report->inputs);

  std::vector<NamedQueryResult> answers;
  for (size_t q = 0; q < plans.size(); ++q) {
    answers.push_back({named[q].first, named[q].second, report->queries[q].finish()});
  }
  return report_and_store(report->stats, static_cast<uint32_t>(inputs->size()), skipped, args,
                          sinks->get(), answers);
}

}  // namespace

void register_batch(CLI::App& app, CommandAction& action) {
  auto args = std::make_shared<BatchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "batch", "Compute statistics over log files, directories, globs or stdin ('-')");
  add_input_options(*cmd, args->inputs, args->batch);
  add_stats_output_options(*cmd, args->out);
  add_sink_options(*cmd, args->sink);
  add_remote_options(*cmd, args->remote);
  add_lookup_options(*cmd, args->lookup);
  cmd->add_option("--query", args->queries,
                  "[NAME=]SQL: also answer this query (docs/query.md) in the same pass; repeat for "
                  "more. Printed after the report, or in its \"queries\" member with --json")
      ->allow_extra_args(false);
  cmd->add_option("-j,--threads", args->batch.threads, "Worker threads (default: one per core)");
  cmd->add_flag("--keep-going", args->batch.keep_going,
                "Report the readable inputs when some cannot be read (they are listed)");
  cmd->add_flag("!--no-progress", args->progress, "Never draw the progress line on stderr");
  cmd->add_option("--split-bytes", args->split_bytes,
                  "Under MPI: split uncompressed files larger than this into byte ranges of "
                  "this size, handed out to ranks separately")
      ->capture_default_str();
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace logan
