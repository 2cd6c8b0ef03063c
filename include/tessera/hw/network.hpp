#pragma once
/// The one network model: what a transfer costs on a link, and which shared channels (a bus, the
/// links between mesh routers) the route between two endpoints crosses. The planner and the
/// evaluator use the per-pair link (`Link`, `CostTable`'s link arrays) through
/// `transfer_seconds` and `transfer_joules`; the simulator adds the channels, so transfers
/// whose routes cross one channel share its bandwidth.
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/units.hpp"

namespace tessera::hw {

/// Time to move `bytes` over a link: latency + bytes / bandwidth. A transfer of zero bytes
/// still crosses the link and costs its latency (a message that says "nothing to send"); a
/// link of zero bandwidth cannot carry a non-empty transfer (+inf). Every consumer (cost
/// table, planner, evaluator, simulator's checks) uses this function.
[[nodiscard]] inline double transfer_seconds(double latency_s, double bandwidth_bytes_per_s,
                                             double bytes) {
  if (bytes <= 0.0) return latency_s;
  return latency_s + bytes / bandwidth_bytes_per_s;
}

/// Energy to move `bytes` over a link: energy per byte × bytes (zero bytes cost nothing).
[[nodiscard]] inline double transfer_joules(double energy_j_per_byte, double bytes) {
  return bytes > 0.0 ? energy_j_per_byte * bytes : 0.0;
}

/// A node of a 2D mesh.
struct GridPosition {
  std::int32_t row = 0;
  std::int32_t col = 0;
  friend bool operator==(GridPosition, GridPosition) = default;
};

/// A physical medium that several routes may cross. Transfers crossing it at the same time share
/// its bandwidth (in the simulator); a route's own link (`Link`) still bounds each transfer.
struct Channel {
  std::string name;  ///< "bus", "mesh [0,1]->[0,2]"
  BytesPerSecond bandwidth;
};

/// The channels behind a platform's pair links. Three shapes: every pair has its own dedicated
/// link (full mesh, explicit pairs: no channel); one bus that every route crosses; a 2D mesh of
/// routers with one channel per direction between neighbours and XY (column first, then row)
/// routing.
class Network {
 public:
  /// Every ordered pair has its own link; no route crosses a shared channel.
  [[nodiscard]] static Network dedicated() { return Network{}; }
  /// One medium every route between distinct endpoints crosses.
  [[nodiscard]] static Network shared_bus(BytesPerSecond bandwidth);
  /// A rows×cols grid; `endpoint_at[e]` is endpoint e's router (every position inside the grid).
  [[nodiscard]] static Network mesh_2d(std::int32_t rows, std::int32_t cols,
                                       BytesPerSecond link_bandwidth,
                                       std::vector<GridPosition> endpoint_at);

  [[nodiscard]] const std::vector<Channel>& channels() const { return channels_; }
  /// The channels a transfer from endpoint `from` to endpoint `to` crosses, in order (empty
  /// for from == to and on a dedicated network). Endpoints outside a mesh's placement cross none.
  [[nodiscard]] std::vector<std::int32_t> route(std::int32_t from, std::int32_t to) const;

 private:
  enum class Shape : std::uint8_t { kDedicated, kBus, kMesh };
  [[nodiscard]] std::int32_t mesh_channel(GridPosition from, GridPosition to) const;

  Shape shape_ = Shape::kDedicated;
  std::vector<Channel> channels_;
  std::int32_t rows_ = 0;
  std::int32_t cols_ = 0;
  std::vector<GridPosition> endpoint_at_;
};

}  // namespace tessera::hw
