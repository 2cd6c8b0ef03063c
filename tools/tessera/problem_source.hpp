#pragma once
/// The inputs every planning command shares: MODEL + --platform, a problem file, or PipeEdge's
/// three YAML files; all become one CostTable.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_table.hpp"
#include "tessera/io/model_loader.hpp"
#include "tessera/plan/plan_options.hpp"

namespace tessera::cli {

struct ProblemArgs {
  std::string model;
  std::string platform;
  io::ModelOptions model_options;
  std::vector<std::string> pipeedge;  ///< MODELS.yml DEVICE_TYPES.yml DEVICES.yml
  std::int64_t batch = 0;             ///< 0 = the default (1, or 8 for PipeEdge inputs)
  double input_buffers = 2.0;
  double output_buffers = 2.0;
  bool no_overlap = false;
  bool no_source_sink = false;
  double period_cap_s = 0.0;
  double latency_cap_s = 0.0;
  /// DEVICE=FILE: NeuroSim reports replacing a CIM device's per-layer costs.
  std::vector<std::string> neurosim;
};

struct LoadedProblem {
  cost::CostTable table;
  bool pipeedge = false;
  std::vector<Diagnostic> warnings;
};

/// Adds MODEL, --platform, --batch, --seq-len, --pipeedge, buffers and plan-semantics options.
void add_problem_options(CLI::App& cmd, ProblemArgs& args);

/// Builds the cost table the arguments describe.
[[nodiscard]] Result<LoadedProblem> load_problem(const ProblemArgs& args);

/// `load_problem` for a command: prints its warnings to stderr; on failure prints the
/// diagnostics, sets `exit_code` to kBadInput and returns nothing.
[[nodiscard]] std::optional<LoadedProblem> load_problem_or_report(const ProblemArgs& args,
                                                                  int& exit_code);

/// Plan options implied by the arguments (PipeEdge inputs leave out the source and sink).
[[nodiscard]] plan::PlanOptions plan_options(const ProblemArgs& args, bool pipeedge);

}  // namespace tessera::cli
