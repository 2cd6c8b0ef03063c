// `tessera estimate` end to end, CIM plans that respect tiles, and the NeuroSim comparison.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

using nlohmann::json;
using testing::run_cli;

TEST(EstimateCli, ReproducesTheSharedNeuroSimVgg8Run) {
  if (!std::filesystem::exists(std::string(TESSERA_SHARED_DIR) +
                               "/data/neurosim/vgg8_sram22_adc5_rp128.txt")) {
    GTEST_SKIP() << "../shared/data/neurosim not present";
  }
  const auto r = run_cli({"estimate", "vgg8", "--platform", "cim-sram-22nm", "--device",
                          "neurosim-sram", "--neurosim-conventions", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc["format"], "tessera.estimate/1");
  EXPECT_EQ(doc["device"], "neurosim-sram");
  ASSERT_EQ(doc["layers"].size(), 8u);
  // NeuroSim V1.4, ../shared/data/neurosim/vgg8_sram22_adc5_rp128.txt: "layerN's readLatency"
  // (ns), "readDynamicEnergy" (pJ), "# of tile used for each layer".
  const double latency_ns[] = {132974,  65070.7, 27663.9, 31436.6,
                               9051.58, 16639.8, 740.493, 412.57};
  const double energy_pj[] = {1.24932e6, 1.03774e7, 4.52082e6, 8.6297e6,
                              3.17161e6, 6.1918e6,  613815,    1576.12};
  const double tiles[] = {2, 8, 4, 8, 8, 8, 64, 1};
  for (std::size_t i = 0; i < 8; ++i) {
    const auto& l = doc["layers"][i];
    EXPECT_NEAR(l["latency_s"].get<double>() / (latency_ns[i] * 1e-9), 1.0, 0.15) << i + 1;
    EXPECT_NEAR(l["energy_j"].get<double>() / (energy_pj[i] * 1e-12), 1.0, 0.15) << i + 1;
    EXPECT_EQ(l["tiles"].get<double>(), tiles[i]) << i + 1;
  }
  // Summary: 80.0561 mm², stage 132974 ns, 34.756 uJ + 0.298 uJ leakage, 28.804 TOPS/W,
  // 7520.27 FPS; latency sum 284.0 us.
  const auto& t = doc["totals"];
  EXPECT_NEAR(t["area_mm2"].get<double>() / 80.0561, 1.0, 0.10);
  EXPECT_NEAR(t["period_s"].get<double>() / 132974e-9, 1.0, 0.10);
  EXPECT_NEAR(t["latency_s"].get<double>() / 284.0e-6, 1.0, 0.10);
  EXPECT_NEAR(t["energy_j"].get<double>() / 34.756e-6, 1.0, 0.10);
  EXPECT_NEAR(t["leakage_j"].get<double>() / 0.298198e-6, 1.0, 0.10);
  EXPECT_NEAR(t["tops_per_w"].get<double>() / 28.804, 1.0, 0.10);
  EXPECT_NEAR(t["throughput_per_s"].get<double>() / 7520.27, 1.0, 0.10);
  EXPECT_EQ(t["tiles"].get<double>(), 103.0);
}

TEST(EstimateCli, WorksForRooflineDevicesAndPrintsATable) {
  const auto r = run_cli({"estimate", "resnet18", "--platform", "cluster-hetero", "--device",
                          "xavier-nx-0", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc["device_kind"], "gpu");
  ASSERT_FALSE(doc["layers"].empty());
  double sum = 0.0;
  for (const auto& l : doc["layers"]) {
    EXPECT_GT(l["latency_s"].get<double>(), 0.0);
    EXPECT_TRUE(l.contains("memory_bytes"));
    sum += l["latency_s"].get<double>();
  }
  EXPECT_NEAR(doc["totals"]["latency_s"].get<double>(), sum, sum * 1e-12);
  const auto table =
      run_cli({"estimate", "vgg8", "--platform", "cim-sram-22nm", "--device", "neurosim-sram"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("tiles"), std::string::npos);
  EXPECT_NE(table.out.find("TOPS/W"), std::string::npos);
}

void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

TEST(EstimateCli, ScalesTheChipToAnotherNodeAndRejectsUnknownParams) {
  // NeuroSim V1.4 manual, Table VII: SRAM, 5 nm, Rp 64 -> 14.33 mm^2, 54.41 TOPS/W; NeuroSim's
  // own run of it (tests/data/neurosim/vgg8_sram5_adc5_rp64.txt): clock 1.2565 ns.
  std::string yaml = testing::preset_text("cim-sram-22nm");
  replace_once(yaml, "technology_nm: 22", "technology_nm: 5");
  replace_once(yaml, "rows_parallel: 128", "rows_parallel: 64");
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  testing::write_file(dir + "/sram5.yaml", yaml);
  const auto r = run_cli({"estimate", "vgg8", "--platform", dir + "/sram5.yaml", "--device",
                          "neurosim-sram", "--neurosim-conventions", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_NEAR(doc["chip"]["clock_s"].get<double>() / 1.2565e-9, 1.0, 0.10);
  EXPECT_EQ(doc["chip"]["technology_nm"].get<double>(), 5.0);
  EXPECT_NEAR(doc["totals"]["area_mm2"].get<double>() / 14.33, 1.0, 0.10);
  EXPECT_NEAR(doc["totals"]["tops_per_w"].get<double>() / 54.41, 1.0, 0.15);

  // A parameter CimModel does not know is bad input, not silently ignored.
  std::string bad = testing::preset_text("cim-sram-22nm");
  replace_once(bad, "tiles: 128", "tiles: 128\n      sense_amp_energy_pj: 0.1");
  testing::write_file(dir + "/bad.yaml", bad);
  const auto e =
      run_cli({"estimate", "vgg8", "--platform", dir + "/bad.yaml", "--device", "neurosim-sram"});
  EXPECT_EQ(e.exit_code, 2) << e.out;
  EXPECT_NE(e.err.find("params.sense_amp_energy_pj"), std::string::npos) << e.err;
  EXPECT_NE(e.err.find("unknown CIM parameter"), std::string::npos) << e.err;
}

TEST(EstimateCli, EstimateAndPlanAgreeOnPeriodAndLeakageInBothPipelineModes) {
  // Pipelined (NeuroSim's default), the period is the slowest layer; layer by layer
  // (params.pipeline 0) it is the whole latency, in `estimate` as in a one-stage `plan`, and
  // the tiles leak for the whole period in both.
  const testing::TempDir tmp;
  for (const bool pipelined : {true, false}) {
    std::string yaml = testing::preset_text("cim-sram-22nm");
    replace_once(yaml, "tiles: 128", pipelined ? "tiles: 128" : "tiles: 128\n      pipeline: 0");
    const std::string path = tmp.path() + (pipelined ? "/pipe.yaml" : "/lbl.yaml");
    testing::write_file(path, yaml);
    const auto e = run_cli(
        {"estimate", "vgg8", "--platform", path, "--device", "neurosim-sram", "--json", "-"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const auto est = json::parse(e.out);
    double sum = 0.0;
    double slowest = 0.0;
    for (const auto& l : est["layers"]) {
      sum += l["latency_s"].get<double>();
      slowest = std::max(slowest, l["latency_s"].get<double>());
    }
    const auto& t = est["totals"];
    const double period = pipelined ? slowest : sum;
    EXPECT_NEAR(t["latency_s"].get<double>(), sum, sum * 1e-12) << pipelined;
    EXPECT_NEAR(t["period_s"].get<double>(), period, period * 1e-12) << pipelined;
    EXPECT_NEAR(t["leakage_j"].get<double>(), t["leakage_w"].get<double>() * period,
                t["leakage_j"].get<double>() * 1e-12)
        << pipelined;
    const auto p = run_cli({"plan", "vgg8", "--platform", path, "--json", "-"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    const auto plan = json::parse(p.out);
    ASSERT_EQ(plan["stages"].size(), 1u);
    EXPECT_EQ(plan["stages"][0]["pipelined_layers"].get<bool>(), pipelined);
    EXPECT_NEAR(plan["metrics"]["period_s"].get<double>(), period, period * 1e-9) << pipelined;
  }
}

TEST(EstimateCli, MapsOnnxLinearLayersOntoTheCrossbars) {
  // torch.onnx exports a Linear on a 3-D input as MatMul (token_mlp.onnx: a bias-free one, then
  // one with a bias as MatMul + Add); AlexNet's classifier as Gemm with a bias. Every one holds
  // its weight matrix: at least in x out x 8 bits / 1024² tiles.
  const auto m =
      run_cli({"estimate", std::string(TESSERA_TEST_DATA_DIR) + "/onnx/token_mlp.onnx",
               "--platform", "cim-sram-22nm", "--device", "neurosim-sram", "--json", "-"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  const auto mlp = json::parse(m.out);
  ASSERT_EQ(mlp["layers"].size(), 2u);
  for (const auto& l : mlp["layers"]) {
    EXPECT_EQ(l["parts"]["ops"].get<double>(), 2.0 * 16 * 256 * 512) << l["name"];
    EXPECT_GE(l["tiles"].get<double>(), 1.0) << l["name"];
  }
  const auto a =
      run_cli({"estimate", std::string(TESSERA_TEST_DATA_DIR) + "/onnx/alexnet.onnx", "--platform",
               "cim-sram-22nm", "--device", "neurosim-sram", "--json", "-"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto alex = json::parse(a.out);
  ASSERT_GE(alex["layers"].size(), 3u);
  const double in[] = {9216, 4096, 4096};
  const double out[] = {4096, 4096, 1000};
  const std::size_t first_fc = alex["layers"].size() - 3;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& l = alex["layers"][first_fc + i];
    EXPECT_EQ(l["parts"]["ops"].get<double>(), 2.0 * in[i] * out[i]) << l["name"];
    EXPECT_GE(l["tiles"].get<double>(), std::floor(in[i] * out[i] * 8.0 / 1048576.0)) << l["name"];
  }
}

TEST(EstimateCli, UnknownDeviceIsBadInput) {
  const auto r = run_cli({"estimate", "vgg8", "--platform", "cim-sram-22nm", "--device", "gpu"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("neurosim-sram"), std::string::npos) << r.err;
}

TEST(CimPlanCli, PlansVgg8OnTheDonnaClusterWithinTiles) {
  const auto r = run_cli({"plan", "vgg8", "--platform", "donna-hetero", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  for (const auto& s : doc["stages"]) {
    // The keys carry the device's capacity unit: tiles on CIM chips, bytes elsewhere.
    const bool cim = s["device"].get<std::string>().rfind("cim-sram", 0) == 0;
    const std::string unit = cim ? "tiles" : "bytes";
    EXPECT_LE(s["memory_" + unit].get<double>(), s["capacity_" + unit].get<double>());
    if (cim) {
      EXPECT_EQ(s["capacity_tiles"].get<double>(), 256.0);
      EXPECT_FALSE(s.contains("memory_bytes"));
    }
  }
}

TEST(CimPlanCli, TooFewTilesIsInfeasible) {
  // VGG8's fc1 alone needs 64 tiles (8192 x 8192 cells / (1024 x 1024) per tile).
  std::string yaml = testing::preset_text("cim-sram-22nm");
  replace_once(yaml, "tiles: 128", "tiles: 50");
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  testing::write_file(dir + "/small.yaml", yaml);
  const auto r = run_cli({"plan", "vgg8", "--platform", dir + "/small.yaml"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
}

}  // namespace
}  // namespace tessera
