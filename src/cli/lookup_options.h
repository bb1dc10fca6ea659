// The --lookup, --group-by and --lookup-refresh options that `logan batch` and
// `logan stream` share (and `logan export`'s --lookup and --with), and the lookups they open:
// loaded once before the work starts (a bad spec, a missing table or an unreachable database
// stops the command there), then reloaded by a LookupRefresher thread when --lookup-refresh is
// given.
// Thread-safety: open() on the main thread; the refresher warns from its own.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/result.h"
#include "export/record_destination.h"
#include "lookup/lookup_grouper.h"
#include "lookup/lookup_refresher.h"

namespace logan {

struct LookupArgs {
  std::vector<std::string> lookups;   // NAME=SOURCE
  std::vector<std::string> group_by;  // NAME.COLUMN (export: the --with columns)
  std::string refresh;                // a duration; empty: never
  std::string columns_flag = "--group-by";
};

void add_lookup_options(CLI::App& cmd, LookupArgs& args);
// `logan export`: --lookup, and --with NAME.COLUMN for the columns added to each record.
void add_export_lookup_options(CLI::App& cmd, LookupArgs& args);

class Lookups {
 public:
  // Parses the flags and loads every lookup; nullptr when no --lookup or --group-by is given.
  // `warn` receives the failures of later reloads (from the refresh thread).
  static Result<std::unique_ptr<Lookups>> open(const LookupArgs& args,
                                               std::function<void(const std::string&)> warn);
  const RecordGrouper* grouper() const { return grouper_.get(); }
  // The looked-up columns as `logan export` adds them to records.
  const ExtraColumns* columns() const { return columns_.get(); }

 private:
  std::unique_ptr<LookupGrouper> grouper_;
  std::unique_ptr<ExtraColumns> columns_;
  std::unique_ptr<LookupRefresher> refresher_;  // destroyed first: it uses grouper_
};

}  // namespace logan
