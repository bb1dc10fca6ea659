// Lookup options and their opening; see lookup_options.h.
#include "cli/lookup_options.h"

#include "stream/duration.h"

namespace logan {
namespace {

void add_lookup_option(CLI::App& cmd, LookupArgs& args) {
  cmd.add_option("--lookup", args.lookups,
                 "A table to look log fields up in, NAME=SOURCE?key=COLUMN[&table=T][&kind=ip|cidr|text]"
                 "[&field=F] with SOURCE csv:PATH, sqlite:PATH or postgresql://... (docs/lookup.md)");
}

// Each worker's reader holds the snapshots it took, so a refresh never pulls values from
// under a record being written.
class LookupColumns final : public ExtraColumns {
 public:
  explicit LookupColumns(const LookupGrouper& grouper) : grouper_(grouper), names_(grouper.column_names()) {}
  const std::vector<std::string>& names() const override { return names_; }
  std::unique_ptr<Reader> reader() const override { return std::make_unique<SnapshotReader>(grouper_); }

 private:
  class SnapshotReader final : public Reader {
   public:
    explicit SnapshotReader(const LookupGrouper& grouper) : grouper_(grouper), snapshots_(grouper.snapshots()) {}
    void values(const LogRecord& record, const std::string** out) override {
      grouper_.values(snapshots_, record, out);
    }

   private:
    const LookupGrouper& grouper_;
    std::vector<std::shared_ptr<const LookupTable>> snapshots_;
  };

  const LookupGrouper& grouper_;
  std::vector<std::string> names_;
};

}  // namespace

void add_export_lookup_options(CLI::App& cmd, LookupArgs& args) {
  add_lookup_option(cmd, args);
  cmd.add_option("--with", args.group_by,
                 "Add a looked-up column to every record, NAME.COLUMN (repeatable; field \"NAME.COLUMN\", "
                 "null when no row matches)");
  args.columns_flag = "--with";
}

void add_lookup_options(CLI::App& cmd, LookupArgs& args) {
  add_lookup_option(cmd, args);
  cmd.add_option("--group-by", args.group_by,
                 "Statistics per value of a looked-up column, NAME.COLUMN (repeatable)");
  cmd.add_option("--lookup-refresh", args.refresh,
                 "Read every --lookup again at this interval (e.g. 5m); a failed read keeps the old rows");
}

Result<std::unique_ptr<Lookups>> Lookups::open(const LookupArgs& args,
                                               std::function<void(const std::string&)> warn) {
  if (args.lookups.empty() && args.group_by.empty()) {
    if (!args.refresh.empty()) return Error{"--lookup-refresh needs a --lookup"};
    return std::unique_ptr<Lookups>();
  }
  int64_t refresh_ms = 0;
  if (!args.refresh.empty()) {
    auto ms = parse_duration_ms(args.refresh);
    if (!ms || *ms <= 0) {
      return Error{"bad --lookup-refresh '" + args.refresh + "': expected a duration such as 30s, 5m, 1h"};
    }
    refresh_ms = *ms;
  }
  std::vector<LookupSpec> specs;
  for (const auto& text : args.lookups) {
    auto spec = parse_lookup_spec(text);
    if (!spec) return spec.error();
    specs.push_back(std::move(spec.value()));
  }
  std::vector<GroupBySpec> group_by;
  for (const auto& text : args.group_by) {
    auto g = parse_group_by(text, args.columns_flag);
    if (!g) return g.error();
    group_by.push_back(std::move(g.value()));
  }
  auto grouper = LookupGrouper::open(specs, group_by, args.columns_flag);
  if (!grouper) return grouper.error();
  auto lookups = std::unique_ptr<Lookups>(new Lookups());
  lookups->grouper_ = std::move(grouper.value());
  lookups->columns_ = std::make_unique<LookupColumns>(*lookups->grouper_);
  if (refresh_ms > 0) {
    lookups->refresher_ = std::make_unique<LookupRefresher>(*lookups->grouper_, refresh_ms, std::move(warn));
  }
  return lookups;
}

}  // namespace logan
