#include "tessera/hw/network.hpp"

#include <cstdlib>
#include <utility>

namespace tessera::hw {
namespace {

std::string position_name(GridPosition p) {
  return "[" + std::to_string(p.row) + "," + std::to_string(p.col) + "]";
}

}  // namespace

Network Network::shared_bus(BytesPerSecond bandwidth) {
  Network n;
  n.shape_ = Shape::kBus;
  n.channels_.push_back(Channel{"bus", bandwidth});
  return n;
}

// Channels of a mesh, in order: for every router (row-major) its links to the east, west,
// south and north neighbours that exist. mesh_channel() computes the same index back.
Network Network::mesh_2d(std::int32_t rows, std::int32_t cols, BytesPerSecond link_bandwidth,
                         std::vector<GridPosition> endpoint_at) {
  Network n;
  n.shape_ = Shape::kMesh;
  n.rows_ = rows;
  n.cols_ = cols;
  n.endpoint_at_ = std::move(endpoint_at);
  const GridPosition steps[] = {{0, 1}, {0, -1}, {1, 0}, {-1, 0}};
  for (std::int32_t r = 0; r < rows; ++r) {
    for (std::int32_t c = 0; c < cols; ++c) {
      for (const auto& s : steps) {
        const GridPosition to{r + s.row, c + s.col};
        if (to.row < 0 || to.row >= rows || to.col < 0 || to.col >= cols) continue;
        n.channels_.push_back(
            Channel{"mesh " + position_name({r, c}) + "->" + position_name(to), link_bandwidth});
      }
    }
  }
  return n;
}

std::int32_t Network::mesh_channel(GridPosition from, GridPosition to) const {
  // Channels before router (r, c): every earlier router contributes its neighbour count.
  std::int32_t index = 0;
  auto neighbours = [&](std::int32_t r, std::int32_t c) {
    return (c + 1 < cols_) + (c > 0) + (r + 1 < rows_) + (r > 0);
  };
  // Sum over earlier rows (each row has the same count pattern), then earlier columns.
  for (std::int32_t r = 0; r < from.row; ++r)
    for (std::int32_t c = 0; c < cols_; ++c) index += neighbours(r, c);
  for (std::int32_t c = 0; c < from.col; ++c) index += neighbours(from.row, c);
  const std::int32_t dr = to.row - from.row;
  const std::int32_t dc = to.col - from.col;
  // Order within the router: east, west, south, north (those that exist).
  if (dc == 1) return index;
  if (from.col + 1 < cols_) ++index;
  if (dc == -1) return index;
  if (from.col > 0) ++index;
  if (dr == 1) return index;
  if (from.row + 1 < rows_) ++index;
  return index;  // north
}

std::vector<std::int32_t> Network::route(std::int32_t from, std::int32_t to) const {
  if (from == to) return {};
  if (shape_ == Shape::kBus) return {0};
  if (shape_ != Shape::kMesh) return {};
  const auto n = static_cast<std::int32_t>(endpoint_at_.size());
  if (from < 0 || to < 0 || from >= n || to >= n) return {};
  GridPosition at = endpoint_at_[static_cast<std::size_t>(from)];
  const GridPosition goal = endpoint_at_[static_cast<std::size_t>(to)];
  std::vector<std::int32_t> out;
  // XY routing: along the row to the goal's column, then along the column.
  while (at.col != goal.col) {
    const GridPosition next{at.row, at.col + (goal.col > at.col ? 1 : -1)};
    out.push_back(mesh_channel(at, next));
    at = next;
  }
  while (at.row != goal.row) {
    const GridPosition next{at.row + (goal.row > at.row ? 1 : -1), at.col};
    out.push_back(mesh_channel(at, next));
    at = next;
  }
  return out;
}

}  // namespace tessera::hw
