#include "tessera/runtime/executor.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support/zoo_chain.hpp"
#include "tessera/graph/zoo.hpp"

namespace tessera::runtime {
namespace {

using graph::OpKind;

ExecutorOptions seeded(std::uint64_t seed) {
  ExecutorOptions o;
  o.random_weights_seed = seed;
  o.threads = 2;
  return o;
}

std::vector<HostTensor> random_inputs(const Executor& e, std::uint64_t seed) {
  std::vector<HostTensor> in;
  for (const auto& spec : e.input_specs()) in.push_back(random_input(spec, seed));
  return in;
}

TEST(Executor, RunsAZooModelWithRandomWeightsDeterministically) {
  auto g = graph::build_zoo_model("vgg8");
  ASSERT_TRUE(g.ok()) << g.error_text();
  auto a = Executor::create(*g, seeded(7));
  ASSERT_TRUE(a.ok()) << a.error_text();
  auto b = Executor::create(*g, seeded(7));
  auto c = Executor::create(*g, seeded(8));
  ASSERT_TRUE(b.ok() && c.ok());
  const auto in = random_inputs(*a, 1);
  auto ya = a->run(in), yb = b->run(in), yc = c->run(in);
  ASSERT_TRUE(ya.ok() && yb.ok() && yc.ok()) << ya.error_text();
  ASSERT_EQ(ya->size(), 1U);
  const auto& out = (*ya)[0];
  EXPECT_EQ(out.shape, (graph::Shape{1, 10}));
  for (std::int64_t i = 0; i < out.elements(); ++i) ASSERT_TRUE(std::isfinite(out.as<float>()[i]));
  EXPECT_EQ(out.data, (*yb)[0].data);  // same seed, same weights
  EXPECT_NE(out.data, (*yc)[0].data);  // another seed, other weights
  // A second run of the same executor (buffers reused) gives the same result.
  auto again = a->run(in);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].data, out.data);
}

TEST(Executor, FoldsBatchNormAndActivationsIntoConvolutions) {
  auto g = graph::build_zoo_model("resnet18");
  ASSERT_TRUE(g.ok());
  int convs = 0, bns = 0;
  for (const auto& op : g->ops()) {
    convs += op.kind == OpKind::kConv;
    bns += op.kind == OpKind::kBatchNorm;
  }
  ASSERT_GT(bns, 0);
  auto e = Executor::create(*g, seeded(1));
  ASSERT_TRUE(e.ok());
  // Every BatchNorm and ReLU after a convolution runs inside it: fewer steps than operators.
  EXPECT_LT(e->step_count() - e->reorder_count(), g->ops().size() - static_cast<std::size_t>(bns));
}

TEST(Executor, AWeightWithoutValuesNeedsASeed) {
  auto g = graph::build_zoo_model("resnet18");
  ASSERT_TRUE(g.ok());
  const auto status = Executor::check(*g);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error_text().find("random-weights seed"), std::string::npos);
  EXPECT_NE(status.error_text().find("(Conv)"), std::string::npos);
  EXPECT_NE(status.error_text().find(" weights have no values"), std::string::npos);
  // One weight left without values: "1 weights have no values" before.
  auto one = graph::build_zoo_model("vgg8");
  ASSERT_TRUE(one.ok());
  bool first = true;
  for (const auto& t : one->tensors()) {
    if (!t.is_weight) continue;
    if (first) {
      first = false;
      continue;
    }
    auto& w = one->tensor(t.id);
    w.data = std::vector<std::byte>(
        static_cast<std::size_t>(graph::element_count(w.shape) * dtype_bytes(w.dtype)));
  }
  const auto single = Executor::check(*one);
  ASSERT_FALSE(single.ok());
  EXPECT_NE(single.error_text().find("weights: 1 weight has no values"), std::string::npos)
      << single.error_text();
}

TEST(Executor, RefusesMoreThreadsThanTheLimitBeforeStartingThem) {
  // 10^8 threads: OpenMP tried to start them and the process crashed (signal 11).
  auto g = graph::build_zoo_model("vgg8");
  ASSERT_TRUE(g.ok());
  auto o = seeded(1);
  o.threads = kMaxThreads + 1;
  const auto e = Executor::create(*g, o);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error_text(), "threads: must be from 0 (default) to 1024, got 1025");
}

TEST(Executor, RefusesAnUnsupportedOperatorNamingTheNode) {
  graph::Graph g;
  g.name = "m";
  graph::Tensor x;
  x.name = "x";
  x.shape = {1, 3, 4, 4};
  const auto xi = g.add_tensor(x);
  g.mark_input(xi);
  graph::Tensor y = x;
  y.name = "y";
  y.shape = {1, 3, 8, 8};
  const auto yi = g.add_tensor(y);
  graph::Op op;
  op.name = "up";
  op.kind = OpKind::kResize;
  op.inputs = {xi};
  op.outputs = {yi};
  g.add_op(op);
  g.mark_output(yi);
  const auto made = Executor::create(g);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error_text().find("node 'up' (Resize)"), std::string::npos) << made.error_text();
  EXPECT_NE(made.error_text().find("operator type Resize"), std::string::npos);
}

TEST(Executor, RefusesAnUnknownAttribute) {
  graph::Graph g;
  graph::Tensor x;
  x.name = "x";
  x.shape = {2, 3};
  const auto xi = g.add_tensor(x);
  g.mark_input(xi);
  x.name = "y";
  const auto yi = g.add_tensor(x);
  graph::Op op;
  op.name = "r";
  op.kind = OpKind::kRelu;
  op.inputs = {xi};
  op.outputs = {yi};
  op.attrs.extra["leak"].floats = {0.1};
  g.add_op(op);
  g.mark_output(yi);
  const auto status = Executor::check(g);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error_text().find("attribute 'leak'"), std::string::npos);
}

TEST(Executor, RunsLayerRangesThatComposeToTheWholeModel) {
  // A pipeline stage runs a contiguous range of the planner's layers; two stages in sequence
  // give the whole model's output (the boundary tensors are the chain's cut tensors).
  const auto zc = testing::zoo_chain("resnet18");
  const auto& chain = zc.chain;
  const std::int32_t cut = chain.size() / 2;
  auto stage = [&](std::int32_t from, std::int32_t to) {
    ExecutorOptions o = seeded(3);
    for (std::int32_t l = from; l < to; ++l)
      for (OpId op : chain.layers[static_cast<std::size_t>(l)].ops) o.ops.push_back(op);
    o.inputs = chain.cut_tensors[static_cast<std::size_t>(from)];
    o.outputs = chain.cut_tensors[static_cast<std::size_t>(to)];
    return Executor::create(zc.graph, o);
  };
  auto whole = Executor::create(zc.graph, seeded(3));
  auto first = stage(0, cut), second = stage(cut, chain.size());
  ASSERT_TRUE(whole.ok() && first.ok() && second.ok()) << first.error_text() << second.error_text();
  const auto in = random_inputs(*whole, 5);
  auto y = whole->run(in);
  auto mid = first->run(in);
  ASSERT_TRUE(y.ok() && mid.ok()) << mid.error_text();
  auto y2 = second->run(*mid);
  ASSERT_TRUE(y2.ok()) << y2.error_text();
  ASSERT_EQ(y2->size(), 1U);
  const auto& a = (*y)[0];
  const auto& b = (*y2)[0];
  ASSERT_EQ(a.shape, b.shape);
  for (std::int64_t i = 0; i < a.elements(); ++i)
    EXPECT_NEAR(a.as<float>()[i], b.as<float>()[i], 1e-4F * (1.0F + std::abs(a.as<float>()[i])));
}

TEST(Executor, RefusesInputsOfTheWrongShape) {
  auto g = graph::build_zoo_model("resnet18");
  ASSERT_TRUE(g.ok());
  auto e = Executor::create(*g, seeded(1));
  ASSERT_TRUE(e.ok());
  HostTensor bad = make_host_tensor("input", {1, 3, 8, 8}, DType::kFloat32);
  auto y = e->run({bad});
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.error_text().find("expected float32 1x3x224x224"), std::string::npos)
      << y.error_text();
}

}  // namespace
}  // namespace tessera::runtime

namespace tessera::runtime {
namespace {

TEST(Executor, RunsEveryOperatorOfEveryZooModel) {
  // Checks only (no primitives): every zoo model is within what the executor runs.
  for (const auto& entry : graph::zoo_models()) {
    auto g = graph::build_zoo_model(entry.name);
    ASSERT_TRUE(g.ok()) << entry.name;
    const auto status = Executor::check(*g, seeded(1));
    EXPECT_TRUE(status.ok()) << entry.name << ": " << status.error_text();
  }
}

}  // namespace
}  // namespace tessera::runtime
