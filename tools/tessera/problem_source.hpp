#pragma once
/// The inputs every planning command shares: MODEL + --platform, a problem file, or PipeEdge's
/// three YAML files, turned into one problem by the library (problem::assemble).
#include <CLI/CLI.hpp>
#include <optional>

#include "tessera/io/problem_inputs.hpp"
#include "tessera/plan/plan_options.hpp"
#include "tessera/problem/problem.hpp"

namespace tessera::cli {

struct ProblemArgs {
  io::ProblemInputs inputs;
  bool no_overlap = false;
  bool no_source_sink = false;
  double period_cap_s = 0.0;
  double latency_cap_s = 0.0;
};

/// Adds MODEL, --platform, --batch, --seq-len, --pipeedge, --neurosim, buffers and
/// plan-semantics options.
void add_problem_options(CLI::App& cmd, ProblemArgs& args);

/// `problem::assemble` for a command: prints its warnings to stderr; on failure prints the
/// diagnostics, sets `exit_code` to kBadInput and returns nothing.
[[nodiscard]] std::optional<problem::Problem> load_problem_or_report(
    const io::ProblemInputs& inputs, int& exit_code, const problem::AssembleOptions& options = {});

/// Plan options implied by the arguments (PipeEdge inputs leave out the source and sink).
[[nodiscard]] plan::PlanOptions plan_options(const ProblemArgs& args, bool pipeedge);

}  // namespace tessera::cli
