#include "plan/detail/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace tessera::plan::detail {

double normalised(double x, double norm) {
  if (norm > 0.0) return x / norm;
  return x > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
}

double weighted_score(const Plan& plan, const Weights& w) {
  return w.alpha * normalised(plan.period_s, w.period_s) +
         (1.0 - w.alpha) * normalised(plan.energy_per_inference_j, w.energy_j);
}

double objective_value(const Plan& plan, Objective objective, const Weights& w) {
  switch (objective) {
    case Objective::kThroughput:
      return plan.period_s;
    case Objective::kLatency:
      return plan.latency_s;
    case Objective::kEnergy:
      return plan.energy_per_inference_j;
    case Objective::kWeighted:
      return weighted_score(plan, w);
  }
  return plan.period_s;
}

namespace {

bool tied(double a, double b) {
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

}  // namespace

bool better(const Plan& a, const Plan& b, Objective objective, const Weights& w) {
  const double va = objective_value(a, objective, w);
  const double vb = objective_value(b, objective, w);
  if (!tied(va, vb)) return va < vb;
  // Ties on the objective: least energy, then fewest devices.
  if (!tied(a.energy_per_inference_j, b.energy_per_inference_j)) {
    return a.energy_per_inference_j < b.energy_per_inference_j;
  }
  if (a.devices_used != b.devices_used) return a.devices_used < b.devices_used;
  for (std::size_t i = 0; i < std::min(a.stages.size(), b.stages.size()); ++i) {
    const auto ka = std::make_tuple(a.stages[i].device, a.stages[i].last_layer);
    const auto kb = std::make_tuple(b.stages[i].device, b.stages[i].last_layer);
    if (ka != kb) return ka < kb;
  }
  return a.stages.size() < b.stages.size();
}

}  // namespace tessera::plan::detail
