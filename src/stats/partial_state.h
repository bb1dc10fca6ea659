// Partial files: the serialized statistics of one `logan batch --emit-partial` run, which
// `logan merge` (or MPI rank 0) combines with others. A partial records how many inputs its run
// read, so that merged invalid-line samples keep a global order (partials in the order given,
// then inputs, then lines). The layout is in docs/partial-format.md.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "stats/access_stats.h"

namespace logan {

struct PartialState {
  uint32_t inputs = 0;  // inputs the run read; sample input indices are below this
  AccessStats stats;
};

// The bytes of a partial file.
std::string encode_partial(const PartialState& partial);

// Decodes a partial file; a foreign, truncated, corrupt or newer file is an error saying which.
Result<PartialState> decode_partial(std::string_view data);

}  // namespace logan
