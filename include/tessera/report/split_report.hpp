#pragma once
/// `tessera split` as people and programs read it: the per-layer split table (channels, busy
/// time and energy per unit), the baselines beside the optimum, the optional budget front, and
/// the `tessera.split/1` JSON document.
#include <string>
#include <vector>

#include "tessera/cost/soc/soc_split.hpp"

namespace tessera::report {

struct SplitReport {
  std::string model;
  std::string platform;
  cost::soc::Soc soc;
  cost::soc::SplitOptions options;
  std::vector<cost::soc::LayerTable> tables;
  cost::soc::NetworkSplit optimal;
  std::vector<cost::soc::NetworkSplit> baselines;
  std::vector<cost::soc::BudgetPoint> front;  ///< empty unless asked for
};

/// {"format": "tessera.split/1", "model", "platform", "device", "clock_hz", "objective",
///  "alpha", "budget", "budget_scope", "layers": [{"name", "channels", "units": [{"unit",
///  "channels", "latency_s", "energy_j"}], "latency_s", "energy_j", "low_precision_channels"}],
///  "totals": {"latency_s", "energy_j", "low_precision_share"}, "baselines": [{"method",
///  "latency_s", "energy_j", "low_precision_share", "layers": [{"name", "channels": {unit: c},
///  "latency_s", "energy_j"}]}], "front": [{"budget", "latency_s", "energy_j",
///  "low_precision_share"}]}.
[[nodiscard]] std::string split_json(const SplitReport& r);

/// A header line, the per-layer table, totals, the baselines and the front.
[[nodiscard]] std::string split_text(const SplitReport& r);

}  // namespace tessera::report
