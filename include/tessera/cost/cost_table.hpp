#pragma once
/// Dense per-(layer, device) and per-link numbers: the only input planners read.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/units.hpp"
#include "tessera/hw/network.hpp"

namespace tessera::cost {

/// Costs of running a layer chain of L layers on D devices, and of moving cuts between them.
/// Endpoint D (one past the last device) is the data source/sink. Every number is for one
/// inference at the table's microbatch size.
struct CostTable {
  std::string model_name;
  std::string platform_name;
  std::int32_t num_layers = 0;
  std::int32_t num_devices = 0;
  std::int32_t microbatch = 1;

  std::vector<std::string> layer_names;    ///< L
  std::vector<std::string> device_names;   ///< D
  std::vector<std::string> device_kinds;   ///< D, e.g. "cpu"
  std::vector<std::int32_t> device_class;  ///< D, index into class_names
  std::vector<std::string> class_names;
  std::string source_name = "source";

  // Per device and layer, row-major [d * L + l].
  std::vector<double> time_s;    ///< compute time; +inf where the device cannot run the layer
  std::vector<double> energy_j;  ///< dynamic compute energy
  /// What the layer holds while its stage runs, in the device's capacity unit (weight bytes,
  /// CIM tiles...).
  std::vector<double> memory;
  std::vector<double> workspace_bytes;  ///< transient activation bytes while the layer runs

  // Per device.
  /// How much of its capacity resource the device has for a stage, in `capacity_unit`.
  std::vector<double> capacity;
  /// The unit of `capacity` and of the device's `memory` entries: "bytes" (kBytesUnit) for
  /// memory, "tiles" for CIM chips, or another resource a device kind names. Empty means bytes
  /// for every device.
  std::vector<std::string> capacity_unit;
  std::vector<double> static_power_w;  ///< drawn whenever the device is powered (in a plan)
  /// Factor on the activation buffers a stage on this device keeps in its capacity (1 = as
  /// `input_buffers` / `output_buffers` say). Activations are bytes: for a device whose
  /// capacity is not in bytes the factor and the layers' workspace_bytes must be 0 (planners
  /// reject the table otherwise). Empty means 1 for every device.
  std::vector<double> activation_buffer_scale;

  [[nodiscard]] std::string_view unit(std::int32_t device) const {
    return capacity_unit.empty()
               ? kBytesUnit
               : std::string_view(capacity_unit[static_cast<std::size_t>(device)]);
  }

  [[nodiscard]] double buffer_scale(std::int32_t device) const {
    return activation_buffer_scale.empty()
               ? 1.0
               : activation_buffer_scale[static_cast<std::size_t>(device)];
  }

  /// Per device, 1 when its layers run as an internal pipeline (a CIM chip keeps every
  /// layer's weights in its own tiles, so successive inferences stream through the layers:
  /// DNN+NeuroSim's default "pipeline" mode). A stage on such a device contributes
  /// max(time_s of its layers) to the period (the device takes a new inference that often)
  /// and Σ time_s to the latency (one inference still passes every layer); its energy is
  /// unchanged. 0: layer after layer, both are Σ time_s. Empty means 0 for every device.
  std::vector<std::uint8_t> pipelined_layers;

  [[nodiscard]] bool pipelined(std::int32_t device) const {
    return !pipelined_layers.empty() && pipelined_layers[static_cast<std::size_t>(device)] != 0;
  }

  /// L+1 entries: bytes crossing the boundary before layer k (0 = input, L = output).
  std::vector<double> cut_bytes;

  // Links between endpoints 0..D, row-major [(D+1) * from + to].
  std::vector<double> link_latency_s;
  std::vector<double> link_bandwidth_bytes_per_s;
  std::vector<double> link_energy_j_per_byte;

  /// Activation buffers a stage keeps for its input cut and its output cut (memory check).
  double input_buffers = 1.0;
  double output_buffers = 1.0;
  /// Input buffers of the first stage (its input comes from the source, not a peer stage);
  /// negative means the same as `input_buffers`.
  double first_stage_input_buffers = -1.0;

  [[nodiscard]] std::size_t at(std::int32_t device, std::int32_t layer) const {
    return static_cast<std::size_t>(device) * static_cast<std::size_t>(num_layers) +
           static_cast<std::size_t>(layer);
  }
  [[nodiscard]] std::size_t link_at(std::int32_t from, std::int32_t to) const {
    return static_cast<std::size_t>(from) * static_cast<std::size_t>(num_devices + 1) +
           static_cast<std::size_t>(to);
  }
  /// Time to move the cut before layer k from endpoint `from` to endpoint `to` (free on one
  /// endpoint; otherwise hw::transfer_seconds on the pair's link, the one network model).
  [[nodiscard]] double transfer_s(std::int32_t cut, std::int32_t from, std::int32_t to) const {
    if (from == to) return 0.0;
    const auto i = link_at(from, to);
    return hw::transfer_seconds(link_latency_s[i], link_bandwidth_bytes_per_s[i],
                                cut_bytes[static_cast<std::size_t>(cut)]);
  }
  [[nodiscard]] double transfer_j(std::int32_t cut, std::int32_t from, std::int32_t to) const {
    if (from == to) return 0.0;
    return hw::transfer_joules(link_energy_j_per_byte[link_at(from, to)],
                               cut_bytes[static_cast<std::size_t>(cut)]);
  }
  [[nodiscard]] std::int32_t source_endpoint() const { return num_devices; }
};

}  // namespace tessera::cost
