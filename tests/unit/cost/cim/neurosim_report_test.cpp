#include "tessera/cost/cim/neurosim_report.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "tessera/cost/cost_table_builder.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/graph/zoo.hpp"
#include "tessera/io/neurosim_import.hpp"
#include "tessera/io/platform_yaml.hpp"
#include "tessera/plan/solve.hpp"

namespace tessera::cost {
namespace {

const std::string kReport =
    std::string(TESSERA_SHARED_DIR) + "/data/neurosim/vgg8_sram22_adc5_rp128.txt";

cost::CostTable vgg8_table(const std::string& preset) {
  auto graph = graph::build_zoo_model("vgg8");
  EXPECT_TRUE(graph.ok()) << graph.error_text();
  auto chain = graph::build_layer_chain(graph.value());
  EXPECT_TRUE(chain.ok()) << chain.error_text();
  auto platform = io::load_platform(preset);
  EXPECT_TRUE(platform.ok()) << platform.error_text();
  auto table = cost::build_cost_table(graph.value(), chain.value(), platform.value(),
                                      cost::CostModelSet::defaults());
  EXPECT_TRUE(table.ok()) << table.error_text();
  return std::move(table).value();
}

/// A report of `n` layers, layer i (0-based) taking (i + 1) us, (i + 1) nJ and i + 2 tiles.
NeuroSimReport synthetic_report(int n) {
  NeuroSimReport r;
  for (int i = 0; i < n; ++i) {
    NeuroSimLayer l;
    l.index = i + 1;
    l.latency_s = (i + 1) * 1e-6;
    l.dynamic_energy_j = (i + 1) * 1e-9;
    l.tiles = i + 2;
    r.layers.push_back(l);
  }
  return r;
}

TEST(NeuroSimCosts, PlanningVgg8UsesTheSharedReportsLatenciesExactly) {
  if (!std::filesystem::exists(kReport)) GTEST_SKIP() << "../shared/data/neurosim not present";
  auto report = io::load_neurosim_report(kReport);
  ASSERT_TRUE(report.ok()) << report.error_text();
  auto table = vgg8_table("cim-sram-22nm");
  ASSERT_TRUE(apply_neurosim_report(table, "neurosim-sram", report.value(), kReport).ok());
  // The file's "layerN's readLatency" (ns), "readDynamicEnergy" (pJ), "# of tile used".
  constexpr double kLatencyNs[] = {132974,  65070.7, 27663.9, 31436.6,
                                   9051.58, 16639.8, 740.493, 412.57};
  constexpr double kEnergyPj[] = {1.24932e6, 1.03774e7, 4.52082e6, 8.6297e6,
                                  3.17161e6, 6.1918e6,  613815,    1576.12};
  constexpr double kTiles[] = {2, 8, 4, 8, 8, 8, 64, 1};
  ASSERT_EQ(table.num_layers, 8);
  double sum_s = 0.0;
  for (std::int32_t l = 0; l < 8; ++l) {
    const auto i = static_cast<std::size_t>(l);
    EXPECT_DOUBLE_EQ(table.time_s[table.at(0, l)], kLatencyNs[i] * 1e-9) << l;
    EXPECT_DOUBLE_EQ(table.energy_j[table.at(0, l)], kEnergyPj[i] * 1e-12) << l;
    EXPECT_EQ(table.memory[table.at(0, l)], kTiles[i]) << l;
    sum_s += kLatencyNs[i] * 1e-9;
  }
  // One chip, pipelining its layers (NeuroSim's default): the plan is one stage that takes a
  // new inference every slowest layer, the report's "Chip pipeline-system-clock-cycle (per
  // image) is: 132974ns" (layer 1), while one inference takes the sum of the latencies.
  plan::PlanOptions options;
  const auto result = plan::solve(table, options);
  ASSERT_TRUE(result.has_plan()) << result.infeasible().constraint;
  ASSERT_EQ(result.plan().stages.size(), 1u);
  EXPECT_TRUE(result.plan().stages[0].pipelined);
  EXPECT_NEAR(result.plan().stages[0].compute_s, 132974e-9, 1e-15);
  EXPECT_NEAR(result.plan().stages[0].compute_latency_s, sum_s, 1e-15);
}

TEST(NeuroSimCosts, AClassNameReplacesEveryCopyAndLeavesOtherDevices) {
  auto table = vgg8_table("donna-hetero");
  const auto before = table;
  ASSERT_TRUE(apply_neurosim_report(table, "cim-sram", synthetic_report(8), "r.txt").ok());
  for (std::int32_t d = 0; d < table.num_devices; ++d) {
    const bool cim = table.device_kinds[static_cast<std::size_t>(d)] == "cim";
    for (std::int32_t l = 0; l < 8; ++l) {
      const auto at = table.at(d, l);
      if (cim) {
        EXPECT_DOUBLE_EQ(table.time_s[at], (l + 1) * 1e-6);
        EXPECT_DOUBLE_EQ(table.energy_j[at], (l + 1) * 1e-9);
        EXPECT_EQ(table.memory[at], l + 2);
      } else {
        EXPECT_EQ(table.time_s[at], before.time_s[at]);
        EXPECT_EQ(table.energy_j[at], before.energy_j[at]);
      }
    }
  }
  EXPECT_EQ(table.device_kinds[4], "cim");  // cim-sram-0 follows 2 rpi4 and 2 xavier-nx
}

TEST(NeuroSimCosts, ADeviceNameReplacesOnlyThatCopy) {
  auto table = vgg8_table("donna-cim");
  const auto before = table;
  ASSERT_TRUE(apply_neurosim_report(table, "cim-sram-2", synthetic_report(8), "r.txt").ok());
  EXPECT_DOUBLE_EQ(table.time_s[table.at(2, 0)], 1e-6);
  EXPECT_EQ(table.time_s[table.at(1, 0)], before.time_s[before.at(1, 0)]);
  EXPECT_EQ(table.time_s[table.at(3, 0)], before.time_s[before.at(3, 0)]);
}

TEST(NeuroSimCosts, ALayerCountMismatchNamesTheFileAndChangesNothing) {
  auto table = vgg8_table("donna-cim");
  const auto before = table;
  const auto s = apply_neurosim_report(table, "cim-sram", synthetic_report(5), "run5.txt");
  ASSERT_FALSE(s.ok());
  ASSERT_EQ(s.diagnostics().size(), 1u);
  EXPECT_EQ(s.diagnostics()[0].file, "run5.txt");
  EXPECT_NE(s.diagnostics()[0].message.find("5 layers"), std::string::npos) << s.error_text();
  EXPECT_NE(s.diagnostics()[0].message.find("has 8"), std::string::npos) << s.error_text();
  EXPECT_EQ(table.time_s, before.time_s);
}

TEST(NeuroSimCosts, UnknownAndNonCimDevicesAreReported) {
  auto table = vgg8_table("donna-hetero");
  const auto unknown = apply_neurosim_report(table, "tpu", synthetic_report(8), "r.txt");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error_text().find("cim-sram-0"), std::string::npos) << unknown.error_text();
  // Every problem is collected: a GPU class and a wrong layer count.
  const auto gpu = apply_neurosim_report(table, "xavier-nx", synthetic_report(3), "r.txt");
  ASSERT_FALSE(gpu.ok());
  EXPECT_EQ(gpu.diagnostics().size(), 3u) << gpu.error_text();  // 2 GPUs + the layer count
  EXPECT_NE(gpu.error_text().find("gpu device"), std::string::npos) << gpu.error_text();
}

}  // namespace
}  // namespace tessera::cost
