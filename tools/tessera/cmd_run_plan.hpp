#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tessera::cli {

/// Exit code of `tessera run --plan` when a rank dies or fails during the run.
inline constexpr int kRunFailed = 4;

struct RunPlanArgs {
  std::string model;
  std::string plan;
  std::int64_t inferences = 20;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::string output_dir;
  bool emulate = false;
  bool tcp = false;
  bool verbose = false;
  std::int64_t random_weights = -1;
  int threads = 0;
  std::int32_t input_queue = 2;
  std::int32_t output_queue = 2;
  std::string trace;
  std::string report;  ///< HTML report: plan, simulation and the measured run side by side
  bool pin = false;    ///< pin stage i to the i-th CPU (modulo the CPU count)
};

/// Runs the plan as an MPI pipeline and prints planned, simulated and measured side by side.
[[nodiscard]] int run_plan(const RunPlanArgs& args);

}  // namespace tessera::cli
