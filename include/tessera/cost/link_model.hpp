#pragma once
/// Cost of moving bytes over a link: latency + bytes / bandwidth, energy per byte.
#include "tessera/core/units.hpp"
#include "tessera/hw/platform.hpp"

namespace tessera::cost {

[[nodiscard]] constexpr Seconds transfer_time(Bytes bytes, const hw::Link& link) noexcept {
  if (bytes.value() <= 0.0) return Seconds(0.0);
  return link.latency + bytes / link.bandwidth;
}

[[nodiscard]] constexpr Joules transfer_energy(Bytes bytes, const hw::Link& link) noexcept {
  return link.energy_per_byte * bytes;
}

}  // namespace tessera::cost
