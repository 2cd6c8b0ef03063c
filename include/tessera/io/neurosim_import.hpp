#pragma once
/// Reads DNN+NeuroSim's (V1.3/V1.4 inference) per-layer text report into numbers.
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"

namespace tessera::io {

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

/// Parses a report's text; `file` names it in diagnostics. Fails when a layer block lacks its
/// latency or energy, when layer numbers are not 1..N in order, or when there is no layer.
[[nodiscard]] Result<NeuroSimReport> parse_neurosim_report(std::string_view text,
                                                           const std::string& file = "");

/// Reads and parses the report at `path`.
[[nodiscard]] Result<NeuroSimReport> load_neurosim_report(const std::string& path);

}  // namespace tessera::io
