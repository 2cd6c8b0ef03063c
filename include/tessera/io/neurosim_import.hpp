#pragma once
/// Reads DNN+NeuroSim's (V1.3/V1.4 inference) per-layer text report into numbers.
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cim/neurosim_report.hpp"

namespace tessera::io {

/// NeuroSim's reports are a CIM input (cost/cim/neurosim_report.hpp); this reads their text.
using cost::NeuroSimLayer;
using cost::NeuroSimReport;

/// Limits on what a report may declare (checked while reading).
inline constexpr int kMaxNeuroSimLayers = 100000;
inline constexpr double kMaxNeuroSimTiles = 1e6;  ///< per layer, and a layer's speed-up

/// Parses a report's text; `file` names it in diagnostics. Fails when a layer block lacks its
/// latency or energy, when layer numbers are not 1..N in order, when there is no layer, or
/// when a number is not finite and non-negative or a tile count not a whole number in range;
/// every problem names its line.
[[nodiscard]] Result<NeuroSimReport> parse_neurosim_report(std::string_view text,
                                                           const std::string& file = "");

/// Reads and parses the report at `path`.
[[nodiscard]] Result<NeuroSimReport> load_neurosim_report(const std::string& path);

}  // namespace tessera::io
