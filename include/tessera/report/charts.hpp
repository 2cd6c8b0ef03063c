#pragma once
/// Charts as SVG: the Pareto front, a simulated pipeline as a Gantt chart, per-device bars.
#include <string>
#include <vector>

#include "tessera/cost/cost_table.hpp"
#include "tessera/plan/pareto_front.hpp"
#include "tessera/plan/plan.hpp"
#include "tessera/report/plan_report.hpp"
#include "tessera/sim/simulation_result.hpp"

namespace tessera::report {

/// Energy per inference against period, both with units; the front as a staircase of points,
/// `chosen` (if any) ringed and labelled, `baselines` (feasible ones) as labelled squares.
/// Axes turn logarithmic when a range spans more than a factor of 50.
[[nodiscard]] std::string pareto_svg(const cost::CostTable& table, const plan::ParetoFront& front,
                                     const plan::Plan* chosen,
                                     const std::vector<NamedPlan>& baselines);

/// Gantt chart of a simulation recorded with SimOptions::record_trace: one row per stage's
/// compute and one per stage's outgoing transfer, bars coloured by inference, time axis with
/// units. Only the first `max_inferences` inferences are drawn, so the bars stay readable.
[[nodiscard]] std::string gantt_svg(const cost::CostTable& table,
                                    const sim::SimulationResult& result,
                                    std::int64_t max_inferences = 12);

/// Two horizontal bar charts side by side: per-device busy time against makespan, and
/// per-device energy split into static and dynamic parts.
[[nodiscard]] std::string device_bars_svg(const sim::SimulationResult& result);

}  // namespace tessera::report
