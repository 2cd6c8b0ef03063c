// `tessera estimate` end to end, CIM plans that respect tiles, and the NeuroSim comparison.
#include <gtest/gtest.h>

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
