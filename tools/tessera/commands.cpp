#include "commands.hpp"

namespace tessera::cli {

void register_commands(CLI::App& app, int& exit_code) {
  register_models(app, exit_code);
  register_platforms(app, exit_code);
  register_inspect(app, exit_code);
  register_plan(app, exit_code);
  register_pareto(app, exit_code);
  register_simulate(app, exit_code);
  register_estimate(app, exit_code);
  register_run(app, exit_code);
  register_split(app, exit_code);
  register_profile(app, exit_code);
  register_schedule(app, exit_code);
}

}  // namespace tessera::cli
