// The SimGrid simulation against the analytic plan model (plan::evaluate_plan).
#include "tessera/sim/simulate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "support/random_instance.hpp"
#include "tessera/plan/evaluate_plan.hpp"

namespace tessera::sim {
namespace {

/// A table with one layer per device: device d runs layer d in `times_s[d]`; every cut is
/// `cut_bytes`; every link has `bandwidth` bytes/s and `latency_s`.
cost::CostTable chain_table(const std::vector<double>& times_s, double cut_bytes, double bandwidth,
                            double latency_s) {
  cost::CostTable t;
  const auto n = static_cast<std::int32_t>(times_s.size());
  t.model_name = "chain";
  t.platform_name = "test";
  t.num_layers = n;
  t.num_devices = n;
  for (std::int32_t i = 0; i < n; ++i) {
    t.layer_names.push_back("l" + std::to_string(i));
    t.device_names.push_back("dev" + std::to_string(i));
    t.device_kinds.push_back("cpu");
    t.device_class.push_back(i);
    t.class_names.push_back("dev" + std::to_string(i));
    t.capacity.push_back(1e12);
    t.static_power_w.push_back(2.0);
  }
  const auto cells = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  t.time_s.assign(cells, 1.0);
  t.energy_j.assign(cells, 0.5);
  t.memory.assign(cells, 0.0);
  t.workspace_bytes.assign(cells, 0.0);
  for (std::int32_t d = 0; d < n; ++d) t.time_s[t.at(d, d)] = times_s[static_cast<std::size_t>(d)];
  t.cut_bytes.assign(static_cast<std::size_t>(n) + 1, cut_bytes);
  const auto links = static_cast<std::size_t>(n + 1) * static_cast<std::size_t>(n + 1);
  t.link_latency_s.assign(links, latency_s);
  t.link_bandwidth_bytes_per_s.assign(links, bandwidth);
  t.link_energy_j_per_byte.assign(links, 1e-9);
  for (std::int32_t e = 0; e <= n; ++e) {
    t.link_latency_s[t.link_at(e, e)] = 0.0;
    t.link_bandwidth_bytes_per_s[t.link_at(e, e)] = std::numeric_limits<double>::infinity();
  }
  return t;
}

std::vector<plan::StageAssignment> one_layer_per_device(std::int32_t n) {
  std::vector<plan::StageAssignment> s;
  for (std::int32_t i = 0; i < n; ++i) s.push_back({DeviceId(i), LayerId(i), LayerId(i)});
  return s;
}

void expect_within(double simulated, double analytic, double rel) {
  EXPECT_LE(std::fabs(simulated - analytic), rel * analytic)
      << "simulated " << simulated << " analytic " << analytic;
}

TEST(Simulate, ContentionFreePeriodAndLatencyMatchTheAnalyticModel) {
  // Compute-bound middle stage (30 ms), 10 MB cuts on 1 GB/s links (10 ms + 1 ms latency).
  const auto table = chain_table({0.020, 0.030, 0.005, 0.012}, 1e7, 1e9, 1e-3);
  const auto stages = one_layer_per_device(4);
  for (const bool overlap : {true, false}) {
    plan::PlanOptions po;
    po.overlap = overlap;
    const auto analytic = plan::evaluate_plan(table, stages, po);
    ASSERT_TRUE(analytic.feasible());
    SimOptions so;
    so.overlap = overlap;
    so.inferences = 200;
    auto many = simulate(table, stages, so);
    ASSERT_TRUE(many.ok()) << many.error_text();
    expect_within(many->period_s, analytic.period_s, 0.01);
    expect_within(many->throughput_per_s, analytic.throughput_per_s, 0.01);
    so.inferences = 1;
    auto one = simulate(table, stages, so);
    ASSERT_TRUE(one.ok()) << one.error_text();
    expect_within(one->latency_max_s, analytic.latency_s, 1e-6);
  }
}

/// Ten layers over four devices as 3 + 2 + 3 + 2, the devices in a seed-dependent order.
std::vector<plan::StageAssignment> four_stage_split(std::uint64_t seed) {
  const std::vector<std::int32_t> bounds = {0, 3, 5, 8, 10};
  std::vector<plan::StageAssignment> stages;
  for (std::int32_t i = 0; i < 4; ++i) {
    stages.push_back(
        {DeviceId(static_cast<std::int32_t>((static_cast<std::uint64_t>(i) + seed) % 4)),
         LayerId(bounds[static_cast<std::size_t>(i)]),
         LayerId(bounds[static_cast<std::size_t>(i) + 1] - 1)});
  }
  return stages;
}

TEST(Simulate, RandomContentionFreePlansMatchTheirAnalyticPeriod) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    testing::RandomInstanceSpec spec;
    spec.layers = 10;
    spec.class_sizes = {1, 1, 1, 1};
    spec.seed = seed;
    const auto table = testing::random_cost_table(spec);
    const auto stages = four_stage_split(seed);
    const auto p = plan::evaluate_plan(table, stages, plan::PlanOptions{});
    ASSERT_TRUE(p.feasible());
    SimOptions so;
    so.inferences = 100;
    auto sim = simulate(table, p.assignment(), so);
    ASSERT_TRUE(sim.ok()) << sim.error_text();
    SCOPED_TRACE("seed " + std::to_string(seed));
    expect_within(sim->period_s, p.period_s, 0.01);
    so.inferences = 1;
    auto one = simulate(table, p.assignment(), so);
    ASSERT_TRUE(one.ok());
    expect_within(one->latency_max_s, p.latency_s, 1e-6);
  }
}

TEST(Simulate, APipelinedStageTakesItsSlowestLayerPerInferenceAndTheSumOnce) {
  // dev0 pipelines its layers and runs layers 0-2 (10, 30 and 20 ms: busy 30 ms per inference,
  // 60 ms for one inference); dev1 runs layer 3 (15 ms). 1 MB cuts on 1 GB/s links with 0.1 ms
  // latency (1.1 ms per transfer).
  auto table = chain_table({0.010, 0.015, 1.0, 1.0}, 1e6, 1e9, 1e-4);
  table.time_s[table.at(0, 1)] = 0.030;
  table.time_s[table.at(0, 2)] = 0.020;
  table.time_s[table.at(1, 3)] = 0.015;
  table.pipelined_layers = {1, 0, 0, 0};
  const std::vector<plan::StageAssignment> stages = {{DeviceId(0), LayerId(0), LayerId(2)},
                                                     {DeviceId(1), LayerId(3), LayerId(3)}};
  for (const bool overlap : {true, false}) {
    SCOPED_TRACE(overlap ? "overlap" : "no overlap");
    plan::PlanOptions po;
    po.overlap = overlap;
    const auto analytic = plan::evaluate_plan(table, stages, po);
    ASSERT_TRUE(analytic.feasible());
    // period: the slowest layer (plus the send without overlap), not the 60 ms sum
    EXPECT_NEAR(analytic.period_s, overlap ? 0.030 : 0.0311, 1e-12);
    // latency: 1.1 ms in, 60 ms + 1.1 ms, 15 ms + 1.1 ms out
    EXPECT_NEAR(analytic.latency_s, 0.0011 + 0.060 + 0.0011 + 0.015 + 0.0011, 1e-12);
    SimOptions so;
    so.overlap = overlap;
    so.inferences = 300;
    auto many = simulate(table, stages, so);
    ASSERT_TRUE(many.ok()) << many.error_text();
    expect_within(many->period_s, analytic.period_s, 0.01);
    // the device is busy 30 ms per inference, not 60 ms
    expect_within(many->devices[0].busy_s, 300 * 0.030, 1e-6);
    so.inferences = 1;
    auto one = simulate(table, stages, so);
    ASSERT_TRUE(one.ok()) << one.error_text();
    expect_within(one->latency_max_s, analytic.latency_s, 1e-6);
  }
}

TEST(Simulate, RandomPlansWithPipelinedDevicesMatchTheirAnalyticPeriodAndLatency) {
  int pipelined_stages = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    testing::RandomInstanceSpec spec;
    spec.layers = 10;
    spec.class_sizes = {1, 1, 1, 1};
    spec.seed = seed + 40;
    spec.pipelined_probability = 0.6;
    const auto table = testing::random_cost_table(spec);
    const auto stages = four_stage_split(seed);
    for (const bool overlap : {true, false}) {
      SCOPED_TRACE("seed " + std::to_string(seed) + (overlap ? ", overlap" : ", no overlap"));
      plan::PlanOptions po;
      po.overlap = overlap;
      const auto p = plan::evaluate_plan(table, stages, po);
      ASSERT_TRUE(p.feasible());
      for (const auto& s : p.stages) pipelined_stages += s.pipelined ? 1 : 0;
      SimOptions so;
      so.overlap = overlap;
      so.inferences = 200;
      auto sim = simulate(table, p.assignment(), so);
      ASSERT_TRUE(sim.ok()) << sim.error_text();
      expect_within(sim->period_s, p.period_s, 0.01);
      so.inferences = 1;
      auto one = simulate(table, p.assignment(), so);
      ASSERT_TRUE(one.ok());
      expect_within(one->latency_max_s, p.latency_s, 1e-6);
    }
  }
  EXPECT_GE(pipelined_stages, 10);
}

TEST(Simulate, SharedBusShowsContentionTheAnalyticModelIgnores) {
  // Transfer-bound: every cut takes 10 ms alone on the link and computes take 1 ms. On a full
  // mesh the five transfers of an inference proceed in parallel (period 10 ms); on one shared
  // bus they compete for the medium, so the period is about five transfers long.
  const auto table = chain_table({0.001, 0.001, 0.001, 0.001}, 1e7, 1e9, 0.0);
  const auto stages = one_layer_per_device(4);
  const auto analytic = plan::evaluate_plan(table, stages, plan::PlanOptions{});
  SimOptions so;
  so.inferences = 200;
  auto mesh = simulate(table, stages, so);
  ASSERT_TRUE(mesh.ok());
  expect_within(mesh->period_s, analytic.period_s, 0.01);
  so.topology = hw::Topology::kSharedBus;
  so.network = hw::Network::shared_bus(BytesPerSecond(1e9));
  auto bus = simulate(table, stages, so);
  ASSERT_TRUE(bus.ok());
  EXPECT_GT(bus->period_s, 4.5 * analytic.period_s);
  EXPECT_GT(bus->latency_p50_s, 2.0 * analytic.latency_s);
  EXPECT_EQ(bus->topology, "shared_bus");
}

TEST(Simulate, MeshRoutesThatShareARouterLinkContend) {
  // A 1x4 line of routers. Endpoints: dev0 at column 2, dev1 at 1, dev2 at 3, the source at 0.
  // Routes (XY): source->dev0 crosses 0->1, 1->2; dev0->dev1 crosses 2->1; dev1->dev2 crosses
  // 1->2, 2->3; dev2->source crosses 3->2, 2->1, 1->0. Channel 1->2 carries two transfers of
  // every inference. Transfer-bound: each 10 MB cut takes 10 ms alone at 1 GB/s, computes 1 ms.
  const auto table = chain_table({0.001, 0.001, 0.001}, 1e7, 1e9, 0.0);
  const auto stages = one_layer_per_device(3);
  const auto analytic = plan::evaluate_plan(table, stages, plan::PlanOptions{});
  SimOptions so;
  so.inferences = 200;
  auto dedicated = simulate(table, stages, so);
  ASSERT_TRUE(dedicated.ok());
  expect_within(dedicated->period_s, analytic.period_s, 0.01);  // 10 ms: no sharing
  so.topology = hw::Topology::kMesh2D;
  so.network = hw::Network::mesh_2d(1, 4, BytesPerSecond(1e9), {{0, 2}, {0, 1}, {0, 3}, {0, 0}});
  auto mesh = simulate(table, stages, so);
  ASSERT_TRUE(mesh.ok());
  // Two 10 ms transfers per inference share channel 1->2: the period doubles (20 ms).
  expect_within(mesh->period_s, 2.0 * analytic.period_s, 0.02);
  EXPECT_EQ(mesh->topology, "mesh_2d");
  // Placed so that no two routes share a direction (source, dev0, dev1, dev2 left to right),
  // except the return to the source which runs the other way: no contention.
  so.network = hw::Network::mesh_2d(1, 4, BytesPerSecond(1e9), {{0, 1}, {0, 2}, {0, 3}, {0, 0}});
  auto line = simulate(table, stages, so);
  ASSERT_TRUE(line.ok());
  expect_within(line->period_s, analytic.period_s, 0.01);
}

TEST(Simulate, EmptyCutsCostTheLinkLatencyAsInThePlanner) {
  // Zero-byte cuts on 2 ms links: planner, evaluator and simulator all charge the latency.
  auto table = chain_table({0.010, 0.010}, 0.0, 1e9, 2e-3);
  table.link_bandwidth_bytes_per_s[table.link_at(0, 1)] = 0.0;  // dead, but nothing to send
  const auto stages = one_layer_per_device(2);
  plan::PlanOptions po;
  po.overlap = false;
  const auto analytic = plan::evaluate_plan(table, stages, po);
  ASSERT_TRUE(analytic.feasible()) << analytic.violations.front();
  // Latency: 2 ms in + 10 ms + 2 ms + 10 ms + 2 ms out = 26 ms.
  EXPECT_NEAR(analytic.latency_s, 0.026, 1e-12);
  EXPECT_EQ(table.transfer_s(1, 0, 1), 2e-3);
  SimOptions so;
  so.overlap = false;
  so.inferences = 1;
  auto one = simulate(table, stages, so);
  ASSERT_TRUE(one.ok()) << one.error_text();
  EXPECT_NEAR(one->latency_max_s, analytic.latency_s, 1e-9);
  so.inferences = 100;
  auto many = simulate(table, stages, so);
  ASSERT_TRUE(many.ok()) << many.error_text();
  expect_within(many->period_s, analytic.period_s, 0.01);
}

TEST(Simulate, RateLimitedSourceSetsThePeriodAndKeepsQueuesEmpty) {
  const auto table = chain_table({0.010, 0.010}, 1e3, 1e9, 0.0);
  SimOptions so;
  so.inferences = 100;
  so.rate_per_s = 20.0;  // one every 50 ms, far slower than the 10 ms pipeline
  auto r = simulate(table, one_layer_per_device(2), so);
  ASSERT_TRUE(r.ok());
  expect_within(r->period_s, 0.050, 1e-6);
  EXPECT_LE(r->queues[0].input_max, 1);
  expect_within(r->latency_p99_s, r->latency_p50_s, 1e-6);
}

TEST(Simulate, BackToBackFillsTheBottleneckQueueAndReportsUtilisationAndEnergy) {
  const auto table = chain_table({0.001, 0.020, 0.001}, 1e3, 1e9, 0.0);
  SimOptions so;
  so.inferences = 100;
  so.record_trace = true;
  auto r = simulate(table, one_layer_per_device(3), so);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->devices.size(), 3U);
  // The 20 ms stage is busy nearly all the time; its input queue stays full.
  EXPECT_GT(r->devices[1].utilisation, 0.95);
  EXPECT_LT(r->devices[0].utilisation, 0.1);
  EXPECT_EQ(r->queues[1].input_max, 2);
  EXPECT_GT(r->queues[1].input_mean, 1.5);
  // Equal accounting: static power over the makespan + dynamic energy per inference.
  const double expected0 = 2.0 * r->makespan_s + 100 * (0.5 + 1e-9 * 1e3);
  EXPECT_NEAR(r->devices[0].energy_j, expected0, 1e-9 * expected0);
  // 3 computes and 4 transfers per inference.
  EXPECT_EQ(r->events.size(), 700U);
  EXPECT_GT(r->latency_max_s, r->latency_p50_s * 0.999);
}

TEST(Simulate, RejectsBrokenPlansAndOptions) {
  const auto table = chain_table({0.01, 0.01}, 1e3, 1e9, 0.0);
  SimOptions so;
  so.inferences = 0;
  so.input_queue = 0;
  auto r = simulate(
      table, {{DeviceId(0), LayerId(0), LayerId(0)}, {DeviceId(0), LayerId(1), LayerId(1)}}, so);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics().size(), 3U) << r.error_text();
  auto gap = simulate(table, {{DeviceId(1), LayerId(1), LayerId(1)}}, SimOptions{});
  ASSERT_FALSE(gap.ok());
}

}  // namespace
}  // namespace tessera::sim
