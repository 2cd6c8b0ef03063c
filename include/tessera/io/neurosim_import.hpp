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

/// Parses a report's text; `file` names it in diagnostics. Fails when a layer block lacks its
/// latency or energy, when layer numbers are not 1..N in order, or when there is no layer.
[[nodiscard]] Result<NeuroSimReport> parse_neurosim_report(std::string_view text,
                                                           const std::string& file = "");

/// Reads and parses the report at `path`.
[[nodiscard]] Result<NeuroSimReport> load_neurosim_report(const std::string& path);

}  // namespace tessera::io
