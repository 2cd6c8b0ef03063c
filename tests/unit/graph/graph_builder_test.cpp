#include "tessera/graph/graph_builder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::graph {
namespace {

TEST(GraphBuilder, InfersConvolutionShapesAndWeights) {
  GraphBuilder b("net");
  const TensorId x = b.input("x", {2, 3, 224, 224});
  // (224 + 2*3 - 7) / 2 + 1 = 112 (floor of 111.5 + 1).
  const TensorId y = b.conv2d(
      "conv1", x, {.out_channels = 64, .kernel = 7, .stride = 2, .padding = 3, .bias = false});
  EXPECT_EQ(b.shape(y), (Shape{2, 64, 112, 112}));
  // Depthwise with dilation 2: effective kernel 5, (112 + 2*2 - 5) / 1 + 1 = 112.
  const TensorId z = b.conv2d(
      "dw", y, {.out_channels = 64, .kernel = 3, .padding = 2, .groups = 64, .dilation = 2});
  EXPECT_EQ(b.shape(z), (Shape{2, 64, 112, 112}));
  b.output(z);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok()) << g.error_text();
  const Op& conv1 = g->ops()[0];
  EXPECT_EQ(conv1.kind, OpKind::kConv);
  ASSERT_EQ(conv1.inputs.size(), 2U);
  EXPECT_EQ(g->tensor(conv1.inputs[1]).name, "conv1.weight");
  EXPECT_EQ(g->tensor(conv1.inputs[1]).shape, (Shape{64, 3, 7, 7}));
  EXPECT_EQ(conv1.attrs.pads, (std::vector<std::int64_t>{3, 3, 3, 3}));
  const Op& dw = g->ops()[1];
  ASSERT_EQ(dw.inputs.size(), 3U);
  EXPECT_EQ(g->tensor(dw.inputs[1]).shape, (Shape{64, 1, 3, 3}));
  EXPECT_EQ(g->tensor(dw.inputs[2]).shape, (Shape{64}));
  EXPECT_EQ(dw.attrs.dilations, (std::vector<std::int64_t>{2, 2}));
  // 64*3*49 + 64*9 + 64 = 9,408 + 576 + 64 = 10,048.
  EXPECT_EQ(g->parameter_count(), 10'048);
}

TEST(GraphBuilder, PoolsWithCeilModeDropWindowsStartingInPadding) {
  GraphBuilder b("net");
  const TensorId x = b.input("x", {1, 8, 7, 7});
  // floor: (7 - 2) / 2 + 1 = 3; ceil: ceil(5 / 2) + 1 = 4, last window starts at 6 < 7: kept.
  EXPECT_EQ(b.shape(b.max_pool("floor", x, {.kernel = 2, .stride = 2})), (Shape{1, 8, 3, 3}));
  EXPECT_EQ(b.shape(b.max_pool("ceil", x, {.kernel = 2, .stride = 2, .ceil_mode = true})),
            (Shape{1, 8, 4, 4}));
  // kernel 3, stride 2, pad 1, ceil: ceil((7 + 2 - 3) / 2) + 1 = 4; window 3 starts at
  // 6 < 7 + 1, so 4 stay.
  EXPECT_EQ(
      b.shape(b.avg_pool("avg", x, {.kernel = 3, .stride = 2, .padding = 1, .ceil_mode = true})),
      (Shape{1, 8, 4, 4}));
  EXPECT_EQ(b.shape(b.global_avg_pool("gap", x)), (Shape{1, 8, 1, 1}));
}

TEST(GraphBuilder, LinearIsGemmOnMatricesAndMatMulPlusAddOnSequences) {
  GraphBuilder b("net");
  const TensorId m = b.input("m", {4, 16});
  const TensorId s = b.input("s", {2, 10, 16});
  EXPECT_EQ(b.shape(b.linear("fc", m, 8)), (Shape{4, 8}));
  EXPECT_EQ(b.shape(b.linear("proj", s, 8)), (Shape{2, 10, 8}));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok()) << g.error_text();
  ASSERT_EQ(g->ops().size(), 3U);
  EXPECT_EQ(g->ops()[0].kind, OpKind::kGemm);
  EXPECT_TRUE(g->ops()[0].attrs.trans_b);
  EXPECT_EQ(g->tensor(g->ops()[0].inputs[1]).shape, (Shape{8, 16}));
  EXPECT_EQ(g->ops()[1].kind, OpKind::kMatMul);
  EXPECT_EQ(g->tensor(g->ops()[1].inputs[1]).shape, (Shape{16, 8}));
  EXPECT_EQ(g->ops()[2].kind, OpKind::kAdd);
  EXPECT_EQ(g->ops()[2].name, "proj.bias_add");
  // MACs: 4*8*16 = 512 for fc; 2*10*8*16 = 2,560 for proj.
  EXPECT_EQ(g->total_macs(), 512 + 2'560);
  EXPECT_EQ(g->parameter_count(), 2 * (8 * 16 + 8));
}

TEST(GraphBuilder, AttentionShapesBroadcastAndSplit) {
  GraphBuilder b("net");
  const TensorId x = b.input("x", {2, 5, 12});
  const auto parts = b.split("split", x, -1, {4, 4, 4});
  ASSERT_EQ(parts.size(), 3U);
  EXPECT_EQ(b.shape(parts[2]), (Shape{2, 5, 4}));
  const TensorId q = b.reshape("q", parts[0], {2, 5, 2, -1});
  EXPECT_EQ(b.shape(q), (Shape{2, 5, 2, 2}));
  const TensorId qh = b.transpose("qh", q, {0, 2, 1, 3});
  const TensorId kt = b.transpose("kt", q, {0, 2, 3, 1});
  const TensorId scores = b.matmul("scores", qh, kt);
  EXPECT_EQ(b.shape(scores), (Shape{2, 2, 5, 5}));
  const TensorId w = b.weight("shared", {2, 7});
  EXPECT_EQ(b.shape(b.matmul("weighted", qh, w)), (Shape{2, 2, 5, 7}));
  EXPECT_EQ(b.shape(b.add("bias", scores, b.weight("b", {1, 1, 1, 5}))), (Shape{2, 2, 5, 5}));
  EXPECT_EQ(b.shape(b.concat("cat", {parts[0], parts[1]}, 1)), (Shape{2, 10, 4}));
  EXPECT_EQ(b.shape(b.select("first", x, 1, 0)), (Shape{2, 12}));
  EXPECT_EQ(b.shape(b.flatten("flat", x, 1)), (Shape{2, 60}));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok()) << g.error_text();
  EXPECT_EQ(g->ops()[0].outputs.size(), 3U);
  EXPECT_EQ(g->tensor(g->ops()[0].outputs[1]).name, "split:1");
}

TEST(GraphBuilder, EmbeddingGathersIntegerIdsFromASharedWeight) {
  GraphBuilder b("lm");
  const TensorId ids = b.input("ids", {2, 9}, DType::kInt64);
  const TensorId table = b.weight("wte.weight", {100, 16});
  const TensorId e = b.embedding_with_weight("wte", ids, table);
  EXPECT_EQ(b.shape(e), (Shape{2, 9, 16}));
  const TensorId flat = b.reshape("flat", e, {18, 16});
  const TensorId logits = b.linear_with_weight("head", flat, table);
  EXPECT_EQ(b.shape(logits), (Shape{18, 100}));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok()) << g.error_text();
  EXPECT_EQ(g->parameter_count(), 1'600);  // the tied table counts once
  EXPECT_EQ(g->ops()[0].kind, OpKind::kEmbedding);
  EXPECT_EQ(g->ops()[0].inputs[0], table);
}

TEST(GraphBuilder, RepeatedNamesGetSuffixes) {
  GraphBuilder b("net");
  const TensorId x = b.input("x", {1, 4});
  const TensorId a = b.relu("relu", x);
  const TensorId c = b.relu("relu", a);
  const TensorId d = b.relu("relu", c);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->ops()[1].name, "relu_1");
  EXPECT_EQ(g->ops()[2].name, "relu_2");
  EXPECT_EQ(g->tensor(d).name, "relu_2");
}

TEST(GraphBuilder, ConstantsKeepTheirValues) {
  GraphBuilder b("net");
  const TensorId s = b.scalar("two", 2.0F);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok());
  const Tensor& t = g->tensor(s);
  EXPECT_FALSE(t.is_weight);
  EXPECT_TRUE(t.shape.empty());
  ASSERT_TRUE(t.data.has_value());
  // 2.0f = 0x40000000, little-endian.
  EXPECT_EQ(*t.data,
            (std::vector<std::byte>{std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0x40}}));
  EXPECT_EQ(g->ops()[0].kind, OpKind::kConstant);
  EXPECT_EQ(g->parameter_count(), 0);
}

TEST(GraphBuilder, CollectsEveryShapeErrorWithoutRepeatingConsequences) {
  GraphBuilder b("bad");
  const TensorId x = b.input("x", {1, 3, 8, 8});
  const TensorId y = b.conv2d("grouped", x, {.out_channels = 4, .kernel = 3, .groups = 2});
  b.relu("after", y);  // reads a failed tensor: no second report
  const TensorId v = b.input("v", {2, 6});
  b.reshape("reshape", v, {5, -1});
  b.matmul("matmul", v, v);
  b.add("add", v, b.input("w", {3, 6}));
  auto g = std::move(b).finish();
  ASSERT_FALSE(g.ok());
  std::vector<std::string> fields;
  for (const auto& d : g.diagnostics()) fields.push_back(d.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"grouped", "reshape", "matmul", "add"}))
      << g.error_text();
  EXPECT_NE(g.error_text().find("groups 2"), std::string::npos) << g.error_text();
}

TEST(GraphBuilder, RejectsTensorIdsItDidNotMake) {
  GraphBuilder b("bad");
  b.relu("relu", TensorId(42));
  EXPECT_TRUE(b.shape(TensorId(42)).empty());
  auto g = std::move(b).finish();
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.diagnostics()[0].field, "relu");
}

}  // namespace
}  // namespace tessera::graph
