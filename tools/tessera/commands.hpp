#pragma once
#include <CLI/CLI.hpp>

namespace tessera::cli {

/// Adds every subcommand to `app`; the one that runs stores its exit code in `exit_code`.
void register_commands(CLI::App& app, int& exit_code);

void register_models(CLI::App& app, int& exit_code);
void register_platforms(CLI::App& app, int& exit_code);
void register_inspect(CLI::App& app, int& exit_code);
void register_plan(CLI::App& app, int& exit_code);
void register_pareto(CLI::App& app, int& exit_code);
void register_simulate(CLI::App& app, int& exit_code);
void register_estimate(CLI::App& app, int& exit_code);
void register_run(CLI::App& app, int& exit_code);
void register_split(CLI::App& app, int& exit_code);
void register_profile(CLI::App& app, int& exit_code);
void register_schedule(CLI::App& app, int& exit_code);

}  // namespace tessera::cli
