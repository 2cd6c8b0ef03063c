#pragma once
/// Exact planners: the optimal plan for one objective.
#include "tessera/cost/cost_table.hpp"
#include "tessera/plan/plan_options.hpp"
#include "tessera/plan/plan_result.hpp"

namespace tessera::plan {

/// The optimal plan for `options.objective`, or the binding constraint when none exists.
///
/// Exact for every objective (see docs/formats.md "Plan semantics" and docs/planner.md):
/// throughput by a search over candidate periods with a bitset feasibility DP; latency by a
/// cost DP; energy by branch and bound over candidate periods, each node one cost DP; weighted
/// by selecting from the exact Pareto front. Interchangeable devices (identical costs and
/// links) are aggregated into classes. Ties: fewer devices, then (throughput) lower energy,
/// then the lexicographically smaller (device, cut) sequence.
[[nodiscard]] PlanResult solve(const cost::CostTable& table, const PlanOptions& options);

}  // namespace tessera::plan
