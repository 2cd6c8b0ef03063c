// `tessera plan|pareto --neurosim DEVICE=FILE`: planning with a NeuroSim report's own numbers.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

using nlohmann::json;
using testing::run_cli;

const std::string kReport =
    std::string(TESSERA_SHARED_DIR) + "/data/neurosim/vgg8_sram22_adc5_rp128.txt";

// ../shared/data/neurosim/vgg8_sram22_adc5_rp128.txt: "layerN's readLatency is: ...ns".
constexpr double kLatencyNs[] = {132974,  65070.7, 27663.9, 31436.6,
                                 9051.58, 16639.8, 740.493, 412.57};

TEST(NeuroSimCli, PlanUsesTheReportsLatencies) {
  if (!std::filesystem::exists(kReport)) GTEST_SKIP() << "../shared/data/neurosim not present";
  const auto r = run_cli({"plan", "vgg8", "--platform", "cim-sram-22nm", "--neurosim",
                          "neurosim-sram=" + kReport, "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  ASSERT_EQ(doc["stages"].size(), 1u);
  double sum_s = 0.0;
  for (const double ns : kLatencyNs) sum_s += ns * 1e-9;
  EXPECT_NEAR(doc["stages"][0]["compute_s"].get<double>(), sum_s, 1e-15);
  EXPECT_EQ(doc["stages"][0]["memory_bytes"].get<double>(), 103.0);  // the report's tiles
}

TEST(NeuroSimCli, ParetoAcceptsAClassName) {
  if (!std::filesystem::exists(kReport)) GTEST_SKIP() << "../shared/data/neurosim not present";
  const auto r = run_cli({"pareto", "vgg8", "--platform", "donna-cim", "--neurosim",
                          "cim-sram=" + kReport, "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  ASSERT_FALSE(doc["points"].empty());
  // The one-chip point runs all 8 layers: its compute time is the report's latency sum.
  double sum_s = 0.0;
  for (const double ns : kLatencyNs) sum_s += ns * 1e-9;
  bool found = false;
  for (const auto& p : doc["points"]) {
    const auto& stages = p["plan"]["stages"];
    if (stages.size() == 1) {
      EXPECT_NEAR(stages[0]["compute_s"].get<double>(), sum_s, 1e-15);
      found = true;
    }
  }
  EXPECT_TRUE(found) << r.out;
}

TEST(NeuroSimCli, ALayerCountMismatchIsBadInputNamingTheFile) {
  if (!std::filesystem::exists(kReport)) GTEST_SKIP() << "../shared/data/neurosim not present";
  const auto r =
      run_cli({"plan", "resnet18", "--platform", "donna-cim", "--neurosim", "cim-sram=" + kReport});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(kReport), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("8 layers"), std::string::npos) << r.err;
}

TEST(NeuroSimCli, MalformedOptionAndMissingFileAreBadInput) {
  const auto no_eq = run_cli({"plan", "vgg8", "--platform", "donna-cim", "--neurosim", "cim"});
  EXPECT_EQ(no_eq.exit_code, 2);
  EXPECT_NE(no_eq.err.find("DEVICE=FILE"), std::string::npos) << no_eq.err;
  const auto missing = run_cli(
      {"plan", "vgg8", "--platform", "donna-cim", "--neurosim", "cim-sram=/nonexistent/ns.txt"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("/nonexistent/ns.txt"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace tessera
