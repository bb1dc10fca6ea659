// What the commands that read inputs like `logan batch` share: the INPUT... and --format
// options, and the warnings about inputs that were skipped or whose format was not recognised.
// Thread-safety: called from the main thread only.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/chunk_cursor.h"

namespace logan {

void add_input_options(CLI::App& cmd, std::vector<std::string>& inputs, BatchOptions& batch);

// One "logan: ..." line on stderr per skipped input and per input in no known format.
void warn_about_inputs(const std::vector<Error>& skipped, const std::vector<InputOutcome>& inputs);

}  // namespace logan
