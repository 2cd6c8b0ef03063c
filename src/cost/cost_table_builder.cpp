#include "tessera/cost/cost_table_builder.hpp"

#include <limits>

#include "tessera/cost/cim_model.hpp"
#include "tessera/cost/link_model.hpp"
#include "tessera/cost/roofline_model.hpp"

namespace tessera::cost {

CostModelSet CostModelSet::defaults() {
  CostModelSet set;
  set.add(std::make_unique<RooflineModel>());
  set.add(std::make_unique<CimModel>());
  return set;
}

const CostModel* CostModelSet::find(const graph::Graph& graph, const graph::Layer& layer,
                                    const hw::Device& device) const {
  for (const auto& model : models_) {
    bool all = true;
    for (auto id : layer.ops) {
      if (!model->supports(graph.op(id), device)) {
        all = false;
        break;
      }
    }
    if (all) return model.get();
  }
  return nullptr;
}

Result<CostTable> build_cost_table(const graph::Graph& graph, const graph::LayerChain& chain,
                                   const hw::Platform& platform, const CostModelSet& models,
                                   const CostTableOptions& options) {
  CostTable t;
  t.model_name = chain.model_name;
  t.platform_name = platform.name;
  t.num_layers = chain.size();
  t.num_devices = platform.device_count();
  t.source_name = platform.source_name;
  t.microbatch = graph.inputs().empty() || graph.tensor(graph.inputs().front()).shape.empty()
                     ? 1
                     : static_cast<std::int32_t>(graph.tensor(graph.inputs().front()).shape[0]);
  t.input_buffers = options.input_buffers;
  t.output_buffers = options.output_buffers;
  t.class_names = platform.class_names;
  for (const auto& layer : chain.layers) t.layer_names.push_back(layer.name);

  const auto cells =
      static_cast<std::size_t>(t.num_layers) * static_cast<std::size_t>(t.num_devices);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  t.time_s.assign(cells, kInf);
  t.energy_j.assign(cells, 0.0);
  t.memory_bytes.assign(cells, 0.0);
  t.workspace_bytes.assign(cells, 0.0);

  std::vector<Diagnostic> problems;
  for (const auto& device : platform.devices) {
    const auto d = device.id.value();
    t.device_names.push_back(device.name);
    t.device_kinds.emplace_back(hw::device_kind_name(device.kind));
    t.device_class.push_back(device.class_id.value());
    // Capacity units are tiles for CIM devices (CimModel reports tiles as a layer's memory);
    // their activations live in the chip's buffers, so no activation buffers are charged.
    if (device.kind == hw::DeviceKind::kCim) {
      auto params = CimParams::from_device(device);
      // Every layer keeps its weights in its own tiles: with params.pipeline (NeuroSim's
      // default) inferences stream through the layers, see CostTable::pipelined_layers.
      if (!params.ok()) {
        for (const auto& d2 : params.diagnostics()) problems.push_back(d2);
        t.capacity_bytes.push_back(0.0);
        t.pipelined_layers.push_back(0);
      } else {
        t.capacity_bytes.push_back(static_cast<double>(params->tiles));
        t.pipelined_layers.push_back(params->pipeline ? 1 : 0);
      }
      t.activation_buffer_scale.push_back(0.0);
    } else {
      t.capacity_bytes.push_back(device.memory.value());
      t.activation_buffer_scale.push_back(1.0);
      t.pipelined_layers.push_back(0);
    }
    t.static_power_w.push_back(device.static_power.value());
    for (const auto& layer : chain.layers) {
      const auto l = layer.id.value();
      const CostModel* model = models.find(graph, layer, device);
      if (model == nullptr) continue;  // cannot run here: stays +inf
      auto cost = model->estimate_layer(graph, layer, device);
      if (!cost.ok()) {
        for (const auto& d2 : cost.diagnostics()) problems.push_back(d2);
        continue;
      }
      t.time_s[t.at(d, l)] = cost->time.value();
      t.energy_j[t.at(d, l)] = cost->energy.value();
      t.memory_bytes[t.at(d, l)] = cost->memory.value();
      t.workspace_bytes[t.at(d, l)] = cost->workspace.value();
    }
  }
  if (!problems.empty()) return problems;

  for (auto b : chain.cut_bytes) t.cut_bytes.push_back(static_cast<double>(b));

  const auto endpoints = static_cast<std::size_t>(t.num_devices) + 1;
  t.link_latency_s.assign(endpoints * endpoints, 0.0);
  t.link_bandwidth_bytes_per_s.assign(endpoints * endpoints, kInf);
  t.link_energy_j_per_byte.assign(endpoints * endpoints, 0.0);
  for (std::int32_t a = 0; a <= t.num_devices; ++a) {
    for (std::int32_t b = 0; b <= t.num_devices; ++b) {
      if (a == b) continue;
      const auto& link = platform.link(a, b);
      t.link_latency_s[t.link_at(a, b)] = link.latency.value();
      t.link_bandwidth_bytes_per_s[t.link_at(a, b)] = link.bandwidth.value();
      t.link_energy_j_per_byte[t.link_at(a, b)] = link.energy_per_byte.value();
    }
  }
  return t;
}

}  // namespace tessera::cost
