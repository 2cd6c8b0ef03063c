#pragma once
/// The exact trade-off between period and energy (and optionally latency and energy).
#include <optional>
#include <string>
#include <vector>

#include "tessera/cost/cost_table.hpp"
#include "tessera/plan/plan.hpp"
#include "tessera/plan/plan_options.hpp"
#include "tessera/plan/plan_result.hpp"

namespace tessera::plan {

struct ParetoPoint {
  double period_s = 0.0;
  double energy_per_inference_j = 0.0;
  double latency_s = 0.0;
  Plan plan;
};

struct ParetoFront {
  /// Non-dominated (period, energy) points, period ascending and energy strictly descending;
  /// one plan per point (the one the energy solver's tie rules pick).
  std::vector<ParetoPoint> points;
  /// Non-dominated (latency, energy) points, latency ascending; empty unless
  /// PlanOptions::latency_energy_front.
  std::vector<ParetoPoint> latency_points;
  /// Set when no plan satisfies the constraints; the fronts are then empty.
  std::optional<Infeasible> infeasible;
  /// Why the front may be incomplete (the sweep reached PlanOptions::max_front_states); empty
  /// when it is exact.
  std::string truncated;
  SolverStats stats;
};

/// Every non-dominated (period, energy) pair over the plans allowed by `options` (caps
/// included), found by an epsilon-constraint sweep of exact energy solves. `objective` and
/// `alpha` are ignored.
[[nodiscard]] ParetoFront pareto_front(const cost::CostTable& table, const PlanOptions& options);

}  // namespace tessera::plan
