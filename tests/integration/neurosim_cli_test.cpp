// `tessera plan|pareto --neurosim DEVICE=FILE`: planning with a NeuroSim report's own numbers.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

/// One image through the whole chip: the sum of the report's layer latencies (284 us).
double report_latency_sum_s() {
  double sum_s = 0.0;
  for (const double ns : kLatencyNs) sum_s += ns * 1e-9;
  return sum_s;
}

TEST(NeuroSimCli, PlanUsesTheReportsLatencies) {
  if (!std::filesystem::exists(kReport)) GTEST_SKIP() << "../shared/data/neurosim not present";
  const auto r = run_cli({"plan", "vgg8", "--platform", "cim-sram-22nm", "--neurosim",
                          "neurosim-sram=" + kReport, "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  ASSERT_EQ(doc["stages"].size(), 1u);
  const double sum_s = report_latency_sum_s();
  EXPECT_NEAR(doc["stages"][0]["compute_latency_s"].get<double>(), sum_s, 1e-15);
  EXPECT_EQ(doc["stages"][0]["memory_tiles"].get<double>(), 103.0);  // the report's tiles
}

/// The single stage of `doc` (a tessera.plan/1 document) and its metrics, checked for the
/// plan semantics: period = max(source transfer, compute_s, send_s) with overlap, latency =
/// source transfer + compute_latency_s + send_s.
void expect_one_stage_semantics(const json& doc) {
  ASSERT_EQ(doc["stages"].size(), 1u);
  const auto& s = doc["stages"][0];
  const auto& m = doc["metrics"];
  const double compute = s["compute_s"].get<double>();
  const double send = s["send_s"].get<double>();
  const double source = m["source_transfer_s"].get<double>();
  EXPECT_DOUBLE_EQ(m["period_s"].get<double>(), std::max({source, compute, send}));
  EXPECT_NEAR(m["latency_s"].get<double>(), source + s["compute_latency_s"].get<double>() + send,
              1e-12 * m["latency_s"].get<double>());
}

// NeuroSim's default pipelined mode: the chip takes a new image every "Chip
// pipeline-system-clock-cycle (per image) is: 132974ns" (its slowest layer, layer 1), while
// one image still takes the sum of the layer latencies (284 us).
TEST(NeuroSimCli, APipelinedChipsPeriodIsItsSlowestLayerAndItsLatencyTheSum) {
  if (!std::filesystem::exists(kReport)) GTEST_SKIP() << "../shared/data/neurosim not present";
  const auto r = run_cli({"plan", "vgg8", "--platform", "cim-sram-22nm", "--neurosim",
                          "neurosim-sram=" + kReport, "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  expect_one_stage_semantics(doc);
  const auto& s = doc["stages"][0];
  const double sum_s = report_latency_sum_s();
  EXPECT_TRUE(s["pipelined_layers"].get<bool>());
  EXPECT_NEAR(s["compute_s"].get<double>(), 132974e-9, 1e-6 * 132974e-9);
  EXPECT_NEAR(s["compute_latency_s"].get<double>(), sum_s, 1e-6 * sum_s);
  // The transfers over the chip's PCIe link are a few microseconds: the compute sets the period.
  EXPECT_NEAR(doc["metrics"]["period_s"].get<double>(), 132974e-9, 1e-6 * 132974e-9);
  EXPECT_GT(doc["metrics"]["latency_s"].get<double>(), sum_s);
  EXPECT_LT(doc["metrics"]["latency_s"].get<double>(), sum_s + 20e-6);
  // The text report marks the stage and shows both numbers.
  const auto text = run_cli(
      {"plan", "vgg8", "--platform", "cim-sram-22nm", "--neurosim", "neurosim-sram=" + kReport});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("compute latency"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("(max)"), std::string::npos) << text.out;
}

// params.pipeline: 0 is NeuroSim's layer-by-layer mode: the period is the sum again.
TEST(NeuroSimCli, PipelineZeroRunsTheLayersOneAfterAnother) {
  if (!std::filesystem::exists(kReport)) GTEST_SKIP() << "../shared/data/neurosim not present";
  std::string yaml = testing::preset_text("cim-sram-22nm");
  ASSERT_FALSE(yaml.empty()) << "presets/cim-sram-22nm.yaml";
  const std::string anchor = "      speedup_degree: 8\n";
  ASSERT_NE(yaml.find(anchor), std::string::npos);
  yaml.insert(yaml.find(anchor) + anchor.size(), "      pipeline: 0\n");
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  const auto platform = dir + "/cim-serial.yaml";
  testing::write_file(platform, yaml);
  const auto r = run_cli({"plan", "vgg8", "--platform", platform, "--neurosim",
                          "neurosim-sram=" + kReport, "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  expect_one_stage_semantics(doc);
  const auto& s = doc["stages"][0];
  const double sum_s = report_latency_sum_s();
  EXPECT_FALSE(s["pipelined_layers"].get<bool>());
  EXPECT_NEAR(s["compute_s"].get<double>(), sum_s, 1e-6 * sum_s);
  EXPECT_NEAR(s["compute_latency_s"].get<double>(), sum_s, 1e-6 * sum_s);
  EXPECT_NEAR(doc["metrics"]["period_s"].get<double>(), sum_s, 1e-6 * sum_s);
  // Anything but 0 or 1 is bad input naming the parameter.
  std::string bad_text = yaml;
  bad_text.replace(bad_text.find("pipeline: 0"), 11, "pipeline: 3");
  testing::write_file(platform, bad_text);
  const auto bad = run_cli({"plan", "vgg8", "--platform", platform});
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.err.find("params.pipeline"), std::string::npos) << bad.err;
}

TEST(NeuroSimCli, ParetoAcceptsAClassName) {
  if (!std::filesystem::exists(kReport)) GTEST_SKIP() << "../shared/data/neurosim not present";
  const auto r = run_cli({"pareto", "vgg8", "--platform", "donna-cim", "--neurosim",
                          "cim-sram=" + kReport, "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  ASSERT_FALSE(doc["points"].empty());
  // The one-chip point runs all 8 layers: one inference takes the report's latency sum, and
  // the chip (pipelining its layers) takes a new one every slowest layer (layer 1).
  const double sum_s = report_latency_sum_s();
  bool found = false;
  for (const auto& p : doc["points"]) {
    const auto& stages = p["plan"]["stages"];
    if (stages.size() == 1) {
      EXPECT_NEAR(stages[0]["compute_latency_s"].get<double>(), sum_s, 1e-15);
      EXPECT_NEAR(stages[0]["compute_s"].get<double>(), kLatencyNs[0] * 1e-9, 1e-15);
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
