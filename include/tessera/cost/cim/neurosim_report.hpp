#pragma once
/// DNN+NeuroSim's own per-layer numbers for a CIM chip (read from its text report by
/// io/neurosim_import.hpp), and planning with them: they replace a CIM device's entries of a
/// CostTable.
#include <string>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_table.hpp"

namespace tessera::cost {

/// One "Estimation of Layer N" block of a NeuroSim report, in SI units, plus the layer's
/// floorplan lines ("# of tile used", "Speed-up", "Utilization") when present.
struct NeuroSimLayer {
  int index = 0;                  ///< 1-based, as NeuroSim numbers layers
  double latency_s = 0.0;         ///< readLatency
  double dynamic_energy_j = 0.0;  ///< readDynamicEnergy
  double leakage_power_w = 0.0;
  double leakage_energy_j = 0.0;
  double buffer_latency_s = 0.0;
  double buffer_energy_j = 0.0;
  double interconnect_latency_s = 0.0;
  double interconnect_energy_j = 0.0;
  double adc_latency_s = 0.0;           ///< "ADC (or S/As and precharger for SRAM)"
  double accumulation_latency_s = 0.0;  ///< "Accumulation Circuits"
  double other_latency_s = 0.0;         ///< "Other Peripheries" (buffers and IC included)
  double adc_energy_j = 0.0;
  double accumulation_energy_j = 0.0;
  double other_energy_j = 0.0;
  int tiles = 0;  ///< 0 when the report has no floorplan section
  int speedup = 0;
  double utilization = 0.0;
};

/// A whole NeuroSim report: its layers and its chip summary.
struct NeuroSimReport {
  std::vector<NeuroSimLayer> layers;
  double clock_period_s = 0.0;
  double chip_area_m2 = 0.0;
  double pipeline_period_s = 0.0;  ///< "pipeline-system-clock-cycle" (0 for layer-by-layer runs)
  double dynamic_energy_j = 0.0;   ///< per image
  double leakage_energy_j = 0.0;   ///< per image
  double tops_per_w = 0.0;
  double fps = 0.0;
};

/// Replaces, for every device of `table` that `device` names (a device name such as
/// "cim-sram-0", or a device class such as "cim-sram" = all of its copies), layer k's compute
/// time with report layer k+1's readLatency, its energy with the layer's readDynamicEnergy
/// (leakage stays in the device's static power) and, when the report has a floorplan, its
/// memory with the layer's tile count. Layers are matched by order. Fails, naming `file`, when
/// no device or class is called `device`, when that device is not a CIM device, or when the
/// report's layer count differs from the table's; the table is left unchanged then.
[[nodiscard]] Status apply_neurosim_report(CostTable& table, const std::string& device,
                                           const NeuroSimReport& report, const std::string& file);

}  // namespace tessera::cost
