#pragma once
/// Compute-in-memory (CIM) crossbar cost model, structured like DNN+NeuroSim V1.4 (inference).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_model.hpp"

namespace tessera::cost {

/// Parameters of one CIM chip, read from `hw::Device::params` (units in the names; the schema,
/// with each parameter's type, unit and range, is made from one table in cim_params.cpp). Defaults
/// are DNN+NeuroSim V1.4's defaults (SRAM, 22 nm, 128x128 subarrays, 1 bit per cell, 8-bit weights
/// and inputs, 5-bit ADC, Rp = 128, 8 columns per ADC) with the physical constants calibrated
/// against the NeuroSim V1.4 VGG8 run in ../shared/data/neurosim/
/// (`vgg8_sram22_adc5_rp128.txt`); see cim_model.cpp for each constant's derivation.
struct CimParams {
  std::string cell = "sram";  ///< memory cell: "sram", "rram" or "fefet"
  /// The global interconnect: "xybus", NeuroSim V1.4's default X-Y bus (globalBusType =
  /// false), or "htree", its H-tree (globalBusType = true).
  std::string interconnect = "xybus";
  double technology_nm = 22.0;
  std::int64_t subarray_rows = 128;  ///< R
  std::int64_t subarray_cols = 128;  ///< C
  std::int64_t cell_bits = 1;
  std::int64_t weight_bits = 8;
  std::int64_t input_bits = 8;       ///< inputs are applied bit-serially
  std::int64_t rows_parallel = 128;  ///< Rp: rows read at once
  std::int64_t cols_per_adc = 8;     ///< column multiplexing
  std::int64_t adc_bits = 5;
  std::int64_t psum_bits = 32;  ///< width of partial sums moved through buffers and interconnect
  /// Floorplan of the chip (fixed at fabrication): conventional-mapping tiles are
  /// cm_tile_size x cm_tile_size cells; novel-mapping tiles hold nm_pes_per_tile PEs of
  /// nm_pe_size x nm_pe_size cells (one PE per kernel position).
  std::int64_t cm_tile_size = 1024;
  std::int64_t nm_pe_size = 512;
  std::int64_t nm_pes_per_tile = 9;
  std::int64_t tiles = 128;  ///< tile capacity of the chip
  /// NeuroSim's pipeline speed-up degree (weight duplication for pipeline balance); 1 turns the
  /// pipeline duplication off (copies that fit the free space of a PE or tile are still made,
  /// as NeuroSim does).
  std::int64_t speedup_degree = 8;
  double input_bit_density = 1.0;  ///< relative to the calibration run's activations
  /// The first layer's input (the image) relative to the others': NeuroSim's traces of a
  /// uniform 8-bit image have 0.50 ones per bit, ReLU outputs 0.166 (make_traces.py).
  double first_layer_bit_density = 3.0;
  /// Param `pipeline` (0 or 1): DNN+NeuroSim V1.4 Param.cpp `pipeline = true` by default, so
  /// successive inferences stream through the layers (each holds its weights in its own tiles)
  /// and the chip's period is its slowest layer; 0 = NeuroSim's layer-by-layer mode. Sets
  /// CostTable::pipelined_layers.
  bool pipeline = true;
  // Memory cell. Zero means the cell's default (see cim_model.cpp): RRAM 100 kOhm / 1.7 MOhm
  // (DNN+NeuroSim V1.4 Param.cpp: on/off 17), FeFET 240 kOhm / 24 MOhm (V1.3 manual Table IV,
  // GF 22 nm FeFET); read voltage: NeuroSim V1.4's fixed read voltage of the node; cell area:
  // SRAM the node's published bitcell, 1T1R RRAM 4 x 12 F², FeFET 4 x 6 F² (F = node).
  double r_on_ohm = 0.0;
  double r_off_ohm = 0.0;
  double read_voltage_v = 0.0;
  double cell_area_f2 = 0.0;
  /// Clock period; 0 = derived: the calibration run's 1.6974 ns scaled to the node and to the
  /// sensing time of the configuration (below).
  double clock_ns = 0.0;
  // Physical constants at NeuroSim V1.4's reference configuration (22 nm, SRAM, 5-bit ADC,
  // Rp = 128), scaled by the laws below; derivations and sources in cim_model.cpp.
  double adc_energy_pj = 0.104;    ///< per column conversion: sense amplifiers (+ SRAM precharge)
  double adc_level_share = 1.0;    ///< part of it proportional to the 2^b - 1 reference levels
  double adc_rp_exponent = 0.010;  ///< per-conversion energy ~ (Rp / 128)^x
  double envm_adc_factor = 0.65;   ///< eNVM sense amplifiers relative to SRAM's (no precharge)
  double cell_read_activity = 0.016;       ///< eNVM: share of the Rp rows driven per read
  double accumulation_energy_pj = 0.0167;  ///< per column-conversion (shift-add, adder trees)
  double accumulation_pass_share = 1.03;   ///< growth per extra read pass (Rp < R)
  double periphery_energy_pj = 0.0173;     ///< per column-conversion (decoders, mux, switch)
  double buffer_energy_pj_per_bit = 0.0025;
  /// NeuroSim V1.4's PE buses (Bus.cpp: each PE's input and output buses across its
  /// subarrays) in PE sides of wire per bit a tile moves, in a conventional and in a
  /// novel-mapped tile (the H-tree and the X-Y bus are NeuroSim's own geometry; cim_model.cpp).
  double cm_pe_bus_sides = 0.87;
  double nm_pe_bus_sides = 3.30;
  /// Leakage of a tile at 22 nm (NeuroSim V1.4 TileCalculatePerformance: its PEs' subarrays,
  /// adders, buffers and H-tree), idle and while its layer computes (its SRAM subarrays in
  /// use leak less), for a 1024 x 1024 conventional and a 9 x 512 x 512 novel tile; other tile
  /// sizes scale with their subarrays.
  double leakage_cm_tile_uw = 14.4;
  double leakage_nm_tile_uw = 42.6;
  double leakage_cm_tile_busy_uw = 3.43;
  double leakage_nm_tile_busy_uw = 7.72;
  /// Area per subarray besides its cells at 22 nm: its share of its tile's circuits (ADCs,
  /// adders, buffers, H-tree, decoders) in a conventional and in a novel-mapped tile, and the
  /// area of one 128 x 128-bit global buffer core (derivations in cim_model.cpp).
  double cm_periphery_area_um2 = 4917.0;
  double nm_periphery_area_um2 = 7023.0;
  double global_buffer_core_area_um2 = 21593.0;
  double envm_periphery_area_um2 = 31180.0;  ///< extra per eNVM subarray (level shifters...)
  double area_pass_share = 0.093;            ///< periphery area growth as Rp falls: x (1 - Rp / R)
  double adc_area_level_share = 0.145;  ///< part of the periphery area proportional to ADC levels
  /// Clock: (1 - s) + s · (128 / Rp)^a · ((2^b - 1) / 31)^c of the reference period, s the
  /// sensing share of the clock at the reference configuration.
  double clock_sense_share = 0.647;
  double clock_rp_exponent = 0.261;
  double clock_level_exponent = 0.380;
  double clock_r_on_exponent = 0.149;  ///< eNVM sensing ~ (R_on / 100 kOhm)^-x
  /// The same laws at FinFET/GAA nodes (14 nm and below), where NeuroSim V1.4's sense
  /// amplifiers get faster and cheaper per conversion as fewer rows are read at once. Signed.
  double finfet_clock_rp_exponent = -0.089;
  double finfet_clock_level_exponent = 0.088;
  double finfet_adc_rp_exponent = 0.230;
  double finfet_adc_level_share = 0.567;

  /// Reads the parameters of `device`, checked against the CIM schema; every problem is
  /// reported (unknown names, unknown cell or interconnect, non-positive geometry, unknown
  /// node), each with the field "device 'NAME' params.KEY".
  [[nodiscard]] static Result<CimParams> from_device(const hw::Device& device);
};

/// A chip's constants at its technology node: CimParams' 22 nm constants scaled by feature size
/// and supply voltage, plus the memory cell's read physics (see cim_model.cpp).
struct CimPhysics {
  double clock_s = 0.0;
  double area_scale = 1.0;  ///< periphery area relative to the reference configuration
  /// Per column conversion (one column, one input bit, one pass over Rp rows): sense
  /// amplifiers plus SRAM precharge or eNVM cell currents.
  double conversion_energy_pj = 0.0;
  double cell_read_energy_pj = 0.0;     ///< the eNVM cell-current part of conversion_energy_pj
  double accumulation_energy_pj = 0.0;  ///< per column-conversion of all passes together
  double periphery_energy_pj = 0.0;
  double buffer_energy_pj_per_bit = 0.0;
  /// NeuroSim's repeated-wire energy per toggling bit and mm at this node.
  double wire_energy_pj_per_bit_mm = 0.0;
  /// A subarray's share of a conventional and of a novel-mapped tile's own floorplan (cells and
  /// the tile's periphery, without its share of the chip's global circuits): the wires' pitch.
  double cm_tile_subarray_um2 = 0.0;
  double nm_tile_subarray_um2 = 0.0;
  /// Feature size and the delay per mm of repeated wires 1x, 2x and 4x the minimum width.
  double feature_nm = 22.0;
  std::array<double, 3> wire_ns_per_mm{};
  /// Leakage of a conventional and a novel-mapped tile, idle and while computing.
  double leakage_cm_tile_uw = 0.0;
  double leakage_nm_tile_uw = 0.0;
  double leakage_cm_tile_busy_uw = 0.0;
  double leakage_nm_tile_busy_uw = 0.0;
  double cell_area_um2 = 0.0;
  double subarray_area_um2 = 0.0;     ///< cells plus its share of a novel-mapped tile's periphery
  double cm_subarray_area_um2 = 0.0;  ///< the same in a conventional tile
  double global_buffer_core_area_um2 = 0.0;
};

/// Technology nodes CimModel knows (nm): DNN+NeuroSim V1.4's list.
[[nodiscard]] bool is_known_cim_node(double technology_nm);

/// Where a chip lies outside what CimModel was checked on against NeuroSim V1.4
/// (docs/results.md): empty inside; otherwise what lies outside, for estimates to show.
/// Subarrays other than 128 x 128 (two NeuroSim runs put CimModel's energy 21-26% and its clock
/// up to 17% off) and FeFET cells (no run) are outside.
[[nodiscard]] std::string cim_calibration_gap(const CimParams& p);

/// The constants of `p` at its node; `p` must have passed CimParams::from_device.
[[nodiscard]] CimPhysics cim_physics(const CimParams& p);

/// How one weight layer maps onto the chip.
struct CimMapping {
  bool novel = false;     ///< NeuroSim's novel mapping (one PE per kernel position)
  std::int64_t rows = 0;  ///< Cin/groups · K²
  std::int64_t cols = 0;  ///< Cout/groups · ceil(weight bits / cell bits)
  std::int64_t groups = 1;
  std::int64_t row_partitions = 0;  ///< subarrays along the rows of one copy
  std::int64_t col_partitions = 0;  ///< subarrays along the columns of one copy
  std::int64_t subarrays_per_copy = 0;
  std::int64_t subarrays_per_tile = 0;
  /// Tiles (novel: PEs of a tile's width) one copy of one group spans along the rows and the
  /// columns: one per block of the weight matrix, as NeuroSim's tile loop runs.
  std::int64_t block_rows = 0;
  std::int64_t block_cols = 0;
  std::int64_t speedup = 1;  ///< weight copies (NeuroSim "speed-up")
  std::int64_t tiles = 0;
};

/// Shape of a weight layer as NeuroSim sees it.
struct CimLayerShape {
  std::int64_t in_size = 1;  ///< input feature map side (1 for fully connected layers)
  std::int64_t in_channels = 1;
  std::int64_t kernel = 1;
  std::int64_t out_channels = 1;
  std::int64_t groups = 1;
  double positions = 1.0;  ///< output positions per inference (whole batch)
  /// Positions the operations are counted on (whole batch): the output positions, or with
  /// NeuroSim's conventions a convolution's input map (its TOPS/W counts 2·H·W·Cin·K²·Cout).
  double input_positions = 1.0;
};

/// One layer's share of the chip's leakage: its time, its tiles' leakage power, idle and
/// while it computes (CimModel's parts `leakage_w` and `leakage_busy_w`), and its tiles.
struct CimLayerLeakage {
  double time_s = 0.0;
  double idle_w = 0.0;
  double busy_w = 0.0;
  double tiles = 0.0;
};

/// The chip's leakage over one inference, as NeuroSim V1.4's main.cpp charges it. Pipelined,
/// every tile leaks for the period T (the slowest layer), busy for its own layer's time t and
/// idle the rest: P = Σ idle·(1 − t/T) + busy·t/T, E = P·T. Layer by layer, while layer i runs
/// its tiles leak busy and every other tile idle: E = Σ_i t_i·(busy_i + Σ_{j≠i} idle_j), over
/// the latency sum. NeuroSim itself charges those other tiles at the running layer's own rate
/// per tile (main.cpp: numTileOtherLayer × tileLeakage of layer i), E = Σ_i t_i·(busy_i +
/// (N − n_i)·idle_i / n_i) over N tiles; `neurosim_conventions` follows it.
struct CimLeakage {
  double power_w = 0.0;
  double energy_j = 0.0;
};
[[nodiscard]] CimLeakage cim_chip_leakage(const std::vector<CimLayerLeakage>& layers,
                                          bool pipelined, bool neurosim_conventions = false);

/// Mapping arithmetic. `pipeline_speedup` is NeuroSim's ceil((IFM/bound)²) for this layer; the
/// layer's speed-up is max(pipeline, copies that fit in the free space of its PE or tile).
[[nodiscard]] CimMapping map_cim_layer(const CimParams& p, const CimLayerShape& shape,
                                       std::int64_t pipeline_speedup);

struct CimOptions {
  /// NeuroSim's counting: output positions without padding ((H − K + 1)/s)².
  bool neurosim_conventions = false;
};

/// NeuroSim-class CIM model. A layer's cost: OpCost.memory = tiles used (the CIM kind's
/// capacity unit), time = ADC + accumulation + buffer + interconnect latency, energy =
/// ADC + accumulation + periphery + buffer + interconnect (leakage and area in `parts`).
class CimModel final : public CostModel {
 public:
  explicit CimModel(CimOptions options = {}) : options_(options) {}
  [[nodiscard]] std::string_view name() const noexcept override { return "cim"; }

 private:
  [[nodiscard]] bool do_supports(const graph::Op& op,
                                 const hw::Device& device) const noexcept override;
  [[nodiscard]] bool do_supports_in(const graph::Graph& graph, const graph::Op& op,
                                    const hw::Device& device) const noexcept override;
  [[nodiscard]] OpCost do_estimate(const graph::Graph& graph, const graph::Op& op,
                                   const hw::Device& device,
                                   std::int64_t fused_bytes_saved) const override;
  [[nodiscard]] Result<OpCost> do_estimate_layer(const graph::Graph& graph,
                                                 const graph::Layer& layer,
                                                 const hw::Device& device) const override;
  /// One operator on a chip with parameters `p` (read once per layer).
  /// `pooled`: the layer's outputs are pooled (NeuroSim writes back a quarter of them).
  [[nodiscard]] OpCost estimate_op(const graph::Graph& graph, const graph::Op& op,
                                   const CimParams& p, bool pooled) const;

  CimOptions options_;
};

}  // namespace tessera::cost
