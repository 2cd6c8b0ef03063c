#pragma once
/// Small cost tables written by hand for planner tests.
#include <cstdint>

#include "tessera/cost/cost_table.hpp"

namespace tessera::testing {

/// L layers on D devices: every time, energy, memory, workspace and static power 0, every
/// capacity 1e12 bytes, every cut 0 bytes, every link 1e9 B/s with no latency and no energy;
/// one class per device, one activation buffer each way. Tests then set the numbers they need.
[[nodiscard]] cost::CostTable blank_cost_table(std::int32_t layers, std::int32_t devices);

/// Sets the link between endpoints a and b (both directions).
void set_link(cost::CostTable& table, std::int32_t a, std::int32_t b, double bandwidth_bytes_per_s,
              double latency_s, double energy_j_per_byte);

}  // namespace tessera::testing
