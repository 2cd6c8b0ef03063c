// The SoC units' closed-form cycle counts and what they accept. Each formula is restated from
// its source (docs/formats.md, "SoC devices"); c is the number of output channels the unit
// computes, and an unused unit (c = 0) costs nothing.
#include "tessera/cost/soc/soc.hpp"

#include <algorithm>
#include <cmath>

namespace tessera::cost::soc {

namespace {

/// ceil(a / b) for a >= 0, b > 0.
double ceil_div(double a, double b) {
  return std::ceil(a / b);
}

/// DIANA's digital 16x16 PE array (ODiMO, incomp-data-fmts/models/hw_models.py):
/// ceil((c/g)/16) * C_in * ceil(OX/16) * OY * Kx * Ky compute cycles, plus
/// OX * OY * (c + C_in) / 8 load/store cycles. ODiMO's formula is written for whole layers; for
/// a share of a grouped layer Tessera counts the groups the share touches (its channels are the
/// first c): full groups of C/g channels and one partial group, each reading C_in/g inputs.
/// For g = 1 and for a whole depthwise layer this is ODiMO's number.
double diana_digital(const Unit& u, const LayerShape& l, std::int64_t c) {
  const std::int64_t per_group = l.c_out / l.groups;
  const std::int64_t in_per_group = l.c_in / l.groups;
  const std::int64_t full = c / per_group;
  const std::int64_t rest = c % per_group;
  const double channel_steps = static_cast<double>(full) * ceil_div(per_group, u.pe_channels) +
                               ceil_div(static_cast<double>(rest), u.pe_channels);
  const double spatial =
      ceil_div(static_cast<double>(l.ox), u.pe_columns) * static_cast<double>(l.oy * l.kx * l.ky);
  const double compute = channel_steps * static_cast<double>(in_per_group) * spatial;
  const std::int64_t inputs_read = std::min(l.c_in, (full + (rest > 0 ? 1 : 0)) * in_per_group);
  const double load_store = static_cast<double>(l.ox * l.oy) *
                            static_cast<double>(c + inputs_read) / u.load_store_bytes_per_cycle;
  return compute + load_store;
}

/// DIANA's analog array with output unrolling u (ODiMO, hw_models.py): the array evaluates
/// ceil(c/columns) * ceil(C_in/input_block) * OX * OY / u times (not rounded), eval_ns each,
/// plus weight_load_cycles per weight written (C_in * Kx * Ky, independent of c).
double diana_analog(const Unit& u, const LayerShape& l, std::int64_t c, double clock_hz) {
  const double unroll = static_cast<double>(analog_unroll(u, l, c));
  const double evaluations = ceil_div(static_cast<double>(c), u.columns) *
                             ceil_div(static_cast<double>(l.c_in), u.input_block) *
                             static_cast<double>(l.ox * l.oy) / unroll;
  const double eval_cycles = u.eval_ns * 1e-9 * clock_hz;
  return evaluations * eval_cycles +
         u.weight_load_cycles * static_cast<double>(l.c_in * l.kx * l.ky);
}

/// ODiMO's Darkside cluster (spec-hw-units/odimo/method/cost.py): 8 cores x 2 output pixels per
/// iteration, ceil(OY/2) * ceil(OX/8) iterations of an im2col (2 cycles per element,
/// Kx * Ky * C_in elements) and a matrix product of ceil(c/4) steps of
/// 14 * ceil(Kx*Ky*C_in/4) + 15 cycles.
double pulp_cluster(const LayerShape& l, std::int64_t c) {
  const double iterations =
      ceil_div(static_cast<double>(l.oy), 2.0) * ceil_div(static_cast<double>(l.ox), 8.0);
  const double k = static_cast<double>(l.kx * l.ky * l.c_in);
  const double im2col = 2.0 * k;
  const double matmul = ceil_div(static_cast<double>(c), 4.0) * (14.0 * ceil_div(k, 4.0) + 15.0);
  return iterations * (im2col + matmul);
}

/// ODiMO's Darkside depthwise engine (cost.py): 16 channels at a time, each batch a 9-cycle
/// weight load, 9 cycles per output row and 4 per output pixel (3x3 kernels).
double dw_engine(const LayerShape& l, std::int64_t c) {
  return ceil_div(static_cast<double>(c), 16.0) *
         (9.0 + 9.0 * static_cast<double>(l.ox) + 4.0 * static_cast<double>(l.ox * l.oy));
}

double mac_array(const Unit& u, const LayerShape& l, std::int64_t c) {
  const double rate = l.groups > 1 && u.depthwise_macs_per_cycle > 0.0 ? u.depthwise_macs_per_cycle
                                                                       : u.macs_per_cycle;
  return l.weights(c) * static_cast<double>(l.ox * l.oy) / rate;
}

/// Analog crossbars of rows x columns holding the layer's im2col weight matrix
/// (Kx * Ky * C_in rows, c columns) in ceil(c/columns) * ceil(Kx*Ky*C_in/rows) array tiles; each
/// output pixel evaluates every tile once, `arrays` tiles at a time; an evaluation takes
/// floor(eval_ns / T_clk) + 1 cycles (the GVSoC IMA model's job latency).
double crossbar(const Unit& u, const LayerShape& l, std::int64_t c, double clock_hz) {
  const double tiles = ceil_div(static_cast<double>(c), u.columns) *
                       ceil_div(static_cast<double>(l.kx * l.ky * l.c_in), u.rows);
  const double rounds = ceil_div(tiles, static_cast<double>(u.arrays));
  const double eval_cycles = std::floor(u.eval_ns * 1e-9 * clock_hz) + 1.0;
  return static_cast<double>(l.ox * l.oy) * rounds * eval_cycles;
}

bool kernel_ok(const Unit& u, const LayerShape& l) {
  return u.kernel == 0 || (l.kx == u.kernel && l.ky == u.kernel);
}

bool has_depthwise_cost(UnitForm f) {
  return f == UnitForm::kDianaDigital || f == UnitForm::kDwEngine || f == UnitForm::kMacArray;
}

/// The shape a depthwise substitute computes for a standard convolution: C depthwise channels.
LayerShape as_depthwise(const LayerShape& l) {
  LayerShape d = l;
  d.groups = l.c_out;
  d.c_in = l.c_out;
  return d;
}

}  // namespace

std::string_view unit_form_name(UnitForm form) {
  switch (form) {
    case UnitForm::kDianaDigital:
      return "diana_digital";
    case UnitForm::kDianaAnalog:
      return "diana_analog";
    case UnitForm::kPulpCluster:
      return "pulp_cluster";
    case UnitForm::kDwEngine:
      return "dw_engine";
    case UnitForm::kMacArray:
      return "mac_array";
    case UnitForm::kCrossbar:
      return "crossbar";
  }
  return "?";
}

std::string_view split_objective_name(SplitObjective objective) {
  switch (objective) {
    case SplitObjective::kLatency:
      return "latency";
    case SplitObjective::kEnergy:
      return "energy";
    case SplitObjective::kWeighted:
      return "weighted";
  }
  return "?";
}

std::int64_t analog_unroll(const Unit& u, const LayerShape& l, std::int64_t c) {
  std::int64_t best = 1;
  const double rows_per_unroll =
      std::max(u.min_input_rows, static_cast<double>(l.c_in)) * static_cast<double>(l.ky);
  for (std::int64_t unroll = 1; unroll <= u.max_unroll; unroll *= 2) {
    const bool columns_fit = static_cast<double>(unroll * c) <= u.columns;
    const bool rows_fit = static_cast<double>(unroll + l.kx - 1) * rows_per_unroll <= u.rows;
    if (columns_fit && rows_fit) best = unroll;
  }
  return best;
}

bool accepts(const Unit& u, const LayerShape& l) {
  if (!kernel_ok(u, l)) return false;
  if (l.fc) {
    return u.runs_fc && u.form != UnitForm::kDwEngine && !u.depthwise_substitute;
  }
  if (l.groups == 1) {
    if (!u.runs_conv) return false;
    if (u.depthwise_substitute) return l.c_in == l.c_out;
    return u.form != UnitForm::kDwEngine;
  }
  if (!u.runs_depthwise || !has_depthwise_cost(u.form)) return false;
  // The depthwise engine's cost is for depthwise layers only; the others count any grouping.
  return l.depthwise() || u.form != UnitForm::kDwEngine;
}

bool counts_as_low_precision(const Unit& u, const LayerShape& l) {
  return u.low_precision || (u.depthwise_substitute && l.groups == 1 && !l.fc);
}

double unit_cycles(const Unit& u, const LayerShape& given, std::int64_t c, double clock_hz) {
  if (c <= 0) return 0.0;
  const LayerShape l =
      u.depthwise_substitute && given.groups == 1 && !given.fc ? as_depthwise(given) : given;
  double per_sample = 0.0;
  switch (u.form) {
    case UnitForm::kDianaDigital:
      per_sample = diana_digital(u, l, c);
      break;
    case UnitForm::kDianaAnalog:
      per_sample = diana_analog(u, l, c, clock_hz);
      break;
    case UnitForm::kPulpCluster:
      per_sample = pulp_cluster(l, c);
      break;
    case UnitForm::kDwEngine:
      per_sample = dw_engine(l, c);
      break;
    case UnitForm::kMacArray:
      per_sample = mac_array(u, l, c);
      break;
    case UnitForm::kCrossbar:
      per_sample = crossbar(u, l, c, clock_hz);
      break;
  }
  return per_sample * static_cast<double>(l.batch);
}

namespace {

const graph::Op* find_anchor(const graph::Graph& graph, const graph::Layer& layer) {
  for (auto id : layer.ops) {
    const auto& op = graph.op(id);
    if (graph::is_compute_anchor(op.kind)) return &op;
  }
  return nullptr;
}

Diagnostic unsupported(const graph::Layer& layer, const std::string& why) {
  return Diagnostic{"", 0, 0, "layer '" + layer.name + "'", why};
}

}  // namespace

Result<std::optional<LayerShape>> layer_shape(const graph::Graph& graph,
                                              const graph::Layer& layer) {
  const graph::Op* op = find_anchor(graph, layer);
  if (op == nullptr) return std::optional<LayerShape>();
  LayerShape s;
  s.name = layer.name;
  if (op->kind == graph::OpKind::kConv) {
    const auto& x = graph.tensor(op->inputs.at(0)).shape;
    const auto& w = graph.tensor(op->inputs.at(1)).shape;
    const auto& y = graph.tensor(op->outputs.at(0)).shape;
    if (x.size() != 4 || w.size() != 4 || y.size() != 4) {
      return unsupported(layer, "the SoC kind models 2-D convolutions only");
    }
    s.batch = y[0];
    s.c_in = x[1];
    s.c_out = y[1];
    s.groups = std::max<std::int64_t>(op->attrs.groups, 1);
    s.ky = w[2];
    s.kx = w[3];
    s.oy = y[2];
    s.ox = y[3];
    return std::optional<LayerShape>(s);
  }
  if (op->kind == graph::OpKind::kGemm) {
    const auto& a = graph.tensor(op->inputs.at(0)).shape;
    const auto& y = graph.tensor(op->outputs.at(0)).shape;
    if (a.size() != 2 || y.size() != 2) {
      return unsupported(layer, "the SoC kind models 2-D fully connected layers only");
    }
    s.fc = true;
    s.batch = y[0];
    s.c_in = op->attrs.trans_a ? a[0] : a[1];
    s.c_out = y[1];
    return std::optional<LayerShape>(s);
  }
  return unsupported(layer, "the SoC kind runs convolutions and fully connected layers, not " +
                                std::string(graph::op_kind_name(op->kind)));
}

}  // namespace tessera::cost::soc
