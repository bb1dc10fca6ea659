// logan: fast analysis of web server access logs. Entry point: picks the subcommand and turns
// its outcome into an exit status.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"logan: fast analysis of web server access logs (Apache and nginx)", "logan"};
  app.set_version_flag("--version", "logan 0.1.0");
  app.require_subcommand(1);
  logan::CommandAction action;
  logan::register_batch(app, action);
  logan::register_gen(app, action);
  logan::register_merge(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "logan: " << e.what() << " (see 'logan --help')\n";
    return logan::kExitInput;
  }
  return action ? action() : logan::kExitInput;
}
