#include "support/brute_force.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "tessera/plan/evaluate_plan.hpp"

namespace tessera::testing {

namespace {

bool tied(double a, double b) {
  return a == b || std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

double value(const plan::Plan& p, plan::Objective o, double alpha, double period_star,
             double energy_star) {
  const auto norm = [](double x, double n) { return n > 0.0 ? x / n : (x > 0.0 ? INFINITY : 0.0); };
  switch (o) {
    case plan::Objective::kThroughput:
      return p.period_s;
    case plan::Objective::kLatency:
      return p.latency_s;
    case plan::Objective::kEnergy:
      return p.energy_per_inference_j;
    case plan::Objective::kWeighted:
      return alpha * norm(p.period_s, period_star) +
             (1.0 - alpha) * norm(p.energy_per_inference_j, energy_star);
  }
  return 0.0;
}

}  // namespace

std::vector<plan::Plan> all_feasible_plans(const cost::CostTable& table,
                                           const plan::PlanOptions& options) {
  std::vector<plan::Plan> out;
  const std::int32_t num_layers = table.num_layers;
  const std::int32_t num_devices = table.num_devices;
  // cut mask: bit i set = a cut after layer i (i in 0..L-2)
  for (std::uint32_t mask = 0; mask < (1U << (num_layers - 1)); ++mask) {
    std::vector<std::pair<std::int32_t, std::int32_t>> ranges;
    std::int32_t first = 0;
    for (std::int32_t i = 0; i < num_layers; ++i) {
      if (i == num_layers - 1 || ((mask >> i) & 1U) != 0) {
        ranges.emplace_back(first, i);
        first = i + 1;
      }
    }
    if (static_cast<std::int32_t>(ranges.size()) > num_devices) continue;
    std::vector<std::int32_t> devices;
    std::vector<bool> used(static_cast<std::size_t>(num_devices), false);
    std::function<void()> assign = [&] {
      if (devices.size() == ranges.size()) {
        std::vector<plan::StageAssignment> stages;
        for (std::size_t s = 0; s < ranges.size(); ++s) {
          stages.push_back(
              {DeviceId(devices[s]), LayerId(ranges[s].first), LayerId(ranges[s].second)});
        }
        plan::Plan p = plan::evaluate_plan(table, stages, options);
        if (p.feasible()) out.push_back(std::move(p));
        return;
      }
      for (std::int32_t d = 0; d < num_devices; ++d) {
        if (used[static_cast<std::size_t>(d)]) continue;
        used[static_cast<std::size_t>(d)] = true;
        devices.push_back(d);
        assign();
        devices.pop_back();
        used[static_cast<std::size_t>(d)] = false;
      }
    };
    assign();
  }
  return out;
}

ReferenceTimes reference_times(const cost::CostTable& table, const plan::Plan& plan,
                               const plan::PlanOptions& options) {
  const auto move_s = [&](std::int32_t cut, std::int32_t from, std::int32_t to) {
    if (from == to) return 0.0;
    const std::size_t i = table.link_at(from, to);
    const double bytes = table.cut_bytes[static_cast<std::size_t>(cut)];
    return bytes == 0.0 ? table.link_latency_s[i]
                        : table.link_latency_s[i] + bytes / table.link_bandwidth_bytes_per_s[i];
  };
  const std::int32_t sink = table.source_endpoint();
  ReferenceTimes r;
  if (plan.stages.empty()) return r;
  if (options.include_source_sink) {
    r.period_s = r.latency_s = move_s(0, sink, plan.stages.front().device.value());
  }
  for (std::size_t i = 0; i < plan.stages.size(); ++i) {
    const plan::Stage& s = plan.stages[i];
    const std::int32_t d = s.device.value();
    double sum = 0.0;
    double slowest = 0.0;
    for (std::int32_t l = s.first_layer.value(); l <= s.last_layer.value(); ++l) {
      sum += table.time_s[table.at(d, l)];
      slowest = std::max(slowest, table.time_s[table.at(d, l)]);
    }
    const bool pipelined =
        !table.pipelined_layers.empty() && table.pipelined_layers[static_cast<std::size_t>(d)] != 0;
    const double busy = pipelined ? slowest : sum;
    double send = 0.0;
    if (i + 1 < plan.stages.size()) {
      send = move_s(s.last_layer.value() + 1, d, plan.stages[i + 1].device.value());
    } else if (options.include_source_sink) {
      send = move_s(table.num_layers, d, sink);
    }
    r.period_s = std::max(r.period_s, options.overlap ? std::max(busy, send) : busy + send);
    r.latency_s += sum + send;
  }
  return r;
}

std::optional<plan::Plan> brute_force_best(const std::vector<plan::Plan>& plans,
                                           const plan::PlanOptions& options) {
  if (plans.empty()) return std::nullopt;
  double period_star = INFINITY;
  double energy_star = INFINITY;
  for (const plan::Plan& p : plans) {
    period_star = std::min(period_star, p.period_s);
    energy_star = std::min(energy_star, p.energy_per_inference_j);
  }
  const plan::Plan* best = nullptr;
  for (const plan::Plan& p : plans) {
    if (best == nullptr) {
      best = &p;
      continue;
    }
    const double a = value(p, options.objective, options.alpha, period_star, energy_star);
    const double b = value(*best, options.objective, options.alpha, period_star, energy_star);
    if (!tied(a, b)) {
      if (a < b) best = &p;
      continue;
    }
    // Ties on the objective: least energy, then fewest devices.
    if (!tied(p.energy_per_inference_j, best->energy_per_inference_j)) {
      if (p.energy_per_inference_j < best->energy_per_inference_j) best = &p;
      continue;
    }
    if (p.devices_used < best->devices_used) best = &p;
  }
  return *best;
}

std::vector<FrontPoint> brute_force_front(const std::vector<plan::Plan>& plans, bool latency) {
  std::vector<FrontPoint> all;
  for (const plan::Plan& p : plans) {
    all.push_back({latency ? p.latency_s : p.period_s, p.energy_per_inference_j});
  }
  std::sort(all.begin(), all.end(), [](const FrontPoint& a, const FrontPoint& b) {
    return a.x < b.x || (a.x == b.x && a.energy_j < b.energy_j);
  });
  std::vector<FrontPoint> front;
  for (const FrontPoint& p : all) {
    if (!front.empty() && tied(p.x, front.back().x)) {
      front.back().energy_j = std::min(front.back().energy_j, p.energy_j);
      continue;
    }
    if (!front.empty() &&
        !(p.energy_j < front.back().energy_j && !tied(p.energy_j, front.back().energy_j))) {
      continue;
    }
    front.push_back(p);
  }
  // merging equal x can lower an energy below a later point's: drop dominated ones again
  std::vector<FrontPoint> out;
  for (const FrontPoint& p : front) {
    if (!out.empty() &&
        !(p.energy_j < out.back().energy_j && !tied(p.energy_j, out.back().energy_j))) {
      continue;
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace tessera::testing
