#include "tessera/graph/passes.hpp"

#include <algorithm>
#include <queue>
#include <string>

namespace tessera::graph {

Result<std::vector<OpId>> topological_order(const Graph& graph) {
  const auto& ops = graph.ops();
  const auto producers = graph.producers();
  std::vector<Diagnostic> problems;
  std::vector<char> available(graph.tensors().size(), 0);
  for (auto t : graph.inputs()) available[t.index()] = 1;
  for (const auto& t : graph.tensors())
    if (t.is_weight) available[t.id.index()] = 1;

  // Kahn's algorithm over operators; an edge a -> b for every tensor a writes and b reads.
  std::vector<int> pending(ops.size(), 0);
  std::vector<std::vector<std::int32_t>> readers(graph.tensors().size());
  for (const auto& op : ops) {
    for (auto t : op.inputs) {
      if (available[t.index()]) continue;
      if (!producers[t.index()].valid()) {
        problems.push_back(
            {"", 0, 0, "op '" + op.name + "'",
             "reads tensor '" + graph.tensor(t).name +
                 "', which is neither a graph input, a weight, nor produced by any op"});
        continue;
      }
      ++pending[op.id.index()];
      readers[t.index()].push_back(op.id.value());
    }
  }
  if (!problems.empty()) return problems;

  std::priority_queue<std::int32_t, std::vector<std::int32_t>, std::greater<>> ready;
  for (const auto& op : ops)
    if (pending[op.id.index()] == 0) ready.push(op.id.value());
  std::vector<OpId> order;
  order.reserve(ops.size());
  while (!ready.empty()) {
    const OpId id(ready.top());
    ready.pop();
    order.push_back(id);
    for (auto t : graph.op(id).outputs)
      for (auto reader : readers[t.index()])
        if (--pending[static_cast<std::size_t>(reader)] == 0) ready.push(reader);
  }
  if (order.size() != ops.size()) {
    for (const auto& op : ops)
      if (pending[op.id.index()] > 0) {
        return Diagnostic{"", 0, 0, "op '" + op.name + "'",
                          "is part of a cycle: the graph is not a DAG"};
      }
  }
  return order;
}

namespace {

constexpr std::int32_t kNoLayer = -1;

bool is_activation(const Tensor& t, const std::vector<char>& is_static) {
  return !t.is_weight && !is_static[t.id.index()];
}

}  // namespace

Result<LayerChain> build_layer_chain(const Graph& graph) {
  auto order_result = topological_order(graph);
  if (!order_result.ok()) return order_result.diagnostics();
  const auto& order = order_result.value();
  const auto producers = graph.producers();
  const auto consumers = graph.consumers();
  const std::size_t num_tensors = graph.tensors().size();

  // Static tensors are known before inference: outputs of shape-only ops, and of non-anchor ops
  // whose inputs are all static or weights (constant folding). They never cross a cut.
  std::vector<char> is_static(num_tensors, 0);
  std::vector<char> graph_input(num_tensors, 0);
  for (auto t : graph.inputs()) graph_input[t.index()] = 1;
  std::vector<char> op_static(graph.ops().size(), 0);
  for (auto id : order) {
    const auto& op = graph.op(id);
    // A generic (unmodelled) operator is an anchor, but one that reads only static tensors and
    // weights (an unknown op in a shape computation, such as Range) is constant-folded too.
    bool all_static =
        !is_compute_anchor(op.kind) || (op.kind == OpKind::kGeneric && !op.inputs.empty());
    for (auto t : op.inputs) {
      const auto& tensor = graph.tensor(t);
      if (graph_input[t.index()] || (!tensor.is_weight && !is_static[t.index()]))
        all_static = false;
    }
    if (is_shape_only(op.kind) || all_static) {
      op_static[id.index()] = 1;
      for (auto t : op.outputs) is_static[t.index()] = 1;
    }
  }

  // Assign each operator to a layer (see the header for the rule).
  std::vector<std::int32_t> layer_of_op(graph.ops().size(), kNoLayer);
  std::vector<std::int32_t> layer_of_tensor(num_tensors, kNoLayer);
  std::int32_t num_layers = 0;
  std::vector<OpId> deferred;  // non-anchors reading only graph inputs and weights
  for (auto id : order) {
    if (op_static[id.index()]) continue;
    const auto& op = graph.op(id);
    std::int32_t layer = kNoLayer;
    if (is_compute_anchor(op.kind)) {
      layer = num_layers++;
    } else {
      for (auto t : op.inputs) layer = std::max(layer, layer_of_tensor[t.index()]);
      if (layer == kNoLayer) {
        deferred.push_back(id);
        continue;
      }
    }
    layer_of_op[id.index()] = layer;
    for (auto t : op.outputs) layer_of_tensor[t.index()] = layer;
  }
  // Deferred operators join the earliest layer that reads their output, last to first so that
  // chains of deferred operators resolve; an operator nobody reads starts a layer of its own.
  for (auto it = deferred.rbegin(); it != deferred.rend(); ++it) {
    const auto& op = graph.op(*it);
    std::int32_t layer = kNoLayer;
    for (auto t : op.outputs)
      for (auto reader : consumers[t.index()]) {
        const auto l = layer_of_op[reader.index()];
        if (l != kNoLayer && (layer == kNoLayer || l < layer)) layer = l;
      }
    if (layer == kNoLayer) layer = num_layers++;
    layer_of_op[it->index()] = layer;
    for (auto t : op.outputs) layer_of_tensor[t.index()] = layer;
  }

  LayerChain chain;
  chain.model_name = graph.name;
  chain.layers.resize(static_cast<std::size_t>(num_layers));
  for (std::int32_t l = 0; l < num_layers; ++l)
    chain.layers[static_cast<std::size_t>(l)].id = LayerId(l);
  for (auto id : order) {
    const auto l = layer_of_op[id.index()];
    if (l == kNoLayer) continue;
    chain.layers[static_cast<std::size_t>(l)].ops.push_back(id);
  }

  // The last layer that reads each activation tensor (L for model outputs).
  std::vector<std::int32_t> last_reader(num_tensors, kNoLayer);
  for (const auto& op : graph.ops()) {
    const auto l = layer_of_op[op.id.index()];
    if (l == kNoLayer) continue;
    for (auto t : op.inputs) last_reader[t.index()] = std::max(last_reader[t.index()], l);
  }
  for (auto t : graph.outputs()) last_reader[t.index()] = num_layers;

  // A tensor produced in layer p (p = -1 for model inputs) and last read in layer c crosses
  // every cut k with p < k <= c.
  chain.cut_bytes.assign(static_cast<std::size_t>(num_layers) + 1, 0);
  chain.cut_tensors.assign(static_cast<std::size_t>(num_layers) + 1, {});
  for (const auto& t : graph.tensors()) {
    if (!is_activation(t, is_static)) continue;
    const std::int32_t p = graph_input[t.id.index()] ? -1 : layer_of_tensor[t.id.index()];
    const std::int32_t c = last_reader[t.id.index()];
    if (c == kNoLayer || (p == kNoLayer && !graph_input[t.id.index()])) continue;
    for (std::int32_t k = p + 1; k <= c; ++k) {
      chain.cut_bytes[static_cast<std::size_t>(k)] =
          saturating_add(chain.cut_bytes[static_cast<std::size_t>(k)], t.bytes());
      chain.cut_tensors[static_cast<std::size_t>(k)].push_back(t.id);
    }
  }

  // Per-layer totals.
  for (auto& layer : chain.layers) {
    std::vector<char> weight_seen(num_tensors, 0);
    std::vector<char> activation_seen(num_tensors, 0);
    const Op* anchor = nullptr;
    for (auto id : layer.ops) {
      const auto& op = graph.op(id);
      if (anchor == nullptr && is_compute_anchor(op.kind)) anchor = &op;
      const auto w = graph.work(op);
      layer.macs = saturating_add(layer.macs, w.macs);
      layer.flops = saturating_add(layer.flops, w.flops);
      for (auto t : op.inputs) {
        const auto& tensor = graph.tensor(t);
        if (tensor.is_weight && !weight_seen[t.index()]) {
          weight_seen[t.index()] = 1;
          layer.parameters = saturating_add(layer.parameters, tensor.elements());
          layer.weight_bytes = saturating_add(layer.weight_bytes, tensor.bytes());
        } else if (is_activation(tensor, is_static) && !activation_seen[t.index()]) {
          activation_seen[t.index()] = 1;
          layer.workspace_bytes = saturating_add(layer.workspace_bytes, tensor.bytes());
          layer.inputs.push_back(t);
        }
      }
      for (auto t : op.outputs) {
        const auto& tensor = graph.tensor(t);
        if (!activation_seen[t.index()]) {
          activation_seen[t.index()] = 1;
          layer.workspace_bytes = saturating_add(layer.workspace_bytes, tensor.bytes());
        }
        if (last_reader[t.index()] > layer.id.value()) {
          layer.output_bytes = saturating_add(layer.output_bytes, tensor.bytes());
          layer.outputs.push_back(t);
        }
      }
    }
    const auto& first = graph.op(layer.ops.front());
    const auto& last = graph.op(layer.ops.back());
    layer.anchor_kind = anchor != nullptr ? anchor->kind : first.kind;
    layer.name = anchor != nullptr ? anchor->name : first.name;
    if (!last.outputs.empty()) layer.output_shape = graph.tensor(last.outputs.front()).shape;
  }
  return chain;
}

}  // namespace tessera::graph
