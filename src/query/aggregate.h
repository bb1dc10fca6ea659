// The aggregate contract, and the registry of aggregate functions by name. An aggregate in a
// query is one AggregateStates: the states of all the groups of a table, updated a batch of
// rows at a time, merged with another table's states, serialized per group in a versioned form
// and finalized to a value. Threads, and later stream windows, checkpoints and MPI ranks,
// combine partial results only through merge() and serialize()/deserialize().
//
// Adding an aggregate function: one file agg_NAME.cc defining its AggregateStates and a
// make_NAME() factory, and one line in kAggregates (aggregate_registry.cc). See docs/HACKING.md.
// Called by the planner (lookup, checking arguments) and query_state.cc (everything else).
// Thread-safety: the registry is immutable; an AggregateStates is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/sql_value.h"
#include "query/value_column.h"
#include "stats/serial.h"

namespace logan {

// One aggregate call as the planner bound it.
struct AggregateCall {
  std::string function;         // lower case
  bool has_arg = false;         // false for count(*)
  SqlType arg_type = SqlType::kNull;
  bool distinct = false;
  std::vector<SqlValue> params; // literal arguments after the first (quantile's q)
};

class AggregateStates {
 public:
  virtual ~AggregateStates() = default;
  // Grows to `groups` groups; new ones start empty.
  virtual void resize(size_t groups) = 0;
  // Folds in n rows: row k goes to group groups[k] with argument value arg row k (arg is null
  // for count(*)).
  virtual void update(const uint32_t* groups, const ValueColumn* arg, size_t n) = 0;
  // Folds other's group g into this table's group to[g], for every group of other.
  // REQUIRES: other was made by the same factory for the same call.
  virtual void merge(const AggregateStates& other, const uint32_t* to) = 0;
  // Writes group g's state; deserialize() reads one back into group g, replacing it (a
  // malformed state sets in.failed()).
  virtual void serialize(uint32_t group, BinaryWriter& out) const = 0;
  virtual void deserialize(uint32_t group, BinaryReader& in) = 0;
  virtual SqlValue finalize(uint32_t group) const = 0;
  // The value for `call`, when calls share these states (see AggregateFunction::shared_state):
  // quantile(x, 0.5) and quantile(x, 0.99) read one sketch of x.
  virtual SqlValue finalize_for(uint32_t group, const AggregateCall& call) const {
    (void)call;
    return finalize(group);
  }
  // Approximate heap bytes held, for --max-groups decisions and reports.
  virtual size_t memory_bytes() const = 0;
};


struct AggregateFunction {
  const char* name;
  // The result type of the call, or an error message (wrong argument count or types).
  std::string (*check)(const AggregateCall& call, SqlType* result);
  std::unique_ptr<AggregateStates> (*make)(const AggregateCall& call);
  const char* summary;  // for docs and `logan query --functions`
  // Calls of functions with the same shared_state (not null) over the same argument keep one
  // state between them, finalized per call with finalize_for().
  const char* shared_state = nullptr;
};

// The function named `name` (lower case), or null.
const AggregateFunction* find_aggregate(std::string_view name);
const std::vector<AggregateFunction>& all_aggregates();

}  // namespace logan
