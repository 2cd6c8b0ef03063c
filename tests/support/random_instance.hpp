#pragma once
/// Seeded random cost tables for planner tests and benchmarks.
#include <cstdint>
#include <vector>

#include "tessera/cost/cost_table.hpp"

namespace tessera::testing {

struct RandomInstanceSpec {
  std::int32_t layers = 6;
  /// Devices per class; devices of one class get identical costs and links.
  std::vector<std::int32_t> class_sizes = {1, 1};
  std::uint64_t seed = 1;
  /// 0: every device holds the whole model; towards 1 capacities approach the smallest
  /// possible (some instances infeasible).
  double memory_tightness = 0.0;
  /// Probability that a class cannot run a layer (time_s = +inf).
  double inf_probability = 0.0;
  /// Links differ per direction.
  bool asymmetric_links = true;
  /// The last member of every class with two or more members gets its own links (so it is
  /// no longer interchangeable with the others).
  bool perturb_class_links = false;
  /// Scales every static power (0: none).
  double static_power_scale = 1.0;
  /// Probability that a class's devices pipeline their layers (CostTable::pipelined_layers:
  /// period max, latency sum). 0 leaves pipelined_layers empty and draws nothing, so the
  /// tables of other specs are unchanged.
  double pipelined_probability = 0.0;
  /// The last member of every class with two or more members gets the opposite flag (same
  /// costs and links, different pipelining: the solvers must not merge it with the others).
  bool perturb_pipelined = false;
};

/// Layers with log-uniform work, activation sizes and weights; classes with a speed, an
/// affinity per layer (so classes are not scaled copies), a dynamic power and a static power;
/// per-class-pair links. Everything comes from std::mt19937_64 mapped to doubles by hand, so
/// a seed gives the same table with every standard library.
[[nodiscard]] cost::CostTable random_cost_table(const RandomInstanceSpec& spec);

}  // namespace tessera::testing
