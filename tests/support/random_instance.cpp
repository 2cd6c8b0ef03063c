#include "support/random_instance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace tessera::testing {

namespace {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  /// Uniform in [0, 1).
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
  double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }

 private:
  std::mt19937_64 engine_;
};

struct LinkParams {
  double latency_s;
  double bandwidth;
  double energy;
};

}  // namespace

cost::CostTable random_cost_table(const RandomInstanceSpec& spec) {
  Rng rng(spec.seed);
  cost::CostTable t;
  const std::int32_t num_layers = spec.layers;
  const auto classes = static_cast<std::int32_t>(spec.class_sizes.size());
  std::int32_t num_devices = 0;
  for (const std::int32_t n : spec.class_sizes) num_devices += n;
  t.model_name = "random-" + std::to_string(spec.seed);
  t.platform_name = "random";
  t.num_layers = num_layers;
  t.num_devices = num_devices;

  std::vector<double> work(static_cast<std::size_t>(num_layers));
  std::vector<double> weights(static_cast<std::size_t>(num_layers));
  std::vector<double> workspace(static_cast<std::size_t>(num_layers));
  for (std::int32_t l = 0; l < num_layers; ++l) {
    t.layer_names.push_back("layer" + std::to_string(l));
    work[static_cast<std::size_t>(l)] = rng.log_uniform(1e-3, 2e-2);  // seconds on speed 1
    weights[static_cast<std::size_t>(l)] = rng.log_uniform(1e5, 5e7);
    workspace[static_cast<std::size_t>(l)] = rng.log_uniform(1e4, 1e6);
  }
  for (std::int32_t l = 0; l <= num_layers; ++l) t.cut_bytes.push_back(rng.log_uniform(1e4, 4e6));
  double total_weights = 0.0;
  for (const double w : weights) total_weights += w;

  struct Class {
    std::vector<double> time, energy;
    double capacity, static_w;
  };
  std::vector<Class> cls(static_cast<std::size_t>(classes));
  for (std::int32_t k = 0; k < classes; ++k) {
    Class& c = cls[static_cast<std::size_t>(k)];
    const double speed = rng.log_uniform(0.25, 4.0);
    const double power_w = rng.uniform(2.0, 40.0);
    for (std::int32_t l = 0; l < num_layers; ++l) {
      const double affinity = rng.uniform(0.6, 1.6);
      double time = work[static_cast<std::size_t>(l)] / speed * affinity;
      if (rng.unit() < spec.inf_probability) time = std::numeric_limits<double>::infinity();
      c.time.push_back(time);
      c.energy.push_back(std::isinf(time) ? 0.0 : time * power_w * rng.uniform(0.8, 1.2));
    }
    // ample: the whole model plus buffers; tight: down to a fraction of it
    const double ample = total_weights * 1.2 + 2e7;
    const double fraction = rng.uniform(0.15, 1.0);
    c.capacity = ample * (1.0 - spec.memory_tightness * (1.0 - fraction));
    c.static_w = spec.static_power_scale * rng.uniform(0.5, 8.0);
  }
  for (std::int32_t k = 0; k < classes; ++k) {
    for (std::int32_t i = 0; i < spec.class_sizes[static_cast<std::size_t>(k)]; ++i) {
      const Class& c = cls[static_cast<std::size_t>(k)];
      t.device_names.push_back("c" + std::to_string(k) + "-d" + std::to_string(i));
      t.device_kinds.push_back("random");
      t.device_class.push_back(k);
      t.time_s.insert(t.time_s.end(), c.time.begin(), c.time.end());
      t.energy_j.insert(t.energy_j.end(), c.energy.begin(), c.energy.end());
      t.memory.insert(t.memory.end(), weights.begin(), weights.end());
      t.workspace_bytes.insert(t.workspace_bytes.end(), workspace.begin(), workspace.end());
      t.capacity.push_back(c.capacity);
      t.static_power_w.push_back(c.static_w);
    }
    t.class_names.push_back("class" + std::to_string(k));
  }

  // Links per (class, class) pair and direction; endpoint `classes` is the source.
  const auto endpoints = static_cast<std::size_t>(classes + 1);
  std::vector<LinkParams> pair(endpoints * endpoints);
  const auto draw = [&] {
    return LinkParams{rng.uniform(0.0, 2e-4), rng.log_uniform(2e8, 2e10), rng.uniform(0.0, 2e-9)};
  };
  for (std::size_t a = 0; a < endpoints; ++a) {
    for (std::size_t b = a; b < endpoints; ++b) {
      pair[a * endpoints + b] = draw();
      pair[b * endpoints + a] = spec.asymmetric_links && a != b ? draw() : pair[a * endpoints + b];
    }
  }
  std::vector<std::int32_t> class_of;
  std::vector<bool> perturbed;
  for (std::int32_t k = 0; k < classes; ++k) {
    const std::int32_t n = spec.class_sizes[static_cast<std::size_t>(k)];
    for (std::int32_t i = 0; i < n; ++i) {
      class_of.push_back(k);
      perturbed.push_back(spec.perturb_class_links && n >= 2 && i == n - 1);
    }
  }
  class_of.push_back(classes);  // the source
  perturbed.push_back(false);
  const auto ends = static_cast<std::size_t>(num_devices + 1);
  t.link_latency_s.assign(ends * ends, 0.0);
  t.link_bandwidth_bytes_per_s.assign(ends * ends, 1.0);
  t.link_energy_j_per_byte.assign(ends * ends, 0.0);
  for (std::size_t a = 0; a < ends; ++a) {
    for (std::size_t b = 0; b < ends; ++b) {
      if (a == b) continue;
      LinkParams l = pair[static_cast<std::size_t>(class_of[a]) * endpoints +
                          static_cast<std::size_t>(class_of[b])];
      if (perturbed[a] || perturbed[b]) {
        l.bandwidth *= 0.5 + 0.1 * static_cast<double>((a * 7 + b * 3) % 5);
        l.energy *= 1.5;
      }
      t.link_latency_s[a * ends + b] = l.latency_s;
      t.link_bandwidth_bytes_per_s[a * ends + b] = l.bandwidth;
      t.link_energy_j_per_byte[a * ends + b] = l.energy;
    }
  }
  if (spec.pipelined_probability > 0.0) {
    for (std::int32_t k = 0; k < classes; ++k) {
      const bool flag = rng.unit() < spec.pipelined_probability;
      const std::int32_t n = spec.class_sizes[static_cast<std::size_t>(k)];
      for (std::int32_t i = 0; i < n; ++i) {
        const bool flip = spec.perturb_pipelined && n >= 2 && i == n - 1;
        t.pipelined_layers.push_back(flag != flip ? 1 : 0);
      }
    }
  }
  t.input_buffers = 2.0;
  t.output_buffers = 2.0;
  t.first_stage_input_buffers = 1.0;
  return t;
}

}  // namespace tessera::testing
