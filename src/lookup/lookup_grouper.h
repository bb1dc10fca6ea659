// LookupGrouper: the RecordGrouper behind `--lookup` and `--group-by`. For each record it
// looks up the record's field in each lookup's current snapshot (a LookupTable) and adds the
// record to the group of every --group-by column of that lookup: the row's value, or
// "unmatched" when no row matches or the row has no value there.
//
// reload() reads every lookup again and swaps each new snapshot in atomically; a worker that
// is grouping a batch keeps the snapshot it took for that batch, so workers never wait for a
// reload, and a lookup that fails to load keeps its previous snapshot.
// Thread-safety: add() from any number of threads, concurrently with reload(); reload() from
// one thread at a time (LookupRefresher's).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "lookup/lookup_spec.h"
#include "lookup/lookup_table.h"
#include "stats/group_stats.h"

namespace logan {

class LookupGrouper final : public RecordGrouper {
 public:
  // Loads every lookup once (inferring kinds not given). Fails on a --group-by that names no
  // lookup, a lookup no --group-by uses, a name given twice, or the first lookup that cannot
  // be read or indexed. `flag` names the columns' option in messages (`logan export --with`).
  static Result<std::unique_ptr<LookupGrouper>> open(const std::vector<LookupSpec>& lookups,
                                                     const std::vector<GroupBySpec>& group_by,
                                                     const std::string& flag = "--group-by");

  void add(const LogRecord* records, size_t n, GroupStats& groups) const override;
  // With the clients' tags: the answers of the first lookup keyed by the client (%h), for its
  // first --group-by column, are remembered per client, so a client seen again in the same
  // AccessStats is not parsed and searched again. A reloaded snapshot starts afresh.
  void add(const LogRecord* records, size_t n, GroupStats& groups, ClientTags& tags) const override;

  // Reads every lookup again. Returns one error per lookup that could not be read; those keep
  // their previous snapshot.
  std::vector<Error> reload();

  // The kind each lookup's keys were taken as, in the order given: "NAME: cidr, 1234 rows".
  std::vector<std::string> describe() const;

  // Looking up single records (`logan export --with`): the columns' names ("NAME.COLUMN") in
  // the order given; the lookups' current snapshots, in --lookup order; and the value of each
  // column for `record` in those snapshots (out[i] for column_names()[i]; nullptr when no row
  // matches or the row has no value there).
  std::vector<std::string> column_names() const;
  std::vector<std::shared_ptr<const LookupTable>> snapshots() const;
  void values(const std::vector<std::shared_ptr<const LookupTable>>& snapshots, const LogRecord& record,
              const std::string** out) const;

 private:
  struct Lookup {
    LookupSpec spec;
    LookupKind kind = LookupKind::kText;
    LookupField field = LookupField::kClient;
    std::vector<std::string> columns;       // the columns --group-by asks of it
    std::vector<std::string> dimensions;    // [i]: the --group-by name of columns[i]
    std::atomic<std::shared_ptr<const LookupTable>> table;
  };
  static Result<std::shared_ptr<const LookupTable>> load(const Lookup& lookup);
  static void add_batch(const LookupTable& table, size_t column, const LogRecord* records, size_t n,
                        LookupField field, GroupDimension& dim);
  static void add_tagged(const LookupTable& table, const LogRecord* records, size_t n,
                         GroupDimension& dim, ClientTags& tags);
  // Adds records[i] to the value numbered ids[i] of `column`, or to the unmatched when < 0.
  static void count_batch(const LookupTable& table, size_t column, const LogRecord* records,
                          const int32_t* ids, size_t n, GroupDimension& dim);

  std::vector<std::unique_ptr<Lookup>> lookups_;
  std::vector<std::pair<size_t, size_t>> order_;  // the columns as given: (lookup, its column)
};

}  // namespace logan
