#include "tessera/cost/cim/cim_model.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <filesystem>

#include "support/zoo_chain.hpp"
#include "tessera/graph/graph_builder.hpp"
#include "tessera/graph/passes.hpp"

namespace tessera::cost {
namespace {

hw::Device cim_device() {
  hw::Device d;
  d.name = "cim";
  d.kind = "cim";
  return d;  // every CimParams default: NeuroSim V1.4's SRAM 22 nm configuration
}

testing::ZooChain vgg8() {
  return testing::zoo_chain("vgg8");
}

// NeuroSim V1.4, VGG8, SRAM 22 nm, 128x128, 1 bit/cell, 8-bit W and inputs, 5-bit ADC,
// Rp 128, 8 columns per ADC, pipelined: ../shared/data/neurosim/vgg8_sram22_adc5_rp128.txt,
// "layerN's readLatency" (ns) and "layerN's readDynamicEnergy" (pJ).
constexpr std::array<double, 8> kLatencyNs = {132974,  65070.7, 27663.9, 31436.6,
                                              9051.58, 16639.8, 740.493, 412.57};
constexpr std::array<double, 8> kEnergyPj = {1.24932e6, 1.03774e7, 4.52082e6, 8.6297e6,
                                             3.17161e6, 6.1918e6,  613815,    1576.12};

TEST(CimModel, MapsVgg8OntoNeuroSimsTiles) {
  // NeuroSim's "# of tile used for each layer" for this run: 2, 8, 4, 8, 8, 8, 64, 1.
  // Layer 1 (27 rows < 128) uses conventional mapping in 1024x1024 tiles (64 subarrays):
  // 1 x 8 subarrays per copy, speed-up 16 (pipeline bound (32/8)² = 16) -> 128 / 64 = 2 tiles.
  // Layers 2-6 use novel mapping (9 PEs of 512x512 = 144 subarrays per tile): layer 2 has
  // 9 x 1 x 8 = 72 subarrays per copy x 16 = 1152 / 144 = 8. Layer 7: 64 x 64 subarrays = 64
  // tiles; layer 8: 8 subarrays, 8 copies fit in its tile's free columns -> 1 tile.
  const auto v = vgg8();
  const cost::CimModel model(CimOptions{.neurosim_conventions = true});
  constexpr std::array<double, 8> kTiles = {2, 8, 4, 8, 8, 8, 64, 1};
  constexpr std::array<double, 8> kSpeedup = {16, 16, 4, 4, 2, 1, 1, 8};
  ASSERT_EQ(v.chain.size(), 8);
  double total = 0.0;
  for (std::size_t i = 0; i < 8; ++i) {
    auto c = model.estimate_layer(v.graph, v.chain.layers[i], cim_device());
    ASSERT_TRUE(c.ok()) << c.error_text();
    EXPECT_EQ(c->memory.value(), kTiles[i]) << "layer " << i + 1;
    EXPECT_EQ(c->parts.at("speedup"), kSpeedup[i]) << "layer " << i + 1;
    total += c->parts.at("area_mm2");
  }
  // "ChipArea : 8.00561e+07um^2".
  EXPECT_NEAR(total, 80.0561, 80.0561 * 0.10);
}

/// Cost of the last layer (a fully connected classifier) of a one-layer graph: input [1, k],
/// linear to n outputs, with or without a bias.
OpCost fc_layer_cost(std::int64_t k, std::int64_t n, bool bias) {
  graph::GraphBuilder b("fc");
  const auto x = b.input("x", {1, k});
  b.output(b.linear("fc", x, n, bias));
  auto g = std::move(b).finish();
  EXPECT_TRUE(g.ok()) << g.error_text();
  auto chain = graph::build_layer_chain(g.value());
  EXPECT_TRUE(chain.ok()) << chain.error_text();
  auto c = CimModel().estimate_layer(g.value(), chain->layers.back(), cim_device());
  EXPECT_TRUE(c.ok()) << c.error_text();
  return c.value();
}

TEST(CimModel, MapsAFullyConnectedLayersWeightMatrixNotItsBias) {
  // Y = X·Wᵀ + b: the 1000 x 512 matrix W goes into the arrays, the bias is added in the
  // periphery. 512 x 1000 weights x 8 bits on 1-bit cells = 512 rows x 8000 columns, so the
  // layer costs exactly what the bias-free layer costs and counts 2 x 512 x 1000 operations.
  const OpCost with_bias = fc_layer_cost(512, 1000, true);
  const OpCost without = fc_layer_cost(512, 1000, false);
  EXPECT_EQ(with_bias.parts.at("ops"), 2.0 * 512 * 1000);
  EXPECT_EQ(with_bias.memory.value(), without.memory.value());
  EXPECT_EQ(with_bias.time.value(), without.time.value());
  EXPECT_EQ(with_bias.energy.value(), without.energy.value());
  // 512 x 8000 cells need at least 512 x 8000 / (1024 x 1024) -> 4 tiles of 1024 x 1024.
  EXPECT_GE(with_bias.memory.value(), 4.0);
}

TEST(CimModel, CostsZooClassifiersByTheirWeightMatrices) {
  // resnet18's fc (512 -> 1000, with bias) and vgg16's classifier.0 (25088 -> 4096, with bias):
  // operations are 2 x in x out per image, and the tiles hold in x out x 8 bit cells, at least
  // in x out x 8 / 1024² tiles (25088 x 4096 x 8 / 1048576 = 784).
  struct Case {
    const char* model;
    const char* layer;
    double in, out;
  };
  for (const Case& k :
       {Case{"resnet18", "fc", 512, 1000}, Case{"vgg16", "classifier.0", 25088, 4096}}) {
    const auto z = testing::zoo_chain(k.model);
    const graph::Layer* fc = nullptr;
    for (const auto& layer : z.chain.layers)
      if (layer.name == k.layer) fc = &layer;
    ASSERT_NE(fc, nullptr) << k.model << " has no layer " << k.layer;
    auto c = CimModel().estimate_layer(z.graph, *fc, cim_device());
    ASSERT_TRUE(c.ok()) << c.error_text();
    EXPECT_EQ(c->parts.at("ops"), 2.0 * k.in * k.out) << k.model;
    EXPECT_GE(c->memory.value(), std::floor(k.in * k.out * 8.0 / (1024.0 * 1024.0))) << k.model;
  }
}

/// The layer of `z` named `name` (fails the test when absent).
const graph::Layer& layer_named(const testing::ZooChain& z, const std::string& name) {
  for (const auto& layer : z.chain.layers)
    if (layer.name == name) return layer;
  ADD_FAILURE() << "no layer " << name;
  return z.chain.layers.front();
}

TEST(CimModel, AlexNetLikeHeadCostsItsWeightMatricesNotItsBiases) {
  // AlexNet's classifier: 9216 -> 4096 -> 4096 -> 1000, each a Gemm with a bias. The two large
  // layers hold 9216 x 4096 and 4096 x 4096 weights: ops 2 x in x out, and at least
  // in x out x 8 bits / 1024² tiles (288 and 128); a bias-only mapping would need 1 tile each.
  graph::GraphBuilder b("alexnet_head");
  auto x = b.input("x", {1, 9216});
  x = b.relu("fc6.relu", b.linear("fc6", x, 4096));
  x = b.relu("fc7.relu", b.linear("fc7", x, 4096));
  b.output(b.linear("fc8", x, 1000));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok()) << g.error_text();
  auto chain = graph::build_layer_chain(g.value());
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  ASSERT_EQ(chain->size(), 3);
  const double in[] = {9216, 4096, 4096};
  const double out[] = {4096, 4096, 1000};
  for (std::size_t i = 0; i < 3; ++i) {
    auto c = CimModel().estimate_layer(g.value(), chain->layers[i], cim_device());
    ASSERT_TRUE(c.ok()) << c.error_text();
    EXPECT_EQ(c->parts.at("ops"), 2.0 * in[i] * out[i]) << i;
    EXPECT_GE(c->memory.value(), std::floor(in[i] * out[i] * 8.0 / (1024.0 * 1024.0))) << i;
  }
}

/// A token-wise projection as torch.onnx exports a Linear on a [1, 16, 256] input: MatMul with
/// a [256, 512] weight (and an Add of the bias when it has one).
OpCost token_projection_cost(bool bias, bool weight_left) {
  graph::GraphBuilder b("proj");
  const auto x = b.input("x", {1, 16, 256});
  TensorId y;
  if (weight_left) {
    // W·X: a [512, 256] weight on the left of a [256, 16] input, 16 positions of 512 outputs.
    const auto xt = b.input("xt", {256, 16});
    y = b.matmul("proj", b.weight("w", {512, 256}), xt);
  } else if (bias) {
    y = b.linear("proj", x, 512, true);
  } else {
    y = b.matmul("proj", x, b.weight("w", {256, 512}));
  }
  b.output(y);
  auto g = std::move(b).finish();
  EXPECT_TRUE(g.ok()) << g.error_text();
  auto chain = graph::build_layer_chain(g.value());
  EXPECT_TRUE(chain.ok()) << chain.error_text();
  const CimModel model;
  for (auto id : chain->layers.back().ops)
    EXPECT_TRUE(model.supports(g.value(), g.value().op(id), cim_device())) << g.value().op(id).name;
  auto c = model.estimate_layer(g.value(), chain->layers.back(), cim_device());
  EXPECT_TRUE(c.ok()) << c.error_text();
  return c.ok() ? c.value() : OpCost{};
}

TEST(CimModel, MapsMatMulExportedLinearLayersOntoTheCrossbars) {
  // 256 x 512 weights x 8 bits = 256 rows x 4096 columns on 1-bit cells: 2 x 32 subarrays, one
  // 1024 x 1024 tile holds 64; 16 positions, 2 x 16 x 256 x 512 operations. The bias is added in
  // the periphery (a little more energy, no more tiles or time); the weight may be on the left.
  const OpCost bare = token_projection_cost(false, false);
  const OpCost biased = token_projection_cost(true, false);
  const OpCost left = token_projection_cost(false, true);
  for (const OpCost* c : {&bare, &biased, &left}) {
    EXPECT_EQ(c->parts.at("ops"), 2.0 * 16 * 256 * 512);
    EXPECT_GE(c->memory.value(), 1.0);
    EXPECT_GT(c->parts.at("adc_s"), 0.0);
  }
  EXPECT_EQ(biased.memory.value(), bare.memory.value());
  EXPECT_EQ(biased.time.value(), bare.time.value());
  EXPECT_GT(biased.energy.value(), bare.energy.value());
  EXPECT_EQ(left.parts.at("adc_j"), bare.parts.at("adc_j"));
}

TEST(CimModel, RejectsProductsOfTwoActivations) {
  graph::GraphBuilder b("scores");
  const auto q = b.input("q", {1, 12, 16, 64});
  const auto k = b.input("k", {1, 12, 64, 16});
  b.output(b.matmul("qk", q, k));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok()) << g.error_text();
  const CimModel model;
  const auto& op = g.value().ops().front();
  EXPECT_FALSE(model.supports(g.value(), op, cim_device()));
  EXPECT_FALSE(model.estimate(g.value(), op, cim_device()).ok());
}

TEST(CimModel, MapsTheWeightLayersOfTransformers) {
  // GPT-2, BERT and ViT: every layer whose anchor holds a weight matrix (QKV, output and MLP
  // projections, the classifier heads) maps onto the crossbars with 2 x MACs operations and at
  // least its weights x 8 bits / 1024² tiles; attention's activation products, and embedding
  // lookups, do not.
  const CimModel model;
  for (const char* name : {"gpt2", "bert_base", "vit_b16"}) {
    const auto z = testing::zoo_chain(name);
    int mapped = 0;
    int refused = 0;
    for (const auto& layer : z.chain.layers) {
      OpId anchor_id = layer.ops.front();
      for (auto id : layer.ops)
        if (graph::is_compute_anchor(z.graph.op(id).kind)) {
          anchor_id = id;
          break;
        }
      const auto& anchor = z.graph.op(anchor_id);
      bool has_weight_matrix = false;
      for (auto t : anchor.inputs)
        has_weight_matrix = has_weight_matrix ||
                            (z.graph.tensor(t).is_weight && z.graph.tensor(t).shape.size() >= 2);
      const bool matrix_product = anchor.kind == graph::OpKind::kMatMul ||
                                  anchor.kind == graph::OpKind::kGemm ||
                                  anchor.kind == graph::OpKind::kConv;
      auto c = model.estimate_layer(z.graph, layer, cim_device());
      if (matrix_product && has_weight_matrix) {
        ASSERT_TRUE(c.ok()) << name << " " << layer.name << ": " << c.error_text();
        EXPECT_EQ(c->parts.at("ops"), 2.0 * static_cast<double>(layer.macs))
            << name << " " << layer.name;
        EXPECT_GE(c->memory.value(),
                  std::floor(static_cast<double>(layer.weight_bytes) / 4.0 * 8.0 / 1048576.0))
            << name << " " << layer.name;
        ++mapped;
      } else {
        EXPECT_FALSE(c.ok()) << name << " " << layer.name;
        ++refused;
      }
    }
    EXPECT_GE(mapped, 12 * 4) << name;   // 4 projections per block, 12 blocks
    EXPECT_GE(refused, 12 * 2) << name;  // Q·Kᵀ and scores·V per block
  }
}

TEST(CimModel, CountsStridedConvolutionOperationsOnTheInputMapUnderNeuroSimsConventions) {
  // NeuroSim's TOPS/W counts 2·H·W·Cin·K²·Cout on the input map (main.cpp numComputation), so a
  // stride-2 layer counts 4x its MACs; Tessera's own count is 2 x MACs on the output map.
  const auto z = testing::zoo_chain("resnet18");
  const CimModel neurosim(CimOptions{.neurosim_conventions = true});
  const CimModel own;
  struct Case {
    const char* layer;
    double h, cin, k, cout, stride;
  };
  for (const Case& k :
       {Case{"conv1", 224, 3, 7, 64, 2}, Case{"layer2.0.downsample.0", 56, 64, 1, 128, 2},
        Case{"layer2.0.conv1", 56, 64, 3, 128, 2}, Case{"layer2.0.conv2", 28, 128, 3, 128, 1}}) {
    const auto& layer = layer_named(z, k.layer);
    auto n = neurosim.estimate_layer(z.graph, layer, cim_device());
    auto o = own.estimate_layer(z.graph, layer, cim_device());
    ASSERT_TRUE(n.ok() && o.ok()) << k.layer;
    EXPECT_EQ(n->parts.at("ops"), 2.0 * k.h * k.h * k.cin * k.k * k.k * k.cout) << k.layer;
    EXPECT_EQ(o->parts.at("ops"), 2.0 * static_cast<double>(layer.macs)) << k.layer;
    EXPECT_EQ(n->parts.at("ops"), o->parts.at("ops") * k.stride * k.stride) << k.layer;
  }
}

TEST(CimModel, MappingArithmetic) {
  CimParams p;
  // A 3x3 conv with 64 inputs: 576 unrolled rows >= 128, so novel mapping; one subarray row
  // per kernel position (ceil(64/128) = 1) -> 9 row partitions.
  auto m = map_cim_layer(p, {.in_size = 16, .in_channels = 64, .kernel = 3, .out_channels = 64}, 1);
  EXPECT_TRUE(m.novel);
  EXPECT_EQ(m.rows, 576);
  EXPECT_EQ(m.cols, 512);  // 64 x 8 bits / 1 bit per cell
  EXPECT_EQ(m.row_partitions, 9);
  EXPECT_EQ(m.col_partitions, 4);
  // 128 of 512 PE rows used -> 4 copies; 512 of 512 columns -> 1.
  EXPECT_EQ(m.speedup, 4);
  EXPECT_EQ(m.tiles, (4 * 36 + 143) / 144);
  p.cell_bits = 2;
  m = map_cim_layer(p, {.in_size = 1, .in_channels = 1000, .kernel = 1, .out_channels = 100}, 0);
  EXPECT_FALSE(m.novel);
  EXPECT_EQ(m.cols, 400);
  EXPECT_EQ(m.row_partitions, 8);
  EXPECT_EQ(m.col_partitions, 4);
  EXPECT_EQ(m.speedup, 2);  // 512 of 1024 tile columns used
  EXPECT_EQ(m.tiles, 1);
}

TEST(CimModel, MatchesNeuroSimVgg8PerLayerAndTotals) {
  if (!std::filesystem::exists(std::string(TESSERA_SHARED_DIR) +
                               "/data/neurosim/vgg8_sram22_adc5_rp128.txt")) {
    GTEST_SKIP() << "../shared/data/neurosim not present";
  }
  const auto v = vgg8();
  const cost::CimModel model(CimOptions{.neurosim_conventions = true});
  double latency_sum = 0.0;
  double stage = 0.0;
  double energy = 0.0;
  std::vector<CimLayerLeakage> leaks;
  for (std::size_t i = 0; i < 8; ++i) {
    auto c = model.estimate_layer(v.graph, v.chain.layers[i], cim_device());
    ASSERT_TRUE(c.ok()) << c.error_text();
    const double t = c->time.value();
    const double e = c->energy.value();
    EXPECT_NEAR(t / (kLatencyNs[i] * 1e-9), 1.0, 0.15) << "latency of layer " << i + 1;
    EXPECT_NEAR(e / (kEnergyPj[i] * 1e-12), 1.0, 0.15) << "energy of layer " << i + 1;
    latency_sum += t;
    stage = std::max(stage, t);
    energy += e;
    leaks.push_back({t, c->parts.at("leakage_w"), c->parts.at("leakage_busy_w")});
  }
  const double leakage_j = cim_chip_leakage(leaks, true).energy_j;
  // Summary of the same file: pipeline stage 132974 ns, latency sum 284.0 us, dynamic energy
  // 3.4756e7 pJ, leakage 298198 pJ per image (leakage power x stage), 7520.27 FPS, 28.804 TOPS/W.
  EXPECT_NEAR(stage / 132974e-9, 1.0, 0.10);
  EXPECT_NEAR(latency_sum / 284.0e-6, 1.0, 0.10);
  EXPECT_NEAR(energy / 34.756e-6, 1.0, 0.10);
  EXPECT_NEAR(leakage_j / 298198e-12, 1.0, 0.10);
  EXPECT_NEAR((1.0 / stage) / 7520.27, 1.0, 0.10);
  // NeuroSim's TOPS/W: 2·H·W·Cin·K²·Cout on the input map over (dynamic + leakage), / 1.22.
  double ops = 0.0;
  for (const auto& op : v.graph.ops()) ops += 2.0 * static_cast<double>(v.graph.work(op).macs);
  // The zoo pads its convolutions, so its MACs are NeuroSim's input-map count.
  const double tops_per_w = ops / (energy + leakage_j) / 1e12 / 1.22;
  EXPECT_NEAR(tops_per_w / 28.804, 1.0, 0.10);
}

// Layer by layer, while a layer runs every other tile idles. Two layers: A (2 s, 1 tile, idle
// 3 W, busy 1 W) and B (1 s, 4 tiles, idle 8 W, busy 2 W). Each idle tile at its own rate:
// 2 (1 + 8) + 1 (2 + 3) = 23 J over 3 s. NeuroSim's main.cpp charges the other tiles at the
// running layer's rate per tile: 2 (1 + 4 x 3) + 1 (2 + 1 x 8 / 4) = 30 J.
TEST(CimChipLeakage, LayerByLayerChargesTheIdleTiles) {
  const std::vector<CimLayerLeakage> leaks = {{2.0, 3.0, 1.0, 1.0}, {1.0, 8.0, 2.0, 4.0}};
  const CimLeakage own = cim_chip_leakage(leaks, false);
  EXPECT_DOUBLE_EQ(own.energy_j, 23.0);
  EXPECT_DOUBLE_EQ(own.power_w, 23.0 / 3.0);
  EXPECT_DOUBLE_EQ(cim_chip_leakage(leaks, false, true).energy_j, 30.0);
  // Pipelined (period 2 s): A busy all of it, B half: P = 1 + (8 / 2 + 2 / 2) = 6 W, 12 J.
  EXPECT_DOUBLE_EQ(cim_chip_leakage(leaks, true).energy_j, 12.0);
  EXPECT_DOUBLE_EQ(cim_chip_leakage(leaks, true, true).energy_j, 12.0);
}

// The shared checks (finite, non-negative, deterministic, monotone in size, capacity, rejects)
// are in tests/unit/cost/kind_conformance_test.cpp; these are the CIM-specific growth laws.
TEST(CimModel, TilesGrowWithTheWeightMatrixAndCostWithInputBits) {
  const auto v = vgg8();
  const CimModel model;
  // Monotone: a wider fully connected layer costs at least as much.
  double previous_time = 0.0;
  double previous_energy = 0.0;
  double previous_tiles = 0.0;
  for (std::int64_t n : {16, 128, 1024, 8192}) {
    CimParams p;
    const auto m = map_cim_layer(p, {.in_channels = n, .out_channels = n}, 0);
    EXPECT_GE(static_cast<double>(m.tiles), previous_tiles);
    previous_tiles = static_cast<double>(m.tiles);
  }
  hw::Device d = cim_device();
  for (double bits : {2.0, 4.0, 8.0}) {
    d.params["input_bits"] = bits;
    auto c = model.estimate_layer(v.graph, v.chain.layers[1], d);
    ASSERT_TRUE(c.ok());
    EXPECT_GT(c->time.value(), previous_time);
    EXPECT_GT(c->energy.value(), previous_energy);
    previous_time = c->time.value();
    previous_energy = c->energy.value();
  }
}

TEST(CimModel, ClaimsCimDevicesOnlyAndRejectsBadParams) {
  const auto v = vgg8();
  const CimModel model;
  hw::Device cpu = cim_device();
  cpu.kind = "cpu";
  EXPECT_FALSE(model.supports(v.graph.op(v.chain.layers[0].ops[0]), cpu));
  EXPECT_TRUE(model.supports(v.graph.op(v.chain.layers[0].ops[0]), cim_device()));
  hw::Device bad = cim_device();
  bad.params["subarray_rows"] = 0;
  bad.params["clock_ns"] = -1;
  bad.params["cell"] = "dram";
  auto c = model.estimate_layer(v.graph, v.chain.layers[0], bad);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.diagnostics().size(), 3u);  // every problem: rows, clock, cell
}

}  // namespace
}  // namespace tessera::cost
