#include "tessera/io/neurosim_import.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace tessera::io {
namespace {

const std::string kReport =
    std::string(TESSERA_SHARED_DIR) + "/data/neurosim/vgg8_sram22_adc5_rp128.txt";

TEST(NeuroSimImport, ReadsTheSharedVgg8RunLayerByLayer) {
  if (!std::filesystem::exists(kReport)) GTEST_SKIP() << "../shared/data/neurosim not present";
  auto r = load_neurosim_report(kReport);
  ASSERT_TRUE(r.ok()) << r.error_text();
  ASSERT_EQ(r->layers.size(), 8u);
  // The file's own numbers ("layerN's readLatency is: ...ns", "readDynamicEnergy ...pJ").
  constexpr double kLatencyNs[] = {132974,  65070.7, 27663.9, 31436.6,
                                   9051.58, 16639.8, 740.493, 412.57};
  constexpr double kEnergyPj[] = {1.24932e6, 1.03774e7, 4.52082e6, 8.6297e6,
                                  3.17161e6, 6.1918e6,  613815,    1576.12};
  constexpr int kTiles[] = {2, 8, 4, 8, 8, 8, 64, 1};
  constexpr int kSpeedup[] = {16, 16, 4, 4, 2, 1, 1, 8};
  for (std::size_t i = 0; i < 8; ++i) {
    const auto& l = r->layers[i];
    EXPECT_EQ(l.index, static_cast<int>(i) + 1);
    EXPECT_DOUBLE_EQ(l.latency_s, kLatencyNs[i] * 1e-9);
    EXPECT_DOUBLE_EQ(l.dynamic_energy_j, kEnergyPj[i] * 1e-12);
    EXPECT_EQ(l.tiles, kTiles[i]);
    EXPECT_EQ(l.speedup, kSpeedup[i]);
  }
  const auto& l1 = r->layers[0];
  EXPECT_DOUBLE_EQ(l1.leakage_power_w, 6.86293e-6);
  EXPECT_DOUBLE_EQ(l1.leakage_energy_j, 912.591e-12);
  EXPECT_DOUBLE_EQ(l1.buffer_latency_s, 104939e-9);
  EXPECT_DOUBLE_EQ(l1.buffer_energy_j, 8031.1e-12);
  EXPECT_DOUBLE_EQ(l1.interconnect_latency_s, 21319.1e-9);
  EXPECT_DOUBLE_EQ(l1.interconnect_energy_j, 265670e-12);
  EXPECT_DOUBLE_EQ(l1.adc_latency_s, 6110.66e-9);
  EXPECT_DOUBLE_EQ(l1.accumulation_latency_s, 434.96e-9);
  EXPECT_DOUBLE_EQ(l1.other_latency_s, 126428e-9);
  EXPECT_DOUBLE_EQ(l1.adc_energy_j, 730813e-12);
  EXPECT_DOUBLE_EQ(l1.accumulation_energy_j, 123824e-12);
  EXPECT_DOUBLE_EQ(l1.other_energy_j, 394686e-12);
  EXPECT_DOUBLE_EQ(r->layers[7].utilization, 0.625);
  // Summary.
  EXPECT_DOUBLE_EQ(r->clock_period_s, 1.6974e-9);
  EXPECT_DOUBLE_EQ(r->chip_area_m2, 8.00561e7 * 1e-12);
  EXPECT_DOUBLE_EQ(r->pipeline_period_s, 132974e-9);
  EXPECT_DOUBLE_EQ(r->dynamic_energy_j, 3.4756e7 * 1e-12);
  EXPECT_DOUBLE_EQ(r->leakage_energy_j, 298198e-12);
  EXPECT_DOUBLE_EQ(r->tops_per_w, 28.804);
  EXPECT_DOUBLE_EQ(r->fps, 7520.27);
  // The per-layer energies add up to the chip's (as NeuroSim prints them, to 6 digits).
  double sum = 0.0;
  for (const auto& l : r->layers) sum += l.dynamic_energy_j;
  EXPECT_NEAR(sum / r->dynamic_energy_j, 1.0, 1e-4);
}

TEST(NeuroSimImport, ReportsEveryMissingNumber) {
  const std::string text =
      "-------------------- Estimation of Layer 1 ----------------------\n"
      "layer1's readLatency is: 10ns\n"
      "-------------------- Estimation of Layer 3 ----------------------\n"
      "layer3's readDynamicEnergy is: 5furlongs\n";
  auto r = parse_neurosim_report(text, "run.txt");
  ASSERT_FALSE(r.ok());
  // Layer 3 out of order, its energy without a known unit, layer 1 without energy, layer 3
  // without latency and without energy.
  EXPECT_EQ(r.diagnostics().size(), 5u) << r.error_text();
  EXPECT_EQ(r.diagnostics()[0].file, "run.txt");
  EXPECT_FALSE(parse_neurosim_report("nothing here\n").ok());
}

TEST(NeuroSimImport, MissingFileIsAnError) {
  EXPECT_FALSE(load_neurosim_report("/nonexistent/neurosim.txt").ok());
}

}  // namespace
}  // namespace tessera::io
