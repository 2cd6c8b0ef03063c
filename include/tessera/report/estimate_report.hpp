#pragma once
/// `tessera estimate` as people and programs read it: a per-layer table with the device kind's
/// columns, and the `tessera.estimate/1` JSON document.
#include <string>

#include "tessera/cost/device_estimate.hpp"

namespace tessera::report {

/// {"format": "tessera.estimate/1", "model", "platform", "device", "device_kind",
///  "neurosim_conventions", "layers": [{"name", "latency_s", "energy_j", "memory_bytes" (or the
///  capacity unit: "tiles"), "parts"}], "totals": {"latency_s", "period_s", "throughput_per_s",
///  "energy_j", "ops", memory, the kind's totals}, and the kind's device section ("chip")}.
[[nodiscard]] std::string estimate_json(const cost::DeviceEstimate& estimate,
                                        const std::string& platform);

/// A header line, the kind's device line, the per-layer table and a summary line.
[[nodiscard]] std::string estimate_text(const cost::DeviceEstimate& estimate,
                                        const std::string& platform);

}  // namespace tessera::report
