#include "tessera/plan/baselines.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "plan/detail/compare.hpp"
#include "plan/detail/instance.hpp"
#include "tessera/plan/evaluate_plan.hpp"

namespace tessera::plan {

namespace {

SolverStats baseline_stats(const char* method) {
  SolverStats s;
  s.method = method;
  return s;
}

PlanResult none(const char* method, std::string why) {
  return PlanResult(Infeasible{InfeasibleReason::kNoAssignment, std::move(why), std::nullopt,
                               std::nullopt, 0.0, 0.0},
                    baseline_stats(method));
}

/// The best of `plans` (feasible ones only) for the objective; weighted normalises by the
/// smallest period and energy among them.
std::optional<Plan> pick(const std::vector<Plan>& plans, const PlanOptions& options) {
  detail::Weights w{options.alpha, detail::kInf, detail::kInf};
  for (const Plan& p : plans) {
    if (!p.feasible()) continue;
    w.period_s = std::min(w.period_s, p.period_s);
    w.energy_j = std::min(w.energy_j, p.energy_per_inference_j);
  }
  std::optional<Plan> best;
  for (const Plan& p : plans) {
    if (!p.feasible()) continue;
    if (!best || detail::better(p, *best, options.objective, w)) best = p;
  }
  return best;
}

/// Adds a layer's time to a stage's period compute: the sum, or the max on a device that
/// pipelines its layers.
double add_layer(const cost::CostTable& t, std::int32_t device, double acc, double time) {
  return t.pipelined(device) ? std::max(acc, time) : acc + time;
}

/// Devices by period compute over all layers (fastest first), ties by id.
std::vector<std::int32_t> by_speed(const cost::CostTable& t, std::vector<double>& total) {
  total.assign(static_cast<std::size_t>(t.num_devices), 0.0);
  for (std::int32_t d = 0; d < t.num_devices; ++d) {
    double& sum = total[static_cast<std::size_t>(d)];
    for (std::int32_t l = 0; l < t.num_layers; ++l)
      sum = add_layer(t, d, sum, t.time_s[t.at(d, l)]);
  }
  std::vector<std::int32_t> order(static_cast<std::size_t>(t.num_devices));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return total[static_cast<std::size_t>(a)] < total[static_cast<std::size_t>(b)];
  });
  return order;
}

std::string usable(const cost::CostTable& t) {
  const std::string bad = detail::check_table(t);
  if (!bad.empty()) return "malformed cost table: " + bad;
  if (t.num_layers == 0 || t.num_devices == 0) return "nothing to plan";
  return "";
}

}  // namespace

PlanResult best_single_device(const cost::CostTable& table, const PlanOptions& options) {
  constexpr const char* kMethod = "baseline: best single device";
  if (std::string bad = usable(table); !bad.empty()) return none(kMethod, bad);
  std::vector<Plan> plans;
  for (std::int32_t d = 0; d < table.num_devices; ++d) {
    plans.push_back(
        evaluate_plan(table, {{DeviceId(d), LayerId(0), LayerId(table.num_layers - 1)}}, options));
  }
  std::optional<Plan> best = pick(plans, options);
  if (!best) return none(kMethod, "no single device can run the whole model within its memory");
  return PlanResult(std::move(*best), baseline_stats(kMethod));
}

PlanResult even_split(const cost::CostTable& table, const PlanOptions& options) {
  constexpr const char* kMethod = "baseline: even split over the k >= 2 fastest devices";
  if (std::string bad = usable(table); !bad.empty()) return none(kMethod, bad);
  std::vector<double> total;
  const std::vector<std::int32_t> order = by_speed(table, total);
  const std::int32_t num_layers = table.num_layers;
  std::vector<Plan> plans;
  // A split uses at least two devices (one device is the "best single device" baseline),
  // unless the platform or the model leaves no choice.
  const std::int32_t k_max = std::min(table.num_devices, num_layers);
  for (std::int32_t k = std::min(2, k_max); k <= k_max; ++k) {
    std::vector<StageAssignment> stages;
    std::int32_t first = 0;
    for (std::int32_t i = 0; i < k; ++i) {
      const std::int32_t size = num_layers / k + (i < num_layers % k ? 1 : 0);
      stages.push_back({DeviceId(order[static_cast<std::size_t>(i)]), LayerId(first),
                        LayerId(first + size - 1)});
      first += size;
    }
    plans.push_back(evaluate_plan(table, stages, options));
  }
  std::optional<Plan> best = pick(plans, options);
  if (!best)
    return none(kMethod, "no even split over the k fastest devices is feasible, for any k");
  return PlanResult(std::move(*best), baseline_stats(kMethod));
}

PlanResult greedy(const cost::CostTable& table, const PlanOptions& options) {
  constexpr const char* kMethod = "baseline: greedy fill, fastest device first";
  if (std::string bad = usable(table); !bad.empty()) return none(kMethod, bad);
  std::vector<double> total;
  const std::vector<std::int32_t> order = by_speed(table, total);
  const std::int32_t num_layers = table.num_layers;
  std::vector<double> speed(order.size(), 0.0);
  for (std::size_t i = 0; i < order.size(); ++i) {
    const double t = total[static_cast<std::size_t>(order[i])];
    speed[i] = t > 0.0 && std::isfinite(t) ? 1.0 / t : (t == 0.0 ? 1e300 : 0.0);
  }
  std::vector<StageAssignment> stages;
  std::int32_t p = 0;
  for (std::size_t i = 0; i < order.size() && p < num_layers; ++i) {
    const std::int32_t d = order[i];
    double remaining_speed = 0.0;
    for (std::size_t j = i; j < order.size(); ++j) remaining_speed += speed[j];
    const bool last_device = i + 1 == order.size();
    double own_remaining = 0.0;
    for (std::int32_t l = p; l < num_layers; ++l)
      own_remaining = add_layer(table, d, own_remaining, table.time_s[table.at(d, l)]);
    const double target =
        remaining_speed > 0.0 ? own_remaining * speed[i] / remaining_speed : detail::kInf;
    const double in_buffers = (p == 0 && table.first_stage_input_buffers >= 0.0)
                                  ? table.first_stage_input_buffers
                                  : table.input_buffers;
    std::int32_t q = p;
    double acc = 0.0;
    double memory = 0.0;
    double workspace = 0.0;
    while (q < num_layers) {
      const std::size_t a = table.at(d, q);
      const double t = table.time_s[a];
      if (!std::isfinite(t)) break;
      if (!last_device && q > p && add_layer(table, d, acc, t) > target) break;
      const double m = memory + table.memory[a];
      const double w = std::max(workspace, table.workspace_bytes[a]);
      const double need =
          m + w +
          table.buffer_scale(d) *
              (in_buffers * table.cut_bytes[static_cast<std::size_t>(p)] +
               table.output_buffers * table.cut_bytes[static_cast<std::size_t>(q + 1)]);
      if (!(need <= table.capacity[static_cast<std::size_t>(d)])) break;
      memory = m;
      workspace = w;
      acc = add_layer(table, d, acc, t);
      ++q;
    }
    if (q == p) continue;
    stages.push_back({DeviceId(d), LayerId(p), LayerId(q - 1)});
    p = q;
  }
  if (p < num_layers) {
    return none(kMethod, "greedy fill ran out of devices after " + std::to_string(p) + " of " +
                             std::to_string(num_layers) + " layers");
  }
  Plan plan = evaluate_plan(table, stages, options);
  if (!plan.feasible())
    return none(kMethod, "greedy plan is infeasible: " + plan.violations.front());
  return PlanResult(std::move(plan), baseline_stats(kMethod));
}

}  // namespace tessera::plan
