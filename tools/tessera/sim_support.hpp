#pragma once
/// Pieces the simulate, plan and pareto commands share: progress on a terminal, the platform
/// simulation and HTML report of a chosen plan.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "problem_source.hpp"
#include "tessera/hw/platform.hpp"
#include "tessera/plan/pareto_front.hpp"
#include "tessera/report/html_report.hpp"
#include "tessera/sim/simulate.hpp"

namespace tessera::cli {

/// Progress on stderr for work that may take a while: nothing unless stderr is a terminal
/// and the work has run for more than a second; the line is cleared when it finishes.
class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Records the completed fraction (0..1); shown by the ticker thread.
  void update(double fraction) { fraction_.store(fraction); }
  /// Stops the ticker and clears its line (also done by the destructor).
  void finish();

 private:
  void tick();

  std::string label_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<double> fraction_{-1.0};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  bool shown_ = false;
  std::thread thread_;
};

/// Simulates `plan` for a report's Gantt chart with a trace: `inferences` of them (the
/// command's --simulate N), or a short run when 0; nullopt with a warning on stderr when it
/// cannot be simulated.
[[nodiscard]] std::optional<sim::SimulationResult> simulate_for_report(
    const cost::CostTable& table, const plan::Plan& plan, const plan::PlanOptions& options,
    const problem::Problem& problem, std::int64_t inferences = 0);

/// Writes the HTML report of `chosen` (highlighted on the Pareto front, simulated for the
/// Gantt chart) to `path`; computes the front when `front` is null. False (reported) when the
/// file cannot be written.
bool write_plan_report(const std::string& path, const std::string& title,
                       const problem::Problem& problem, const plan::PlanOptions& options,
                       const plan::Plan& chosen, const std::vector<report::NamedPlan>& baselines,
                       const plan::ParetoFront* front, std::int64_t inferences = 0);

}  // namespace tessera::cli
