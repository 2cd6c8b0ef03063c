#include "tessera/cost/cost_model.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace tessera::cost {

namespace {

Status check_cost(const OpCost& c, const std::string& what, const hw::Device& device) {
  auto bad = [](double v) { return !std::isfinite(v) || v < 0.0; };
  if (bad(c.time.value()) || bad(c.energy.value()) || bad(c.memory.value()) ||
      bad(c.workspace.value())) {
    return Diagnostic{"", 0, 0, "device '" + device.name + "'",
                      "cost model produced a negative or non-finite cost for " + what +
                          " (check the device's peak, bandwidth and efficiency values)"};
  }
  return {};
}

}  // namespace

Result<OpCost> CostModel::estimate(const graph::Graph& graph, const graph::Op& op,
                                   const hw::Device& device) const {
  if (!supports(graph, op, device)) {
    return Diagnostic{"", 0, 0, "device '" + device.name + "'",
                      std::string(name()) + " model does not support op '" + op.name + "' (" +
                          std::string(graph::op_kind_name(op.kind)) + ") on a " + device.kind +
                          " device"};
  }
  OpCost c = do_estimate(graph, op, device, 0);
  if (auto s = check_cost(c, "op '" + op.name + "'", device); !s.ok()) return s.diagnostics();
  return c;
}

Result<OpCost> CostModel::estimate_layer(const graph::Graph& graph, const graph::Layer& layer,
                                         const hw::Device& device) const {
  for (auto id : layer.ops) {
    const auto& op = graph.op(id);
    if (!supports(graph, op, device)) {
      return Diagnostic{"", 0, 0, "device '" + device.name + "'",
                        std::string(name()) + " model does not support op '" + op.name +
                            "' of layer '" + layer.name + "'"};
    }
  }
  auto c = do_estimate_layer(graph, layer, device);
  if (!c.ok()) return c;
  if (auto s = check_cost(c.value(), "layer '" + layer.name + "'", device); !s.ok())
    return s.diagnostics();
  return c;
}

Result<OpCost> CostModel::do_estimate_layer(const graph::Graph& graph, const graph::Layer& layer,
                                            const hw::Device& device) const {
  // Tensors produced inside the layer that no later layer reads never leave the chip.
  std::unordered_set<std::int32_t> produced;
  for (auto id : layer.ops)
    for (auto t : graph.op(id).outputs) produced.insert(t.value());
  for (auto t : layer.outputs) produced.erase(t.value());

  OpCost total;
  total.memory = ResourceAmount(static_cast<double>(layer.weight_bytes));
  total.workspace = Bytes(static_cast<double>(layer.workspace_bytes));
  for (auto id : layer.ops) {
    const auto& op = graph.op(id);
    std::int64_t saved = 0;
    for (auto t : op.inputs)
      if (produced.count(t.value())) saved += graph.tensor(t).bytes();
    for (auto t : op.outputs)
      if (produced.count(t.value())) saved += graph.tensor(t).bytes();
    const OpCost c = do_estimate(graph, op, device, saved);
    total.time += c.time;
    total.energy += c.energy;
    total.compute_bound = total.compute_bound || c.compute_bound;
    for (const auto& [k, v] : c.parts) total.parts[k] += v;
  }
  total.time += device.layer_overhead;
  total.parts["overhead_s"] += device.layer_overhead.value();
  return total;
}

}  // namespace tessera::cost
