#include "tessera/cost/cost_table_builder.hpp"

#include <limits>

#include "tessera/cost/kind_registry.hpp"

namespace tessera::cost {

namespace {

/// The device-level columns of the table: its kind's capacity resource, whether it pipelines
/// its layers, its static power. Activation buffers count against a capacity in bytes only.
void add_device_columns(CostTable& t, const hw::Device& device, const DeviceKind& kind) {
  t.device_names.push_back(device.name);
  t.device_kinds.push_back(device.kind);
  t.device_class.push_back(device.class_id.value());
  const Capacity capacity = kind.capacity(device);
  t.capacity.push_back(capacity.amount);
  t.capacity_unit.push_back(capacity.unit);
  t.activation_buffer_scale.push_back(capacity.unit == kBytesUnit ? 1.0 : 0.0);
  t.pipelined_layers.push_back(kind.pipelines_layers(device) ? 1 : 0);
  t.static_power_w.push_back(device.static_power.value());
}

/// A device whose kind or params are invalid still gets its columns (so the table stays
/// well-formed while every problem is collected).
void add_invalid_device_columns(CostTable& t, const hw::Device& device) {
  t.device_names.push_back(device.name);
  t.device_kinds.push_back(device.kind);
  t.device_class.push_back(device.class_id.value());
  t.capacity.push_back(0.0);
  t.capacity_unit.emplace_back(kBytesUnit);
  t.activation_buffer_scale.push_back(1.0);
  t.pipelined_layers.push_back(0);
  t.static_power_w.push_back(device.static_power.value());
}

}  // namespace

Result<CostTable> build_cost_table(const graph::Graph& graph, const graph::LayerChain& chain,
                                   const hw::Platform& platform, const CostModelSet& models,
                                   const CostTableOptions& options, const KindRegistry& kinds) {
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
  t.memory.assign(cells, 0.0);
  t.workspace_bytes.assign(cells, 0.0);

  std::vector<Diagnostic> problems;
  for (const auto& given : platform.devices) {
    // Each device's params are checked once here (a platform file's were checked when it was
    // read); its layers are then costed with the completed params.
    auto prepared = kinds.prepare(given);
    if (!prepared.ok()) {
      problems.insert(problems.end(), prepared.diagnostics().begin(), prepared.diagnostics().end());
      add_invalid_device_columns(t, given);
      continue;
    }
    const hw::Device& device = prepared.value();
    add_device_columns(t, device, **kinds.kind_of(device));
    const auto d = device.id.value();
    for (const auto& layer : chain.layers) {
      const auto l = layer.id.value();
      const CostModel* model = models.find(graph, layer, device);
      if (model == nullptr) continue;  // cannot run here: stays +inf
      auto cost = model->estimate_layer(graph, layer, device);
      if (!cost.ok()) {
        problems.insert(problems.end(), cost.diagnostics().begin(), cost.diagnostics().end());
        continue;
      }
      t.time_s[t.at(d, l)] = cost->time.value();
      t.energy_j[t.at(d, l)] = cost->energy.value();
      t.memory[t.at(d, l)] = cost->memory.value();
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
