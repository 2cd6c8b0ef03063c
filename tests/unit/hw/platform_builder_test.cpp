#include "tessera/hw/platform_builder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace tessera::hw {
namespace {

constexpr double kTol = 1e-9;

LinkSpec link_spec(double bandwidth_bytes_per_s, double latency_s, double energy_j_per_byte) {
  return LinkSpec{BytesPerSecond(bandwidth_bytes_per_s), Seconds(latency_s),
                  JoulesPerByte(energy_j_per_byte)};
}

/// A valid device entry with round numbers.
DeviceSpec entry(const std::string& name, std::int32_t count = 1, const std::string& cls = "") {
  DeviceSpec s;
  s.device.name = name;
  s.device.class_name = cls;
  s.device.kind = "cpu";
  s.device.memory = Bytes(8e9);
  s.device.peak[DType::kFloat32] = FlopsPerSecond(100e9);
  s.device.memory_bandwidth = BytesPerSecond(10e9);
  s.device.static_power = Watts(5.0);
  s.device.energy_per_flop = JoulesPerFlop(1e-12);
  s.device.energy_per_byte = JoulesPerByte(10e-12);
  s.count = count;
  s.nic = link_spec(125e6, 100e-6, 8e-9);
  return s;
}

PlatformSpec spec_with(std::vector<DeviceSpec> devices, TopologySpec topology) {
  PlatformSpec spec;
  spec.name = "test";
  spec.source_file = "test.yaml";
  spec.source_name = "host";
  spec.source_nic = link_spec(125e6, 100e-6, 8e-9);
  spec.devices = std::move(devices);
  spec.topology = std::move(topology);
  return spec;
}

bool has_diagnostic(const std::vector<Diagnostic>& ds, const std::string& field,
                    const std::string& message_part) {
  return std::any_of(ds.begin(), ds.end(), [&](const Diagnostic& d) {
    return d.field == field && d.message.find(message_part) != std::string::npos;
  });
}

TEST(BuildPlatform, RequiresOnlyTheCommonFieldsTheDevicesKindReads) {
  // A kind that reads no roofline numbers (a CIM chip) may leave them out; one that reads them
  // must give them; given values are checked either way.
  DeviceSpec chip = entry("chip");
  chip.device.kind = "cim";
  chip.device.memory = Bytes(0.0);
  chip.device.peak.clear();
  chip.device.memory_bandwidth = BytesPerSecond(0.0);
  chip.fields = DeviceFields::none();
  auto ok = build_platform(spec_with({chip}, FullMeshSpec{}));
  EXPECT_TRUE(ok.ok()) << ok.error_text();

  DeviceSpec roofline = chip;
  roofline.fields = DeviceFields::all();
  auto missing = build_platform(spec_with({roofline}, FullMeshSpec{}));
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(has_diagnostic(missing.diagnostics(), "devices[0].memory", "must be > 0"));
  EXPECT_TRUE(has_diagnostic(missing.diagnostics(), "devices[0].peak", "float32 peak"));
  EXPECT_TRUE(has_diagnostic(missing.diagnostics(), "devices[0].memory_bandwidth", "> 0"));

  DeviceSpec given = chip;
  given.device.memory_bandwidth = BytesPerSecond(-1.0);
  auto bad = build_platform(spec_with({given}, FullMeshSpec{}));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_diagnostic(bad.diagnostics(), "devices[0].memory_bandwidth", "> 0"));
}

TEST(TopologyName, RoundTripsEveryTopology) {
  for (auto t :
       {Topology::kFullMesh, Topology::kSharedBus, Topology::kMesh2D, Topology::kExplicit}) {
    EXPECT_EQ(topology_from_name(topology_name(t)), t);
  }
  EXPECT_EQ(topology_name(Topology::kMesh2D), "mesh_2d");
  EXPECT_FALSE(topology_from_name("ring").has_value());
}

TEST(BuildPlatform, ExpandsCountIntoNumberedInstancesOfOneClass) {
  auto p = build_platform(spec_with(
      {entry("rpi", 3), entry("gpu", 1, "accel"), entry("npu", 1, "accel")}, FullMeshSpec{}));
  ASSERT_TRUE(p.ok()) << p.error_text();
  ASSERT_EQ(p->device_count(), 5);
  const std::vector<std::string> names = {"rpi-0", "rpi-1", "rpi-2", "gpu", "npu"};
  const std::vector<std::int32_t> classes = {0, 0, 0, 1, 1};
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(p->devices[i].name, names[i]);
    EXPECT_EQ(p->devices[i].id.value(), static_cast<std::int32_t>(i));
    EXPECT_EQ(p->devices[i].class_id.value(), classes[i]);
  }
  EXPECT_EQ(p->class_names, (std::vector<std::string>{"rpi", "accel"}));
  EXPECT_EQ(p->devices[0].class_name, "rpi");
  EXPECT_EQ(p->devices[4].class_name, "accel");
  EXPECT_EQ(p->source_endpoint(), 5);
  EXPECT_EQ(p->links.size(), 36u);  // (5 + 1)^2
  ASSERT_NE(p->find_device("rpi-2"), nullptr);
  EXPECT_EQ(p->find_device("rpi-2")->id.value(), 2);
  EXPECT_EQ(p->find_device("rpi"), nullptr);
}

TEST(BuildPlatform, DistinctEntriesWithoutClassGetTheirOwnClasses) {
  auto p = build_platform(spec_with({entry("a"), entry("b"), entry("c")}, FullMeshSpec{}));
  ASSERT_TRUE(p.ok()) << p.error_text();
  EXPECT_EQ(p->class_names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(p->devices[2].class_id.value(), 2);
}

TEST(BuildPlatform, SelfLinksAreFree) {
  auto p = build_platform(spec_with({entry("a", 2)}, FullMeshSpec{}));
  ASSERT_TRUE(p.ok()) << p.error_text();
  for (std::int32_t e = 0; e <= p->device_count(); ++e) {
    EXPECT_TRUE(std::isinf(p->link(e, e).bandwidth.value()));
    EXPECT_EQ(p->link(e, e).latency.value(), 0.0);
    EXPECT_EQ(p->link(e, e).energy_per_byte.value(), 0.0);
    EXPECT_EQ(p->link(e, e).hops, 0);
  }
}

TEST(BuildPlatform, FullMeshTakesMinBandwidthAndMeanLatencyAndEnergy) {
  DeviceSpec fast = entry("fast");
  // 10 Gbit/s = 1.25e9 B/s, 20 us, 2 nJ/byte.
  fast.nic = link_spec(1.25e9, 20e-6, 2e-9);
  DeviceSpec slow = entry("slow");
  // 1 Gbit/s = 1.25e8 B/s, 100 us, 8 nJ/byte.
  slow.nic = link_spec(1.25e8, 100e-6, 8e-9);
  auto spec = spec_with({fast, slow}, FullMeshSpec{});
  // Source: 2.5 Gbit/s = 3.125e8 B/s, 60 us, 4 nJ/byte.
  spec.source_nic = link_spec(3.125e8, 60e-6, 4e-9);
  auto p = build_platform(spec);
  ASSERT_TRUE(p.ok()) << p.error_text();
  // fast→slow: bandwidth min(1.25e9, 1.25e8) = 1.25e8; latency (20 + 100)/2 = 60 us;
  // energy (2 + 8)/2 = 5 nJ/byte.
  for (auto [a, b] : {std::pair{0, 1}, std::pair{1, 0}}) {
    EXPECT_NEAR(p->link(a, b).bandwidth.value(), 1.25e8, kTol);
    EXPECT_NEAR(p->link(a, b).latency.value(), 60e-6, kTol);
    EXPECT_NEAR(p->link(a, b).energy_per_byte.value(), 5e-9, kTol);
    EXPECT_EQ(p->link(a, b).hops, 1);
  }
  // fast→source (endpoint 2): min(1.25e9, 3.125e8) = 3.125e8; (20 + 60)/2 = 40 us;
  // (2 + 4)/2 = 3 nJ/byte.
  EXPECT_NEAR(p->link(0, 2).bandwidth.value(), 3.125e8, kTol);
  EXPECT_NEAR(p->link(0, 2).latency.value(), 40e-6, kTol);
  EXPECT_NEAR(p->link(0, 2).energy_per_byte.value(), 3e-9, kTol);
  // source→slow: min(3.125e8, 1.25e8) = 1.25e8; (60 + 100)/2 = 80 us; (4 + 8)/2 = 6 nJ/byte.
  EXPECT_NEAR(p->link(2, 1).bandwidth.value(), 1.25e8, kTol);
  EXPECT_NEAR(p->link(2, 1).latency.value(), 80e-6, kTol);
  EXPECT_NEAR(p->link(2, 1).energy_per_byte.value(), 6e-9, kTol);
}

TEST(BuildPlatform, FullMeshGivesLikeEndpointsTheirNicNumbers) {
  auto p = build_platform(spec_with({entry("a", 2)}, FullMeshSpec{}));
  ASSERT_TRUE(p.ok()) << p.error_text();
  // Both NICs 1.25e8 B/s, 100 us, 8 nJ/byte: min = mean = the NIC's own numbers.
  EXPECT_NEAR(p->link(0, 1).bandwidth.value(), 1.25e8, kTol);
  EXPECT_NEAR(p->link(0, 1).latency.value(), 100e-6, kTol);
  EXPECT_NEAR(p->link(0, 1).energy_per_byte.value(), 8e-9, kTol);
}

TEST(BuildPlatform, SharedBusGivesEveryPairTheBusNumbers) {
  SharedBusSpec bus{link_spec(4e9, 1e-6, 20e-12)};
  auto p = build_platform(spec_with({entry("a", 3)}, bus));
  ASSERT_TRUE(p.ok()) << p.error_text();
  EXPECT_EQ(p->topology, Topology::kSharedBus);
  for (std::int32_t a = 0; a <= 3; ++a) {
    for (std::int32_t b = 0; b <= 3; ++b) {
      if (a == b) continue;
      EXPECT_EQ(p->link(a, b).bandwidth.value(), 4e9);
      EXPECT_EQ(p->link(a, b).latency.value(), 1e-6);
      EXPECT_EQ(p->link(a, b).energy_per_byte.value(), 20e-12);
      EXPECT_EQ(p->link(a, b).hops, 1);
    }
  }
}

TEST(BuildPlatform, SharedBusNeedsNoNics) {
  auto spec = spec_with({entry("a", 2)}, SharedBusSpec{link_spec(1e9, 0.0, 0.0)});
  spec.devices[0].nic.reset();
  spec.source_nic.reset();
  auto p = build_platform(spec);
  EXPECT_TRUE(p.ok()) << p.error_text();
}

Mesh2DSpec mesh_3x3() {
  Mesh2DSpec mesh;
  mesh.rows = 3;
  mesh.cols = 3;
  mesh.hop_latency = Seconds(5e-9);
  mesh.link_bandwidth = BytesPerSecond(16e9);
  mesh.energy_per_byte_per_hop = JoulesPerByte(1e-12);
  return mesh;
}

TEST(BuildPlatform, Mesh2DRoutesXYWithManhattanHops) {
  Mesh2DSpec mesh = mesh_3x3();
  mesh.placement = {{"cpu", {0, 0}}, {"cim-0", {0, 2}}, {"cim-1", {2, 2}}, {"host", {2, 0}}};
  auto p = build_platform(spec_with({entry("cpu"), entry("cim", 2)}, mesh));
  ASSERT_TRUE(p.ok()) << p.error_text();
  EXPECT_EQ(p->topology, Topology::kMesh2D);
  // cpu (0,0) → cim-1 (2,2): |0-2| + |0-2| = 4 hops; latency 4 x 5 ns = 20 ns;
  // energy 4 x 1 pJ = 4 pJ/byte; bandwidth one link = 16 GB/s.
  EXPECT_EQ(p->link(0, 2).hops, 4);
  EXPECT_NEAR(p->link(0, 2).latency.value(), 20e-9, 1e-18);
  EXPECT_NEAR(p->link(0, 2).energy_per_byte.value(), 4e-12, 1e-21);
  EXPECT_EQ(p->link(0, 2).bandwidth.value(), 16e9);
  // cim-0 (0,2) → cim-1 (2,2): 2 hops, 10 ns, 2 pJ/byte.
  EXPECT_EQ(p->link(1, 2).hops, 2);
  EXPECT_NEAR(p->link(1, 2).latency.value(), 10e-9, 1e-18);
  EXPECT_NEAR(p->link(1, 2).energy_per_byte.value(), 2e-12, 1e-21);
  // host (2,0) → cim-0 (0,2): 2 + 2 = 4 hops, symmetric with cim-0 → host.
  EXPECT_EQ(p->link(3, 1).hops, 4);
  EXPECT_EQ(p->link(1, 3).hops, 4);
  // cpu (0,0) → host (2,0): 2 hops.
  EXPECT_EQ(p->link(0, 3).hops, 2);
}

TEST(BuildPlatform, Mesh2DWithoutPlacementPlacesRowMajor) {
  Mesh2DSpec mesh = mesh_3x3();
  mesh.cols = 2;  // 3 rows x 2 cols
  // Endpoints a-0 a-1 a-2 a-3 host at (0,0) (0,1) (1,0) (1,1) (2,0).
  auto p = build_platform(spec_with({entry("a", 4)}, mesh));
  ASSERT_TRUE(p.ok()) << p.error_text();
  EXPECT_EQ(p->link(0, 1).hops, 1);                          // (0,0)→(0,1)
  EXPECT_EQ(p->link(0, 3).hops, 2);                          // (0,0)→(1,1)
  EXPECT_EQ(p->link(1, 4).hops, 3);                          // (0,1)→(2,0): 2 + 1
  EXPECT_NEAR(p->link(1, 4).latency.value(), 15e-9, 1e-18);  // 3 x 5 ns
}

TEST(BuildPlatform, ExplicitLinksUsePairsThenDefault) {
  ExplicitLinksSpec ex;
  ex.default_link = link_spec(1e8, 1e-3, 1e-8);
  ex.pairs = {PairLinkSpec{"a", "b", link_spec(1e9, 1e-5, 1e-10), true},
              PairLinkSpec{"host", "a", link_spec(2e9, 2e-5, 2e-10), false}};
  auto p = build_platform(spec_with({entry("a"), entry("b")}, ex));
  ASSERT_TRUE(p.ok()) << p.error_text();
  // a↔b from pairs[0] in both directions.
  EXPECT_EQ(p->link(0, 1).bandwidth.value(), 1e9);
  EXPECT_EQ(p->link(1, 0).latency.value(), 1e-5);
  // host→a from pairs[1], one way only: a→host falls back to the default.
  EXPECT_EQ(p->link(2, 0).bandwidth.value(), 2e9);
  EXPECT_EQ(p->link(0, 2).bandwidth.value(), 1e8);
  EXPECT_EQ(p->link(0, 2).latency.value(), 1e-3);
  // b↔host: default.
  EXPECT_EQ(p->link(1, 2).energy_per_byte.value(), 1e-8);
  EXPECT_EQ(p->link(2, 1).energy_per_byte.value(), 1e-8);
}

TEST(BuildPlatform, ExplicitLinksWithoutDefaultReportEveryMissingPair) {
  ExplicitLinksSpec ex;
  ex.pairs = {PairLinkSpec{"a", "b", link_spec(1e9, 0.0, 0.0), true}};
  auto p = build_platform(spec_with({entry("a"), entry("b")}, ex));
  ASSERT_FALSE(p.ok());
  // Ordered pairs among {a, b, host} without a link: a→host, b→host, host→a, host→b.
  EXPECT_EQ(p.diagnostics().size(), 4u) << p.error_text();
  EXPECT_TRUE(has_diagnostic(p.diagnostics(), "links.pairs", "no link from 'a' to 'host'"));
  EXPECT_TRUE(has_diagnostic(p.diagnostics(), "links.pairs", "no link from 'host' to 'b'"));
  EXPECT_EQ(p.diagnostics()[0].file, "test.yaml");
}

TEST(BuildLinkMatrix, WorksOnEndpointsAlone) {
  std::vector<Endpoint> endpoints = {{"x", std::nullopt, "x"}, {"y", std::nullopt, "y"}};
  auto links = build_link_matrix(endpoints, SharedBusSpec{link_spec(3e9, 2e-6, 0.0)});
  ASSERT_TRUE(links.ok()) << links.error_text();
  ASSERT_EQ(links->links.size(), 4u);
  EXPECT_EQ(links->links[1].bandwidth.value(), 3e9);  // x→y, row-major [0 * 2 + 1]
  EXPECT_EQ(links->links[2].latency.value(), 2e-6);   // y→x
  EXPECT_EQ(links->links[3].hops, 0);                 // y→y
  ASSERT_EQ(links->network.channels().size(), 1u);    // the bus
  EXPECT_EQ(links->network.route(0, 1), std::vector<std::int32_t>{0});
}

TEST(BuildPlatform, CollectsEveryProblemBeforeFailing) {
  DeviceSpec bad = entry("a");
  bad.device.memory = Bytes(-1.0);
  bad.device.efficiency.conv = 1.5;
  DeviceSpec no_nic = entry("b");
  no_nic.nic.reset();
  DeviceSpec zero = entry("c", 0);
  DeviceSpec dup = entry("a");
  DeviceSpec no_fp32 = entry("d");
  no_fp32.device.peak.clear();
  no_fp32.device.peak[DType::kFloat16] = FlopsPerSecond(-2.0);
  auto p = build_platform(spec_with({bad, no_nic, zero, dup, no_fp32}, FullMeshSpec{}));
  ASSERT_FALSE(p.ok());
  const auto& ds = p.diagnostics();
  EXPECT_TRUE(has_diagnostic(ds, "devices[0].memory", "must be > 0")) << p.error_text();
  EXPECT_TRUE(has_diagnostic(ds, "devices[0].efficiency.conv", "(0, 1]"));
  EXPECT_TRUE(has_diagnostic(ds, "devices[1].link", "required by the full_mesh"));
  EXPECT_TRUE(has_diagnostic(ds, "devices[2].count", "must be >= 1"));
  EXPECT_TRUE(has_diagnostic(ds, "devices[3].name", "duplicate name 'a'"));
  EXPECT_TRUE(has_diagnostic(ds, "devices[4].peak", "float32 peak is required"));
  EXPECT_TRUE(has_diagnostic(ds, "devices[4].peak.float16", "must be > 0"));
  EXPECT_EQ(ds.size(), 7u) << p.error_text();
}

TEST(BuildPlatform, ReportsAProblemOfACountEntryOnce) {
  DeviceSpec many = entry("a", 4);
  many.nic = link_spec(-1.0, 0.0, 0.0);
  auto p = build_platform(spec_with({many}, FullMeshSpec{}));
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  EXPECT_EQ(p.diagnostics()[0].field, "devices[0].link.bandwidth");
}

TEST(BuildPlatform, RejectsASourceNamedLikeADevice) {
  auto spec = spec_with({entry("host")}, FullMeshSpec{});
  auto p = build_platform(spec);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(has_diagnostic(p.diagnostics(), "source.name", "duplicate name 'host'"));
}

TEST(BuildPlatform, ReportsMeshPlacementProblems) {
  Mesh2DSpec mesh = mesh_3x3();
  mesh.placement = {{"a-0", {0, 0}}, {"a-1", {0, 0}}, {"ghost", {1, 1}}, {"host", {3, 0}}};
  auto p = build_platform(spec_with({entry("a", 3)}, mesh));
  ASSERT_FALSE(p.ok());
  const auto& ds = p.diagnostics();
  EXPECT_TRUE(has_diagnostic(ds, "links.mesh.placement.a-1", "already hosts 'a-0'"))
      << p.error_text();
  EXPECT_TRUE(has_diagnostic(ds, "links.mesh.placement.ghost", "unknown endpoint 'ghost'"));
  EXPECT_TRUE(has_diagnostic(ds, "links.mesh.placement.host", "outside the 3x3 mesh"));
  EXPECT_TRUE(has_diagnostic(ds, "links.mesh.placement", "'a-2' has no position"));
}

TEST(BuildPlatform, ReportsAMeshTooSmallForItsEndpoints) {
  Mesh2DSpec mesh = mesh_3x3();
  mesh.rows = 1;
  mesh.cols = 2;
  auto p = build_platform(spec_with({entry("a", 2)}, mesh));  // 3 endpoints on 2 nodes
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(has_diagnostic(p.diagnostics(), "links.mesh", "has 2 nodes but there are 3"));
}

TEST(BuildPlatform, ReportsPairsNamingUnknownEndpoints) {
  ExplicitLinksSpec ex;
  ex.default_link = link_spec(1e9, 0.0, 0.0);
  ex.pairs = {PairLinkSpec{"a", "nope", link_spec(1e9, 0.0, 0.0), true},
              PairLinkSpec{"a", "a", link_spec(1e9, 0.0, 0.0), true}};
  auto p = build_platform(spec_with({entry("a")}, ex));
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(has_diagnostic(p.diagnostics(), "links.pairs[0].to", "unknown endpoint 'nope'"));
  EXPECT_TRUE(has_diagnostic(p.diagnostics(), "links.pairs[1]", "to itself"));
}

TEST(BuildPlatform, RefusesMoreInstancesThanTheLimit) {
  auto p = build_platform(
      spec_with({entry("a", static_cast<std::int32_t>(kMaxDevices) + 1)}, FullMeshSpec{}));
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(has_diagnostic(p.diagnostics(), "devices", "at most 1024"));
}

}  // namespace
}  // namespace tessera::hw
