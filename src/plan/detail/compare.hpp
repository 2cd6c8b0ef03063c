#pragma once
/// Ordering plans by an objective with the documented tie rules.
#include "tessera/plan/plan.hpp"
#include "tessera/plan/plan_options.hpp"

namespace tessera::plan::detail {

/// Normalisers of the weighted objective.
struct Weights {
  double alpha = 0.5;
  double period_s = 1.0;  ///< period* (the smallest period)
  double energy_j = 1.0;  ///< energy* (the smallest energy)
};

/// x / norm, with 0 / 0 = 0 and x / 0 = +inf for x > 0.
[[nodiscard]] double normalised(double x, double norm);

/// alpha · period/period* + (1 − alpha) · energy/energy*.
[[nodiscard]] double weighted_score(const Plan& plan, const Weights& w);

/// The plan's value for `objective` (period, latency, energy or weighted score).
[[nodiscard]] double objective_value(const Plan& plan, Objective objective, const Weights& w);

/// a is better than b: smaller objective value (values within 1e-12 relative are tied), then
/// fewer devices, then lower energy, then the lexicographically smaller (device, cut)
/// sequence.
[[nodiscard]] bool better(const Plan& a, const Plan& b, Objective objective, const Weights& w);

}  // namespace tessera::plan::detail
