// The dataflow chiplet's cost model (docs/formats.md, "Dataflow device parameters").
//
// A compute operator becomes `groups` products A[m × k] · B[k × n] (array_cost). The array is
// split by the dataflow's fixed spatial unrolling, after MAESTRO's shipped mappings
// (maestro-project/maestro, tools/frontend/dataflow/):
// - weight-stationary (KC-P, NVDLA-like): rows = `cluster` reduction elements, cols =
//   pes / cluster outputs. A k_t × n_t weight tile stays in the PEs while the m rows of A stream
//   through: per tile compute = m cycles, ingress = m·k_t / reuse (A, multicast along the
//   columns) + k_t·n_t (the weights) + m·n_t (partial sums re-read, except for a column's first
//   reduction tile), egress = m·n_t partial sums.
// - output-stationary (YX-P, ShiDianNao-like): rows = pes / cluster output positions, cols =
//   `cluster` output channels. Each PE accumulates one output over the whole reduction: per
//   tile compute = k cycles, ingress = k·(m_t / reuse + n_t), egress = m_t·n_t.
// A tile costs max(compute, ⌈ingress / BW⌉, ⌈egress / BW⌉) (double buffering, MAESTRO's steady
// case); the first tile of a product costs ⌈ingress / BW⌉ + compute (MAESTRO's initial case).
// Groups narrower than the array's columns share it: ⌊cols / n⌋ groups side by side, each with
// its own A. Every element entering the array is an L2 read, every element leaving an L2 write;
// each MAC reads two operands from L1; L1 writes are the elements delivered to the PEs.
#include <algorithm>
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

/// One pass of a product whose columns hold `side_by_side` groups (each with its own A).
ArrayCost pass_cost(const DataflowParams& p, const GemmShape& s, std::int64_t side_by_side) {
  ArrayCost c;
  const double bw = p.noc_elements_per_cycle();
  const auto m = static_cast<double>(s.m);
  const auto k = static_cast<double>(s.k);
  const std::int64_t n_all = s.n * side_by_side;
  const double a_copies = static_cast<double>(side_by_side) / s.input_reuse;
  const std::int64_t cols =
      p.dataflow == Dataflow::kWeightStationary ? p.pes / p.cluster : p.cluster;
  const std::int64_t rows = p.pes / cols;
  c.rows = rows;
  c.cols = cols;
  const Tiling nt = tile(n_all, cols);
  // The column tiles: (size, count).
  const std::pair<std::int64_t, std::int64_t> col_classes[2] = {{nt.tile, nt.full},
                                                                {nt.edge, nt.edge > 0 ? 1 : 0}};
  bool initial = true;
  if (p.dataflow == Dataflow::kWeightStationary) {
    const TileClasses kc = classes(tile(s.k, rows));
    for (const auto& [ncols, count] : col_classes) {
      if (count == 0 || ncols == 0) continue;
      const auto n_t = static_cast<double>(ncols);
      const auto times = static_cast<double>(count);
      // (reduction tile size, tiles of it per column tile, first of the column?)
      const std::tuple<std::int64_t, std::int64_t, bool> ktiles[3] = {
          {kc.first, 1, true}, {rows, kc.full_after, false}, {kc.edge_after, 1, false}};
      for (const auto& [kk, per_col, first] : ktiles) {
        if (kk == 0 || per_col == 0) continue;
        const auto k_t = static_cast<double>(kk);
        const double ingress = m * k_t * a_copies + k_t * n_t + (first ? 0.0 : m * n_t);
        const double egress = m * n_t;
        double tiles = times * static_cast<double>(per_col);
        if (initial) {
          c.cycles += tile_cycles(m, ingress, egress, bw, true);
          tiles -= 1.0;
          initial = false;
        }
        c.cycles += tiles * tile_cycles(m, ingress, egress, bw, false);
        const double all = times * static_cast<double>(per_col);
        c.l2_reads += all * ingress;
        c.l2_writes += all * egress;
        c.macs += all * m * k_t * n_t;
        c.l1_writes += all * (k_t * n_t + m * k_t * n_t);  // weights once, rows to each PE
      }
    }
  } else {
    const Tiling mt = tile(s.m, rows);
    const std::pair<std::int64_t, std::int64_t> row_classes[2] = {{mt.tile, mt.full},
                                                                  {mt.edge, mt.edge > 0 ? 1 : 0}};
    for (const auto& [nrows, rcount] : row_classes) {
      if (rcount == 0 || nrows == 0) continue;
      for (const auto& [ncols, ccount] : col_classes) {
        if (ccount == 0 || ncols == 0) continue;
        const auto m_t = static_cast<double>(nrows);
        const auto n_t = static_cast<double>(ncols);
        // Side by side, groups do not share A: its copies scale with the groups in the tile.
        const double ingress = k * (m_t * a_copies + n_t);
        const double egress = m_t * n_t;
        double tiles = static_cast<double>(rcount * ccount);
        const double all = tiles;
        if (initial) {
          c.cycles += tile_cycles(k, ingress, egress, bw, true);
          tiles -= 1.0;
          initial = false;
        }
        c.cycles += tiles * tile_cycles(k, ingress, egress, bw, false);
        c.l2_reads += all * ingress;
        c.l2_writes += all * egress;
        c.macs += all * m_t * k * n_t;
        c.l1_writes += all * (2.0 * m_t * k * n_t + m_t * n_t);  // operands, then the output
      }
    }
  }
  c.l1_reads = 2.0 * c.macs;
  return c;
}

}  // namespace

ArrayCost array_cost(const DataflowParams& p, const GemmShape& s) {
  ArrayCost total;
  if (s.m <= 0 || s.k <= 0 || s.n <= 0 || s.groups <= 0) return total;
  const std::int64_t cols =
      p.dataflow == Dataflow::kWeightStationary ? p.pes / p.cluster : p.cluster;
  // Narrow groups share the columns: as many side by side as fit.
  const std::int64_t side = std::clamp<std::int64_t>(cols / s.n, 1, s.groups);
  const std::int64_t passes = s.groups / side;
  const std::int64_t rest = s.groups % side;
  if (passes > 0) {
    ArrayCost one = pass_cost(p, s, side);
    const auto times = static_cast<double>(passes);
    one.cycles *= times;
    one.macs *= times;
    one.l1_reads *= times;
    one.l1_writes *= times;
    one.l2_reads *= times;
    one.l2_writes *= times;
    total += one;
  }
  if (rest > 0) total += pass_cost(p, s, rest);
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
      s.k = product(w, 1, w.size());
      s.n = w[0] / s.groups;
      const double taps = static_cast<double>(product(w, 2, w.size()));
      double stride = 1.0;
      for (auto v : op.attrs.strides) stride *= static_cast<double>(std::max<std::int64_t>(v, 1));
      s.input_reuse = std::max(1.0, taps / stride);
      return s;
    }
    case OpKind::kConvTranspose: {
      if (op.inputs.size() < 2 || x.size() < 3) return std::nullopt;
      const auto& w = g.tensor(op.inputs[1]).shape;
      if (w.size() < 3) return std::nullopt;
      // Each input position scatters to R·S outputs of every output channel.
      s.groups = std::max<std::int64_t>(op.attrs.groups, 1);
      s.m = product(x, 0, 1) * product(x, 2, x.size());
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
    // Operands arrive in L2 once (from DRAM or the producer) and the output leaves it once.
    c.l2_writes += static_cast<double>(in_elements + w_elements);
    c.l2_reads += static_cast<double>(out_elements);
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
