// tessera: the one command line. Parses arguments, calls io -> library -> io, maps errors to
// exit codes (cli.hpp). Each subcommand lives in its own file.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"tessera: plan, simulate and run pipelined DNN inference on heterogeneous devices"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tessera 0.1.0");
  app.failure_message(tessera::cli::failure_message);
  app.option_defaults()->always_capture_default();  // help shows every option's default
  int exit_code = tessera::cli::kOk;
  tessera::cli::register_commands(app, exit_code);
  tessera::cli::hide_sentinel_defaults(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return tessera::cli::kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "tessera: internal error: " << e.what() << '\n';
    return tessera::cli::kInternalError;
  }
  return exit_code;
}
