// How `logan batch` and `logan merge` present their statistics: the text or JSON report (with
// the inputs that --keep-going skipped), or a partial file for a later `logan merge`.
// Thread-safety: called from the CLI's main thread only.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/result.h"
#include "query/query_state.h"
#include "report/stats_report.h"
#include "stats/access_stats.h"

namespace logan {

struct StatsOutputArgs {
  ReportOptions report;
  bool json = false;
  std::string output;        // report file; empty or "-" for stdout
  std::string emit_partial;  // when set, write a partial file here ("-": stdout) instead
};

// Adds --json, --ip-threshold, --top, --group-top, -o/--output and --emit-partial to `cmd`.
void add_stats_output_options(CLI::App& cmd, StatsOutputArgs& args);

// A --query of `logan batch` and its result.
struct NamedQueryResult {
  std::string name;
  std::string sql;
  QueryResult result;
};

// Writes the report (or the partial, for `inputs` inputs) as `args` asks, with the results of
// the --query questions after it (text) or in its "queries" member (JSON); returns the exit
// status.
int write_stats(const AccessStats& stats, uint32_t inputs, const std::vector<Error>& skipped,
                const StatsOutputArgs& args, const std::vector<NamedQueryResult>& queries = {});

}  // namespace logan
