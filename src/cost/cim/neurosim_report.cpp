#include "tessera/cost/cim/neurosim_report.hpp"

#include <cstdint>
#include <vector>

#include "tessera/core/format.hpp"

namespace tessera::cost {

Status apply_neurosim_report(CostTable& table, const std::string& device,
                             const NeuroSimReport& report, const std::string& file) {
  const std::string field = "--neurosim " + device;
  std::vector<std::int32_t> devices;
  for (std::int32_t d = 0; d < table.num_devices; ++d) {
    const auto ud = static_cast<std::size_t>(d);
    const bool by_class =
        ud < table.device_class.size() &&
        static_cast<std::size_t>(table.device_class[ud]) < table.class_names.size() &&
        table.class_names[static_cast<std::size_t>(table.device_class[ud])] == device;
    if (table.device_names[ud] == device || by_class) devices.push_back(d);
  }
  std::vector<Diagnostic> problems;
  if (devices.empty()) {
    std::string names;
    for (const auto& n : table.device_names) names += (names.empty() ? "" : ", ") + n;
    problems.push_back({file, 0, 0, field,
                        "no device or device class '" + device + "' on " + table.platform_name +
                            " (devices: " + names + ")"});
  }
  for (const std::int32_t d : devices) {
    const auto& kind = table.device_kinds[static_cast<std::size_t>(d)];
    if (kind != "cim") {
      problems.push_back({file, 0, 0, field,
                          "device " + table.device_names[static_cast<std::size_t>(d)] + " is a " +
                              kind + " device; NeuroSim reports describe CIM devices"});
    }
  }
  if (static_cast<std::int32_t>(report.layers.size()) != table.num_layers) {
    problems.push_back({file, 0, 0, field,
                        "the report has " +
                            count_of(static_cast<std::int64_t>(report.layers.size()), "layer") +
                            " but " + table.model_name + " has " +
                            std::to_string(table.num_layers) + " (layers are matched by order)"});
  }
  if (!problems.empty()) return problems;
  for (const std::int32_t d : devices) {
    for (std::int32_t l = 0; l < table.num_layers; ++l) {
      const auto& layer = report.layers[static_cast<std::size_t>(l)];
      const std::size_t at = table.at(d, l);
      table.time_s[at] = layer.latency_s;
      table.energy_j[at] = layer.dynamic_energy_j;
      if (layer.tiles > 0) table.memory[at] = layer.tiles;
    }
  }
  return {};
}

}  // namespace tessera::cost
