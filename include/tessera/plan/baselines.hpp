#pragma once
/// Simple reference planners, to compare the exact solvers against. None is optimal in
/// general; each returns Infeasible when its construction breaks a constraint.
#include "tessera/cost/cost_table.hpp"
#include "tessera/plan/plan_options.hpp"
#include "tessera/plan/plan_result.hpp"

namespace tessera::plan {

/// Every layer on one device: the feasible single-device plan that is best for
/// `options.objective` (weighted: normalised by the best single-device period and energy).
[[nodiscard]] PlanResult best_single_device(const cost::CostTable& table,
                                            const PlanOptions& options);

/// Layers split into k near-equal contiguous ranges (the first L mod k ranges one layer
/// longer) over the k fastest devices (smallest period compute of the whole model: Σ time_s,
/// or max time_s on a device that pipelines its layers; ties by id), fastest first; the best k
/// in 1..D for `options.objective` among the feasible ones.
[[nodiscard]] PlanResult even_split(const cost::CostTable& table, const PlanOptions& options);

/// Devices taken fastest first; each takes layers while its period compute (Σ, or max when
/// pipelined) stays within its share of
/// the total work (share ∝ its speed) and its memory fits, the last device taking the rest.
[[nodiscard]] PlanResult greedy(const cost::CostTable& table, const PlanOptions& options);

}  // namespace tessera::plan
