// logan: fast analysis of web server access logs. Entry point: picks the subcommand and turns
// its outcome into an exit status.
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/warn.h"
#ifdef LOGAN_WITH_MPI
#include "mpi/mpi_batch.h"
#endif

namespace logan {
MpiSession* g_mpi_session = nullptr;
}

int main(int argc, char** argv) {
  // No message may repeat a password given on the command line.
  for (int i = 1; i < argc; ++i) logan::remember_secrets(argv[i]);
#ifdef LOGAN_WITH_MPI
  std::unique_ptr<logan::MpiSession> mpi;
  if (logan::launched_by_mpi()) {
    auto session = logan::MpiSession::start(&argc, &argv);
    if (!session) {
      logan::warn(session.error().message);
      return logan::kExitFailure;
    }
    mpi = std::move(session.value());
    logan::g_mpi_session = mpi.get();
  }
  constexpr const char* kVersion = "logan 0.1.0 (with MPI)";
#else
  constexpr const char* kVersion = "logan 0.1.0";
#endif
  CLI::App app{"logan: fast analysis of web server access logs (Apache and nginx)", "logan"};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);
  logan::CommandAction action;
  logan::register_batch(app, action);
  logan::register_combine(app, action);
  logan::register_export(app, action);
  logan::register_gen(app, action);
  logan::register_merge(app, action);
  logan::register_query(app, action);
  logan::register_ship(app, action);
  logan::register_stream(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Point at the help of the subcommand the mistake was made in.
    auto chosen = app.get_subcommands();
    std::string help = chosen.empty() ? "logan --help" : "logan " + chosen.front()->get_name() + " --help";
    logan::warn(std::string(e.what()) + " (see '" + help + "')");
    return logan::kExitInput;
  }
  return action ? action() : logan::kExitInput;
}
