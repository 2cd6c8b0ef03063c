#pragma once
/// Brute-force planning oracle for small instances: every cut set × every ordered assignment
/// of distinct devices, each evaluated with evaluate_plan.
#include <optional>
#include <vector>

#include "tessera/cost/cost_table.hpp"
#include "tessera/plan/plan.hpp"
#include "tessera/plan/plan_options.hpp"

namespace tessera::testing {

/// Every feasible plan (caps in `options` included).
[[nodiscard]] std::vector<plan::Plan> all_feasible_plans(const cost::CostTable& table,
                                                         const plan::PlanOptions& options);

/// The best feasible plan for options.objective (weighted: normalised by the smallest period
/// and energy over all feasible plans), or nullopt.
[[nodiscard]] std::optional<plan::Plan> brute_force_best(const std::vector<plan::Plan>& plans,
                                                         const plan::PlanOptions& options);

/// Period and latency of an evaluated plan's stages recomputed from the table alone, without
/// evaluate_plan: a stage keeps its device busy Σ time_s per inference (max time_s when the
/// device pipelines its layers), one inference spends Σ time_s in it either way.
struct ReferenceTimes {
  double period_s = 0.0;
  double latency_s = 0.0;
};
[[nodiscard]] ReferenceTimes reference_times(const cost::CostTable& table, const plan::Plan& plan,
                                             const plan::PlanOptions& options);

/// Non-dominated (x, energy) points, x ascending, energy strictly descending, where x is the
/// period (or the latency when `latency` is true). Values within 1e-12 relative are equal.
struct FrontPoint {
  double x = 0.0;
  double energy_j = 0.0;
};
[[nodiscard]] std::vector<FrontPoint> brute_force_front(const std::vector<plan::Plan>& plans,
                                                        bool latency);

}  // namespace tessera::testing
