#pragma once
/// Planning with NeuroSim's own numbers: a NeuroSim report's per-layer latency, energy and tile
/// counts replace a CIM device's entries of a CostTable.
#include <string>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_table.hpp"
#include "tessera/io/neurosim_import.hpp"

namespace tessera::io {

/// Replaces, for every device of `table` that `device` names (a device name such as
/// "cim-sram-0", or a device class such as "cim-sram" = all of its copies), layer k's compute
/// time with report layer k+1's readLatency, its energy with the layer's readDynamicEnergy
/// (leakage stays in the device's static power) and, when the report has a floorplan, its
/// memory with the layer's tile count. Layers are matched by order. Fails, naming `file`, when
/// no device or class is called `device`, when that device is not a CIM device, or when the
/// report's layer count differs from the table's; the table is left unchanged then.
[[nodiscard]] Status apply_neurosim_report(cost::CostTable& table, const std::string& device,
                                           const NeuroSimReport& report, const std::string& file);

}  // namespace tessera::io
