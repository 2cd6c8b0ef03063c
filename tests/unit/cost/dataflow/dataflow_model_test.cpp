// The dataflow chiplet's cost model against hand-computed small products (src/cost/dataflow/
// dataflow_model.cpp states the rules: tile cycles = max(compute, ⌈in/BW⌉, ⌈out/BW⌉), the first
// tile ⌈in/BW⌉ + compute).
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
  // m=10, k=8, n=4 on 4 reduction rows x 4 output columns: two weight tiles of 4x4.
  // Tile 1 (first, no overlap): in = m·4 + 4·4 = 56 -> ⌈56/8⌉ = 7; + compute m = 10 -> 17.
  // Tile 2: in = 40 + 16 + m·4 (partial sums re-read) = 96 -> 12; out = 40 -> 5; compute 10
  //   -> max = 12. Total 29 cycles.
  const ArrayCost c = array_cost(small(Dataflow::kWeightStationary), {10, 8, 4, 1, 1.0});
  EXPECT_EQ(c.cycles, 29.0);
  EXPECT_EQ(c.macs, 320.0);
  EXPECT_EQ(c.l2_reads, 56.0 + 96.0);
  EXPECT_EQ(c.l2_writes, 40.0 + 40.0);
  EXPECT_EQ(c.l1_reads, 640.0);                  // two operands per MAC
  EXPECT_EQ(c.l1_writes, 2.0 * (16.0 + 160.0));  // weights once, each row to its PEs
  EXPECT_EQ(c.rows, 4);
  EXPECT_EQ(c.cols, 4);
  EXPECT_NEAR(c.utilisation(16), 320.0 / (29.0 * 16.0), 1e-12);
}

TEST(DataflowArray, OutputStationaryGemmTilesTheOutputs) {
  // Same product: 4 output positions x 4 channels per tile; m = 10 -> tiles of 4, 4, 2.
  // m_t=4: in = k·(4+4) = 64 -> 8, out 16 -> 2, compute k = 8. First: 8 + 8 = 16; second 8.
  // m_t=2: in = 8·(2+4) = 48 -> 6, out 8 -> 1, compute 8 -> 8. Total 32 cycles.
  const ArrayCost c = array_cost(small(Dataflow::kOutputStationary), {10, 8, 4, 1, 1.0});
  EXPECT_EQ(c.cycles, 32.0);
  EXPECT_EQ(c.macs, 320.0);
  EXPECT_EQ(c.l2_reads, 64.0 * 2 + 48.0);
  EXPECT_EQ(c.l2_writes, 16.0 * 2 + 8.0);
  EXPECT_EQ(c.l1_writes, 2.0 * 320.0 + 40.0);  // both operands per MAC, each output once
}

TEST(DataflowArray, ConvolutionReusesItsInputsAcrossTheWindow) {
  // Conv 2->3 channels, 3x3 kernel, 5x5 input, stride 1: m = 9 outputs, k = 2·9 = 18, n = 3,
  // each input element serves 9 positions. Weight-stationary, k tiles 4,4,4,4,2, one column
  // tile of 3:
  // first (k_t 4): in = 9·4/9 + 4·3 = 16 -> 2; + compute 9 -> 11.
  // 3 more of 4: in = 4 + 12 + 27 = 43 -> 6; out 27 -> 4; compute 9 -> 9 each: 27.
  // k_t 2: in = 2 + 6 + 27 = 35 -> 5 -> 9. Total 47 cycles; 486 MACs.
  const ArrayCost c = array_cost(small(Dataflow::kWeightStationary), {9, 18, 3, 1, 9.0});
  EXPECT_EQ(c.cycles, 47.0);
  EXPECT_EQ(c.macs, 486.0);

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
  EXPECT_EQ(e->parts.at("cycles"), 47.0);
  EXPECT_EQ(e->parts.at("macs"), 486.0);
}

TEST(DataflowArray, NarrowGroupsShareTheArraySideBySide) {
  // Depthwise-like: 6 groups of m=4, k=9, n=1 on the output-stationary array (4 positions x
  // 4 channels): 4 groups side by side, then 2. Each group brings its own A column.
  // 4 side by side: in = 9·(4·4 + 4) = 180 -> ⌈22.5⌉ = 23; first tile: 23 + 9 = 32.
  // 2 side by side: in = 9·(4·2 + 2) = 90 -> 12; first tile of its pass: 12 + 9 = 21.
  const ArrayCost c = array_cost(small(Dataflow::kOutputStationary), {4, 9, 1, 6, 1.0});
  EXPECT_EQ(c.cycles, 53.0);
  EXPECT_EQ(c.macs, 6.0 * 4 * 9);
}

TEST(DataflowArray, UtilisationFallsWhenTheProductIsNarrowerThanTheArray) {
  // A single row (m = 1) keeps one of the 4 output-position rows of the OS array busy; the
  // WS array streams it through full weight tiles.
  const auto os = array_cost(small(Dataflow::kOutputStationary), {1, 64, 64, 1, 1.0});
  const auto ws = array_cost(small(Dataflow::kWeightStationary), {1, 64, 64, 1, 1.0});
  EXPECT_LE(os.utilisation(16), 0.25);
  EXPECT_EQ(os.macs, ws.macs);
  // Empty products cost nothing.
  EXPECT_EQ(array_cost(small(Dataflow::kOutputStationary), {0, 4, 4, 1, 1.0}).cycles, 0.0);
}

TEST(DataflowModel, GemmTimeAndEnergyFromAccessCounts) {
  // linear 8 -> 4 on 10 rows (a Gemm with weight [4, 8] and bias [4]): the 29-cycle product
  // above. L2: 152 + 80 tile accesses, + operands filled once (80 inputs + 36 weights) + the
  // 40 outputs drained = 388. L1: 640 + 352 = 992. DRAM: the 36 weight bytes.
  // Energy = 0.23 pJ x (320 + 1.68·992 + 18.61·388) + 36 B x 14.8 pJ/bit x 8
  //        = 2.1176652 nJ + 4.2624 nJ = 6.3800652 nJ.
  // Time = max(29 cycles / 500 MHz = 58 ns, 36 B / 64 GB/s) = 58 ns.
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
  EXPECT_NEAR(c->time.value(), 58e-9, 1e-15);
  EXPECT_EQ(c->parts.at("l2_accesses"), 388.0);
  EXPECT_EQ(c->parts.at("l1_accesses"), 992.0);
  EXPECT_EQ(c->parts.at("dram_bytes"), 36.0);
  EXPECT_NEAR(c->energy.value(), 6.3800652e-9, 1e-17);
  EXPECT_EQ(c->memory.value(), 36.0);
  EXPECT_NEAR(c->parts.at("utilisation"), 320.0 / (29.0 * 16.0), 1e-12);
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
