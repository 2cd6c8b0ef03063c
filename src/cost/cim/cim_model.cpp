#include "tessera/cost/cim/cim_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>

namespace tessera::cost {

// Calibration (docs/results.md, "CIM model vs NeuroSim"). Every default in CimParams comes from
// DNN+NeuroSim V1.4 (Param.cpp defaults: SRAM, 22 nm, 128x128, cellBit 1, 8-bit weights and
// inputs, 5-bit ADC, parallel read of all 128 rows, numColMuxed 8, pipeline on, speedUpDegree 8)
// or from its VGG8 run in ../shared/data/neurosim/vgg8_sram22_adc5_rp128.txt:
// - clock 1.6974 ns at 22 nm: "Chip clock period is: 1.6974ns".
// - ADC latency: layer k's ADC readLatency / clock = positions / speed-up x 8 input bits x 8
//   columns per ADC (layer 1: 6110.66 ns / 1.6974 ns = 3600 = 900 / 16 x 64), exactly; with
//   Rp < R every column is read ceil(R / Rp) times.
// - adc_energy_pj 0.104 at 5 bits: ADC readDynamicEnergy / (positions x input bits x used
//   columns x row partitions); layers 2-7 give 0.104-0.105 pJ (layer 2: 6.91682e6 pJ /
//   66.36e6).
// - accumulation_energy_pj 0.0167 and periphery_energy_pj 0.0173: the "Accumulation" and the
//   "Other peripheries" minus buffer and IC energies over the same count (0.0166-0.0168 and
//   0.0164-0.0174 for layers 1-7); they act on whole subarray widths (layer 8: 80 of 128
//   columns used, costs as 128).
// - Interconnect energy: NeuroSim's law (Chip.cpp ChipCalculatePerformance, Tile.cpp,
//   XYBus.cpp, HTree.cpp, Bus.cpp): the node's repeated-wire energy per bit and mm (its
//   unitLengthEnergyRep, 0.0970 pJ at 22 nm: kNodes), inputs toggling at 0.18 and outputs at
//   0.5 (Param.cpp inputtoggle, outputtoggle), over each tile's H-tree from its root to a PE (2
//   PE sides in a conventional tile, 5 in a novel one: HTree::CalculatePower) for the bits that
//   tile moves (one tile per block of the weight matrix: the copies made for speed-up add none)
//   and over the global X-Y bus (inputs along half the grid's columns, outputs down the rows
//   below the middle, a novel-mapped layer's inputs / K), on the tiles' own floorplan. Fitted:
//   the PEs' buses (Bus.cpp), cm_pe_bus_sides 0.87 and nm_pe_bus_sides 3.30 PE sides per bit the
//   tile moves, least squares of the relative error of every layer's interconnect energy in the
//   22 nm runs (VGG8, ResNet-18/20/50, DenseNet-40, SRAM and RRAM) with the rest fixed; with
//   them free, the X-Y bus's fitted factor is 1.016 of NeuroSim's wire energy.
// - buffer and interconnect latency: NeuroSim's own laws, restated in estimate_op from its
//   Tile.cpp and Chip.cpp (tile buffers and H-tree, global buffer and X-Y bus, sized by the
//   whole network); nothing fitted (the wire delays per node are NeuroSim's, kNodes).
// - buffer_energy_pj_per_bit 0.0025: buffer readDynamicEnergy is 0.5% of the total (187013 pJ
//   of 34.756 uJ); 0.0025 pJ/bit over the bits buffered matches that total.
// - leakage per tile type, idle and busy (CimParams::leakage_*_tile_*), read from NeuroSim's
//   tileLeakage and tileLeakageSRAMInUse on VGG8, ResNet-18 and ResNet-20 (conventional
//   1024 x 1024 tiles 13.3-15.5 uW idle, 3.43 busy; novel 9 x 512 x 512 tiles 40.1-45.1 idle,
//   7.72 busy), combined over an inference as main.cpp does (cim_chip_leakage).
// - Area (NeuroSim's ChipCalculateArea: every tile, the global buffer's cores and the global
//   bus and units): the three 22 nm runs (VGG8 80.06 mm^2: 67 conventional and 36 novel
//   tiles, 71 buffer cores; ResNet-18 101.88: 23, 60, 533; ResNet-50 231.14: 211, 59, 2604)
//   give a conventional 1024 x 1024 tile 0.4568 mm^2, a novel 9 x 512 x 512 tile 1.331 mm^2 and
//   a 128 x 128-bit buffer core 0.02159 mm^2 exactly (three equations, three unknowns; the
//   buffer holds input bits x Σ H·W·Cin / 2). Per subarray: 7137 and 9243 um^2, of which the
//   cells are 2220 um^2 (128 x 128 cells of 0.1355 um^2 = 280 F² at 22 nm: "Chip total CIM
//   array" / subarrays in all three runs) and the rest (cm/nm_periphery_area_um2: 4917 and
//   7023) the subarray's share of its tile's other circuits. By component the reports agree:
//   ADC 1624 um^2 per subarray in all three, tile interconnect 0.020 mm^2 per conventional and
//   0.310 per novel tile, "other peripheries" growing with the buffer cores.
//
// Other configurations: 28 further NeuroSim V1.4 runs of VGG8 (tests/data/neurosim/, README
// there), each changing the reference in one or two parameters; the laws below carry the
// reference constants to them and were fitted to the 22 nm runs (least squares of log errors of
// clock, area, period, latency, dynamic and leakage energy, and per-layer latency and energy):
// - Read passes: with Rp < R every column is read ceil(R / Rp) times: ADC cycles and
//   conversions multiply; the conversion energy changes as (Rp / 128)^0.010 (fewer rows, smaller
//   currents); accumulation grows by 1.03x per extra pass; buffers, interconnect and the other
//   periphery do not change; the periphery area grows by 9.3% x (1 - Rp / R) (partial-sum
//   registers).
// - ADC resolution: NeuroSim's multilevel sense amplifier compares against 2^b - 1 references;
//   its energy per conversion is proportional to them (share 1.0 fitted: 4 bits cost 0.577x 5
//   bits at Rp = 64, 15/31 = 0.48 plus the clock's change), 14.5% of the periphery area is, and
//   the accumulation width follows b + 3 bits. At FinFET nodes the share is 0.567 (5 nm: 4 bits
//   cost 0.71x 5 bits at Rp = 64), checked on 4-bit runs at 5 and 7 nm with Rp = 128.
// - Clock: NeuroSim's synchronous clock is its slowest sensing path. 64.7% of the reference
//   period is sensing, which grows as (128 / Rp)^0.261 (a larger reference resistance),
//   ((2^b - 1) / 31)^0.380 (comparators loading the column) and, for eNVM, (R_on / 100
//   kOhm)^-0.149 (its current-mode sense amplifier settles more slowly at low resistance):
//   Rp 64: 1.874 ns, 4 bits at Rp 64: 1.613 ns, RRAM 10 kOhm: 2.114 ns in NeuroSim.
// - eNVM cells (RRAM, FeFET): 1T1R cells of 48 F² (NeuroSim V1.4 Param.cpp: 4 x 12 F²), FeFET
//   24 F²; 31180 um^2 more periphery per subarray (level shifters for 2 V writes, reference
//   columns, larger access devices): (357.963 - 3.605) mm^2 / 9472 - 6232 (the SRAM chip's mean
//   periphery per subarray) in the RRAM run. The
//   sense amplifiers cost 0.65x SRAM's (no precharge) plus the cell currents: driven rows x
//   0.016 x mean of 1/R_on and 1/R_off x read voltage² x one clock (0.016 = the share of the Rp
//   rows whose current NeuroSim integrates, fitted on the 100 kOhm and 10 kOhm runs: 10 kOhm
//   costs 1.57x the ADC energy). Its larger tiles lengthen the wires (the tile floorplan,
//   kTilePeripheryShare), and with them the interconnect's energy and cycles.
// - Technology nodes: per-circuit factors measured with NeuroSim at each node (table below).
// Result (docs/results.md): the 22 nm runs within -9..+8% on clock, area, period, latency and
// dynamic energy; the other nodes, and the 5 and 1 nm runs with Rp 64 and 32 that took no part
// in the fit, within the figures tests/unit/cost/cim/cim_neurosim_runs_test.cpp asserts.

namespace {

using graph::OpKind;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

/// Index of the operand the arrays hold: for Conv its W (input 1); for Gemm and MatMul the
/// matrix operand among the first two (Gemm's B, or either MatMul operand), never Gemm's bias C
/// (Y = A·B + C adds C in the periphery). Nullopt when the op has no weight matrix.
std::optional<std::size_t> weight_matrix(const graph::Graph& graph, const graph::Op& op) {
  const std::size_t operands = std::min<std::size_t>(op.inputs.size(), 2);
  for (std::size_t i = operands; i-- > 0;) {
    const auto& t = graph.tensor(op.inputs[i]);
    if (t.is_weight && t.shape.size() >= 2) return i;
  }
  return std::nullopt;
}

/// Operators run by the digital periphery next to the arrays (NeuroSim's pooling and
/// activation units, and shape-only operators that move no data).
bool is_periphery_op(OpKind k) {
  switch (k) {
    case OpKind::kBatchNorm:  // folded into the weights
    case OpKind::kRelu:
    case OpKind::kClip:
    case OpKind::kSigmoid:
    case OpKind::kHardSigmoid:
    case OpKind::kHardSwish:
    case OpKind::kTanh:
    case OpKind::kIdentity:
    case OpKind::kDropout:
    case OpKind::kAdd:
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
    case OpKind::kGlobalAveragePool:
    case OpKind::kFlatten:
    case OpKind::kReshape:
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
    // Around transformer projections (NeuroSim has no such units; costed like its activation
    // units, one periphery operation per output element and input bit): layer normalization
    // and GELU, whole or as exporters decompose them (Erf, Sqrt, Pow, Sub, Mul, Div,
    // ReduceMean), and the head split, slices and transposes that only move the outputs.
    case OpKind::kLayerNorm:
    case OpKind::kGelu:
    case OpKind::kErf:
    case OpKind::kSqrt:
    case OpKind::kPow:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
    case OpKind::kReduceMean:
    case OpKind::kCast:
    case OpKind::kSplit:
    case OpKind::kSlice:
    case OpKind::kTranspose:
    case OpKind::kConcat:
    case OpKind::kExpand:
    case OpKind::kGather:
      return true;
    default:
      return false;
  }
}

bool is_weight_anchor(OpKind k) {
  return k == OpKind::kConv || k == OpKind::kGemm || k == OpKind::kMatMul;
}

/// The op's layer shape in NeuroSim's terms.
CimLayerShape layer_shape(const graph::Graph& graph, const graph::Op& op, bool neurosim) {
  CimLayerShape s;
  const auto& x = graph.tensor(op.inputs.at(0)).shape;
  const auto& y = graph.tensor(op.outputs.at(0)).shape;
  const std::int64_t batch = x.empty() ? 1 : x[0];
  if (op.kind == OpKind::kConv) {
    const auto& w = graph.tensor(op.inputs.at(1)).shape;
    s.in_channels = x.size() > 1 ? x[1] : 1;
    s.in_size = x.size() > 2 ? x[2] : 1;
    s.kernel = w.size() > 2 ? w[2] : 1;
    s.out_channels = w.empty() ? 1 : w[0];
    s.groups = std::max<std::int64_t>(op.attrs.groups, 1);
    double positions = 1.0;
    if (neurosim) {
      const std::int64_t stride = op.attrs.strides.empty() ? 1 : op.attrs.strides[0];
      for (std::size_t a = 2; a < x.size() && a < w.size(); ++a) {
        // NeuroSim counts output positions in integer arithmetic: (in - kernel + 1) / stride,
        // rounded down.
        const std::int64_t along = std::max<std::int64_t>(x[a] - w[a] + 1, 1) / stride;
        positions *= static_cast<double>(along);
      }
    } else {
      for (std::size_t a = 2; a < y.size(); ++a) positions *= static_cast<double>(y[a]);
    }
    s.positions = positions * static_cast<double>(batch);
    // NeuroSim counts a convolution's operations on its input map (main.cpp, numComputation:
    // 2·H·W·Cin·K²·Cout), whatever the stride.
    double input_positions = 1.0;
    for (std::size_t a = 2; a < x.size(); ++a) input_positions *= static_cast<double>(x[a]);
    s.input_positions = neurosim ? input_positions * static_cast<double>(batch) : s.positions;
    return s;
  }
  // Gemm / MatMul with a weight matrix (the caller checked there is one): rows of the input
  // are independent positions.
  const std::size_t wi = weight_matrix(graph, op).value_or(1);
  const auto& w = graph.tensor(op.inputs[wi]).shape;
  const std::size_t r = w.size();
  // Weight on the right (X·W, or X·Wᵀ with transB): K x N, or N x K transposed. On the left
  // (W·X, MatMul only): M x K, M outputs per position.
  const bool right = wi == 1;
  const bool trans = op.kind == OpKind::kGemm && (right ? op.attrs.trans_b : op.attrs.trans_a);
  const bool k_last = right ? trans : !trans;
  s.in_channels = k_last ? w[r - 1] : w[r - 2];
  s.out_channels = k_last ? w[r - 2] : w[r - 1];
  const double outputs = static_cast<double>(graph::element_count(y));
  s.positions = outputs / static_cast<double>(std::max<std::int64_t>(s.out_channels, 1));
  s.input_positions = s.positions;
  return s;
}

/// NeuroSim's pipeline speed-up of a layer with input side `in_size` (Chip.cpp,
/// ChipDesignInitialize): bound = ceil(maxIFM / min(degree, maxIFM / minIFM)), speed-up =
/// ceil(((IFM / bound) integer-divided)²); maxIFM is the first layer's, minIFM the smallest of
/// the layers with a kernel larger than 1.
std::int64_t pipeline_speedup(const graph::Graph& graph, const CimParams& p, std::int64_t in_size) {
  std::int64_t max_ifm = 0;
  std::int64_t min_ifm = std::numeric_limits<std::int64_t>::max();
  for (const auto& op : graph.ops()) {
    if (op.kind != OpKind::kConv || op.inputs.size() < 2) continue;
    const auto& x = graph.tensor(op.inputs[0]).shape;
    const auto& w = graph.tensor(op.inputs[1]).shape;
    if (x.size() < 3 || w.size() < 3) continue;
    if (max_ifm == 0) max_ifm = x[2];
    if (w[2] != 1) min_ifm = std::min(min_ifm, x[2]);
  }
  if (max_ifm == 0 || min_ifm == std::numeric_limits<std::int64_t>::max() ||
      p.speedup_degree <= 1) {
    return 1;
  }
  const std::int64_t degree = std::max<std::int64_t>(
      std::min<std::int64_t>(p.speedup_degree, max_ifm / std::max<std::int64_t>(min_ifm, 1)), 1);
  const std::int64_t bound = ceil_div(max_ifm, degree);
  const std::int64_t r = in_size / bound;
  return r * r;
}

double activation_elements(const graph::Graph& graph, const graph::Op& op) {
  double n = 0.0;
  for (auto t : op.outputs) n += static_cast<double>(graph::element_count(graph.tensor(t).shape));
  return n;
}

/// The tile grid and global buffer NeuroSim sizes from the whole network (Chip.cpp,
/// ChipInitialize, pipelined): `tiles` in all, laid out in ceil(sqrt(tiles)) rows; the global
/// bus is every tile's port width (a conventional tile: T + T / columns-per-ADC bits; a novel
/// tile: P·ceil(sqrt(PEs)) + that / columns-per-ADC), halved until it is at most 2048 bits
/// (maxGlobalBusWidth); the global buffer holds half of every layer's input map,
/// input bits · Σ H·W·Cin / 2, in register-file cores of 128 x 128 bits
/// (globalBufferCoreSizeRow/Col), read 128 bits a cycle each, as many in parallel as the bus
/// carries: min(cores, ceil(bus / 128)).
struct ChipContext {
  double tiles = 0.0;
  double grid_rows = 1.0;
  double grid_cols = 1.0;
  double bus_bits = 128.0;
  double buffer_ports = 1.0;
  double buffer_cores = 1.0;
  double input_maps = 0.0;  ///< Σ H·W·Cin over the weight layers
};

/// One technology node: the published SRAM bitcell (280 F² for the 8T cell NeuroSim V1.4 uses
/// down to 22 nm; Samsung 14 nm 0.064 um², TSMC 10 nm 0.040, TSMC 7 nm 0.027 (IEDM 2016), IRDS
/// 5/3/2/1 nm, as NeuroSim V1.4's Param.cpp sizes its cells), NeuroSim V1.4's fixed eNVM read
/// voltage of the node, and the node's circuits relative to 22 nm, each measured with DNN+NeuroSim
/// V1.4 itself (its PTM/IRDS device models) on VGG8 at the reference configuration (SRAM, 5-bit
/// ADC, Rp = 128, 8 columns per ADC): the reports are tests/data/neurosim/vgg8_sram<node>_adc5_
/// rp128.txt (README.md there says how they were made);
/// tests/unit/cost/cim/cim_neurosim_runs_test.cpp checks the model against each of them (the clock
/// column to 0.1%). Columns: clock period, periphery area, ADC energy, accumulation energy, other
/// periphery energy (decoders, muxes, switch matrices, pooling and activation units), buffer
/// energy, NeuroSim's repeated-wire energy per bit and mm (XYBus.cpp and HTree.cpp:
/// unitLengthEnergyRep, (C_in + C_out + c d) Vdd^2 / d / 2, evaluated by NeuroSim V1.4's own
/// code at each node), leakage power, and the delay per mm of NeuroSim's repeated wires
/// (HTree.cpp and XYBus.cpp: unitLatencyRep, 0.7 (R_rep (C_in + C_out + c d) + 0.54 r c d^2 +
/// r d C_in) / d over the repeater spacing d, repeaters sized for the optimum relaxed by the bus
/// delay tolerance of 0.1; r from GetUnitLengthRes, which draws a wire of 10^4 feature sizes or
/// more twice the minimum width and one of 10^5 or more four times), evaluated by NeuroSim V1.4's
/// own code at each node for the three widths; its VGG8 runs' bus delays (0.5912 ns/mm at 5 nm,
/// 1.0105 at 1 nm) and tile H-trees (0.6308 at 5 nm) are these values.
struct Node {
  double nm;
  double sram_cell_um2;
  double read_voltage_v;
  double clock;
  double periphery_area;
  double adc_energy;
  double accumulation_energy;
  double periphery_energy;
  double buffer_energy;
  double wire_energy_pj_per_bit_mm;
  double leakage;
  /// A subarray's share of a conventional and of a novel-mapped tile's own periphery
  /// (kTilePeripheryShare), relative to 22 nm.
  double tile_periphery_cm;
  double tile_periphery_nm;
  /// Growth of a tile's own periphery with partial-parallel reads: this share times
  /// (1 - passes^-kTilePassExponent) (+8.6% at Rp = R/2 and +11.2% at R/4 at 22 nm, +1.9% and
  /// +3.0% at 1 nm).
  double tile_pass_share;
  /// Repeated-wire delay per mm, ns, of wires 1x, 2x and 4x the minimum width.
  std::array<double, 3> wire_ns_per_mm;
};
// clang-format off
constexpr std::array<Node, 13> kNodes = {{
    {130, 280 * 0.130 * 0.130, 0.58, 19.0068, 38.0488, 16.2436,
     30.5962, 53.4243, 31.2137, 0.2322, 9.0076,
     38.0118, 37.9228, 0.1370, {0.2045, 0.1567, 0.1447}},
    {90, 280 * 0.090 * 0.090, 0.58, 13.1808, 16.8912, 8.3663,
     15.2759, 20.1917, 15.2252, 0.1964, 5.5607,
     16.9189, 16.8945, 0.1382, {0.2947, 0.2242, 0.2086}},
    {65, 280 * 0.065 * 0.065, 0.55, 9.3310, 9.4980, 4.5357,
     7.9801, 12.4194, 7.9804, 0.1656, 3.7564,
     9.4100, 9.4404, 0.1370, {0.2437, 0.1854, 0.1714}},
    {45, 280 * 0.045 * 0.045, 0.51, 5.8580, 4.4555, 2.3273,
     3.8558, 5.4410, 3.9051, 0.1356, 2.4395,
     4.4325, 4.4379, 0.1367, {0.2550, 0.1936, 0.1782}},
    {32, 280 * 0.032 * 0.032, 0.51, 3.8037, 2.1731, 1.3392,
     1.9176, 2.3158, 1.9291, 0.1101, 1.5531,
     2.1655, 2.1685, 0.1343, {0.2916, 0.2194, 0.2023}},
    {22, 280 * 0.022 * 0.022, 0.55, 1.0000, 1.0000, 1.0000,
     1.0000, 1.0000, 1.0000, 0.0970, 1.0000,
     1.0000, 1.0000, 0.1349, {0.3178, 0.2369, 0.2194}},
    {14, 0.0640, 0.277, 0.9348, 0.7871, 0.6009,
     0.6280, 0.9149, 0.7878, 0.0888, 1.8131,
     0.8116, 0.7933, 0.1511, {0.4008, 0.3090, 0.2887}},
    {10, 0.0400, 0.28, 0.8604, 0.3576, 0.4719,
     0.5175, 0.7339, 0.6530, 0.0786, 1.9171,
     0.3724, 0.3589, 0.1718, {0.5753, 0.4359, 0.4091}},
    {7, 0.0270, 0.264, 0.8461, 0.2611, 0.3983,
     0.4579, 0.6302, 0.5710, 0.0671, 2.0274,
     0.2747, 0.2609, 0.1392, {0.6402, 0.4917, 0.4651}},
    {5, 0.0210, 0.253, 0.7793, 0.1747, 0.3270,
     0.3712, 0.5046, 0.4646, 0.0680, 1.9176,
     0.1857, 0.1747, 0.1349, {0.8273, 0.6308, 0.5912}},
    {3, 0.0184, 0.248, 0.7566, 0.1302, 0.2923,
     0.3281, 0.4898, 0.4090, 0.0676, 1.9574,
     0.1399, 0.1303, 0.1253, {1.0463, 0.7958, 0.7545}},
    {2, 0.0202, 0.28, 0.7490, 0.1340, 0.2454,
     0.1704, 0.2926, 0.2027, 0.0579, 1.4446,
     0.1467, 0.1340, 0.0978, {1.1791, 0.9889, 0.9414}},
    {1, 0.0115, 0.272, 0.7080, 0.1079, 0.1801,
     0.1475, 0.2388, 0.1861, 0.0491, 2.0689,
     0.1214, 0.1082, 0.0349, {1.3841, 1.0877, 1.0105}},
}};
// clang-format on
/// A tile's own floorplan. NeuroSim V1.4 lays each tile out as a square of its PEs, buffers,
/// accumulation units and H-tree (Tile.cpp TileCalculateArea: height = sqrt(area)), and that
/// side sets the length of every wire in and between tiles. CimParams' per-subarray areas also
/// carry the tile's share of the chip's global circuits (the chip area needs them, the wires do
/// not). Measured with NeuroSim V1.4 itself on a three-layer network at every node, ADC
/// resolution from 3 to 7 bits and Rp of 128, 64 and 32 (tests/data/neurosim/tile_sides.txt,
/// README.md there): at 22 nm, SRAM, 5-bit ADC and Rp = R, a subarray's share of its tile's
/// own periphery is 0.9973 of cm_periphery_area_um2 in a conventional 1024 x 1024 tile (4903.7
/// um^2) and 0.8689 of nm_periphery_area_um2 in a novel 9 x 512 x 512 one (6102.1 um^2); an
/// RRAM subarray adds 0.9585 and 1.0023 of envm_periphery_area_um2. Other nodes scale them by
/// Node::tile_periphery_cm / _nm.
constexpr std::array<double, 2> kTilePeripheryShare = {0.9973, 0.8689};
constexpr std::array<double, 2> kTileEnvmPeripheryShare = {0.9585, 1.0023};
/// The tile periphery's growth with the ADC's resolution, 3 to 7 bits, relative to 5 bits (both
/// tile kinds alike within 1.5%), at planar and at FinFET nodes; the growth with
/// partial-parallel reads is Node::tile_pass_share (1 - passes^-kTilePassExponent).
constexpr std::array<double, 5> kTileAdcTermPlanar = {-0.2049, -0.1157, 0.0, 0.1507, 0.5697};
constexpr std::array<double, 5> kTileAdcTermFinfet = {-0.2383, -0.1586, 0.0, 0.2232, 0.7063};
constexpr double kTilePassExponent = 1.2735;

/// kTileAdcTerm* at `bits`; beyond 3-7 bits, on along the nearest measured segment, linear in
/// the comparator count 2^bits - 1.
double tile_adc_term(std::int64_t bits, bool finfet) {
  const auto& term = finfet ? kTileAdcTermFinfet : kTileAdcTermPlanar;
  if (bits >= 3 && bits <= 7) return term[static_cast<std::size_t>(bits - 3)];
  auto comparators = [](double b) { return std::pow(2.0, b) - 1.0; };
  const std::size_t i = bits < 3 ? 0 : 3;
  const double b0 = 3.0 + static_cast<double>(i);
  const double slope = (term[i + 1] - term[i]) / (comparators(b0 + 1.0) - comparators(b0));
  return term[i] + slope * (comparators(static_cast<double>(bits)) - comparators(b0));
}

/// The calibration run's clock: "Chip clock period is: 1.6974ns".
constexpr double kReferenceClockNs = 1.6974;

const Node* find_node(double nm) {
  for (const auto& n : kNodes) {
    if (std::abs(n.nm - nm) < 1e-9) return &n;
  }
  return nullptr;
}

/// Delay of a repeated wire `length_mm` long, drawn at the width NeuroSim gives a wire
/// `class_mm` long (HTree.cpp/XYBus.cpp GetUnitLengthRes; a bus's width follows its whole run).
double wire_delay_ns(const CimPhysics& ph, double length_mm, double class_mm) {
  const double features = class_mm * 1e6 / ph.feature_nm;
  const std::size_t width = features >= 1e5 ? 2 : (features >= 1e4 ? 1 : 0);
  return length_mm * ph.wire_ns_per_mm[width];
}

/// An H-tree over 2^levels x 2^levels units of side `unit_mm` (HTree.cpp, root to leaf):
/// CalculateLatency crosses `levels` vertical and horizontal stages of 2^(levels-1), ..., 1
/// units, each as wide as its length makes it, and a main bus of 2^(levels-1) units at the last
/// stage's width; CalculatePower charges stages of half those lengths and the same main bus.
double root_leaf_delay_ns(const CimPhysics& ph, double levels, double unit_mm) {
  double ns = wire_delay_ns(ph, std::pow(2.0, levels - 1.0) * unit_mm, unit_mm);
  for (double k = 0.0; k < levels; k += 1.0) {
    const double stage_mm = std::pow(2.0, k) * unit_mm;
    ns += 2.0 * wire_delay_ns(ph, stage_mm, stage_mm);
  }
  return ns;
}
double root_leaf_energy_mm(double levels, double unit_mm) {
  return ((std::pow(2.0, levels) - 1.0) + std::pow(2.0, levels - 1.0)) * unit_mm;
}

/// NeuroSim's toggle rates (Param.cpp inputtoggle, outputtoggle): the share of bits that switch
/// on a wire, inputs and outputs.
constexpr double kInputToggle = 0.18;
constexpr double kOutputToggle = 0.5;

}  // namespace

CimLeakage cim_chip_leakage(const std::vector<CimLayerLeakage>& layers, bool pipelined,
                            bool neurosim_conventions) {
  CimLeakage out;
  double period = 0.0;
  double latency = 0.0;
  double idle_all = 0.0;
  double tiles_all = 0.0;
  for (const auto& l : layers) {
    period = std::max(period, l.time_s);
    latency += l.time_s;
    idle_all += l.idle_w;
    tiles_all += l.tiles;
  }
  if (pipelined) {
    if (period <= 0.0) return out;
    for (const auto& l : layers) {
      const double busy = l.time_s / period;
      out.power_w += l.idle_w * (1.0 - busy) + l.busy_w * busy;
    }
    out.energy_j = out.power_w * period;
    return out;
  }
  for (const auto& l : layers) {
    const double others_w = neurosim_conventions && l.tiles > 0.0
                                ? (tiles_all - l.tiles) * l.idle_w / l.tiles
                                : idle_all - l.idle_w;
    out.energy_j += l.time_s * (l.busy_w + others_w);
  }
  out.power_w = latency > 0.0 ? out.energy_j / latency : 0.0;
  return out;
}

bool is_known_cim_node(double technology_nm) {
  return find_node(technology_nm) != nullptr;
}

std::string cim_calibration_gap(const CimParams& p) {
  std::string gap;
  auto add = [&](const std::string& what) { gap += (gap.empty() ? "" : "; ") + what; };
  if (p.subarray_rows != 128 || p.subarray_cols != 128) {
    add(std::to_string(p.subarray_rows) + " x " + std::to_string(p.subarray_cols) +
        " subarrays (calibrated on 128 x 128)");
  }
  if (p.cell == "fefet") add("FeFET cells (no NeuroSim run)");
  return gap;
}

CimPhysics cim_physics(const CimParams& p) {
  const Node& node = *find_node(p.technology_nm);
  CimPhysics ph;
  const bool envm = p.cell != "sram";
  const double rows = static_cast<double>(p.subarray_rows);
  const double cols = static_cast<double>(p.subarray_cols);
  const double rp = static_cast<double>(std::min(p.rows_parallel, p.subarray_rows));
  const double passes = std::ceil(rows / rp);
  // A multilevel sense amplifier compares against 2^b - 1 references (31 at the reference).
  const double levels = (std::pow(2.0, static_cast<double>(p.adc_bits)) - 1.0) / 31.0;

  // Clock: NeuroSim's synchronous clock is its slowest sensing path; sensing slows down as
  // fewer rows drive the bit line (a larger reference resistance) and as more comparators load
  // it.
  const double r_on = p.r_on_ohm > 0.0 ? p.r_on_ohm : (p.cell == "rram" ? 100e3 : 240e3);
  const double r_off = p.r_off_ohm > 0.0 ? p.r_off_ohm : (p.cell == "rram" ? 1.7e6 : 24e6);
  // eNVM sensing also depends on the cell: a low on-resistance settles more slowly in the
  // current-mode sense amplifier (NeuroSim's latency fit is logarithmic there).
  const double cell_sense = envm ? std::pow(r_on / 100e3, -p.clock_r_on_exponent) : 1.0;
  // NeuroSim V1.4 models FinFET and GAA nodes (14 nm and below) with their own sense-amplifier
  // fits, in which fewer parallel rows sense faster, not slower: separate exponents.
  const bool finfet = p.technology_nm <= 14.0;
  const double sense_part =
      std::pow(128.0 / rp, finfet ? p.finfet_clock_rp_exponent : p.clock_rp_exponent) *
      std::pow(levels, finfet ? p.finfet_clock_level_exponent : p.clock_level_exponent) *
      cell_sense;
  const double sense = (1.0 - p.clock_sense_share) + p.clock_sense_share * sense_part;
  ph.clock_s = (p.clock_ns > 0.0 ? p.clock_ns : kReferenceClockNs * node.clock * sense) * 1e-9;

  const double node_um = p.technology_nm * 1e-3;
  const double default_f2 = p.cell == "rram" ? 48.0 : 24.0;
  ph.cell_area_um2 = !envm && p.cell_area_f2 <= 0.0
                         ? node.sram_cell_um2
                         : (p.cell_area_f2 > 0.0 ? p.cell_area_f2 : default_f2) * node_um * node_um;
  // Periphery: more ADC comparators take more area; partial-parallel reads keep more partial
  // sums per column (registers, wider adders).
  ph.area_scale = node.periphery_area *
                  ((1.0 - p.adc_area_level_share) + p.adc_area_level_share * levels) *
                  (1.0 + p.area_pass_share * (1.0 - 1.0 / passes));
  auto subarray_um2 = [&](double cell_um2, double periphery_um2) {
    return cell_um2 * rows * cols + periphery_um2 * ph.area_scale;
  };
  const double envm_extra = envm ? p.envm_periphery_area_um2 : 0.0;
  ph.subarray_area_um2 = subarray_um2(ph.cell_area_um2, p.nm_periphery_area_um2 + envm_extra);
  ph.cm_subarray_area_um2 = subarray_um2(ph.cell_area_um2, p.cm_periphery_area_um2 + envm_extra);
  ph.global_buffer_core_area_um2 = p.global_buffer_core_area_um2 * node.periphery_area;
  const double tile_growth = 1.0 + tile_adc_term(p.adc_bits, finfet) +
                             node.tile_pass_share * (1.0 - std::pow(passes, -kTilePassExponent));
  auto tile_subarray_um2 = [&](std::size_t kind, double periphery_um2, double node_factor) {
    const double own = periphery_um2 * kTilePeripheryShare[kind] +
                       (envm ? p.envm_periphery_area_um2 * kTileEnvmPeripheryShare[kind] : 0.0);
    return ph.cell_area_um2 * rows * cols + own * node_factor * tile_growth;
  };
  ph.cm_tile_subarray_um2 = tile_subarray_um2(0, p.cm_periphery_area_um2, node.tile_periphery_cm);
  ph.nm_tile_subarray_um2 = tile_subarray_um2(1, p.nm_periphery_area_um2, node.tile_periphery_nm);

  // NeuroSim's FinFET sense amplifiers lose less of their energy with fewer levels (at 5 nm a
  // 4-bit ADC costs 0.71x a 5-bit one at Rp 64, at 22 nm 0.58x).
  const double level_share = finfet ? p.finfet_adc_level_share : p.adc_level_share;
  double conversion = p.adc_energy_pj * node.adc_energy *
                      ((1.0 - level_share) + level_share * levels) *
                      std::pow(rp / 128.0, finfet ? p.finfet_adc_rp_exponent : p.adc_rp_exponent);
  if (envm) {
    // Cell currents while the column is sensed: the driven rows at the read voltage, each
    // conducting the mean of the on and off conductances, for one clock period.
    const double vr = p.read_voltage_v > 0.0 ? p.read_voltage_v : node.read_voltage_v;
    const double g_mean = 0.5 * (1.0 / r_on + 1.0 / r_off);
    ph.cell_read_energy_pj = vr * vr * g_mean * rp * p.cell_read_activity * ph.clock_s * 1e12;
    conversion = conversion * p.envm_adc_factor + ph.cell_read_energy_pj;
  }
  ph.conversion_energy_pj = conversion;
  // Shift-add and accumulation grow with every extra pass and with the ADC's output width.
  ph.accumulation_energy_pj = p.accumulation_energy_pj * node.accumulation_energy *
                              (1.0 + p.accumulation_pass_share * (passes - 1.0)) *
                              (static_cast<double>(p.adc_bits) + 3.0) / 8.0;
  ph.periphery_energy_pj = p.periphery_energy_pj * node.periphery_energy;
  ph.buffer_energy_pj_per_bit = p.buffer_energy_pj_per_bit * node.buffer_energy;
  // The node's wires (kNodes); their lengths follow the tile floorplan above (estimate_op).
  ph.wire_energy_pj_per_bit_mm = node.wire_energy_pj_per_bit_mm;
  ph.feature_nm = node.nm;
  ph.wire_ns_per_mm = node.wire_ns_per_mm;
  // Leakage follows the periphery that leaks: more ADC levels and partial-sum registers
  // (the periphery area's growth with them) leak more.
  const double leak = node.leakage * ph.area_scale / node.periphery_area;
  ph.leakage_cm_tile_uw = p.leakage_cm_tile_uw * leak;
  ph.leakage_nm_tile_uw = p.leakage_nm_tile_uw * leak;
  ph.leakage_cm_tile_busy_uw = p.leakage_cm_tile_busy_uw * leak;
  ph.leakage_nm_tile_busy_uw = p.leakage_nm_tile_busy_uw * leak;
  return ph;
}

CimMapping map_cim_layer(const CimParams& p, const CimLayerShape& shape,
                         std::int64_t pipeline_speedup) {
  CimMapping m;
  const std::int64_t r = p.subarray_rows;
  const std::int64_t c = p.subarray_cols;
  const std::int64_t cols_per_weight = ceil_div(p.weight_bits, p.cell_bits);
  m.groups = std::max<std::int64_t>(shape.groups, 1);
  const std::int64_t cin = std::max<std::int64_t>(shape.in_channels / m.groups, 1);
  const std::int64_t k2 = shape.kernel * shape.kernel;
  m.rows = cin * k2;
  m.cols = std::max<std::int64_t>(shape.out_channels / m.groups, 1) * cols_per_weight;
  // NeuroSim (Chip.cpp): "large Conv layers use novel mapping": K² equals the PEs per tile and
  // the unrolled rows fill at least one subarray.
  m.novel = k2 == p.nm_pes_per_tile && m.rows >= r;
  m.col_partitions = ceil_div(m.cols, c);
  std::int64_t unit = p.cm_tile_size;  // the block a copy is duplicated within
  std::int64_t unit_rows_used = ceil_div(m.rows, r) * r;
  if (m.novel) {
    m.row_partitions = k2 * ceil_div(cin, r);
    m.subarrays_per_tile = p.nm_pes_per_tile * (p.nm_pe_size / r) * (p.nm_pe_size / c);
    unit = p.nm_pe_size;
    unit_rows_used = ceil_div(cin, r) * r;
  } else {
    m.row_partitions = ceil_div(m.rows, r);
    m.subarrays_per_tile = (p.cm_tile_size / r) * (p.cm_tile_size / c);
  }
  m.subarrays_per_copy = m.groups * m.row_partitions * m.col_partitions;
  m.block_rows = m.novel ? ceil_div(cin, p.nm_pe_size) : ceil_div(m.rows, unit);
  m.block_cols = ceil_div(m.cols, unit);
  // Copies that fit in the free space of the PE (novel) or tile (conventional) the layer
  // already occupies (NeuroSim's subarray/PE duplication).
  const std::int64_t unit_cols_used = m.col_partitions * c;
  const std::int64_t fill_rows = unit_rows_used <= unit ? unit / unit_rows_used : 1;
  const std::int64_t fill_cols = unit_cols_used <= unit ? unit / unit_cols_used : 1;
  const std::int64_t fill = m.groups == 1 ? fill_rows * fill_cols : 1;
  m.speedup = std::max<std::int64_t>({pipeline_speedup, fill, 1});
  if (m.groups == 1) {
    // NeuroSim's floorplan (Chip.cpp, ChipFloorPlan, pipelined): the tiles one copy spans along
    // the rows, times the groups of copies that fill a tile (or PE), times the tiles along the
    // columns; copies are not packed across tiles.
    m.tiles = m.block_rows * ceil_div(m.speedup, std::max<std::int64_t>(fill, 1)) * m.block_cols;
  } else {
    m.tiles = ceil_div(m.speedup * m.subarrays_per_copy, m.subarrays_per_tile);
  }
  return m;
}

bool CimModel::do_supports(const graph::Op& op, const hw::Device& device) const noexcept {
  if (device.kind != "cim") return false;
  if (is_periphery_op(op.kind)) return true;
  // Conv, Gemm and MatMul keep a weight matrix stationary in the arrays, whichever operator the
  // exporter used (a bias-free Linear is a MatMul, so are transformer projections); whether the
  // op has one is checked with its tensors (do_supports_in).
  return is_weight_anchor(op.kind) && op.inputs.size() >= 2 && !op.outputs.empty();
}

bool CimModel::do_supports_in(const graph::Graph& graph, const graph::Op& op,
                              const hw::Device& /*device*/) const noexcept {
  // A product of two activations (attention's Q·Kᵀ and scores·V) cannot be programmed into the
  // crossbars: the layer runs elsewhere.
  if (!is_weight_anchor(op.kind)) return true;
  if (op.kind == OpKind::kConv) return true;
  return weight_matrix(graph, op).has_value();
}

OpCost CimModel::do_estimate(const graph::Graph& graph, const graph::Op& op,
                             const hw::Device& device, std::int64_t /*fused_bytes_saved*/) const {
  auto parsed = CimParams::from_device(device);
  if (!parsed.ok()) {
    // Reported by the caller's check as a non-finite cost; estimate_layer names the fields.
    OpCost c;
    c.time = Seconds(std::numeric_limits<double>::quiet_NaN());
    return c;
  }
  return estimate_op(graph, op, parsed.value(), false);
}

namespace {

/// Is `op` a layer the arrays hold (a Conv, or a Gemm/MatMul with a weight matrix)?
bool holds_weights(const graph::Graph& graph, const graph::Op& op) {
  return is_weight_anchor(op.kind) && op.inputs.size() >= 2 && !op.outputs.empty() &&
         (op.kind == OpKind::kConv || weight_matrix(graph, op).has_value());
}

ChipContext chip_context(const graph::Graph& graph, const CimParams& p, bool neurosim) {
  ChipContext c;
  double bus = 0.0;
  double inputs = 0.0;
  const double cpa = static_cast<double>(p.cols_per_adc);
  for (const auto& op : graph.ops()) {
    if (!holds_weights(graph, op)) continue;
    const CimLayerShape shape = layer_shape(graph, op, neurosim);
    const std::int64_t pipe = p.pipeline ? pipeline_speedup(graph, p, shape.in_size) : 1;
    const CimMapping m = map_cim_layer(p, shape, pipe);
    const double tiles = static_cast<double>(m.tiles);
    c.tiles += tiles;
    const double port = m.novel ? static_cast<double>(p.nm_pe_size) *
                                      std::ceil(std::sqrt(static_cast<double>(p.nm_pes_per_tile)))
                                : static_cast<double>(p.cm_tile_size);
    bus += (port + port / cpa) * (p.pipeline ? tiles : 1.0);
    const double map = static_cast<double>(shape.in_size * shape.in_size * shape.in_channels);
    inputs = p.pipeline ? inputs + map / 2.0 : std::max(inputs, map);
    c.input_maps += map;
  }
  while (bus > 2048.0) bus /= 2.0;
  c.bus_bits = std::max(bus, 1.0);
  c.grid_rows = std::max(std::ceil(std::sqrt(c.tiles)), 1.0);
  c.grid_cols = std::max(std::ceil(c.tiles / c.grid_rows), 1.0);
  const double cores = std::ceil(static_cast<double>(p.input_bits) * inputs / (128.0 * 128.0));
  c.buffer_cores = std::max(cores, 1.0);
  c.buffer_ports = std::max(std::min(cores, std::ceil(c.bus_bits / 128.0)), 1.0);
  return c;
}

/// A tile's buffer (NeuroSim Tile.cpp, TileInitialize): register-file cores of 32 x 32 bits
/// (tileBufferCoreSizeRow/Col); when the data one PE row delivers (`bits`) fits one core, one
/// core of that width, else 32-bit cores, as many in parallel as the tile's H-tree carries.
double tile_buffer_width(double bits, double narrow_width, double htree_bits) {
  if (bits < 1024.0) return narrow_width;
  return 32.0 * std::min(std::ceil(bits / 1024.0), std::ceil(htree_bits / 32.0));
}

}  // namespace

OpCost CimModel::estimate_op(const graph::Graph& graph, const graph::Op& op, const CimParams& p,
                             bool pooled) const {
  OpCost c;
  const CimPhysics ph = cim_physics(p);
  const double clk_s = ph.clock_s;
  const double ib = static_cast<double>(p.input_bits);

  if (!is_weight_anchor(op.kind) || !weight_matrix(graph, op)) {
    // Digital periphery (pooling, activation, residual add): pipelined behind the array
    // reads (NeuroSim counts these units in "Other peripheries"), so no time of their own;
    // energy as one periphery operation per output element and input bit.
    const double e_j = activation_elements(graph, op) * ib * ph.periphery_energy_pj * 1e-12;
    c.energy = Joules(e_j);
    c.parts["periphery_j"] = e_j;
    return c;
  }

  const CimLayerShape shape = layer_shape(graph, op, options_.neurosim_conventions);
  // NeuroSim duplicates weights for pipeline balance only in its pipelined mode; layer by layer,
  // a layer keeps just the copies that fill its PE or tile.
  const std::int64_t pipe = p.pipeline ? pipeline_speedup(graph, p, shape.in_size) : 1;
  const CimMapping m = map_cim_layer(p, shape, pipe);

  const double steps = shape.positions / static_cast<double>(m.speedup);
  // Rows are read Rp at a time: ceil(R / Rp) passes, each sensing every column once.
  const double passes = static_cast<double>(ceil_div(p.subarray_rows, p.rows_parallel));
  const double read_cycles = ib * static_cast<double>(p.cols_per_adc) * passes;
  const double tiles = static_cast<double>(m.tiles);
  const double in_bits_pos = static_cast<double>(m.rows * m.groups) * ib;
  const double out_bits_pos = static_cast<double>(shape.out_channels) * ib;
  const double psum_ratio = static_cast<double>(p.psum_bits) / ib;
  const double copies = static_cast<double>(m.speedup);

  // Latency (cycles): array reads through the ADCs, the adder tree over the row partitions,
  // buffers, interconnect.
  const double adc_s = steps * read_cycles * clk_s;
  // A novel tile adds its 9 PEs' partial sums for every position after the copies' results
  // come together (Tile.cpp: accumulationNM after the division by the speed-up): 2 cycles per
  // position in NeuroSim V1.4 at 22 nm (2.0-2.3 on the VGG8, ResNet-18 and ResNet-20 layers).
  const double tile_accumulation_cycles = m.novel ? 2.0 * shape.positions : 0.0;
  const double accumulation_s =
      (steps * std::log2(static_cast<double>(m.row_partitions) + 1.0) + tile_accumulation_cycles) *
      clk_s;
  // Buffers and interconnect, restated from NeuroSim V1.4 (synchronous, X-Y bus, activation
  // and accumulation at chip level; Tile.cpp TileCalculatePerformance and Chip.cpp
  // ChipCalculatePerformance). Every bit moves once per position whatever the copies ("no
  // matter speedup or not, the total number of data transferred is fixed"), through the
  // busiest tile's buffers and H-tree and through the global buffer and bus:
  // - a tile reads its input rows (at most a tile's, T or 9 x P) bit-serially, a novel tile
  //   once per PE column (/ sqrt(PEs)), and writes each of its outputs (at most T / or P /
  //   columns per weight) as an accumulated partial sum of `sum_bits` bits per position;
  // - the global buffer moves the layer's whole input (a novel layer's / K: its PEs reuse the
  //   kernel rows) and output (/ 4 when pooled) 128 bits per port and cycle;
  // - the H-tree in the tile moves both at its width per cycle; the global X-Y bus moves the
  //   input along the rows and the output along the columns of the tile grid, one bus width per
  //   cycle and hop, the rows and columns the layer does not occupy adding hops.
  const ChipContext chip = chip_context(graph, p, options_.neurosim_conventions);
  const double positions = shape.positions;
  const double cpa = static_cast<double>(p.cols_per_adc);
  const double cpw = static_cast<double>(ceil_div(p.weight_bits, p.cell_bits));
  const double rows_sub = static_cast<double>(p.subarray_rows);
  const double cols_sub = static_cast<double>(p.subarray_cols);
  // Width of a subarray's output (NeuroSim numBitSubarrayOutput), of a PE's (+ ceil(sqrt(its
  // subarrays)) adder-tree bits) and of the tile's partial sums (+ ceil(log2(PEs added))).
  const double sub_bits = static_cast<double>(p.adc_bits) + std::ceil(std::log2(passes)) + ib +
                          (cpw - 1.0) * static_cast<double>(p.cell_bits) + 1.0;
  const double rows_all = static_cast<double>(m.rows * m.groups);
  double tile_in_bits = 0.0;
  double tile_out_bits = 0.0;
  double tile_buffer_cycles = 0.0;
  double htree_bits = 0.0;
  if (m.novel) {
    const double pes = static_cast<double>(p.nm_pes_per_tile);
    const double pe = static_cast<double>(p.nm_pe_size);
    const double sum_bits = sub_bits + std::ceil(std::sqrt((pe / rows_sub) * (pe / cols_sub))) +
                            std::ceil(std::log2(pes));
    htree_bits = pes * pe;
    tile_in_bits = std::min(rows_all, pe * pes) * positions * ib / std::sqrt(pes);
    tile_out_bits = std::min(static_cast<double>(m.cols), pe) / cpw * sum_bits * positions;
    tile_buffer_cycles =
        tile_in_bits / tile_buffer_width(pes * ib * rows_sub, pes * rows_sub, htree_bits) +
        tile_out_bits /
            tile_buffer_width(sum_bits * pes * cols_sub / cpa, sum_bits * pes, htree_bits);
  } else {
    const double tile = static_cast<double>(p.cm_tile_size);
    const double side = 2.0;  // NeuroSim's conventional tile: 2 x 2 PEs of T/2
    const double pe = tile / side;
    const double sum_bits =
        sub_bits + std::ceil(std::sqrt((pe / rows_sub) * (pe / cols_sub))) + 1.0;
    htree_bits = tile;
    tile_in_bits = std::min(rows_all, tile) * positions * ib;
    tile_out_bits = std::min(static_cast<double>(m.cols), tile) / cpw * sum_bits * positions;
    tile_buffer_cycles =
        tile_in_bits / tile_buffer_width(side * ib * rows_sub, side * rows_sub, htree_bits) +
        tile_out_bits /
            tile_buffer_width(sum_bits * side * cols_sub / cpa, sum_bits * side, htree_bits);
  }
  const double chip_in_bits = rows_all * ib * positions / (m.novel ? shape.kernel : 1.0);
  const double chip_out_bits =
      static_cast<double>(shape.out_channels) * ib * positions / (pooled ? 4.0 : 1.0);
  const double global_buffer_cycles = (chip_in_bits + chip_out_bits) / (128.0 * chip.buffer_ports);
  const double buffer_s = (tile_buffer_cycles + global_buffer_cycles) * clk_s;
  const double layer_cols =
      static_cast<double>(ceil_div(m.cols * m.groups, m.novel ? p.nm_pe_size : p.cm_tile_size));
  const double layer_rows = std::max(tiles / std::max(layer_cols, 1.0), 1.0);
  // Each transfer takes the cycles its wire needs, ceil(delay x clock frequency) (HTree.cpp and
  // XYBus.cpp, synchronous). In the tile, the H-tree from its root to a PE: n x n PEs (n = 2 in
  // a conventional tile, 3 in a novel one) are routed as 2^s x 2^s, s = ceil(log2 n), through s
  // vertical and s horizontal stages of 2^(s-1), ..., 1 PE sides and a main bus of 2^(s-1) PE
  // sides (at the last stage's width). On the chip, the global X-Y bus: the input wire along
  // half the grid's columns, the output wire down the rows below the middle (none, and no
  // cycle, on a grid of two rows or fewer); each wire as wide as its whole run makes it. Wire
  // lengths follow the tiles' own floorplan (floor_mm, kTilePeripheryShare).
  const double subarray_um2 = m.novel ? ph.subarray_area_um2 : ph.cm_subarray_area_um2;
  const double floor_mm = std::sqrt(static_cast<double>(m.subarrays_per_tile) *
                                    (m.novel ? ph.nm_tile_subarray_um2 : ph.cm_tile_subarray_um2)) *
                          1e-3;
  const double clk_ns = clk_s * 1e9;
  const double tile_pes = m.novel ? std::sqrt(static_cast<double>(p.nm_pes_per_tile)) : 2.0;
  const double stages = std::ceil(std::log2(tile_pes));
  const double pe_mm = floor_mm / tile_pes;
  const double htree_cycles = std::ceil(root_leaf_delay_ns(ph, stages, pe_mm) / clk_ns);
  // The global interconnect's cycles and its toggling bits x mm (energy below). NeuroSim's
  // H-tree (interconnect: htree; Chip.cpp with globalBusType): a tree over the tile grid, whose
  // root-to-leaf wire every transfer crosses, the layer's share of its width in proportion to
  // the layer's tiles (ceil(bus x tiles / all tiles)), inputs and outputs alike.
  double bus_cycles = 0.0;
  double bus_bits_mm = 0.0;
  if (p.interconnect == "htree") {
    const double levels = std::ceil(std::log2(std::max(chip.grid_rows, chip.grid_cols)));
    const double share = std::max(std::ceil(chip.bus_bits * tiles / chip.tiles), 1.0);
    bus_cycles = std::ceil(root_leaf_delay_ns(ph, levels, floor_mm) / clk_ns) *
                 std::ceil((chip_in_bits + chip_out_bits) / share);
    bus_bits_mm = share *
                  (std::ceil(kInputToggle * chip_in_bits / share) +
                   std::ceil(kOutputToggle * chip_out_bits / share)) *
                  root_leaf_energy_mm(levels, floor_mm);
  } else {
    const double floor_x_mm = std::ceil(chip.grid_cols / 2.0) * floor_mm;
    const double floor_y_mm =
        std::max(chip.grid_rows - std::ceil(chip.grid_rows / 2.0) - 1.0, 0.0) * floor_mm;
    const double x_cycles =
        std::ceil(wire_delay_ns(ph, floor_x_mm, chip.grid_cols * floor_mm) / clk_ns);
    const double y_cycles =
        std::ceil(wire_delay_ns(ph, floor_y_mm, chip.grid_rows * floor_mm) / clk_ns);
    bus_cycles = x_cycles * std::ceil(chip_in_bits / chip.bus_bits * chip.grid_rows / layer_rows) +
                 y_cycles * std::ceil(chip_out_bits / chip.bus_bits * chip.grid_cols /
                                      std::max(layer_cols, 1.0));
    bus_bits_mm =
        kInputToggle * chip_in_bits * floor_x_mm + kOutputToggle * chip_out_bits * floor_y_mm;
  }
  const double interconnect_s =
      ((tile_in_bits + tile_out_bits) / htree_bits * htree_cycles + bus_cycles) * clk_s;

  // Energy: per column conversion, per bit buffered and moved.
  // Sensing energy follows the rows that conduct. A layer that fills a share f of its
  // subarrays' rows (f = rows / (row partitions x R)) costs (0.628 + 0.372 sqrt(f)) of a full
  // subarray's conversion: NeuroSim V1.4's ADC energy over CimModel's full-row count is 0.76 at
  // f = 1/8, 0.81 at 1/4, 0.89 at 1/2 and 1.00 at 1 on the ReLU-fed layers of ResNet-20,
  // ResNet-18 and VGG8. Input bit density (relative to the calibration traces; the first layer
  // reads the image, whose bits are first_layer_bit_density times as dense) reaches only the
  // sensing, the more so the fuller the rows: NeuroSim on ResNet-20 with 2.67x denser inputs
  // (make_traces.py dense) gives ADC energy x1.12 at f = 1/8, x1.15 at 1/4, x1.21 at 1/2, i.e.
  // density^(0.1 + 0.2 f); accumulation and the other periphery unchanged (x1.00).
  const double rows_filled =
      static_cast<double>(m.rows) / static_cast<double>(m.row_partitions * p.subarray_rows);
  bool reads_graph_input = false;
  for (auto t : op.inputs) {
    reads_graph_input =
        reads_graph_input ||
        (!graph.tensor(t).is_weight &&
         std::find(graph.inputs().begin(), graph.inputs().end(), t) != graph.inputs().end());
  }
  const double bit_density =
      p.input_bit_density * (reads_graph_input ? p.first_layer_bit_density : 1.0);
  const double density = (0.628 + 0.372 * std::sqrt(std::min(rows_filled, 1.0))) *
                         std::pow(bit_density, 0.1 + 0.2 * std::min(rows_filled, 1.0));
  // Conversions of one pass over all rows; the ADC converts every column once per pass.
  const double reads =
      shape.positions * ib * static_cast<double>(m.groups) * static_cast<double>(m.row_partitions);
  const double used_conversions = reads * static_cast<double>(m.cols);
  const double full_conversions = reads * static_cast<double>(m.col_partitions * p.subarray_cols);
  const double adc_j = used_conversions * passes * ph.conversion_energy_pj * density * 1e-12;
  const double accumulation_j = full_conversions * ph.accumulation_energy_pj * 1e-12;
  const double periphery_j = full_conversions * ph.periphery_energy_pj * 1e-12;
  const double buffer_j = shape.positions * (in_bits_pos + psum_ratio * out_bits_pos) *
                          ph.buffer_energy_pj_per_bit * 1e-12;
  // Interconnect energy, NeuroSim's law (Chip.cpp, Tile.cpp, HTree.cpp, XYBus.cpp, Bus.cpp):
  // the node's repeated-wire energy per bit and mm for every toggling bit (inputs at 0.18,
  // outputs at 0.5: Param.cpp inputtoggle, outputtoggle) over the wire it crosses. In the tile,
  // every block of the weight matrix (the copies made for speed-up add none: NeuroSim loops
  // over the blocks) sends its bits between the H-tree's root and a PE, (2^s - 1) PE sides over
  // the stages and 2^(s-1) along the main bus (HTree::CalculatePower: 2 in a conventional
  // tile, 5 in a novel one), and over the PEs' buses (cm_/nm_pe_bus_sides); on the chip, the
  // X-Y bus's input wire carries the layer's input (a novel-mapped layer's / K) and its output
  // wire the output.
  const double blocks = static_cast<double>(m.block_rows * m.block_cols * m.groups);
  const double pe_bus_sides = m.novel ? p.nm_pe_bus_sides : p.cm_pe_bus_sides;
  const double interconnect_j =
      ph.wire_energy_pj_per_bit_mm *
      (blocks * (kInputToggle * tile_in_bits + kOutputToggle * tile_out_bits) *
           (root_leaf_energy_mm(stages, pe_mm) + pe_bus_sides * pe_mm) +
       bus_bits_mm) *
      1e-12;

  const double time_s = adc_s + accumulation_s + buffer_s + interconnect_s;
  c.time = Seconds(time_s);
  c.energy = Joules(adc_j + accumulation_j + periphery_j + buffer_j + interconnect_j);
  c.memory = ResourceAmount(tiles);
  c.compute_bound = adc_s >= buffer_s + interconnect_s;
  c.parts["adc_s"] = adc_s;
  c.parts["accumulation_s"] = accumulation_s;
  c.parts["buffer_s"] = buffer_s;
  c.parts["bus_cycles"] = bus_cycles;
  c.parts["htree_cycles"] = (tile_in_bits + tile_out_bits) / htree_bits;
  c.parts["interconnect_s"] = interconnect_s;
  c.parts["adc_j"] = adc_j;
  c.parts["accumulation_j"] = accumulation_j;
  c.parts["periphery_j"] = periphery_j;
  c.parts["buffer_j"] = buffer_j;
  c.parts["interconnect_j"] = interconnect_j;
  // Leakage of the layer's tiles (per tile type, scaled to the tile's subarrays from
  // NeuroSim's 64-subarray conventional and 144-subarray novel tiles); the chip's leakage over
  // an inference depends on every layer's time (cim_chip_leakage).
  const double tile_scale = static_cast<double>(m.subarrays_per_tile) / (m.novel ? 144.0 : 64.0);
  const double idle_w =
      tiles * tile_scale * (m.novel ? ph.leakage_nm_tile_uw : ph.leakage_cm_tile_uw) * 1e-6;
  const double busy_w = tiles * tile_scale *
                        (m.novel ? ph.leakage_nm_tile_busy_uw : ph.leakage_cm_tile_busy_uw) * 1e-6;
  c.parts["leakage_w"] = idle_w;
  c.parts["leakage_busy_w"] = busy_w;
  c.parts["leakage_j"] = idle_w * time_s;
  c.parts["tiles"] = tiles;
  c.parts["speedup"] = copies;
  // Area: the tiles, and the layer's share of the global buffer (its input map's part of all
  // the layers' maps the buffer is sized for).
  const double layer_map = static_cast<double>(shape.in_size * shape.in_size * shape.in_channels);
  const double buffer_share = chip.input_maps > 0.0 ? layer_map / chip.input_maps : 0.0;
  c.parts["area_mm2"] = (tiles * static_cast<double>(m.subarrays_per_tile) * subarray_um2 +
                         buffer_share * chip.buffer_cores * ph.global_buffer_core_area_um2) *
                        1e-6;
  c.parts["ops"] = 2.0 * shape.input_positions * static_cast<double>(m.rows * m.groups) *
                   static_cast<double>(shape.out_channels) / static_cast<double>(m.groups);
  return c;
}

Result<OpCost> CimModel::do_estimate_layer(const graph::Graph& graph, const graph::Layer& layer,
                                           const hw::Device& device) const {
  auto parsed = CimParams::from_device(device);
  if (!parsed.ok()) return parsed.diagnostics();
  OpCost total;
  // NeuroSim's pooling flag: a layer whose outputs are pooled writes a quarter of them back.
  bool pooled = false;
  for (auto id : layer.ops) {
    const OpKind k = graph.op(id).kind;
    pooled = pooled || k == OpKind::kMaxPool || k == OpKind::kAveragePool ||
             k == OpKind::kGlobalAveragePool;
  }
  for (auto id : layer.ops) {
    const OpCost c = estimate_op(graph, graph.op(id), parsed.value(), pooled);
    total.time += c.time;
    total.energy += c.energy;
    total.memory += c.memory;
    total.compute_bound = total.compute_bound || c.compute_bound;
    for (const auto& [k, v] : c.parts) total.parts[k] += v;
  }
  // Activations stay in the chip's buffers (counted in buffer energy); tiles are the capacity.
  total.workspace = Bytes(0.0);
  total.time += device.layer_overhead;
  return total;
}

}  // namespace tessera::cost
