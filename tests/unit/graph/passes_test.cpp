#include "tessera/graph/passes.hpp"

#include <gtest/gtest.h>

namespace tessera::graph {
namespace {

/// A tiny graph written op by op, so the pass is tested without the zoo.
class TinyGraph {
 public:
  TinyGraph() { g.name = "tiny"; }
  TensorId activation(const std::string& name, Shape shape) {
    return g.add_tensor({TensorId(), name, std::move(shape), DType::kFloat32, false, {}});
  }
  TensorId weight(const std::string& name, Shape shape) {
    return g.add_tensor({TensorId(), name, std::move(shape), DType::kFloat32, true, {}});
  }
  /// 1x1 convolution C -> C keeping the 1xCx8x8 shape.
  TensorId conv(const std::string& name, TensorId x) {
    const auto c = g.tensor(x).shape[1];
    auto w = weight(name + ".weight", {c, c, 1, 1});
    auto y = activation(name + ".out", g.tensor(x).shape);
    Op op;
    op.name = name;
    op.kind = OpKind::kConv;
    op.inputs = {x, w};
    op.outputs = {y};
    op.attrs.kernel_shape = {1, 1};
    g.add_op(op);
    return y;
  }
  TensorId unary(const std::string& name, OpKind kind, TensorId x) {
    auto y = activation(name + ".out", g.tensor(x).shape);
    Op op;
    op.name = name;
    op.kind = kind;
    op.inputs = {x};
    op.outputs = {y};
    g.add_op(op);
    return y;
  }
  TensorId add(const std::string& name, TensorId a, TensorId b) {
    auto y = activation(name + ".out", g.tensor(a).shape);
    Op op;
    op.name = name;
    op.kind = OpKind::kAdd;
    op.inputs = {a, b};
    op.outputs = {y};
    g.add_op(op);
    return y;
  }
  Graph g;
};

// Every activation here is 1x4x8x8 float32 = 256 elements * 4 B = 1024 B.
constexpr std::int64_t kTensorBytes = 1024;

TEST(BuildLayerChain, FusesActivationsIntoTheirProducer) {
  TinyGraph t;
  auto x = t.activation("x", {1, 4, 8, 8});
  t.g.mark_input(x);
  auto a = t.unary("relu_a", OpKind::kRelu, t.conv("conv_a", x));
  auto b = t.unary("relu_b", OpKind::kRelu, t.conv("conv_b", a));
  t.g.mark_output(b);
  auto chain = build_layer_chain(t.g);
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  ASSERT_EQ(chain->size(), 2);
  EXPECT_EQ(chain->layers[0].name, "conv_a");
  EXPECT_EQ(chain->layers[0].ops.size(), 2u);
  EXPECT_EQ(chain->layers[1].name, "conv_b");
  // Cuts: input, relu_a output, model output.
  EXPECT_EQ(chain->cut_bytes,
            (std::vector<std::int64_t>{kTensorBytes, kTensorBytes, kTensorBytes}));
  // conv weights 4*4*1*1 = 16 parameters each.
  EXPECT_EQ(chain->layers[0].parameters, 16);
  EXPECT_EQ(chain->layers[0].weight_bytes, 64);
  // MACs = 256 output elements * 4 input channels = 1024.
  EXPECT_EQ(chain->layers[0].macs, 1024);
}

TEST(BuildLayerChain, CutInsideAResidualBlockCarriesTheSkipTensor) {
  TinyGraph t;
  auto x = t.activation("x", {1, 4, 8, 8});
  t.g.mark_input(x);
  auto r = t.unary("relu_a", OpKind::kRelu, t.conv("conv_a", x));  // layer 0, skip source
  auto b = t.unary("relu_b", OpKind::kRelu, t.conv("conv_b", r));  // layer 1
  auto out = t.unary("relu_c", OpKind::kRelu, t.add("add", t.conv("conv_c", b), r));  // layer 2
  t.g.mark_output(out);
  auto chain = build_layer_chain(t.g);
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  ASSERT_EQ(chain->size(), 3);
  // The residual Add and the ReLU after it join conv_c's layer (its latest-produced input).
  EXPECT_EQ(chain->layers[2].ops.size(), 3u);
  // cut 1 (before conv_b): relu_a's output only = 1024 B.
  // cut 2 (before conv_c): relu_b's output + the skip tensor relu_a = 2 * 1024 B.
  EXPECT_EQ(chain->cut_bytes[1], kTensorBytes);
  EXPECT_EQ(chain->cut_bytes[2], 2 * kTensorBytes);
  EXPECT_EQ(chain->cut_tensors[2].size(), 2u);
  EXPECT_EQ(chain->cut_bytes[3], kTensorBytes);
  // Layer 0's output leaves it once but is read by two later layers: counted once.
  EXPECT_EQ(chain->layers[0].output_bytes, kTensorBytes);
}

TEST(BuildLayerChain, ReportsAnOperatorReadingAnUnknownTensor) {
  TinyGraph t;
  auto x = t.activation("x", {1, 4, 8, 8});
  auto orphan = t.activation("orphan", {1, 4, 8, 8});
  t.g.mark_input(x);
  t.g.mark_output(t.add("add", x, orphan));
  auto chain = build_layer_chain(t.g);
  ASSERT_FALSE(chain.ok());
  EXPECT_NE(chain.error_text().find("orphan"), std::string::npos);
  EXPECT_NE(chain.error_text().find("add"), std::string::npos);
}

TEST(BuildLayerChain, ReportsACycle) {
  TinyGraph t;
  auto x = t.activation("x", {1, 4, 8, 8});
  t.g.mark_input(x);
  auto a = t.activation("a", {1, 4, 8, 8});
  auto b = t.activation("b", {1, 4, 8, 8});
  Op first;
  first.name = "first";
  first.kind = OpKind::kAdd;
  first.inputs = {x, b};
  first.outputs = {a};
  t.g.add_op(first);
  Op second;
  second.name = "second";
  second.kind = OpKind::kRelu;
  second.inputs = {a};
  second.outputs = {b};
  t.g.add_op(second);
  auto chain = build_layer_chain(t.g);
  ASSERT_FALSE(chain.ok());
  EXPECT_NE(chain.error_text().find("cycle"), std::string::npos);
}

TEST(BuildLayerChain, ShapeOnlyOperatorsNeverCrossACut) {
  TinyGraph t;
  auto x = t.activation("x", {1, 4, 8, 8});
  t.g.mark_input(x);
  auto a = t.conv("conv_a", x);
  auto shape = t.g.add_tensor({TensorId(), "shape_i64", {4}, DType::kInt64, false, {}});
  Op shape_op;
  shape_op.name = "shape_of_a";
  shape_op.kind = OpKind::kShape;
  shape_op.inputs = {a};
  shape_op.outputs = {shape};
  t.g.add_op(shape_op);
  auto reshaped = t.activation("reshaped", {1, 4, 8, 8});
  Op reshape;
  reshape.name = "reshape";
  reshape.kind = OpKind::kReshape;
  reshape.inputs = {t.conv("conv_b", a), shape};
  reshape.outputs = {reshaped};
  t.g.add_op(reshape);
  t.g.mark_output(reshaped);
  auto chain = build_layer_chain(t.g);
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  ASSERT_EQ(chain->size(), 2);
  // cut 1 carries conv_a's output only, not the int64 shape tensor.
  EXPECT_EQ(chain->cut_bytes[1], kTensorBytes);
}

}  // namespace
}  // namespace tessera::graph
