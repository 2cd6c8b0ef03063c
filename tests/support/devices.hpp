#pragma once
/// Devices built in code for cost-model tests.
#include "tessera/hw/platform.hpp"

namespace tessera::testing {

/// A CPU with round numbers: 100 GFLOP/s float32, 10 GB/s memory, efficiencies 1.0, 1 pJ/FLOP,
/// 10 pJ/byte, 8 GiB, 5 W static, no per-layer overhead.
[[nodiscard]] hw::Device round_number_cpu();

}  // namespace tessera::testing
