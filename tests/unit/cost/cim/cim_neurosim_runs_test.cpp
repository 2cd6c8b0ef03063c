// CimModel against DNN+NeuroSim V1.4 itself, across technology nodes, memory cells, ADC
// resolutions, partial-parallel reads and interconnects: the reports in tests/data/neurosim/
// (README.md there says how they were made). Each run differs from NeuroSim's defaults in the
// parameters listed; CimModel gets the same parameters and nothing else.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "support/zoo_chain.hpp"
#include "tessera/cost/cim/cim_model.hpp"
#include "tessera/graph/graph_builder.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/io/neurosim_import.hpp"

namespace tessera::cost {
namespace {

struct Run {
  const char* file;
  const char* cell;
  std::map<std::string, double> params;
  /// The zoo model NeuroSim ran (its layers, in order, are NeuroSim's network file:
  /// tests/data/neurosim/NetWork_*.csv, made by make_network_csv.py).
  const char* model = "vgg8";
  /// The global interconnect (Param.cpp globalBusType: false is the X-Y bus).
  const char* interconnect = "xybus";
};

/// The tolerances, held by every run.
constexpr double kClockTolerance = 0.05;
constexpr double kAreaTolerance = 0.10;
constexpr double kPeriodTolerance = 0.10;
constexpr double kLatencyTolerance = 0.10;
constexpr double kEnergyTolerance = 0.10;
constexpr double kLeakageTolerance = 0.15;
constexpr double kLayerTolerance = 0.20;

const Run kRuns[] = {
    {"vgg8_sram22_adc5_rp128.txt", "sram", {}},
    {"vgg8_sram22_adc5_rp64.txt", "sram", {{"rows_parallel", 64}}},
    {"vgg8_sram22_adc5_rp32.txt", "sram", {{"rows_parallel", 32}}},
    {"vgg8_sram22_adc4_rp64.txt", "sram", {{"adc_bits", 4}, {"rows_parallel", 64}}},
    {"vgg8_sram22_adc4_rp32.txt", "sram", {{"adc_bits", 4}, {"rows_parallel", 32}}},
    {"vgg8_sram22_adc6_rp128.txt", "sram", {{"adc_bits", 6}}},
    {"vgg8_sram130_adc5_rp128.txt", "sram", {{"technology_nm", 130}}},
    {"vgg8_sram90_adc5_rp128.txt", "sram", {{"technology_nm", 90}}},
    {"vgg8_sram65_adc5_rp128.txt", "sram", {{"technology_nm", 65}}},
    {"vgg8_sram45_adc5_rp128.txt", "sram", {{"technology_nm", 45}}},
    {"vgg8_sram32_adc5_rp128.txt", "sram", {{"technology_nm", 32}}},
    {"vgg8_sram14_adc5_rp128.txt", "sram", {{"technology_nm", 14}}},
    {"vgg8_sram10_adc5_rp128.txt", "sram", {{"technology_nm", 10}}},
    {"vgg8_sram7_adc5_rp128.txt", "sram", {{"technology_nm", 7}}},
    {"vgg8_sram5_adc5_rp128.txt", "sram", {{"technology_nm", 5}}},
    {"vgg8_sram5_adc5_rp64.txt", "sram", {{"technology_nm", 5}, {"rows_parallel", 64}}},
    {"vgg8_sram5_adc5_rp32.txt", "sram", {{"technology_nm", 5}, {"rows_parallel", 32}}},
    // 4-bit ADCs at FinFET nodes (finfet_adc_level_share fitted on the first run only).
    {"vgg8_sram5_adc4_rp64.txt",
     "sram",
     {{"technology_nm", 5}, {"adc_bits", 4}, {"rows_parallel", 64}}},
    // NeuroSim's input bus takes 0.98 cycles here (1), 1.01 at 5 bits (2): tile sides to 1%.
    {"vgg8_sram5_adc4_rp128.txt", "sram", {{"technology_nm", 5}, {"adc_bits", 4}}},
    {"vgg8_sram7_adc4_rp128.txt", "sram", {{"technology_nm", 7}, {"adc_bits", 4}}},
    {"vgg8_sram3_adc5_rp128.txt", "sram", {{"technology_nm", 3}}},
    {"vgg8_sram2_adc5_rp128.txt", "sram", {{"technology_nm", 2}}},
    {"vgg8_sram1_adc5_rp128.txt", "sram", {{"technology_nm", 1}}},
    {"vgg8_sram1_adc5_rp64.txt", "sram", {{"technology_nm", 1}, {"rows_parallel", 64}}},
    {"vgg8_sram1_adc5_rp32.txt", "sram", {{"technology_nm", 1}, {"rows_parallel", 32}}},
    {"vgg8_sram22_adc5_rp128_htree.txt", "sram", {}, "vgg8", "htree"},
    {"vgg8_sram5_adc5_rp128_htree.txt", "sram", {{"technology_nm", 5}}, "vgg8", "htree"},
    {"vgg8_rram22_adc5_rp128.txt", "rram", {}},
    {"vgg8_rram22_adc5_rp64.txt", "rram", {{"rows_parallel", 64}}},
    {"vgg8_rram22_adc5_rp32.txt", "rram", {{"rows_parallel", 32}}},
    {"vgg8_rram22_adc4_rp64.txt", "rram", {{"adc_bits", 4}, {"rows_parallel", 64}}},
    {"vgg8_rram22_10kohm_adc5_rp128.txt", "rram", {{"r_on_ohm", 10e3}, {"r_off_ohm", 170e3}}},
    // The NeuroSim V1.3 manual's example configuration, run by V1.4 (layer by layer).
    {"vgg8_rram22_2bit_layer_by_layer.txt",
     "rram",
     {{"cell_bits", 2}, {"r_on_ohm", 100e3}, {"r_off_ohm", 10e6}, {"pipeline", 0}}},
    // Other networks (ImageNet ResNets, CIFAR ResNet-20), traces from make_traces.py (exact).
    {"resnet18_sram22_adc5_rp128.txt", "sram", {}, "resnet18"},
    {"resnet18_sram22_adc5_rp64.txt", "sram", {{"rows_parallel", 64}}, "resnet18"},
    {"resnet18_sram22_adc5_rp32.txt", "sram", {{"rows_parallel", 32}}, "resnet18"},
    {"resnet50_sram22_adc5_rp128.txt", "sram", {}, "resnet50"},
    {"resnet50_sram22_adc5_rp64.txt", "sram", {{"rows_parallel", 64}}, "resnet50"},
    {"resnet50_sram22_adc5_rp32.txt", "sram", {{"rows_parallel", 32}}, "resnet50"},
    // NeuroSim's floorplan gives ResNet-20 512 x 512 conventional tiles.
    {"resnet20_sram22_adc5_rp128.txt", "sram", {{"cm_tile_size", 512}}, "resnet20"},
    {"resnet20_sram22_adc5_rp64.txt",
     "sram",
     {{"cm_tile_size", 512}, {"rows_parallel", 64}},
     "resnet20"},
    {"resnet20_sram22_adc5_rp32.txt",
     "sram",
     {{"cm_tile_size", 512}, {"rows_parallel", 32}},
     "resnet20"},
    {"resnet20_sram7_adc5_rp128.txt",
     "sram",
     {{"cm_tile_size", 512}, {"technology_nm", 7}},
     "resnet20"},
    {"resnet20_rram22_adc5_rp128.txt", "rram", {{"cm_tile_size", 512}}, "resnet20"},
    {"resnet20_sram22_adc5_rp128_htree.txt", "sram", {{"cm_tile_size", 512}}, "resnet20", "htree"},
    // Denser activations (make_traces.py ... exact dense: 2.67x the later layers' bit density).
    {"resnet20_sram22_adc5_rp128_dense.txt",
     "sram",
     {{"cm_tile_size", 512}, {"input_bit_density", 2.67}},
     "resnet20"},
    // NeuroSim's own DenseNet-40 file (a chain: each line's input is the previous output).
    {"densenet40_sram22_adc5_rp128.txt", "sram", {{"cm_tile_size", 512}}, "NetWork_DenseNet40.csv"},
    {"densenet40_sram22_adc5_rp64.txt",
     "sram",
     {{"cm_tile_size", 512}, {"rows_parallel", 64}},
     "NetWork_DenseNet40.csv"},
    {"densenet40_sram22_adc5_rp32.txt",
     "sram",
     {{"cm_tile_size", 512}, {"rows_parallel", 32}},
     "NetWork_DenseNet40.csv"},
    {"densenet40_sram22_adc5_rp128_htree.txt",
     "sram",
     {{"cm_tile_size", 512}},
     "NetWork_DenseNet40.csv",
     "htree"},
};

/// The chain network a NeuroSim network file describes, for networks the zoo does not have:
/// each line a convolution (same padding, ReLU after it) whose input is the previous line's
/// output, a 2 x 2 max pool where the pooling flag is set and the next line's map is half as
/// large, a global average pool before a final line on a 1 x 1 map (the classifier).
testing::ZooChain chain_from_network_file(const std::string& file) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/neurosim/" + file);
  std::vector<std::array<std::int64_t, 8>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::array<std::int64_t, 8> r{};
    std::stringstream ss(line);
    for (auto& v : r) {
      std::string cell;
      std::getline(ss, cell, ',');
      v = std::stoll(cell);
    }
    rows.push_back(r);
  }
  if (rows.empty()) throw std::runtime_error("no layers in " + file);
  graph::GraphBuilder b(file);
  auto x = b.input("x", {1, rows[0][2], rows[0][0], rows[0][1]});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const std::string name = "layer" + std::to_string(i + 1);
    if (r[0] == 1 && i > 0 && rows[i - 1][0] > 1) {
      x = b.linear(name, b.flatten(name + ".flatten", x), r[5], false);
      continue;
    }
    x = b.relu(name + ".relu", b.conv2d(name, x,
                                        {.out_channels = r[5],
                                         .kernel = r[3],
                                         .stride = r[7],
                                         .padding = r[3] / 2,
                                         .bias = false}));
    const bool last_map = i + 1 < rows.size() && rows[i + 1][0] == 1 && r[0] > 1;
    if (last_map) {
      x = b.global_avg_pool(name + ".pool", x);
    } else if (r[6] != 0 && i + 1 < rows.size() && rows[i + 1][0] * 2 == r[0]) {
      x = b.max_pool(name + ".pool", x, {.kernel = 2, .stride = 2});
    }
  }
  b.output(x);
  auto g = std::move(b).finish();
  if (!g.ok()) throw std::runtime_error(file + ": " + g.error_text());
  auto chain = graph::build_layer_chain(g.value());
  if (!chain.ok()) throw std::runtime_error(file + ": " + chain.error_text());
  return {std::move(g).value(), std::move(chain).value()};
}

class CimVsNeuroSim : public ::testing::Test {
 protected:
  /// A zoo model, or "NetWork_*.csv": the chain network of that NeuroSim file.
  const testing::ZooChain& zoo(const std::string& name) {
    auto it = models_.find(name);
    if (it == models_.end()) {
      it = models_
               .emplace(name, name.ends_with(".csv") ? chain_from_network_file(name)
                                                     : testing::zoo_chain(name))
               .first;
    }
    return it->second;
  }
  std::map<std::string, testing::ZooChain> models_;
};

hw::Device device_for(const Run& run) {
  hw::Device d;
  d.name = run.file;
  d.kind = "cim";
  d.params["cell"] = run.cell;
  d.params["interconnect"] = run.interconnect;
  for (const auto& [key, value] : run.params) d.params[key] = value;
  return d;
}

double ratio_error(double tessera, double neurosim) {
  return tessera / neurosim - 1.0;
}

TEST_F(CimVsNeuroSim, EveryCommittedRunWithinTolerance) {
  const CimModel model(CimOptions{.neurosim_conventions = true});
  double worst_total = 0.0;
  double worst_layer = 0.0;
  std::printf("%-38s %7s %7s %7s %7s %7s %7s %9s %9s\n", "run", "clock", "area", "period",
              "latency", "energy", "leakage", "layer lat", "layer E");
  for (const auto& run : kRuns) {
    SCOPED_TRACE(run.file);
    const auto& net = zoo(run.model);
    const auto& graph_ = net.graph;
    const auto& chain_ = net.chain;
    double worst_run_latency = 0.0;
    double worst_run_energy = 0.0;
    auto report =
        io::load_neurosim_report(std::string(TESSERA_TEST_DATA_DIR) + "/neurosim/" + run.file);
    ASSERT_TRUE(report.ok()) << report.error_text();
    const auto layers = static_cast<std::size_t>(chain_.size());
    ASSERT_EQ(report->layers.size(), layers);
    const hw::Device device = device_for(run);
    auto params = CimParams::from_device(device);
    ASSERT_TRUE(params.ok()) << params.error_text();
    double area_mm2 = 0.0;
    double period_s = 0.0;
    double latency_s = 0.0;
    double energy_j = 0.0;
    std::vector<CimLayerLeakage> leaks;
    double ns_latency_s = 0.0;
    double ns_energy_j = 0.0;
    for (std::size_t i = 0; i < layers; ++i) {
      auto c = model.estimate_layer(graph_, chain_.layers[i], device);
      ASSERT_TRUE(c.ok()) << c.error_text();
      const auto& ns = report->layers[i];
      EXPECT_EQ(c->memory.value(), ns.tiles) << "tiles of layer " << i + 1;
      const double t = c->time.value();
      const double lat_err = ratio_error(t, ns.latency_s);
      EXPECT_NEAR(lat_err, 0.0, kLayerTolerance) << "latency of layer " << i + 1;
      worst_layer = std::max(worst_layer, std::abs(lat_err));
      if (std::abs(lat_err) > std::abs(worst_run_latency)) worst_run_latency = lat_err;
      const double e_err = ratio_error(c->energy.value(), ns.dynamic_energy_j);
      EXPECT_NEAR(e_err, 0.0, kLayerTolerance) << "energy of layer " << i + 1;
      worst_layer = std::max(worst_layer, std::abs(e_err));
      if (std::abs(e_err) > std::abs(worst_run_energy)) worst_run_energy = e_err;
      area_mm2 += c->parts.at("area_mm2");
      period_s = std::max(period_s, t);
      latency_s += t;
      energy_j += c->energy.value();
      leaks.push_back(
          {t, c->parts.at("leakage_w"), c->parts.at("leakage_busy_w"), c->memory.value()});
      ns_latency_s += ns.latency_s;
      ns_energy_j += ns.dynamic_energy_j;
    }
    const double clock = ratio_error(cim_physics(*params).clock_s, report->clock_period_s);
    const double area = ratio_error(area_mm2 * 1e-6, report->chip_area_m2);
    const double latency = ratio_error(latency_s, ns_latency_s);
    // Every report states its chip total; it must be the sum of its layers.
    ASSERT_NEAR(report->dynamic_energy_j / ns_energy_j, 1.0, 1e-3);
    const double energy = ratio_error(energy_j, report->dynamic_energy_j);
    // A layer-by-layer report has no pipeline period; its leakage charges every idle tile
    // while each layer runs (cim_chip_leakage).
    const bool pipelined = report->pipeline_period_s > 0.0;
    const double period = pipelined ? ratio_error(period_s, report->pipeline_period_s) : 0.0;
    const double leakage =
        ratio_error(cim_chip_leakage(leaks, pipelined, true).energy_j, report->leakage_energy_j);
    std::printf("%-38s %+6.1f%% %+6.1f%% %+6.1f%% %+6.1f%% %+6.1f%% %+6.1f%% %+8.1f%% %+8.1f%%\n",
                run.file, 100 * clock, 100 * area, 100 * period, 100 * latency, 100 * energy,
                100 * leakage, 100 * worst_run_latency, 100 * worst_run_energy);
    // The tolerances of the issue that asked for these runs; the table printed above is in
    // docs/results.md.
    EXPECT_NEAR(clock, 0.0, kClockTolerance) << "clock";
    // A node's reference run is where its clock factor was measured: it must match closely.
    if (std::string(run.cell) == "sram" && run.params.size() == 1 &&
        run.params.count("technology_nm") == 1) {
      EXPECT_NEAR(clock, 0.0, 1e-3) << "clock factor of the node";
    }
    EXPECT_NEAR(area, 0.0, kAreaTolerance) << "chip area";
    EXPECT_NEAR(period, 0.0, kPeriodTolerance) << "pipeline period";
    EXPECT_NEAR(latency, 0.0, kLatencyTolerance) << "latency (sum of layers)";
    EXPECT_NEAR(energy, 0.0, kEnergyTolerance) << "dynamic energy";
    EXPECT_NEAR(leakage, 0.0, kLeakageTolerance) << "leakage energy";
    for (double e : {clock, area, period, latency, energy, leakage}) {
      worst_total = std::max(worst_total, std::abs(e));
    }
  }
  // The figures docs/results.md states.
  RecordProperty("worst_total_error", std::to_string(worst_total));
  RecordProperty("worst_layer_error", std::to_string(worst_layer));
}

TEST_F(CimVsNeuroSim, InputBitDensityReachesTheAdcNotTheAccumulation) {
  // ResNet-20 with 2.67x denser inputs (make_traces.py ... exact dense: 0.442 against 0.166 ones
  // per input bit in the traces' later layers); the first layer's input is the same image.
  const std::string dir = std::string(TESSERA_TEST_DATA_DIR) + "/neurosim/";
  auto sparse = io::load_neurosim_report(dir + "resnet20_sram22_adc5_rp128.txt");
  auto dense = io::load_neurosim_report(dir + "resnet20_sram22_adc5_rp128_dense.txt");
  ASSERT_TRUE(sparse.ok() && dense.ok());
  const auto& net = zoo("resnet20");
  const CimModel model(CimOptions{.neurosim_conventions = true});
  hw::Device base = device_for({"", "sram", {{"cm_tile_size", 512}}});
  hw::Device denser = base;
  denser.params["input_bit_density"] = 2.67;
  ASSERT_EQ(dense->layers.size(), net.chain.layers.size());
  for (std::size_t i = 1; i < net.chain.layers.size(); ++i) {
    auto a = model.estimate_layer(net.graph, net.chain.layers[i], base);
    auto b = model.estimate_layer(net.graph, net.chain.layers[i], denser);
    ASSERT_TRUE(a.ok() && b.ok());
    const double ns_adc = dense->layers[i].adc_energy_j / sparse->layers[i].adc_energy_j;
    const double ns_acc =
        dense->layers[i].accumulation_energy_j / sparse->layers[i].accumulation_energy_j;
    EXPECT_NEAR(ns_acc, 1.0, 1e-3) << "NeuroSim accumulation of layer " << i + 1;
    EXPECT_EQ(b->parts.at("accumulation_j"), a->parts.at("accumulation_j")) << i + 1;
    // NeuroSim x1.12-1.22 on the convolutions, within 5%; x1.37 on the 64 x 10 classifier
    // (0.1% of the ADC energy), where CimModel gives x1.22.
    const bool classifier = i + 1 == net.chain.layers.size();
    EXPECT_NEAR(b->parts.at("adc_j") / a->parts.at("adc_j") / ns_adc, 1.0, classifier ? 0.15 : 0.05)
        << "ADC energy of layer " << i + 1 << " (NeuroSim x" << ns_adc << ")";
  }
}

// The tile floorplan that sets CimModel's wire lengths against the tile sides NeuroSim's X-Y
// bus reads (tests/data/neurosim/tile_sides.txt: 13 nodes, 3- to 7-bit ADCs, Rp 128/64/32,
// SRAM and RRAM). A bus transfer takes ceil(delay x clock frequency) cycles, and NeuroSim's
// VGG8 runs sit within 1% of a cycle boundary (0.98 and 1.01 cycles at 5 nm): the sides hold
// to 1.2% for SRAM with ADCs up to 6 bits; 7-bit ADCs at reduced Rp (-1.6%) and RRAM at Rp 32
// (+2.0%, its larger periphery grows less with the passes) to 2.5%.
TEST(CimTileFloorplan, MatchesNeuroSimTileSides) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/neurosim/tile_sides.txt");
  ASSERT_TRUE(in) << "tests/data/neurosim/tile_sides.txt";
  std::string line;
  int rows = 0;
  double worst = 0.0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    CimParams p;
    double clock_ns = 0.0;
    double cm_mm = 0.0;
    double nm_mm = 0.0;
    fields >> p.cell >> p.technology_nm >> p.adc_bits >> p.rows_parallel >> clock_ns >> cm_mm >>
        nm_mm;
    ASSERT_FALSE(fields.fail()) << line;
    SCOPED_TRACE(line);
    const CimPhysics ph = cim_physics(p);
    const double cm = std::sqrt(64.0 * ph.cm_tile_subarray_um2) * 1e-3;
    const double nm = std::sqrt(144.0 * ph.nm_tile_subarray_um2) * 1e-3;
    const double tolerance = p.cell == "sram" && p.adc_bits <= 6 ? 0.012 : 0.025;
    EXPECT_NEAR(cm / cm_mm, 1.0, tolerance) << "conventional tile side";
    EXPECT_NEAR(nm / nm_mm, 1.0, tolerance) << "novel tile side";
    worst = std::max({worst, std::abs(cm / cm_mm - 1.0), std::abs(nm / nm_mm - 1.0)});
    ++rows;
  }
  EXPECT_EQ(rows, 72);
  std::printf("tile sides: %d configurations, worst %.2f%%\n", rows, 100.0 * worst);
}

}  // namespace
}  // namespace tessera::cost
