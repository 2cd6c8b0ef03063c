// The network model: transfer cost on one link, and the shared channels routes cross.
#include "tessera/hw/network.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "tessera/hw/platform_builder.hpp"

namespace tessera::hw {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(TransferCost, IsLatencyPlusBytesOverBandwidth) {
  // 1 MB over 1 GB/s with 2 µs latency: 2e-6 + 1e6 / 1e9 = 1.002e-3 s.
  EXPECT_DOUBLE_EQ(transfer_seconds(2e-6, 1e9, 1e6), 1.002e-3);
  EXPECT_DOUBLE_EQ(transfer_joules(1e-9, 1e6), 1e-3);
}

TEST(TransferCost, ZeroBytesCostTheLatencyOnAnyLink) {
  EXPECT_EQ(transfer_seconds(2e-6, 1e9, 0.0), 2e-6);
  EXPECT_EQ(transfer_seconds(2e-6, 0.0, 0.0), 2e-6) << "not 0/0";
  EXPECT_EQ(transfer_seconds(0.0, kInf, 0.0), 0.0);
  EXPECT_EQ(transfer_joules(1e-9, 0.0), 0.0);
}

TEST(TransferCost, ZeroBandwidthCannotCarryBytes) {
  EXPECT_TRUE(std::isinf(transfer_seconds(1e-6, 0.0, 1.0)));
  EXPECT_EQ(transfer_seconds(1e-6, kInf, 1e9), 1e-6);
}

TEST(Network, DedicatedLinksCrossNoSharedChannel) {
  const Network n = Network::dedicated();
  EXPECT_TRUE(n.channels().empty());
  EXPECT_TRUE(n.route(0, 1).empty());
}

TEST(Network, EveryBusRouteCrossesTheBus) {
  const Network n = Network::shared_bus(BytesPerSecond(1e9));
  ASSERT_EQ(n.channels().size(), 1u);
  EXPECT_EQ(n.channels()[0].bandwidth.value(), 1e9);
  EXPECT_EQ(n.route(0, 3), std::vector<std::int32_t>{0});
  EXPECT_EQ(n.route(3, 0), std::vector<std::int32_t>{0});
  EXPECT_TRUE(n.route(2, 2).empty());
}

std::string route_text(const Network& n, std::int32_t from, std::int32_t to) {
  std::string out;
  for (std::int32_t c : n.route(from, to)) {
    if (!out.empty()) out += " | ";
    out += n.channels()[static_cast<std::size_t>(c)].name;
  }
  return out;
}

TEST(Network, MeshRoutesGoAlongTheRowThenTheColumn) {
  // 3x4 mesh: 3 rows x 3 east/west pairs + 4 columns x 2 north/south pairs, both directions:
  // 2 * (3 * 3 + 4 * 2) = 34 channels.
  const Network n = Network::mesh_2d(3, 4, BytesPerSecond(8e9), {{0, 0}, {2, 3}, {1, 1}, {0, 3}});
  EXPECT_EQ(n.channels().size(), 34u);
  EXPECT_EQ(route_text(n, 0, 1),
            "mesh [0,0]->[0,1] | mesh [0,1]->[0,2] | mesh [0,2]->[0,3] | mesh [0,3]->[1,3] | "
            "mesh [1,3]->[2,3]");
  EXPECT_EQ(route_text(n, 1, 2), "mesh [2,3]->[2,2] | mesh [2,2]->[2,1] | mesh [2,1]->[1,1]");
  EXPECT_EQ(route_text(n, 3, 0), "mesh [0,3]->[0,2] | mesh [0,2]->[0,1] | mesh [0,1]->[0,0]");
  // Opposite directions are different channels (full duplex); the same direction is shared.
  const auto there = n.route(0, 3);
  const auto back = n.route(3, 0);
  for (auto c : there)
    for (auto d : back) EXPECT_NE(c, d);
  EXPECT_EQ(n.route(0, 1)[1], n.route(0, 3)[1]) << "both cross [0,1]->[0,2]";
  EXPECT_EQ(n.channels()[0].bandwidth.value(), 8e9);
}

TEST(Network, EveryMeshChannelIsNamedOnceAndReachedByItsOwnHop) {
  // Place one endpoint on every router of a 4x5 mesh and check that the one-hop route between
  // neighbours is the channel named after them: the index arithmetic matches the names.
  std::vector<GridPosition> at;
  for (std::int32_t r = 0; r < 4; ++r)
    for (std::int32_t c = 0; c < 5; ++c) at.push_back({r, c});
  const Network n = Network::mesh_2d(4, 5, BytesPerSecond(1.0), at);
  std::vector<int> reached(n.channels().size(), 0);
  for (std::int32_t a = 0; a < 20; ++a) {
    for (std::int32_t b = 0; b < 20; ++b) {
      const auto pa = at[static_cast<std::size_t>(a)];
      const auto pb = at[static_cast<std::size_t>(b)];
      if (std::abs(pa.row - pb.row) + std::abs(pa.col - pb.col) != 1) continue;
      const auto r = n.route(a, b);
      ASSERT_EQ(r.size(), 1u);
      EXPECT_EQ(n.channels()[static_cast<std::size_t>(r[0])].name,
                "mesh [" + std::to_string(pa.row) + "," + std::to_string(pa.col) + "]->[" +
                    std::to_string(pb.row) + "," + std::to_string(pb.col) + "]");
      ++reached[static_cast<std::size_t>(r[0])];
    }
  }
  for (int k : reached) EXPECT_EQ(k, 1);
}

TEST(Network, MeshPlatformsRouteOverTheirPlacement) {
  std::vector<Endpoint> endpoints = {
      {"a", std::nullopt, "a"}, {"b", std::nullopt, "b"}, {"host", std::nullopt, "source"}};
  Mesh2DSpec mesh;
  mesh.rows = 1;
  mesh.cols = 3;
  mesh.hop_latency = Seconds(1e-6);
  mesh.link_bandwidth = BytesPerSecond(4e9);
  mesh.energy_per_byte_per_hop = JoulesPerByte(1e-12);
  mesh.placement = {{"host", {0, 0}}, {"a", {0, 2}}, {"b", {0, 1}}};
  auto m = build_link_matrix(endpoints, mesh);
  ASSERT_TRUE(m.ok()) << m.error_text();
  EXPECT_EQ(m->links[2 * 3 + 0].hops, 2);  // host -> a
  EXPECT_EQ(m->network.route(2, 0).size(), 2u);
  EXPECT_EQ(route_text(m->network, 2, 0), "mesh [0,0]->[0,1] | mesh [0,1]->[0,2]");
}

}  // namespace
}  // namespace tessera::hw
