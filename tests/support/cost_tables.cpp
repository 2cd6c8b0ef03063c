#include "support/cost_tables.hpp"

#include <string>
#include <utility>

namespace tessera::testing {

cost::CostTable blank_cost_table(std::int32_t layers, std::int32_t devices) {
  cost::CostTable t;
  t.model_name = "hand";
  t.platform_name = "hand";
  t.num_layers = layers;
  t.num_devices = devices;
  for (std::int32_t l = 0; l < layers; ++l) t.layer_names.push_back("L" + std::to_string(l));
  for (std::int32_t d = 0; d < devices; ++d) {
    t.device_names.push_back("dev" + std::to_string(d));
    t.device_kinds.push_back("cpu");
    t.device_class.push_back(d);
    t.class_names.push_back("dev" + std::to_string(d));
  }
  const auto cells = static_cast<std::size_t>(layers) * static_cast<std::size_t>(devices);
  t.time_s.assign(cells, 0.0);
  t.energy_j.assign(cells, 0.0);
  t.memory.assign(cells, 0.0);
  t.workspace_bytes.assign(cells, 0.0);
  t.capacity.assign(static_cast<std::size_t>(devices), 1e12);
  t.static_power_w.assign(static_cast<std::size_t>(devices), 0.0);
  t.cut_bytes.assign(static_cast<std::size_t>(layers + 1), 0.0);
  const auto links = static_cast<std::size_t>(devices + 1) * static_cast<std::size_t>(devices + 1);
  t.link_latency_s.assign(links, 0.0);
  t.link_bandwidth_bytes_per_s.assign(links, 1e9);
  t.link_energy_j_per_byte.assign(links, 0.0);
  t.input_buffers = 1.0;
  t.output_buffers = 1.0;
  return t;
}

void set_link(cost::CostTable& table, std::int32_t a, std::int32_t b, double bandwidth_bytes_per_s,
              double latency_s, double energy_j_per_byte) {
  for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
    const std::size_t i = table.link_at(from, to);
    table.link_bandwidth_bytes_per_s[i] = bandwidth_bytes_per_s;
    table.link_latency_s[i] = latency_s;
    table.link_energy_j_per_byte[i] = energy_j_per_byte;
  }
}

}  // namespace tessera::testing
