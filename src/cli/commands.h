// The subcommands of the logan CLI. Each register_* adds its subcommand and options to the
// app; when that subcommand is chosen, parsing leaves in `action` what main() should run,
// which returns the process exit status. Only the CLI prints and picks exit statuses.
// Thread-safety: called from main() only.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace logan {

using CommandAction = std::function<int()>;

// Exit statuses, documented in the README.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // an internal error, or an output that could not be written
constexpr int kExitInput = 2;    // bad usage, or an input that could not be read

void register_batch(CLI::App& app, CommandAction& action);
void register_combine(CLI::App& app, CommandAction& action);
// Set by main() when this process is one rank of an MPI job; `logan batch` then runs across
// all ranks. Null otherwise (and always in a build without MPI).
class MpiSession;
extern MpiSession* g_mpi_session;
void register_export(CLI::App& app, CommandAction& action);
void register_gen(CLI::App& app, CommandAction& action);
void register_merge(CLI::App& app, CommandAction& action);
void register_query(CLI::App& app, CommandAction& action);
void register_ship(CLI::App& app, CommandAction& action);
void register_stream(CLI::App& app, CommandAction& action);

// Writes all of `data` to stdout or `path` ("-" or empty: stdout); false with a message on
// stderr when it cannot.
bool write_output(const std::string& path, std::string_view data);

}  // namespace logan
