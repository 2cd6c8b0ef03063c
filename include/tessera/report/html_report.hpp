#pragma once
/// One self-contained HTML report (inline SVG and CSS, no scripts, nothing fetched).
#include <string>
#include <vector>

#include "tessera/cost/cost_table.hpp"
#include "tessera/plan/pareto_front.hpp"
#include "tessera/plan/plan.hpp"
#include "tessera/report/plan_report.hpp"
#include "tessera/sim/simulation_result.hpp"

namespace tessera::report {

/// What goes into a report; null pointers leave their section out.
struct ReportInputs {
  std::string title;                       ///< page heading, e.g. "tessera plan"
  const cost::CostTable* table = nullptr;  ///< required
  std::string topology;                    ///< platform topology name, for the summary
  std::string objective;                   ///< what the plan optimises, for the summary
  const plan::Plan* plan = nullptr;        ///< the chosen plan: table and highlighted point
  const plan::ParetoFront* front = nullptr;
  std::vector<NamedPlan> baselines;
  const sim::SimulationResult* simulation = nullptr;  ///< recorded with a trace
  /// A real run of the plan (tessera run --plan): its period and latency beside the plan's and
  /// the simulation's, and its measured Gantt chart.
  const sim::SimulationResult* measured = nullptr;
};

/// The report as one HTML document: model and platform summary, the plan table, the Pareto
/// front, the simulated Gantt chart, per-device time and energy bars, and a measured run's
/// period and Gantt chart beside the predicted and simulated ones.
[[nodiscard]] std::string html_report(const ReportInputs& inputs);

}  // namespace tessera::report
