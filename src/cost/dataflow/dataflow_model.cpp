// The dataflow chiplet's cost model (docs/formats.md, "Dataflow device parameters").
//
// A compute operator becomes `groups` products over m output positions (rows of `width`
// columns), k reduction channels of `taps` filter taps each, and n outputs (array_cost). The
// array is split by the dataflow's fixed spatial unrolling, MAESTRO's shipped mappings
// (maestro-project/maestro, tools/frontend/dataflow/ and data/mapping/), and every temporal
// step of a PE costs its `taps` MACs + 1 cycle (MAESTRO's compute delay: the partial-sum
// update):
// - weight-stationary (KC-P, NVDLA-like): rows = `cluster` input channels, cols =
//   pes / cluster output channels. A k_t × n_t filter tile stays in the PEs while the m
//   positions stream through: compute = m·(taps + 1), ingress = m·k_t·taps / reuse (inputs,
//   multicast along the columns) + k_t·n_t·taps (filters) + m·n_t (partial sums re-read, except
//   for a column's first channel tile), egress = m·n_t partial sums.
// - output-stationary (YX-P, ShiDianNao-like): rows = pes / cluster output rows, cols =
//   `cluster` output columns; output and input channels are temporal: per (n, k) step each PE
//   does `taps` MACs for its pixel: compute = n·k·(taps + 1), ingress = n·k·(taps + pixels·taps /
//   reuse), egress = n·k·pixels (the partial sums leave after every input channel).
// reuse = S / stride (a window sliding along a row). A tile costs max(compute, ⌈ingress / BW⌉,
// ⌈egress / BW⌉) (double buffering, MAESTRO's steady case); the first tile of a product
// ⌈ingress / BW⌉ + compute (its initial case). Narrow groups share the weight-stationary
// columns (⌊cols / n⌋ side by side, each with its own inputs); output-stationary arrays take
// groups one after another. Accesses as MAESTRO counts them: L2 reads = operands fetched
// (inputs, filters), L2 writes = partial sums out + each operand filled once; L1 reads = 3 per
// MAC (input, filter, partial sum), L1 writes = 1 per MAC + the operands delivered.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_set>

#include "cost/dataflow/dataflow_params.hpp"
#include "tessera/cost/dataflow/dataflow_model.hpp"

namespace tessera::cost {

ArrayCost& ArrayCost::operator+=(const ArrayCost& o) {
  cycles += o.cycles;
  macs += o.macs;
  l1_reads += o.l1_reads;
  l1_writes += o.l1_writes;
  l2_reads += o.l2_reads;
  l2_writes += o.l2_writes;
  rows = std::max(rows, o.rows);
  cols = std::max(cols, o.cols);
  return *this;
}

Result<DataflowParams> DataflowParams::from_device(const hw::Device& device) {
  if (device.kind != kDataflowKindName) {
    return Diagnostic{"", 0, 0, "device '" + device.name + "'",
                      "not a dataflow device (kind '" + device.kind + "')"};
  }
  auto record = dataflow::dataflow_schema().validate(device.params);
  if (!record.ok()) return record.diagnostics();
  auto problems = dataflow::check_dataflow_params(*record, "params");
  if (!problems.empty()) return problems;
  return dataflow::bind_dataflow_params(*record);
}

namespace {

using graph::OpKind;

/// A dimension of `size` cut into tiles of `tile`: the full tiles and the remainder.
struct Tiling {
  std::int64_t tile = 0;
  std::int64_t full = 0;
  std::int64_t edge = 0;
};

Tiling tile(std::int64_t size, std::int64_t tile_size) {
  return {tile_size, size / tile_size, size % tile_size};
}

/// The tiles of one dimension as (size, count) classes, the first tile (in loop order) apart.
struct TileClasses {
  std::int64_t first = 0;  ///< size of the first tile
  std::int64_t full_after = 0;
  std::int64_t edge_after = 0;  ///< size of a remainder tile after the first (0: none)
};

TileClasses classes(const Tiling& t) {
  if (t.full == 0) return {t.edge, 0, 0};
  return {t.tile, t.full - 1, t.edge};
}

/// Cycles of one tile: double-buffered steady state, or the initial case (no overlap).
double tile_cycles(double compute, double ingress, double egress, double bw, bool initial) {
  const double in = std::ceil(ingress / bw);
  if (initial) return in + compute;
  return std::max({compute, in, std::ceil(egress / bw)});
}

/// Adds one class of `tiles` identical tiles; the first tile of the product (MAESTRO's initial
/// case) does not overlap its ingress.
/// `fetched`: the ingress elements that are operands (inputs, weights), read from L2 and
/// written to the PEs' L1 (partial sums re-read for accumulation are not, as in MAESTRO).
void add_tiles(ArrayCost& c, bool& initial, double tiles, double compute, double ingress,
               double fetched, double egress, double macs, double bw) {
  if (tiles <= 0.0) return;
  double steady = tiles;
  if (initial) {
    c.cycles += tile_cycles(compute, ingress, egress, bw, true);
    steady -= 1.0;
    initial = false;
  }
  c.cycles += steady * tile_cycles(compute, ingress, egress, bw, false);
  c.l2_reads += tiles * fetched;
  c.l2_writes += tiles * egress;
  c.l1_writes += tiles * (fetched + macs);  // operands delivered, one partial-sum write per MAC
  c.l1_reads += tiles * 3.0 * macs;         // input, weight and partial sum per MAC
  c.macs += tiles * macs;
}

/// (size, count) of the tiles of a dimension.
std::array<std::pair<std::int64_t, std::int64_t>, 2> tile_classes(std::int64_t size,
                                                                  std::int64_t tile_size) {
  const Tiling t = tile(size, tile_size);
  return {{{t.tile, t.full}, {t.edge, t.edge > 0 ? 1 : 0}}};
}

/// Weight-stationary (KC-P) pass whose columns hold `side_by_side` groups.
ArrayCost ws_pass(const DataflowParams& p, const GemmShape& s, std::int64_t side_by_side) {
  ArrayCost c;
  const double bw = p.noc_elements_per_cycle();
  const auto m = static_cast<double>(s.m);
  const auto taps = static_cast<double>(s.taps);
  const double a_copies = static_cast<double>(side_by_side) / s.input_reuse;
  const std::int64_t rows = p.cluster;
  const std::int64_t cols = p.pes / p.cluster;
  c.rows = rows;
  c.cols = cols;
  const TileClasses kc = classes(tile(s.k, rows));
  bool initial = true;
  for (const auto& [ncols, count] : tile_classes(s.n * side_by_side, cols)) {
    if (count == 0 || ncols == 0) continue;
    const auto n_t = static_cast<double>(ncols);
    // (reduction tile size, tiles of it per column tile, first of the column?)
    const std::tuple<std::int64_t, std::int64_t, bool> ktiles[3] = {
        {kc.first, 1, true}, {rows, kc.full_after, false}, {kc.edge_after, 1, false}};
    for (const auto& [kk, per_col, first] : ktiles) {
      if (kk == 0 || per_col == 0) continue;
      const auto k_t = static_cast<double>(kk);
      // m output positions, each a step of `taps` MACs per PE plus the partial-sum update.
      const double compute = m * (taps + 1.0);
      const double fetched = m * k_t * taps * a_copies + k_t * n_t * taps;
      const double ingress = fetched + (first ? 0.0 : m * n_t);
      const double egress = m * n_t;
      const double tiles = static_cast<double>(count * per_col);
      add_tiles(c, initial, tiles, compute, ingress, fetched, egress, m * k_t * n_t * taps, bw);
    }
  }
  return c;
}

/// Output-stationary (YX-P) pass over one group: tiles of output rows x output columns.
ArrayCost os_pass(const DataflowParams& p, const GemmShape& s) {
  ArrayCost c;
  const double bw = p.noc_elements_per_cycle();
  const auto k = static_cast<double>(s.k);
  const auto n = static_cast<double>(s.n);
  const auto taps = static_cast<double>(s.taps);
  const std::int64_t cols = p.cluster;
  const std::int64_t rows = p.pes / p.cluster;
  c.rows = rows;
  c.cols = cols;
  const std::int64_t width = std::max<std::int64_t>(s.width, 1);
  const std::int64_t height = s.m / width;
  bool initial = true;
  for (const auto& [nrows, rcount] : tile_classes(height, rows)) {
    if (rcount == 0 || nrows == 0) continue;
    for (const auto& [ncols, ccount] : tile_classes(width, cols)) {
      if (ccount == 0 || ncols == 0) continue;
      const auto positions = static_cast<double>(nrows * ncols);
      // For each output channel and input channel: `taps` MACs per PE plus the update; the
      // weights are multicast, the tile's inputs (shared between neighbours) fetched.
      const double steps = n * k;
      const double compute = steps * (taps + 1.0);
      const double ingress = steps * (taps + positions * taps / s.input_reuse);
      // The partial sums leave after every input channel (YX-P's channel loops are outside
      // the PE's filter loops).
      const double egress = steps * positions;
      const double tiles = static_cast<double>(rcount * ccount);
      add_tiles(c, initial, tiles, compute, ingress, ingress, egress, positions * steps * taps, bw);
    }
  }
  return c;
}

}  // namespace

ArrayCost array_cost(const DataflowParams& p, const GemmShape& s) {
  ArrayCost total;
  if (s.m <= 0 || s.k <= 0 || s.n <= 0 || s.groups <= 0 || s.taps <= 0) return total;
  auto scaled = [](ArrayCost one, double times) {
    one.cycles *= times;
    one.macs *= times;
    one.l1_reads *= times;
    one.l1_writes *= times;
    one.l2_reads *= times;
    one.l2_writes *= times;
    return one;
  };
  if (p.dataflow == Dataflow::kOutputStationary) {
    // Groups run one after another (channels are temporal in YX-P).
    return scaled(os_pass(p, s), static_cast<double>(s.groups));
  }
  // Narrow groups share the columns: as many side by side as fit.
  const std::int64_t cols = p.pes / p.cluster;
  const std::int64_t side = std::clamp<std::int64_t>(cols / s.n, 1, s.groups);
  const std::int64_t passes = s.groups / side;
  const std::int64_t rest = s.groups % side;
  if (passes > 0) total += scaled(ws_pass(p, s, side), static_cast<double>(passes));
  if (rest > 0) total += ws_pass(p, s, rest);
  return total;
}

namespace {

std::int64_t product(const graph::Shape& shape, std::size_t from, std::size_t to) {
  std::int64_t v = 1;
  for (std::size_t i = from; i < to && i < shape.size(); ++i)
    v *= std::max<std::int64_t>(shape[i], 0);
  return v;
}

/// The operand of a matrix product held as weights (Gemm's B, a MatMul's constant operand).
bool has_weight_operand(const graph::Graph& g, const graph::Op& op) {
  for (std::size_t i = 0; i < std::min<std::size_t>(op.inputs.size(), 2); ++i) {
    if (g.tensor(op.inputs[i]).is_weight) return true;
  }
  return false;
}

/// The products an anchor is lowered to; nullopt for operators that are not matrix products.
std::optional<GemmShape> lower(const graph::Graph& g, const graph::Op& op) {
  if (op.inputs.empty() || op.outputs.empty()) return std::nullopt;
  const auto& x = g.tensor(op.inputs[0]).shape;
  const auto& y = g.tensor(op.outputs[0]).shape;
  GemmShape s;
  switch (op.kind) {
    case OpKind::kConv: {
      if (op.inputs.size() < 2 || x.size() < 3 || y.size() < 3) return std::nullopt;
      const auto& w = g.tensor(op.inputs[1]).shape;
      if (w.size() < 3) return std::nullopt;
      s.groups = std::max<std::int64_t>(op.attrs.groups, 1);
      s.m = product(y, 0, 1) * product(y, 2, y.size());
      s.k = w[1];
      s.taps = product(w, 2, w.size());
      s.width = y.size() > 3 ? y.back() : 1;
      s.n = w[0] / s.groups;
      // A window sliding along the output row reuses all but `stride` of its S columns.
      const double s_taps = static_cast<double>(w.back());
      const double stride =
          op.attrs.strides.empty()
              ? 1.0
              : static_cast<double>(std::max<std::int64_t>(op.attrs.strides.back(), 1));
      s.input_reuse = std::max(1.0, s_taps / stride);
      return s;
    }
    case OpKind::kConvTranspose: {
      if (op.inputs.size() < 2 || x.size() < 3) return std::nullopt;
      const auto& w = g.tensor(op.inputs[1]).shape;
      if (w.size() < 3) return std::nullopt;
      // Each input position scatters to R·S outputs of every output channel.
      s.groups = std::max<std::int64_t>(op.attrs.groups, 1);
      s.m = product(x, 0, 1) * product(x, 2, x.size());
      s.width = x.size() > 3 ? x.back() : 1;
      s.k = w[0] / s.groups;
      s.n = product(w, 1, w.size());
      return s;
    }
    case OpKind::kGemm: {
      if (x.size() != 2 || y.size() != 2) return std::nullopt;
      s.m = y[0];
      s.n = y[1];
      s.k = op.attrs.trans_a ? x[0] : x[1];
      return s;
    }
    case OpKind::kMatMul: {
      if (x.empty() || y.empty()) return std::nullopt;
      s.k = x.back();
      s.n = y.back();
      if (has_weight_operand(g, op) || y.size() < 2) {
        s.m = product(y, 0, y.size() - 1);
      } else {
        // Activations on both sides (attention's Q·Kᵀ and P·V): one product per batch × head.
        s.groups = product(y, 0, y.size() - 2);
        s.m = y[y.size() - 2];
      }
      return s;
    }
    default:
      return std::nullopt;
  }
}

bool is_free(OpKind k) {
  switch (k) {
    case OpKind::kIdentity:
    case OpKind::kDropout:
    case OpKind::kFlatten:
    case OpKind::kReshape:
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
      return true;
    default:
      return graph::is_shape_only(k);
  }
}

/// Cost of one operator in array terms; `dram_bytes` gets the off-chip bytes it reads.
ArrayCost op_array_cost(const graph::Graph& g, const graph::Op& op, const DataflowParams& p,
                        double& dram_bytes, double& weight_bytes) {
  ArrayCost c;
  if (is_free(op.kind)) return c;
  const double bpe = p.bytes_per_element;
  std::int64_t in_elements = 0;
  std::int64_t w_elements = 0;
  for (auto t : op.inputs) {
    const auto& tensor = g.tensor(t);
    (tensor.is_weight ? w_elements : in_elements) += tensor.elements();
  }
  std::int64_t out_elements = 0;
  for (auto t : op.outputs) out_elements += g.tensor(t).elements();
  if (op.kind == OpKind::kEmbedding) {
    // A lookup: the gathered rows come from DRAM through L2; the table stays in memory.
    const double rows = static_cast<double>(out_elements);
    c.cycles = std::ceil(rows / p.noc_elements_per_cycle());
    c.l2_writes = rows;
    c.l2_reads = rows;
    dram_bytes += rows * bpe;
    weight_bytes += static_cast<double>(w_elements) * bpe;
    return c;
  }
  if (auto shape = lower(g, op)) {
    c = array_cost(p, *shape);
    // Operands arrive in L2 once (from DRAM or the producer).
    c.l2_writes += static_cast<double>(in_elements + w_elements);
    dram_bytes += static_cast<double>(w_elements) * bpe;
    weight_bytes += static_cast<double>(w_elements) * bpe;
    return c;
  }
  // Vector work (activations, normalisation, softmax, pooling, residual adds) on the PEs'
  // ALUs: one operation per PE per cycle; operands from and results to L1.
  const double ops = static_cast<double>(std::max(g.work(op).flops, out_elements));
  c.cycles = std::ceil(ops / static_cast<double>(p.pes));
  c.macs = ops;
  c.l1_reads = static_cast<double>(in_elements + w_elements);
  c.l1_writes = static_cast<double>(out_elements);
  dram_bytes += static_cast<double>(w_elements) * bpe;
  weight_bytes += static_cast<double>(w_elements) * bpe;
  return c;
}

OpCost to_op_cost(const DataflowParams& p, const ArrayCost& a, double dram_bytes,
                  double weight_bytes) {
  OpCost c;
  const double compute_s = a.cycles / p.clock_hz;
  const double dram_s = dram_bytes / p.offchip_bytes_per_s;
  // DRAM traffic is double-buffered against the array (MAESTRO's off-chip ingress at the top
  // level): the slower of the two sets the time.
  c.time = Seconds(std::max(compute_s, dram_s));
  c.compute_bound = compute_s >= dram_s;
  const double mac_j = a.macs * p.mac_energy_j;
  const double l1_j = (a.l1_reads + a.l1_writes) * p.l1_energy_macs * p.mac_energy_j;
  const double l2_j = (a.l2_reads + a.l2_writes) * p.l2_energy_macs * p.mac_energy_j;
  const double dram_j = dram_bytes * p.dram_energy_j_per_byte;
  c.energy = Joules(mac_j + l1_j + l2_j + dram_j);
  c.memory = ResourceAmount(weight_bytes);
  c.parts = {{"cycles", a.cycles},
             {"compute_s", compute_s},
             {"dram_s", dram_s},
             {"macs", a.macs},
             {"l1_accesses", a.l1_reads + a.l1_writes},
             {"l2_accesses", a.l2_reads + a.l2_writes},
             {"dram_bytes", dram_bytes},
             {"mac_j", mac_j},
             {"l1_j", l1_j},
             {"l2_j", l2_j},
             {"dram_j", dram_j}};
  return c;
}

}  // namespace

bool DataflowModel::do_supports(const graph::Op& op, const hw::Device& device) const noexcept {
  if (device.kind != kDataflowKindName) return false;
  // Everything but operators Tessera does not model: products on the array, the rest on the
  // PEs' ALUs.
  return op.kind != OpKind::kGeneric;
}

OpCost DataflowModel::do_estimate(const graph::Graph& graph, const graph::Op& op,
                                  const hw::Device& device,
                                  std::int64_t /*fused_bytes_saved*/) const {
  auto p = DataflowParams::from_device(device);
  if (!p.ok()) {
    OpCost bad;
    bad.time = Seconds(std::nan(""));
    return bad;
  }
  double dram = 0.0;
  double weights = 0.0;
  const ArrayCost a = op_array_cost(graph, op, *p, dram, weights);
  return to_op_cost(*p, a, dram, weights);
}

Result<OpCost> DataflowModel::do_estimate_layer(const graph::Graph& graph,
                                                const graph::Layer& layer,
                                                const hw::Device& device) const {
  auto p = DataflowParams::from_device(device);
  if (!p.ok()) return p.diagnostics();
  ArrayCost a;
  double dram = 0.0;
  double weights = 0.0;
  for (auto id : layer.ops) a += op_array_cost(graph, graph.op(id), *p, dram, weights);
  // Activations stay in L2 between layers when the layer's inputs and outputs fit in it;
  // otherwise they go to DRAM and come back.
  double act_elements = 0.0;
  for (auto t : layer.inputs) act_elements += static_cast<double>(graph.tensor(t).elements());
  for (auto t : layer.outputs) act_elements += static_cast<double>(graph.tensor(t).elements());
  const double act_bytes = act_elements * p->bytes_per_element;
  if (act_bytes > p->l2_bytes) dram += act_bytes;
  OpCost c = to_op_cost(*p, a, dram, weights);
  c.workspace = Bytes(static_cast<double>(layer.workspace_bytes));
  c.parts["utilisation"] = a.utilisation(p->pes);
  return c;
}

}  // namespace tessera::cost
