#include "tessera/cost/soc/soc_model.hpp"

#include <cmath>
#include <string>

#include "tessera/cost/soc/soc.hpp"
#include "tessera/cost/soc/soc_split.hpp"

namespace tessera::cost {

namespace {

/// Operators an SoC runs inside a layer at no cost of their own: folded batch norm, the units'
/// output stage (activations, residual adds, pooling) and data movement that only renames.
bool fused_for_free(graph::OpKind kind) {
  using graph::OpKind;
  switch (kind) {
    case OpKind::kBatchNorm:
    case OpKind::kRelu:
    case OpKind::kClip:
    case OpKind::kIdentity:
    case OpKind::kDropout:
    case OpKind::kAdd:
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
    case OpKind::kGlobalAveragePool:
    case OpKind::kReduceMean:
    case OpKind::kFlatten:
    case OpKind::kReshape:
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
    case OpKind::kConcat:
    case OpKind::kPad:
      return true;
    default:
      return graph::is_shape_only(kind);
  }
}

/// Whether some unit in `params` runs an anchor of this kind (kernel restrictions checked on
/// the op's kernel_shape attribute; the full check is soc::accepts on the layer's shape).
bool some_unit_runs(const graph::Op& op, const hw::ParamRecord& params) {
  const bool fc = op.kind == graph::OpKind::kGemm;
  const bool grouped = !fc && op.attrs.groups > 1;
  const auto& k = op.attrs.kernel_shape;
  for (const auto& u : params.records("units")) {
    const std::int64_t kernel = u.integer("kernel");
    if (kernel > 0 && !fc && (k.size() != 2 || k[0] != kernel || k[1] != kernel)) continue;
    if (fc ? u.flag("fc") : (grouped ? u.flag("depthwise") : u.flag("conv"))) return true;
  }
  return false;
}

Result<OpCost> layer_cost(const graph::Graph& graph, const graph::Layer& layer,
                          const hw::Device& device) {
  OpCost cost;
  cost.workspace = Bytes(static_cast<double>(layer.workspace_bytes));
  cost.time = device.layer_overhead;
  auto shape = soc::layer_shape(graph, layer);
  if (!shape.ok()) return shape.diagnostics();
  if (!shape->has_value()) return cost;
  auto soc = soc::Soc::from_device(device);
  if (!soc.ok()) return soc.diagnostics();
  const soc::LayerTable table = soc::make_layer_table(*soc, **shape);
  const soc::CostWeights w = soc->objective == soc::SplitObjective::kEnergy
                                 ? soc::CostWeights{0.0, 1.0}
                                 : soc::CostWeights{1.0, 0.0};
  const auto max_low = static_cast<std::int64_t>(
      std::floor(soc->low_precision_budget * static_cast<double>(table.shape.c_out) + 1e-9));
  auto split = soc::best_split(*soc, table, w, max_low);
  if (!split.ok()) return split.diagnostics();
  cost.time += Seconds(soc->seconds(split->cycles));
  cost.energy = Joules(soc->joules(split->energy_mw_cycles));
  cost.compute_bound = true;
  double weight_bytes = 0.0;
  for (std::size_t u = 0; u < soc->units.size(); ++u) {
    const auto& unit = soc->units[u];
    const std::int64_t c = split->channels[u];
    soc::LayerShape held = table.shape;
    if (unit.depthwise_substitute && held.groups == 1 && !held.fc) {
      held.groups = held.c_out;
      held.c_in = held.c_out;
    }
    weight_bytes += held.weights(c) * static_cast<double>(unit.weight_bits) / 8.0;
    cost.parts[unit.name + "_channels"] = static_cast<double>(c);
    cost.parts[unit.name + "_s"] = soc->seconds(split->unit_cycles[u]);
  }
  cost.memory = ResourceAmount(weight_bytes);
  cost.parts["cycles"] = split->cycles;
  return cost;
}

}  // namespace

bool SocModel::do_supports(const graph::Op& op, const hw::Device& device) const noexcept {
  if (device.kind != "soc") return false;
  if (fused_for_free(op.kind)) return true;
  if (op.kind != graph::OpKind::kConv && op.kind != graph::OpKind::kGemm) return false;
  return some_unit_runs(op, device.params);
}

OpCost SocModel::do_estimate(const graph::Graph& graph, const graph::Op& op,
                             const hw::Device& device, std::int64_t /*fused_bytes_saved*/) const {
  if (fused_for_free(op.kind)) return OpCost{};
  // One anchor alone: the layer made of it.
  graph::Layer layer;
  layer.name = op.name;
  layer.ops = {op.id};
  auto c = layer_cost(graph, layer, device);
  if (!c.ok()) {
    // The CostModel contract reports a cost that cannot be formed as a non-finite one.
    OpCost bad;
    bad.time = Seconds(std::nan(""));
    return bad;
  }
  return *c;
}

Result<OpCost> SocModel::do_estimate_layer(const graph::Graph& graph, const graph::Layer& layer,
                                           const hw::Device& device) const {
  return layer_cost(graph, layer, device);
}

}  // namespace tessera::cost
