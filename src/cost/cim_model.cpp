#include "tessera/cost/cim_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>

namespace tessera::cost {

// Calibration (docs/results.md, "CIM model vs NeuroSim"). Every default in CimParams comes from
// DNN+NeuroSim V1.4 (Param.cpp defaults: SRAM, 22 nm, 128x128, cellBit 1, 8-bit weights and
// inputs, 5-bit ADC, parallel read of all 128 rows, numColMuxed 8, pipeline on, speedUpDegree 8)
// or from its VGG8 run in ../shared/data/neurosim/vgg8_sram22_adc5_rp128.txt:
// - clock 1.6974 ns at 22 nm: "Chip clock period is: 1.6974ns".
// - ADC latency: layer k's ADC readLatency / clock = positions / speed-up x 8 input bits x 8
//   columns per ADC (layer 1: 6110.66 ns / 1.6974 ns = 3600 = 900 / 16 x 64), exactly; with
//   Rp < R every column is read ceil(R / Rp) times.
// - 0.104 pJ per conversion at 5 bits: ADC readDynamicEnergy / (positions x input bits x used
//   columns x row partitions); layers 2-7 give 0.104-0.105 pJ (layer 2: 6.91682e6 pJ /
//   66.36e6). NeuroSim's "ADC (or S/As and precharger for SRAM)" category: split into a
//   sense-amplifier part that scales with its 2^b - 1 reference levels (sense_amp_energy_pj
//   0.034) and a bit-line precharge part that does not (precharge_energy_pj 0.070). The split
//   is what makes NeuroSim V1.4's 4-bit ADC, Rp = 32/64 chips (manual Table VII: 8.76 and
//   17.13 TOPS/W) come out at 0.83x the 5-bit conversion energy.
// - accumulation_energy_pj 0.0167 and periphery_energy_pj 0.0173: the "Accumulation" and the
//   "Other peripheries" minus buffer and IC energies over the same count (0.0166-0.0168 and
//   0.0164-0.0174 for layers 1-7); they act on whole subarray widths (layer 8: 80 of 128
//   columns used, costs as 128).
// - interconnect_energy_pj_per_bit 0.0647: H-tree energy per bit of inputs plus twice the
//   output bits per position, scaled by sqrt(tiles) (wire length of an H-tree over the layer's
//   tiles); a geometric-mean fit over the 8 layers, residuals within 7% of layer energy.
// - buffer latency: (input bits + psum_bits/input_bits x output bits) per step over a buffer
//   bandwidth growing with sqrt(tiles): 38 bits/cycle for conventional tiles, 160 for novel
//   (9-PE) tiles; interconnect 80 cycles per step. Fitted to the 8 layers' total latencies,
//   largest error 9.7%.
// - buffer_energy_pj_per_bit 0.0025: buffer readDynamicEnergy is 0.5% of the total (187013 pJ
//   of 34.756 uJ); 0.0025 pJ/bit over the bits buffered matches that total.
// - leakage_uw_per_tile 21.8: "leakage Power 2242.53uW" over the run's 103 tiles.
// - Area: "ChipArea : 8.00561e+07um^2" over 9472 subarrays (67 conventional tiles x 64 + 36
//   novel tiles x 144) = 8452 um^2 per subarray, of which the cells are "Chip total CIM array :
//   2.10312e+07um^2" / 9472 = 2220 um^2 (128 x 128 cells of 0.1355 um^2 = 280 F² at 22 nm) and
//   the rest, 6232 um^2 (periphery_area_um2), is the subarray's share of every other circuit.
//
// Other nodes, cells and ADCs: NeuroSim V1.4's manual, Table VII (VGG8, 1 bit/cell, 4-bit ADC,
// Rp 32 and 64; RRAM and SRAM at 22 nm, SRAM at 5 and 1 nm; area, TOPS, TOPS/W):
// - Dynamic energy scales as C·V²: (F / 40 nm)^0.8 · (Vdd / 0.85 V)² with NeuroSim's feature
//   size F and supply per node (table below). The exponent 0.8 < 1 because not every
//   capacitance shrinks with the wire width; fitted to the four 5 and 1 nm points together with
//   the area and delay exponents (least squares of log errors): 1.5 for the periphery area, 0.3
//   for the clock period (FinFET/GAA gates get faster far more slowly than wires shrink).
// - Interconnect energy per bit follows the wire length, the square root of the subarray area,
//   times V².
// - eNVM (RRAM, FeFET) cells draw current while a column is sensed: Rp rows x
//   cell_read_activity (0.25: rows with a 1 input bit and a conducting path) x the mean of the
//   on and off conductances x the read voltage squared, for one clock period; no precharge.
//   With NeuroSim V1.4's RRAM (100 kOhm, on/off 17, 0.55 V) this is 0.043 pJ at Rp = 64.
// - envm_periphery_area_um2 33000: RRAM chips in Table VII are 4.4x the SRAM chips at the same
//   configuration (381.90 vs 85.97 mm^2) although a 1T1R cell (48 F²) is smaller than an SRAM
//   cell; NeuroSim V1.4 adds write level shifters (2 V writes), reference columns and larger
//   access devices per eNVM subarray: (381.9 - 86.0 + 17.4) mm^2 / 9472 subarrays = 33000 um^2.
// Result (docs/results.md, tests/unit/cost/cim_calibration_test.cpp): Table VII within
// -15..+17% on area, -7..+31% on TOPS and -12..+21% on TOPS/W.

namespace {

using graph::OpKind;

double get(const hw::Device& d, const char* key, double fallback) {
  const auto it = d.params.find(key);
  return it == d.params.end() ? fallback : it->second;
}
std::int64_t get_int(const hw::Device& d, const char* key, std::int64_t fallback) {
  const auto it = d.params.find(key);
  return it == d.params.end() ? fallback : static_cast<std::int64_t>(std::llround(it->second));
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

bool has_weight(const graph::Graph& graph, const graph::Op& op) {
  return std::any_of(op.inputs.begin(), op.inputs.end(),
                     [&](TensorId t) { return graph.tensor(t).is_weight; });
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
        positions *= static_cast<double>(std::max<std::int64_t>(x[a] - w[a] + 1, 1) / stride);
      }
    } else {
      for (std::size_t a = 2; a < y.size(); ++a) positions *= static_cast<double>(y[a]);
    }
    s.positions = positions * static_cast<double>(batch);
    return s;
  }
  // Gemm / MatMul with a weight: rows of the input are independent positions.
  const graph::Tensor* weight = nullptr;
  for (auto t : op.inputs)
    if (graph.tensor(t).is_weight) weight = &graph.tensor(t);
  const auto& w = weight->shape;
  const bool trans = op.kind == OpKind::kGemm && op.attrs.trans_b;
  s.in_channels = w.size() >= 2 ? (trans ? w[w.size() - 1] : w[w.size() - 2]) : 1;
  s.out_channels = w.size() >= 2 ? (trans ? w[w.size() - 2] : w[w.size() - 1]) : w.at(0);
  const double outputs = static_cast<double>(graph::element_count(y));
  s.positions = outputs / static_cast<double>(std::max<std::int64_t>(s.out_channels, 1));
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

/// One technology node. Feature size: the minimum wire width NeuroSim V1.4 (Param.cpp, after
/// the V1.4 manual's refs [11]-[21]: IRDS 2016-2022, Samsung 14 nm, TSMC 10/7 nm) uses as F;
/// supply voltage: the PTM (>= 22 nm) and IRDS 2021/2022 (< 22 nm) values NeuroSim V1.4's
/// Technology.cpp tabulates for its default LSTP devices; SRAM bitcell: 280 F² (an 8T cell, F =
/// node) down to 22 nm, then the published cells NeuroSim V1.4 sizes its cells from (Samsung
/// 14 nm 0.064 µm², TSMC 10 nm 0.040, TSMC 7 nm 0.027 (IEDM 2016), IRDS 5/3/2/1 nm); eNVM read
/// voltage: NeuroSim V1.4's fixed read voltage per node (its ADC model assumes it).
struct Node {
  double nm;
  double feature_nm;
  double vdd_v;
  double sram_cell_um2;
  double read_voltage_v;
};
constexpr std::array<Node, 13> kNodes = {{
    {130, 175, 1.30, 280 * 0.130 * 0.130, 0.58},
    {90, 110, 1.20, 280 * 0.090 * 0.090, 0.58},
    {65, 105, 1.10, 280 * 0.065 * 0.065, 0.55},
    {45, 80, 1.00, 280 * 0.045 * 0.045, 0.51},
    {32, 56, 0.90, 280 * 0.032 * 0.032, 0.51},
    {22, 40, 0.85, 280 * 0.022 * 0.022, 0.55},
    {14, 32, 0.80, 0.0640, 0.277},
    {10, 22, 0.75, 0.0400, 0.28},
    {7, 20, 0.70, 0.0270, 0.264},
    {5, 15, 0.70, 0.0210, 0.253},
    {3, 12, 0.70, 0.0184, 0.248},
    {2, 10, 0.65, 0.0202, 0.28},
    {1, 8, 0.60, 0.0115, 0.272},
}};
constexpr const Node& kReferenceNode = kNodes[5];  // 22 nm: the calibration run's node
/// The calibration run's clock: "Chip clock period is: 1.6974ns".
constexpr double kReferenceClockNs = 1.6974;

const Node* find_node(double nm) {
  for (const auto& n : kNodes) {
    if (std::abs(n.nm - nm) < 1e-9) return &n;
  }
  return nullptr;
}

}  // namespace

bool is_known_cim_node(double technology_nm) {
  return find_node(technology_nm) != nullptr;
}

CimPhysics cim_physics(const CimParams& p) {
  const Node& node = *find_node(p.technology_nm);
  const Node& ref = kReferenceNode;
  CimPhysics ph;
  ph.feature_nm = node.feature_nm;
  ph.vdd_v = node.vdd_v;
  const double f = node.feature_nm / ref.feature_nm;
  const double v = node.vdd_v / ref.vdd_v;
  // Switched capacitance shrinks with the feature size, energy with C·V².
  ph.energy_scale = std::pow(f, p.energy_scaling_exponent) * v * v;
  ph.area_scale = std::pow(f, p.area_scaling_exponent);
  ph.clock_s =
      (p.clock_ns > 0.0 ? p.clock_ns : kReferenceClockNs * std::pow(f, p.delay_scaling_exponent)) *
      1e-9;
  const bool envm = p.cell != "sram";
  const double node_um = p.technology_nm * 1e-3;
  const double default_f2 = p.cell == "rram" ? 48.0 : 24.0;
  ph.cell_area_um2 = !envm && p.cell_area_f2 <= 0.0
                         ? node.sram_cell_um2
                         : (p.cell_area_f2 > 0.0 ? p.cell_area_f2 : default_f2) * node_um * node_um;
  const double rows = static_cast<double>(p.subarray_rows);
  const double cols = static_cast<double>(p.subarray_cols);
  ph.subarray_area_um2 =
      ph.cell_area_um2 * rows * cols +
      (p.periphery_area_um2 + (envm ? p.envm_periphery_area_um2 : 0.0)) * ph.area_scale;
  // A multilevel sense amplifier compares against 2^b - 1 references; 5 bits calibrated.
  const double levels = (std::pow(2.0, static_cast<double>(p.adc_bits)) - 1.0) / 31.0;
  double conversion = p.sense_amp_energy_pj * levels;
  if (envm) {
    // Cell currents while the column is sensed: Rp rows at the read voltage, each conducting
    // the mean of the on and off conductances, for one clock period.
    const double r_on = p.r_on_ohm > 0.0 ? p.r_on_ohm : (p.cell == "rram" ? 100e3 : 240e3);
    const double r_off = p.r_off_ohm > 0.0 ? p.r_off_ohm : (p.cell == "rram" ? 1.7e6 : 24e6);
    const double vr = p.read_voltage_v > 0.0 ? p.read_voltage_v : node.read_voltage_v;
    const double g_mean = 0.5 * (1.0 / r_on + 1.0 / r_off);
    const double active_rows =
        static_cast<double>(std::min(p.rows_parallel, p.subarray_rows)) * p.cell_read_activity;
    ph.cell_read_energy_pj = vr * vr * g_mean * active_rows * ph.clock_s * 1e12;
    conversion = conversion * ph.energy_scale + ph.cell_read_energy_pj;
  } else {
    conversion = (conversion + p.precharge_energy_pj) * ph.energy_scale;
  }
  ph.conversion_energy_pj = conversion;
  ph.accumulation_energy_pj = p.accumulation_energy_pj * ph.energy_scale;
  ph.periphery_energy_pj = p.periphery_energy_pj * ph.energy_scale;
  ph.buffer_energy_pj_per_bit = p.buffer_energy_pj_per_bit * ph.energy_scale;
  // Wires span the tiles: their length follows the square root of the subarray area.
  const double ref_subarray_um2 = ref.sram_cell_um2 * rows * cols + p.periphery_area_um2;
  ph.interconnect_energy_pj_per_bit =
      p.interconnect_energy_pj_per_bit * std::sqrt(ph.subarray_area_um2 / ref_subarray_um2) * v * v;
  // Leakage: the same transistors, narrower, at a lower supply.
  ph.leakage_uw_per_tile = p.leakage_uw_per_tile * ph.area_scale * v;
  return ph;
}

Result<CimParams> CimParams::from_device(const hw::Device& d) {
  CimParams p;
  std::vector<Diagnostic> problems;
  auto field = [&](const std::string& key) { return "device '" + d.name + "' params." + key; };
  std::set<std::string, std::less<>> read;  // every key this function knows
  auto number = [&](const char* key, double fallback) {
    read.insert(key);
    return get(d, key, fallback);
  };
  auto integer = [&](const char* key, std::int64_t fallback) {
    read.insert(key);
    return get_int(d, key, fallback);
  };
  if (auto it = d.text_params.find("cell"); it != d.text_params.end()) p.cell = it->second;
  if (p.cell != "sram" && p.cell != "rram" && p.cell != "fefet") {
    problems.push_back({"", 0, 0, field("cell"), "cell must be sram, rram or fefet"});
  }
  if (auto it = d.text_params.find("interconnect"); it != d.text_params.end()) {
    p.interconnect = it->second;
  }
  if (p.interconnect != "htree" && p.interconnect != "bus") {
    problems.push_back({"", 0, 0, field("interconnect"), "interconnect must be htree or bus"});
  }
  p.technology_nm = number("technology_nm", p.technology_nm);
  p.subarray_rows = integer("subarray_rows", p.subarray_rows);
  p.subarray_cols = integer("subarray_cols", p.subarray_cols);
  p.cell_bits = integer("cell_bits", p.cell_bits);
  p.weight_bits = integer("weight_bits", p.weight_bits);
  p.input_bits = integer("input_bits", p.input_bits);
  p.rows_parallel = integer("rows_parallel", p.rows_parallel);
  p.cols_per_adc = integer("cols_per_adc", p.cols_per_adc);
  p.adc_bits = integer("adc_bits", p.adc_bits);
  p.psum_bits = integer("psum_bits", p.psum_bits);
  p.cm_tile_size = integer("cm_tile_size", p.cm_tile_size);
  p.nm_pe_size = integer("nm_pe_size", p.nm_pe_size);
  p.nm_pes_per_tile = integer("nm_pes_per_tile", p.nm_pes_per_tile);
  p.tiles = integer("tiles", p.tiles);
  p.speedup_degree = integer("speedup_degree", p.speedup_degree);
  p.input_bit_density = number("input_bit_density", p.input_bit_density);
  if (const double pipeline = number("pipeline", 1.0); pipeline == 0.0 || pipeline == 1.0) {
    p.pipeline = pipeline == 1.0;
  } else {
    problems.push_back(
        {"", 0, 0, field("pipeline"),
         "must be 0 (layer by layer) or 1 (layers pipelined), got " + std::to_string(pipeline)});
  }
  // Every physical constant is a number param of the same name.
  p.cm_buffer_bits_per_cycle = number("cm_buffer_bits_per_cycle", p.cm_buffer_bits_per_cycle);
  p.nm_buffer_bits_per_cycle = number("nm_buffer_bits_per_cycle", p.nm_buffer_bits_per_cycle);
  p.bus_width_bits = number("bus_width_bits", p.bus_width_bits);
  double* const constants[] = {&p.clock_ns,
                               &p.r_on_ohm,
                               &p.r_off_ohm,
                               &p.read_voltage_v,
                               &p.cell_area_f2,
                               &p.sense_amp_energy_pj,
                               &p.precharge_energy_pj,
                               &p.cell_read_activity,
                               &p.accumulation_energy_pj,
                               &p.periphery_energy_pj,
                               &p.buffer_energy_pj_per_bit,
                               &p.interconnect_energy_pj_per_bit,
                               &p.interconnect_cycles_per_step,
                               &p.leakage_uw_per_tile,
                               &p.periphery_area_um2,
                               &p.envm_periphery_area_um2,
                               &p.energy_scaling_exponent,
                               &p.area_scaling_exponent,
                               &p.delay_scaling_exponent};
  constexpr const char* kConstantNames[] = {"clock_ns",
                                            "r_on_ohm",
                                            "r_off_ohm",
                                            "read_voltage_v",
                                            "cell_area_f2",
                                            "sense_amp_energy_pj",
                                            "precharge_energy_pj",
                                            "cell_read_activity",
                                            "accumulation_energy_pj",
                                            "periphery_energy_pj",
                                            "buffer_energy_pj_per_bit",
                                            "interconnect_energy_pj_per_bit",
                                            "interconnect_cycles_per_step",
                                            "leakage_uw_per_tile",
                                            "periphery_area_um2",
                                            "envm_periphery_area_um2",
                                            "energy_scaling_exponent",
                                            "area_scaling_exponent",
                                            "delay_scaling_exponent"};
  static_assert(std::size(constants) == std::size(kConstantNames));
  for (std::size_t i = 0; i < std::size(constants); ++i) {
    *constants[i] = number(kConstantNames[i], *constants[i]);
    if (!(*constants[i] >= 0.0) || !std::isfinite(*constants[i])) {
      problems.push_back({"", 0, 0, field(kConstantNames[i]), "must be a non-negative number"});
    }
  }
  for (const auto& [key, value] : d.params) {
    if (!read.contains(key)) {
      problems.push_back({"", 0, 0, field(key), "unknown CIM parameter"});
    }
  }
  for (const auto& [key, value] : d.text_params) {
    if (key != "cell" && key != "interconnect") {
      problems.push_back({"", 0, 0, field(key), "unknown CIM parameter"});
    }
  }
  if (!is_known_cim_node(p.technology_nm)) {
    problems.push_back({"", 0, 0, field("technology_nm"),
                        "unknown technology node; known: 130, 90, 65, 45, 32, 22, 14, 10, 7, 5, "
                        "3, 2, 1 (nm)"});
  }
  if (p.r_on_ohm > 0.0 && p.r_off_ohm > 0.0 && p.r_off_ohm <= p.r_on_ohm) {
    problems.push_back({"", 0, 0, field("r_off_ohm"), "must be larger than r_on_ohm"});
  }

  const std::pair<const char*, double> positive[] = {
      {"technology_nm", p.technology_nm},
      {"subarray_rows", static_cast<double>(p.subarray_rows)},
      {"subarray_cols", static_cast<double>(p.subarray_cols)},
      {"cell_bits", static_cast<double>(p.cell_bits)},
      {"weight_bits", static_cast<double>(p.weight_bits)},
      {"input_bits", static_cast<double>(p.input_bits)},
      {"rows_parallel", static_cast<double>(p.rows_parallel)},
      {"cols_per_adc", static_cast<double>(p.cols_per_adc)},
      {"adc_bits", static_cast<double>(p.adc_bits)},
      {"psum_bits", static_cast<double>(p.psum_bits)},
      {"cm_tile_size", static_cast<double>(p.cm_tile_size)},
      {"nm_pe_size", static_cast<double>(p.nm_pe_size)},
      {"nm_pes_per_tile", static_cast<double>(p.nm_pes_per_tile)},
      {"tiles", static_cast<double>(p.tiles)},
      {"speedup_degree", static_cast<double>(p.speedup_degree)},
      {"input_bit_density", p.input_bit_density},
      {"cm_buffer_bits_per_cycle", p.cm_buffer_bits_per_cycle},
      {"nm_buffer_bits_per_cycle", p.nm_buffer_bits_per_cycle},
      {"bus_width_bits", p.bus_width_bits}};
  for (const auto& [key, v] : positive) {
    if (!(v > 0.0) || !std::isfinite(v)) {
      problems.push_back({"", 0, 0, field(key), "must be a positive number"});
    }
  }

  if (p.cm_tile_size < p.subarray_rows || p.nm_pe_size < p.subarray_rows) {
    problems.push_back({"", 0, 0, field("cm_tile_size"),
                        "tiles and PEs must be at least one subarray (subarray_rows) wide"});
  }
  if (!problems.empty()) return problems;
  return p;
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
  // Copies that fit in the free space of the PE (novel) or tile (conventional) the layer
  // already occupies (NeuroSim's subarray/PE duplication).
  const std::int64_t unit_cols_used = m.col_partitions * c;
  const std::int64_t fill_rows = unit_rows_used <= unit ? unit / unit_rows_used : 1;
  const std::int64_t fill_cols = unit_cols_used <= unit ? unit / unit_cols_used : 1;
  const std::int64_t fill = m.groups == 1 ? fill_rows * fill_cols : 1;
  m.speedup = std::max<std::int64_t>({pipeline_speedup, fill, 1});
  m.tiles = ceil_div(m.speedup * m.subarrays_per_copy, m.subarrays_per_tile);
  return m;
}

bool CimModel::do_supports(const graph::Op& op, const hw::Device& device) const noexcept {
  if (device.kind != hw::DeviceKind::kCim) return false;
  if (is_periphery_op(op.kind)) return true;
  // Conv and Gemm keep their weights stationary in the arrays. MatMul is not claimed: whether
  // its operand is a weight is not visible here, and activation-by-activation products cannot
  // be programmed into crossbars.
  return (op.kind == OpKind::kConv || op.kind == OpKind::kGemm) && op.inputs.size() >= 2 &&
         !op.outputs.empty();
}

OpCost CimModel::do_estimate(const graph::Graph& graph, const graph::Op& op,
                             const hw::Device& device, std::int64_t /*fused_bytes_saved*/) const {
  OpCost c;
  auto parsed = CimParams::from_device(device);
  if (!parsed.ok()) {
    // Reported by the caller's check as a non-finite cost; estimate_layer names the fields.
    c.time = Seconds(std::numeric_limits<double>::quiet_NaN());
    return c;
  }
  const CimParams& p = parsed.value();
  const CimPhysics ph = cim_physics(p);
  const double clk_s = ph.clock_s;
  const double ib = static_cast<double>(p.input_bits);

  if (!is_weight_anchor(op.kind) || !has_weight(graph, op)) {
    // Digital periphery (pooling, activation, residual add): pipelined behind the array
    // reads (NeuroSim counts these units in "Other peripheries"), so no time of their own;
    // energy as one periphery operation per output element and input bit.
    const double e_j = activation_elements(graph, op) * ib * ph.periphery_energy_pj * 1e-12;
    c.energy = Joules(e_j);
    c.parts["periphery_j"] = e_j;
    return c;
  }

  const CimLayerShape shape = layer_shape(graph, op, options_.neurosim_conventions);
  const std::int64_t pipe = pipeline_speedup(graph, p, shape.in_size);
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
  const double accumulation_s =
      steps * std::log2(static_cast<double>(m.row_partitions) + 1.0) * clk_s;
  const double buffer_bw =
      (m.novel ? p.nm_buffer_bits_per_cycle : p.cm_buffer_bits_per_cycle) * std::sqrt(tiles);
  const double buffer_s =
      steps * copies * (in_bits_pos + psum_ratio * out_bits_pos) / buffer_bw * clk_s;
  const double ic_cycles = p.interconnect == "bus"
                               ? copies * (in_bits_pos + out_bits_pos) / p.bus_width_bits
                               : p.interconnect_cycles_per_step;
  const double interconnect_s = steps * ic_cycles * clk_s;

  // Energy: per column conversion, per bit buffered and moved.
  const double density = p.input_bit_density;
  const double reads = shape.positions * ib * passes * static_cast<double>(m.groups) *
                       static_cast<double>(m.row_partitions);
  const double used_conversions = reads * static_cast<double>(m.cols);
  const double full_conversions = reads * static_cast<double>(m.col_partitions * p.subarray_cols);
  const double adc_j = used_conversions * ph.conversion_energy_pj * density * 1e-12;
  const double accumulation_j = full_conversions * ph.accumulation_energy_pj * density * 1e-12;
  const double periphery_j = full_conversions * ph.periphery_energy_pj * 1e-12;
  const double buffer_j = shape.positions * (in_bits_pos + psum_ratio * out_bits_pos) *
                          ph.buffer_energy_pj_per_bit * 1e-12;
  const double wire =
      p.interconnect == "bus" ? std::sqrt(static_cast<double>(p.tiles)) : std::sqrt(tiles);
  const double interconnect_j = shape.positions * (in_bits_pos + 2.0 * out_bits_pos) * wire *
                                ph.interconnect_energy_pj_per_bit * 1e-12;

  const double time_s = adc_s + accumulation_s + buffer_s + interconnect_s;
  c.time = Seconds(time_s);
  c.energy = Joules(adc_j + accumulation_j + periphery_j + buffer_j + interconnect_j);
  c.memory = Bytes(tiles);
  c.compute_bound = adc_s >= buffer_s + interconnect_s;
  c.parts["adc_s"] = adc_s;
  c.parts["accumulation_s"] = accumulation_s;
  c.parts["buffer_s"] = buffer_s;
  c.parts["interconnect_s"] = interconnect_s;
  c.parts["adc_j"] = adc_j;
  c.parts["accumulation_j"] = accumulation_j;
  c.parts["periphery_j"] = periphery_j;
  c.parts["buffer_j"] = buffer_j;
  c.parts["interconnect_j"] = interconnect_j;
  c.parts["leakage_j"] = ph.leakage_uw_per_tile * 1e-6 * tiles * time_s;
  c.parts["tiles"] = tiles;
  c.parts["speedup"] = copies;
  c.parts["area_mm2"] =
      tiles * static_cast<double>(m.subarrays_per_tile) * ph.subarray_area_um2 * 1e-6;
  c.parts["ops"] = 2.0 * shape.positions * static_cast<double>(m.rows * m.groups) *
                   static_cast<double>(shape.out_channels) / static_cast<double>(m.groups);
  return c;
}

Result<OpCost> CimModel::do_estimate_layer(const graph::Graph& graph, const graph::Layer& layer,
                                           const hw::Device& device) const {
  auto parsed = CimParams::from_device(device);
  if (!parsed.ok()) return parsed.diagnostics();
  OpCost total;
  for (auto id : layer.ops) {
    const OpCost c = do_estimate(graph, graph.op(id), device, 0);
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
