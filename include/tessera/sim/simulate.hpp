#pragma once
/// Discrete-event simulation of a pipelined plan on SimGrid (S4U).
#include <cstdint>
#include <functional>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_table.hpp"
#include "tessera/hw/platform.hpp"
#include "tessera/plan/plan.hpp"
#include "tessera/sim/simulation_result.hpp"

namespace tessera::sim {

/// How a plan is simulated.
struct SimOptions {
  std::int64_t inferences = 100;
  /// Inferences injected per second; 0 = back-to-back (the next enters as soon as the first
  /// stage has a free input slot).
  double rate_per_s = 0.0;
  /// Bounded queues of every stage, counted in inferences (PipeEdge's defaults are 2 and 2).
  std::int32_t input_queue = 2;
  std::int32_t output_queue = 2;
  /// true: a stage sends while it computes the next inference (a sender per stage, as in
  /// PlanOptions::overlap); false: it computes, then sends, then takes the next input.
  bool overlap = true;
  /// false: inputs appear at the first stage and results leave the last one for free.
  bool include_source_sink = true;
  /// The platform's topology, for reports.
  hw::Topology topology = hw::Topology::kFullMesh;
  /// The shared channels behind the table's links (Platform::network). Each transfer crosses
  /// its pair's own link (the table's latency and bandwidth) and the channels of its route;
  /// transfers crossing one channel at the same time share its bandwidth (a bus, a mesh
  /// router link). Dedicated (the default): no channel, transfers never contend.
  hw::Network network = hw::Network::dedicated();
  bool record_trace = false;  ///< fill SimulationResult::events
  /// Called from the simulation with the fraction of inferences completed, at most ~100 times.
  std::function<void(double fraction)> progress;
};

/// Streams `options.inferences` inputs through `stages` (pipeline order) with the compute
/// times, energies, cut sizes and links of `table`. Compute of a stage occupies its device for
/// Σ time_s of its layers; on a device that pipelines its layers (CostTable::pipelined_layers)
/// it occupies the device for max time_s and the output is ready Σ time_s after the inference
/// started (a fill delay that does not hold up the next inference; at most one inference per
/// layer is inside the device). A transfer takes latency + bytes / bandwidth when it has the
/// link to itself.
/// Energy uses equal accounting: every used device draws its static power for the whole
/// makespan, plus, per inference, its layers' dynamic energy and the link energy of its sends.
/// Fails (without simulating) on stages outside the table, a device used twice, non-finite
/// times, or options out of range.
[[nodiscard]] Result<SimulationResult> simulate(const cost::CostTable& table,
                                                const std::vector<plan::StageAssignment>& stages,
                                                const SimOptions& options);

}  // namespace tessera::sim
