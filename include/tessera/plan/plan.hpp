#pragma once
/// A pipelined execution plan and its metrics.
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/ids.hpp"
#include "tessera/core/units.hpp"

namespace tessera::plan {

/// Which device runs which contiguous layer range: the input of `evaluate_plan`.
struct StageAssignment {
  DeviceId device;
  LayerId first_layer;
  LayerId last_layer;  ///< inclusive
  friend bool operator==(const StageAssignment&, const StageAssignment&) = default;
};

/// One stage of an evaluated plan.
struct Stage {
  DeviceId device;
  LayerId first_layer;
  LayerId last_layer;  ///< inclusive
  /// Period compute time: how long the device is busy per inference. Σ time_s over the
  /// stage's layers, or their max when the device pipelines its layers
  /// (CostTable::pipelined_layers).
  double compute_s = 0.0;
  /// Time from an inference entering the stage until its output is ready: Σ time_s over the
  /// stage's layers (equal to compute_s unless the layers are pipelined).
  double compute_latency_s = 0.0;
  bool pipelined = false;  ///< the device pipelines its layers
  /// Time to send the cut after `last_layer` to the next stage's device, or to the sink for
  /// the last stage (0 when source/sink transfers are not included).
  double send_s = 0.0;
  double stage_s = 0.0;  ///< max(compute_s, send_s) with overlap, else their sum
  /// Dynamic energy of the stage's layers plus the link energy of its send.
  double energy_j = 0.0;
  /// What the stage needs of its device's capacity resource, in `capacity_unit`: layer memory +
  /// largest workspace + activation buffers (the last two are bytes: 0 unless the unit is).
  double memory = 0.0;
  double capacity = 0.0;                  ///< the device's capacity, for reports
  std::string capacity_unit{kBytesUnit};  ///< "bytes", "tiles", ...
};

/// An evaluated plan. Every number is per inference at the cost table's microbatch size.
struct Plan {
  std::vector<Stage> stages;
  double period_s = 0.0;                ///< max(source transfer, every stage_s)
  double throughput_per_s = 0.0;        ///< microbatch / period_s
  double latency_s = 0.0;               ///< source transfer + Σ (compute_latency_s + send_s)
  double energy_per_inference_j = 0.0;  ///< dynamic + link + static of used devices × period
  double dynamic_energy_j = 0.0;   ///< Σ layer energies + Σ link energies (source's included)
  double static_energy_j = 0.0;    ///< Σ over used devices of static_power_w × period_s
  double source_transfer_s = 0.0;  ///< time to move cut 0 from the source to the first stage
  double source_transfer_j = 0.0;  ///< its link energy (counted in no device's energy)
  /// Per device (index = device id, size = number of devices): static_power × period + its
  /// stages' compute and send energies; 0 for unused devices, which are assumed powered off.
  /// Σ energy_per_device_j + source_transfer_j = energy_per_inference_j.
  std::vector<double> energy_per_device_j;
  std::int32_t devices_used = 0;
  /// Rules the plan breaks (memory, coverage, a device used twice, infinite times, caps);
  /// empty when the plan is feasible.
  std::vector<std::string> violations;

  [[nodiscard]] bool feasible() const { return violations.empty(); }
  /// The stage list without metrics.
  [[nodiscard]] std::vector<StageAssignment> assignment() const;
};

}  // namespace tessera::plan
