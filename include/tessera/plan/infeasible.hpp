#pragma once
/// Why no plan exists: the binding constraint, named.
#include <optional>
#include <string>

#include "tessera/core/ids.hpp"
#include "tessera/core/units.hpp"

namespace tessera::plan {

/// The kind of constraint that makes a problem infeasible.
enum class InfeasibleReason {
  kMalformedTable,     ///< the cost table's arrays disagree with its sizes or hold invalid numbers
  kEmpty,              ///< no layers or no devices
  kLayerRunsNowhere,   ///< a layer's time is +inf on every device
  kLayerFitsNowhere,   ///< a layer alone exceeds the memory of every device that can run it
  kSourceUnreachable,  ///< the input cannot reach any device that can run the first layer
  kTotalMemory,        ///< all devices together hold less than the layers need
  kNoAssignment,  ///< every layer fits somewhere, but no contiguous split over distinct devices
  kPeriodCap,     ///< feasible, but not within period_cap_s
  kLatencyCap,    ///< feasible, but not within latency_cap_s
};

struct Infeasible {
  InfeasibleReason reason = InfeasibleReason::kNoAssignment;
  /// One or two sentences naming the layer, the device, the need and the capacity (or the
  /// cap and the best achievable value).
  std::string constraint;
  std::optional<LayerId> layer;
  std::optional<DeviceId> device;
  double need = 0.0;             ///< set for memory reasons, in `unit`
  double capacity = 0.0;         ///< set for memory reasons, in `unit`
  std::string unit{kBytesUnit};  ///< the capacity resource's unit ("bytes", "tiles")
};

}  // namespace tessera::plan
