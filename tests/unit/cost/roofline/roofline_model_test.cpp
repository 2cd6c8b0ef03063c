#include "tessera/cost/roofline/roofline_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support/devices.hpp"

namespace tessera::cost {
namespace {

graph::Graph one_gemm(std::int64_t m, std::int64_t k, std::int64_t n) {
  graph::Graph g;
  auto x = g.add_tensor({TensorId(), "x", {m, k}, graph::DType::kFloat32, false, {}});
  auto w = g.add_tensor({TensorId(), "w", {n, k}, graph::DType::kFloat32, true, {}});
  auto y = g.add_tensor({TensorId(), "y", {m, n}, graph::DType::kFloat32, false, {}});
  graph::Op op;
  op.name = "fc";
  op.kind = graph::OpKind::kGemm;
  op.attrs.trans_b = true;
  op.inputs = {x, w};
  op.outputs = {y};
  g.add_op(op);
  g.mark_input(x);
  g.mark_output(y);
  return g;
}

TEST(RooflineModel, LargeGemmIsComputeBound) {
  // 1024x1024 by 1024x1024: 2 * 1024^3 = 2,147,483,648 FLOPs / 100 GFLOP/s = 21.47 ms.
  // Bytes: 3 matrices * 1024^2 * 4 B = 12,582,912 B / 10 GB/s = 1.258 ms < compute.
  const auto g = one_gemm(1024, 1024, 1024);
  const auto cost = RooflineModel().estimate(g, g.ops()[0], testing::round_number_cpu());
  ASSERT_TRUE(cost.ok()) << cost.error_text();
  EXPECT_TRUE(cost->compute_bound);
  EXPECT_NEAR(cost->time.value(), 2147483648.0 / 100e9, 1e-12);
  // Energy: 2,147,483,648 FLOPs * 1 pJ + 12,582,912 B * 10 pJ = 2.1475e-3 + 1.2583e-4 J.
  EXPECT_NEAR(cost->energy.value(), 2147483648.0 * 1e-12 + 12582912.0 * 10e-12, 1e-12);
  EXPECT_DOUBLE_EQ(cost->memory.value(), 1024.0 * 1024 * 4);
}

TEST(RooflineModel, MatrixVectorProductIsMemoryBound) {
  // 1x4096 by 4096x4096: 2 * 4096^2 = 33,554,432 FLOPs / 100e9 = 0.3355 ms.
  // Bytes: weights 4096^2 * 4 = 67,108,864 + x 16,384 + y 16,384 = 67,141,632 B / 10e9 = 6.714 ms.
  const auto g = one_gemm(1, 4096, 4096);
  const auto cost = RooflineModel().estimate(g, g.ops()[0], testing::round_number_cpu());
  ASSERT_TRUE(cost.ok());
  EXPECT_FALSE(cost->compute_bound);
  EXPECT_NEAR(cost->time.value(), 67141632.0 / 10e9, 1e-12);
}

TEST(RooflineModel, EfficiencyAndOverheadApply) {
  auto cpu = testing::round_number_cpu();
  cpu.efficiency.gemm = 0.5;
  cpu.layer_overhead = Seconds(1e-3);
  const auto g = one_gemm(1024, 1024, 1024);
  graph::Layer layer;
  layer.name = "fc";
  layer.ops = {OpId(0)};
  layer.outputs = {TensorId(2)};
  const auto cost = RooflineModel().estimate_layer(g, layer, cpu);
  ASSERT_TRUE(cost.ok());
  // 2^31 FLOPs / (100e9 * 0.5) + 1 ms overhead.
  EXPECT_NEAR(cost->time.value(), 2147483648.0 / 50e9 + 1e-3, 1e-12);
}

TEST(RooflineModel, ClaimsCpuAndGpuOnly) {
  auto device = testing::round_number_cpu();
  const auto g = one_gemm(2, 2, 2);
  EXPECT_TRUE(RooflineModel().supports(g.ops()[0], device));
  device.kind = "gpu";
  EXPECT_TRUE(RooflineModel().supports(g.ops()[0], device));
  device.kind = "cim";
  EXPECT_FALSE(RooflineModel().supports(g.ops()[0], device));
  EXPECT_FALSE(RooflineModel().estimate(g, g.ops()[0], device).ok());
}

}  // namespace
}  // namespace tessera::cost
