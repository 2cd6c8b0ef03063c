#pragma once
/// Multi-accelerator SoCs (`kind: soc`): a set of compute units that run one layer at a time and
/// split that layer's output channels between them so that they work in parallel (ODiMO: Risso,
/// Burrello, Jahier Pagliari, "Optimizing DNN Inference on Multi-Accelerator SoCs at
/// Training-time", IEEE TCAD 44(9), 2025, arXiv 2409.18566; code eml-eda/odimo-journal).
///
/// Each unit has a closed-form cycle count for the channels c it is given (its `form`), the
/// layer kinds it accepts, its weight precision, and its active and idle power. A layer's
/// latency is the slowest unit's time; its energy is each unit's active power over its busy
/// time plus its idle power while it waits for the slowest (the `per_unit` form, ODiMO's
/// Darkside model), or three power levels for a two-unit SoC, both busy / first only / second
/// only (the `levels` form, ODiMO's DIANA model).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/graph/graph.hpp"
#include "tessera/graph/layer_chain.hpp"
#include "tessera/hw/platform.hpp"

namespace tessera::cost::soc {

/// The closed-form cost of a unit (docs/formats.md, "SoC devices", restates each formula).
enum class UnitForm {
  kDianaDigital,  ///< DIANA's digital PE array (pe_channels x pe_columns), ODiMO's model
  kDianaAnalog,   ///< DIANA's analog in-memory array with output unrolling, ODiMO's model
  kPulpCluster,   ///< 8 RISC-V cores running PULP-NN-style kernels (ODiMO's Darkside cluster)
  kDwEngine,      ///< Darkside's depthwise engine: 16 channels at a time (ODiMO's model)
  kMacArray,      ///< a fixed number of MACs per cycle (PULP-NN's measured throughput)
  kCrossbar,      ///< analog crossbars of rows x columns, one evaluation per output pixel
};

[[nodiscard]] std::string_view unit_form_name(UnitForm form);

/// How a layer's energy is counted.
enum class PowerForm {
  kPerUnit,  ///< sum of active power x busy time + idle power x wait, per unit
  kLevels,   ///< two units: both-busy power over the overlap, each one's power alone after
};

/// What a split optimises. Costs are in cycles and mW x cycles.
enum class SplitObjective { kLatency, kEnergy, kWeighted };

[[nodiscard]] std::string_view split_objective_name(SplitObjective objective);

struct Unit {
  std::string name;
  UnitForm form = UnitForm::kMacArray;
  /// Layer kinds it accepts: standard convolutions (groups = 1), depthwise convolutions, fully
  /// connected layers. `kernel` > 0 restricts it to that square kernel.
  bool runs_conv = false;
  bool runs_depthwise = false;
  bool runs_fc = false;
  std::int64_t kernel = 0;
  /// The unit computes its share of a standard convolution (C_in = C) as a depthwise
  /// convolution of the same kernel: ODiMO's Darkside "Conv || DW" search space. It changes
  /// what the network computes, so such channels count against the low-precision budget.
  bool depthwise_substitute = false;
  std::int64_t weight_bits = 8;
  /// Its channels count against the budget on the share of low-precision channels.
  bool low_precision = false;
  double active_power_mw = 0.0;
  double idle_power_mw = 0.0;
  // Form parameters (each form reads its own; docs/formats.md).
  double pe_channels = 16;                ///< diana_digital: output channels per cycle
  double pe_columns = 16;                 ///< diana_digital: output columns per cycle
  double load_store_bytes_per_cycle = 8;  ///< diana_digital: activation load/store
  double rows = 1152;                     ///< diana_analog, crossbar: array rows
  double columns = 512;                   ///< diana_analog, crossbar: array columns
  double eval_ns = 70;                    ///< diana_analog, crossbar: one array evaluation
  double weight_load_cycles = 8;          ///< diana_analog: cycles per weight written
  double input_block = 128;               ///< diana_analog: input channels per evaluation
  double min_input_rows = 64;             ///< diana_analog: input channels the unroll reserves
  std::int64_t max_unroll = 8;            ///< diana_analog: largest output unrolling (power of 2)
  double macs_per_cycle = 0;              ///< mac_array: standard and FC layers
  double depthwise_macs_per_cycle = 0;    ///< mac_array: depthwise layers
  std::int64_t arrays = 1;                ///< crossbar: arrays evaluated in parallel
};

/// An SoC device's parameters, read from its validated `params`.
struct Soc {
  std::string name;
  double clock_hz = 0.0;
  std::vector<Unit> units;
  PowerForm power = PowerForm::kPerUnit;
  double both_busy_power_mw = 0.0;  ///< kLevels: power while both units are busy
  /// The split the cost table uses for this device, and its per-layer budget on the share of a
  /// layer's output channels given to low-precision units (1: no limit).
  SplitObjective objective = SplitObjective::kLatency;
  double low_precision_budget = 1.0;

  [[nodiscard]] static Result<Soc> from_device(const hw::Device& device);
  /// Seconds of `cycles` at the clock; joules of `mw_cycles` (mW x cycles).
  [[nodiscard]] double seconds(double cycles) const { return cycles / clock_hz; }
  [[nodiscard]] double joules(double mw_cycles) const { return mw_cycles * 1e-3 / clock_hz; }
};

/// One convolution or fully connected layer as the units see it (per sample: `batch` samples
/// run one after another). A fully connected layer is a 1x1 convolution on a 1x1 map.
struct LayerShape {
  std::string name;
  std::int64_t batch = 1;
  std::int64_t c_in = 1;
  std::int64_t c_out = 1;
  std::int64_t groups = 1;
  std::int64_t kx = 1;
  std::int64_t ky = 1;
  std::int64_t ox = 1;
  std::int64_t oy = 1;
  bool fc = false;

  [[nodiscard]] bool depthwise() const { return groups > 1 && groups == c_in && c_in == c_out; }
  /// Weights of `c` output channels.
  [[nodiscard]] double weights(std::int64_t c) const {
    return static_cast<double>(c) * static_cast<double>(c_in / groups) *
           static_cast<double>(kx * ky);
  }
};

/// The anchor (convolution or fully connected layer) of a fused layer, or nullopt when the
/// layer has none (its fused operators cost nothing on an SoC). An error for an anchor the SoC
/// kind does not model.
[[nodiscard]] Result<std::optional<LayerShape>> layer_shape(const graph::Graph& graph,
                                                            const graph::Layer& layer);

/// True when `unit` can compute output channels of `layer`.
[[nodiscard]] bool accepts(const Unit& unit, const LayerShape& layer);

/// Cycles `unit` takes for `c` output channels of `layer` (0 for c = 0: an unused unit does not
/// run). Only meaningful when `accepts(unit, layer)`.
[[nodiscard]] double unit_cycles(const Unit& unit, const LayerShape& layer, std::int64_t c,
                                 double clock_hz);

/// True when `unit`'s channels of `layer` count against the low-precision budget: the unit is
/// marked low precision, or it computes the layer's channels as a depthwise substitute.
[[nodiscard]] bool counts_as_low_precision(const Unit& unit, const LayerShape& layer);

/// Output-unrolling factor of DIANA's analog array for `c` channels of `layer`.
[[nodiscard]] std::int64_t analog_unroll(const Unit& unit, const LayerShape& layer, std::int64_t c);

}  // namespace tessera::cost::soc
