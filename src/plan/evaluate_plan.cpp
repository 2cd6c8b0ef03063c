#include "tessera/plan/evaluate_plan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "plan/detail/format.hpp"

namespace tessera::plan {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string device_label(const cost::CostTable& t, std::int32_t d) {
  if (d >= 0 && static_cast<std::size_t>(d) < t.device_names.size()) {
    return "'" + t.device_names[static_cast<std::size_t>(d)] + "'";
  }
  return "#" + std::to_string(d);
}

}  // namespace

std::vector<StageAssignment> Plan::assignment() const {
  std::vector<StageAssignment> out;
  out.reserve(stages.size());
  for (const Stage& s : stages) out.push_back({s.device, s.first_layer, s.last_layer});
  return out;
}

double cap_with_tolerance(const std::optional<double>& cap) {
  if (!cap) return kInf;
  return *cap + kCapTolerance * std::fabs(*cap);
}

Plan evaluate_plan(const cost::CostTable& t, const std::vector<StageAssignment>& stages,
                   const PlanOptions& options) {
  Plan plan;
  const std::int32_t num_layers = t.num_layers;
  const std::int32_t num_devices = t.num_devices;
  const std::int32_t source = t.source_endpoint();
  plan.energy_per_device_j.assign(static_cast<std::size_t>(std::max(num_devices, 0)), 0.0);

  // Structure: ranges in bounds, contiguous, covering 0..L-1, devices distinct.
  std::vector<StageAssignment> valid;
  std::vector<bool> used(static_cast<std::size_t>(std::max(num_devices, 0)), false);
  std::int32_t next_layer = 0;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const StageAssignment& s = stages[i];
    const std::int32_t d = s.device.value();
    const std::int32_t first = s.first_layer.value();
    const std::int32_t last = s.last_layer.value();
    const std::string where = "stage " + std::to_string(i);
    if (d < 0 || d >= num_devices) {
      plan.violations.push_back(where + ": device id " + std::to_string(d) + " out of range [0, " +
                                std::to_string(num_devices) + ")");
      continue;
    }
    if (first < 0 || last < first || last >= num_layers) {
      plan.violations.push_back(where + ": layer range [" + std::to_string(first) + ", " +
                                std::to_string(last) + "] is not inside [0, " +
                                std::to_string(num_layers - 1) + "]");
      continue;
    }
    if (first != next_layer) {
      plan.violations.push_back(where + " starts at layer " + std::to_string(first) +
                                ", expected " + std::to_string(next_layer) +
                                " (stages must cover the layers contiguously, in order)");
    }
    if (used[static_cast<std::size_t>(d)]) {
      plan.violations.push_back(where + ": device " + device_label(t, d) +
                                " is used by more than one stage");
    }
    used[static_cast<std::size_t>(d)] = true;
    next_layer = last + 1;
    valid.push_back(s);
  }
  if (next_layer != num_layers || valid.empty()) {
    plan.violations.push_back("the stages cover layers [0, " + std::to_string(next_layer - 1) +
                              "] but the model has " + std::to_string(num_layers) + " layers");
  }

  const bool io = options.include_source_sink;
  double period = 0.0;
  double latency = 0.0;
  double dynamic = 0.0;
  if (io && !valid.empty()) {
    const std::int32_t first_device = valid.front().device.value();
    plan.source_transfer_s = t.transfer_s(0, source, first_device);
    plan.source_transfer_j = t.transfer_j(0, source, first_device);
    period = plan.source_transfer_s;
    latency = plan.source_transfer_s;
    dynamic = plan.source_transfer_j;
  }
  for (std::size_t i = 0; i < valid.size(); ++i) {
    const StageAssignment& a = valid[i];
    const std::int32_t d = a.device.value();
    const std::int32_t first = a.first_layer.value();
    const std::int32_t last = a.last_layer.value();
    Stage s;
    s.device = a.device;
    s.first_layer = a.first_layer;
    s.last_layer = a.last_layer;
    double compute = 0.0;
    double slowest = 0.0;
    double energy = 0.0;
    double memory = 0.0;
    double workspace = 0.0;
    for (std::int32_t l = first; l <= last; ++l) {
      const std::size_t at = t.at(d, l);
      compute += t.time_s[at];
      slowest = std::max(slowest, t.time_s[at]);
      energy += t.energy_j[at];
      memory += t.memory[at];
      workspace = std::max(workspace, t.workspace_bytes[at]);
    }
    const double in_buffers = (i == 0 && t.first_stage_input_buffers >= 0.0)
                                  ? t.first_stage_input_buffers
                                  : t.input_buffers;
    s.memory =
        memory + workspace +
        t.buffer_scale(d) * (in_buffers * t.cut_bytes[static_cast<std::size_t>(first)] +
                             t.output_buffers * t.cut_bytes[static_cast<std::size_t>(last + 1)]);
    s.capacity = t.capacity[static_cast<std::size_t>(d)];
    s.capacity_unit = std::string(t.unit(d));
    const bool is_last = i + 1 == valid.size();
    std::int32_t to = -1;
    if (!is_last) {
      to = valid[i + 1].device.value();
    } else if (io) {
      to = source;
    }
    double send_j = 0.0;
    if (to >= 0) {
      s.send_s = t.transfer_s(last + 1, d, to);
      send_j = t.transfer_j(last + 1, d, to);
    }
    // A device that pipelines its layers takes a new inference every max(layer time); one
    // inference still passes every layer.
    s.pipelined = t.pipelined(d);
    s.compute_s = s.pipelined ? slowest : compute;
    s.compute_latency_s = compute;
    s.stage_s = options.overlap ? std::max(s.compute_s, s.send_s) : s.compute_s + s.send_s;
    s.energy_j = energy + send_j;
    period = std::max(period, s.stage_s);
    latency += compute + s.send_s;
    dynamic += s.energy_j;
    plan.energy_per_device_j[static_cast<std::size_t>(d)] += s.energy_j;

    if (std::isinf(compute)) {
      std::int32_t l = first;
      while (l < last && !std::isinf(t.time_s[t.at(d, l)])) ++l;
      plan.violations.push_back("device " + device_label(t, d) + " cannot run layer '" +
                                t.layer_names[static_cast<std::size_t>(l)] + "' (time_s is +inf)");
    }
    if (!(s.memory <= s.capacity)) {
      const std::string_view unit = t.unit(d);
      plan.violations.push_back("stage " + std::to_string(i) + " on " + device_label(t, d) +
                                " needs " + detail::format_amount(s.memory, unit) + " but has " +
                                detail::format_amount(s.capacity, unit) + ", short by " +
                                detail::format_amount(s.memory - s.capacity, unit));
    }
    if (std::isinf(s.send_s)) {
      plan.violations.push_back("stage " + std::to_string(i) + " on " + device_label(t, d) +
                                " cannot send its output: the link has zero bandwidth");
    }
    plan.stages.push_back(s);
  }
  if (io && std::isinf(plan.source_transfer_s)) {
    plan.violations.push_back("the source cannot send the input to the first stage's device");
  }

  plan.devices_used = static_cast<std::int32_t>(valid.size());
  double static_power = 0.0;
  for (const Stage& s : plan.stages) {
    const double w = t.static_power_w[s.device.index()];
    static_power += w;
    plan.energy_per_device_j[s.device.index()] += w * period;
  }
  plan.period_s = valid.empty() ? kInf : period;
  plan.throughput_per_s = static_cast<double>(t.microbatch) / plan.period_s;
  plan.latency_s = valid.empty() ? kInf : latency;
  plan.dynamic_energy_j = dynamic;
  plan.static_energy_j = static_power * period;
  plan.energy_per_inference_j = dynamic + plan.static_energy_j;

  if (options.period_cap_s && !(plan.period_s <= cap_with_tolerance(options.period_cap_s))) {
    plan.violations.push_back(
        "period " + detail::format_number(plan.period_s) +
        " s exceeds period_cap_s = " + detail::format_number(*options.period_cap_s) + " s");
  }
  if (options.latency_cap_s && !(plan.latency_s <= cap_with_tolerance(options.latency_cap_s))) {
    plan.violations.push_back(
        "latency " + detail::format_number(plan.latency_s) +
        " s exceeds latency_cap_s = " + detail::format_number(*options.latency_cap_s) + " s");
  }
  return plan;
}

}  // namespace tessera::plan
