// The dataflow chiplet's cost model against hand-computed small products (src/cost/dataflow/
// dataflow_model.cpp states the rules: tile cycles = max(compute, ⌈in/BW⌉, ⌈out/BW⌉), the first
// tile ⌈in/BW⌉ + compute; a PE step of `taps` MACs costs taps + 1 cycles, as in MAESTRO).
#include <gtest/gtest.h>

#include <cmath>

#include "tessera/cost/dataflow/dataflow_model.hpp"
#include "tessera/cost/kind_registry.hpp"
#include "tessera/graph/graph_builder.hpp"
#include "tessera/graph/passes.hpp"

namespace tessera::cost {
namespace {

/// 16 PEs in clusters of 4, 8 elements per cycle over the NoC.
DataflowParams small(Dataflow df) {
  DataflowParams p;
  p.dataflow = df;
  p.pes = 16;
  p.cluster = 4;
  p.noc_bytes_per_cycle = 8.0;
  p.bytes_per_element = 1.0;
  return p;
}

hw::Device small_device(const char* dataflow) {
  hw::Device d;
  d.name = "chiplet";
  d.kind = "dataflow";
  d.memory = Bytes(1e9);
  hw::ParamRecord given{
      {"dataflow", dataflow}, {"pes", 16}, {"cluster", 4}, {"noc_bytes_per_cycle", 8.0}};
  auto v = KindRegistry::builtin().find("dataflow")->validate(given);
  EXPECT_TRUE(v.ok()) << v.error_text();
  d.params = *v;
  return d;
}

TEST(DataflowArray, WeightStationaryGemmCountsEveryTile) {
  // m=10, k=8, n=4 on 4 reduction channels x 4 output columns (clusters): two weight tiles.
  // Each of the m positions is a step of 1 MAC per PE + 1 cycle for the partial sum: 20.
  // Tile 1 (first, no overlap): operands in = m·4 + 4·4 = 56 -> ⌈56/8⌉ = 7; 7 + 20 = 27.
  // Tile 2: in = 56 + m·4 partial sums re-read = 96 -> 12; out = 40 -> 5; compute 20 -> 20.
  // Total 47 cycles.
  const ArrayCost c = array_cost(small(Dataflow::kWeightStationary), {10, 8, 4, 1, 1.0});
  EXPECT_EQ(c.cycles, 47.0);
  EXPECT_EQ(c.macs, 320.0);
  EXPECT_EQ(c.l2_reads, 56.0 + 56.0);     // operands (partial-sum re-reads not counted)
  EXPECT_EQ(c.l2_writes, 40.0 + 40.0);    // partial sums out
  EXPECT_EQ(c.l1_reads, 3.0 * 320.0);     // input, weight, partial sum per MAC
  EXPECT_EQ(c.l1_writes, 112.0 + 320.0);  // operands delivered + a partial-sum write per MAC
  EXPECT_EQ(c.rows, 4);
  EXPECT_EQ(c.cols, 4);
  EXPECT_NEAR(c.utilisation(16), 320.0 / (47.0 * 16.0), 1e-12);
}

TEST(DataflowArray, OutputStationaryGemmTilesTheOutputPixels) {
  // Same product as 10 output rows x 1 column: tiles of 4 rows x 4 columns, so 4, 4 and 2
  // positions (one column used). Each tile steps over n·k = 32 (channel, input) pairs of
  // 1 MAC + 1 cycle: compute 64; in = 32·(1 weight + positions inputs); out = 32·positions.
  // 4 positions: in 160 -> 20, out 128 -> 16. First: 20 + 64 = 84; second: 64.
  // 2 positions: in 96 -> 12, out 64 -> 8 -> 64. Total 212 cycles.
  const ArrayCost c = array_cost(small(Dataflow::kOutputStationary), {10, 8, 4, 1, 1.0});
  EXPECT_EQ(c.cycles, 212.0);
  EXPECT_EQ(c.macs, 320.0);
  EXPECT_EQ(c.l2_reads, 160.0 * 2 + 96.0);
  EXPECT_EQ(c.l2_writes, 128.0 * 2 + 64.0);
  EXPECT_EQ(c.l1_writes, 416.0 + 320.0);
}

TEST(DataflowArray, ConvolutionStepsOverItsFilterTaps) {
  // Conv 2->3 channels, 3x3 kernel, 5x5 input, stride 1: 3x3 outputs (m = 9, width 3),
  // k = 2 channels of 9 taps, n = 3; a window sliding along a row reuses 3 inputs per column.
  // Weight-stationary: one tile (2 channels x 3 outputs); 9 steps of 9 MACs + 1: compute 90;
  // in = 9·2·9/3 + 2·3·9 = 108 -> 14; first tile 14 + 90 = 104 cycles; 486 MACs.
  const ArrayCost ws =
      array_cost(small(Dataflow::kWeightStationary), {9, 2, 3, 1, 3.0, /*taps=*/9, /*width=*/3});
  EXPECT_EQ(ws.cycles, 104.0);
  EXPECT_EQ(ws.macs, 486.0);
  // Output-stationary: one tile of 3x3 pixels; 3·2 = 6 steps of 9 MACs + 1: compute 60;
  // in = 6·(9 + 9·9/3) = 216 -> 27; 27 + 60 = 87 cycles.
  const ArrayCost os =
      array_cost(small(Dataflow::kOutputStationary), {9, 2, 3, 1, 3.0, /*taps=*/9, /*width=*/3});
  EXPECT_EQ(os.cycles, 87.0);
  EXPECT_EQ(os.macs, 486.0);

  // The model lowers the graph's convolution to exactly that product.
  graph::GraphBuilder b("conv");
  auto x = b.input("x", {1, 2, 5, 5});
  x = b.conv2d("conv", x, {.out_channels = 3, .kernel = 3, .bias = false});
  b.output(x);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok()) << g.error_text();
  DataflowModel model;
  const auto& op = g->ops().front();
  auto e = model.estimate(*g, op, small_device("weight_stationary"));
  ASSERT_TRUE(e.ok()) << e.error_text();
  EXPECT_EQ(e->parts.at("cycles"), 104.0);
  EXPECT_EQ(e->parts.at("macs"), 486.0);
  e = model.estimate(*g, op, small_device("output_stationary"));
  ASSERT_TRUE(e.ok()) << e.error_text();
  EXPECT_EQ(e->parts.at("cycles"), 87.0);
}

TEST(DataflowArray, NarrowGroupsShareTheWeightStationaryColumns) {
  // Depthwise-like: 6 groups of m=4 positions, 1 channel of 9 taps, 1 output. 4 groups side
  // by side in the 4 columns, then 2; each brings its own inputs. Compute 4·(9+1) = 40.
  // 4 side by side: in = 4·1·9·4 + 1·4·9 = 180 -> ⌈22.5⌉ = 23; 23 + 40 = 63.
  // 2 side by side: in = 4·9·2 + 2·9 = 90 -> 12; 12 + 40 = 52. Total 115 cycles.
  const ArrayCost ws = array_cost(small(Dataflow::kWeightStationary), {4, 1, 1, 6, 1.0, 9, 1});
  EXPECT_EQ(ws.cycles, 115.0);
  EXPECT_EQ(ws.macs, 6.0 * 4 * 9);
  // Output-stationary arrays take the groups one after another (channels are temporal): per
  // group one tile of 4 positions, 1 step of 9 MACs + 1 = 10; in = 9 + 4·9 = 45 -> 6: 16.
  const ArrayCost os = array_cost(small(Dataflow::kOutputStationary), {4, 1, 1, 6, 1.0, 9, 1});
  EXPECT_EQ(os.cycles, 6.0 * 16.0);
}

TEST(DataflowArray, UtilisationFallsWhenTheProductIsNarrowerThanTheArray) {
  // A single row (m = 1) keeps one of the output-stationary array's 16 pixels busy.
  const auto os = array_cost(small(Dataflow::kOutputStationary), {1, 64, 64, 1, 1.0});
  const auto ws = array_cost(small(Dataflow::kWeightStationary), {1, 64, 64, 1, 1.0});
  EXPECT_LE(os.utilisation(16), 1.0 / 16.0);
  EXPECT_EQ(os.macs, ws.macs);
  // Empty products cost nothing.
  EXPECT_EQ(array_cost(small(Dataflow::kOutputStationary), {0, 4, 4, 1, 1.0}).cycles, 0.0);
}

TEST(DataflowModel, GemmTimeAndEnergyFromAccessCounts) {
  // linear 8 -> 4 on 10 rows (a Gemm with weight [4, 8] and bias [4]): the 47-cycle product
  // above. L2: 112 + 80 tile accesses + operands filled once (80 inputs + 36 weights) = 308.
  // L1: 960 + 432 = 1392. DRAM: the 36 weight bytes.
  // Energy = 0.23 pJ x (320 + 1.68·1392 + 18.61·308) + 36 B x 14.8 pJ/bit x 8
  //        = 1.9298012 nJ + 4.2624 nJ = 6.1922012 nJ.
  // Time = max(47 cycles / 500 MHz = 94 ns, 36 B / 64 GB/s) = 94 ns.
  graph::GraphBuilder b("fc");
  auto x = b.input("x", {10, 8});
  x = b.linear("fc", x, 4);
  b.output(x);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok()) << g.error_text();
  const auto chain = graph::build_layer_chain(*g);
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->layers.size(), 1u);
  DataflowModel model;
  auto c = model.estimate_layer(*g, chain->layers[0], small_device("weight_stationary"));
  ASSERT_TRUE(c.ok()) << c.error_text();
  EXPECT_NEAR(c->time.value(), 94e-9, 1e-15);
  EXPECT_EQ(c->parts.at("l2_accesses"), 308.0);
  EXPECT_EQ(c->parts.at("l1_accesses"), 1392.0);
  EXPECT_EQ(c->parts.at("dram_bytes"), 36.0);
  EXPECT_NEAR(c->energy.value(), 6.1922012e-9, 1e-17);
  EXPECT_EQ(c->memory.value(), 36.0);
  EXPECT_NEAR(c->parts.at("utilisation"), 320.0 / (47.0 * 16.0), 1e-12);
}

TEST(DataflowModel, AttentionProductsRunPerHeadWithoutWeights) {
  // Q·Kᵀ for 2 heads of 4 tokens x 8 dims: two products m=4, k=8, n=4 and no weights held.
  graph::GraphBuilder b("attn");
  auto q = b.input("q", {1, 2, 4, 8});
  auto kt = b.input("kt", {1, 2, 8, 4});
  auto s = b.matmul("scores", q, kt);
  b.output(s);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok()) << g.error_text();
  DataflowModel model;
  auto c = model.estimate(*g, g->ops().front(), small_device("output_stationary"));
  ASSERT_TRUE(c.ok()) << c.error_text();
  const auto expected = array_cost(small(Dataflow::kOutputStationary), {4, 8, 4, 2, 1.0});
  EXPECT_EQ(c->parts.at("cycles"), expected.cycles);
  EXPECT_EQ(c->parts.at("macs"), 2.0 * 4 * 8 * 4);
  EXPECT_EQ(c->memory.value(), 0.0);
  EXPECT_EQ(c->parts.at("dram_bytes"), 0.0);
}

TEST(DataflowParamsCheck, UnknownDataflowAndABadClusterAreNamed) {
  const DeviceKind* kind = KindRegistry::builtin().find("dataflow");
  ASSERT_NE(kind, nullptr);
  auto bad = kind->validate({{"dataflow", "row_stationary"}, {"pes", 16}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error_text().find("params.dataflow"), std::string::npos) << bad.error_text();
  EXPECT_NE(bad.error_text().find("row-stationary"), std::string::npos) << bad.error_text();
  auto cluster = kind->validate({{"dataflow", "weight_stationary"}, {"pes", 100}, {"cluster", 64}});
  ASSERT_FALSE(cluster.ok());
  EXPECT_NE(cluster.error_text().find("params.cluster"), std::string::npos);
  auto l1 = kind->validate({{"dataflow", "output_stationary"}, {"pes", 64}, {"l1_bytes", 4.0}});
  ASSERT_FALSE(l1.ok());
  EXPECT_NE(l1.error_text().find("params.l1_bytes"), std::string::npos);
  auto missing = kind->validate({{"dataflow", "output_stationary"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error_text().find("params.pes"), std::string::npos);
  auto good = kind->validate({{"dataflow", "output_stationary"}, {"pes", 64}});
  ASSERT_TRUE(good.ok()) << good.error_text();
  EXPECT_EQ(good->integer("cluster"), 0);  // the dataflow's default, 8, applies
}

}  // namespace
}  // namespace tessera::cost
