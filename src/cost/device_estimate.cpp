#include "tessera/cost/device_estimate.hpp"

namespace tessera::cost {

Result<DeviceEstimate> estimate_device(const graph::Graph& graph, const graph::LayerChain& chain,
                                       const hw::Device& given, const CostOptions& options,
                                       const KindRegistry& kinds) {
  auto prepared = kinds.prepare(given);
  if (!prepared.ok()) return prepared.diagnostics();
  const hw::Device& device = prepared.value();
  const DeviceKind& kind = **kinds.kind_of(device);
  const auto model = kind.make_model(options);

  DeviceEstimate out;
  out.model = chain.model_name;
  out.device = device.name;
  out.kind = device.kind;
  out.capacity = kind.capacity(device);
  out.options = options;
  out.pipelined = kind.pipelines_layers(device);
  for (const auto& layer : chain.layers) {
    bool supported = true;
    for (auto id : layer.ops) supported = supported && model->supports(graph, graph.op(id), device);
    if (!supported) {
      return Diagnostic{"", 0, 0, "device '" + device.name + "'",
                        "no cost model supports layer '" + layer.name + "' on this device"};
    }
    auto c = model->estimate_layer(graph, layer, device);
    if (!c.ok()) return c.diagnostics();
    out.layers.push_back({layer.name, c.value(), 2.0 * static_cast<double>(layer.macs)});
  }
  out.report = kind.estimate_report(device, out.layers, options);
  return out;
}

}  // namespace tessera::cost
