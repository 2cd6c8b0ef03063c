// The conformance suite every device kind's cost model passes (STYLE.md, "Cost models"): one
// parameterised test over every kind in the built-in registry (src/cost/kinds.def), each
// exercised on a device from a shipped preset of that kind. A new kind is covered by adding its
// registration line and a preset: nothing here names a kind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/zoo_chain.hpp"
#include "tessera/cost/cost_table_builder.hpp"
#include "tessera/cost/kind_registry.hpp"
#include "tessera/graph/graph_builder.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/io/platform_yaml.hpp"
#include "tessera/plan/solve.hpp"

namespace tessera::cost {
namespace {

/// One prepared device of every device kind name, from the first preset that has one.
const std::map<std::string, hw::Device>& preset_devices() {
  static const auto devices = [] {
    std::map<std::string, hw::Device> out;
    for (const auto& preset : io::list_presets()) {
      auto p = io::load_platform(preset.file);
      if (!p.ok()) continue;  // the preset tests report broken presets
      for (const auto& d : p->devices) {
        if (out.count(d.kind)) continue;
        auto ready = KindRegistry::builtin().prepare(d);
        if (ready.ok()) out.emplace(d.kind, std::move(ready).value());
      }
    }
    return out;
  }();
  return devices;
}

class KindConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const auto& devices = preset_devices();
    auto it = devices.find(GetParam());
    ASSERT_NE(it, devices.end()) << "no preset in presets/ has a device of kind '" << GetParam()
                                 << "': every kind ships with one";
    device_ = it->second;
    kind_ = KindRegistry::builtin().find(GetParam());
    ASSERT_NE(kind_, nullptr);
    model_ = kind_->make_model(CostOptions{});
  }

  hw::Device device_;
  const DeviceKind* kind_ = nullptr;
  std::unique_ptr<CostModel> model_;
};

void expect_sane(const OpCost& c, const std::string& what) {
  EXPECT_TRUE(std::isfinite(c.time.value()) && c.time.value() >= 0.0) << what;
  EXPECT_TRUE(std::isfinite(c.energy.value()) && c.energy.value() >= 0.0) << what;
  EXPECT_TRUE(std::isfinite(c.memory.value()) && c.memory.value() >= 0.0) << what;
  EXPECT_TRUE(std::isfinite(c.workspace.value()) && c.workspace.value() >= 0.0) << what;
  for (const auto& [key, v] : c.parts) EXPECT_TRUE(std::isfinite(v)) << what << " part " << key;
}

TEST_P(KindConformance, CostsEveryLayerFinitelyNonNegativelyAndDeterministically) {
  std::int32_t costed = 0;
  for (const char* name : {"vgg8", "resnet18", "mobilenet_v2"}) {
    const auto z = testing::zoo_chain(name);
    for (const auto& layer : z.chain.layers) {
      const bool all_supported = std::all_of(layer.ops.begin(), layer.ops.end(), [&](OpId id) {
        return model_->supports(z.graph.op(id), device_);
      });
      auto a = model_->estimate_layer(z.graph, layer, device_);
      if (!all_supported) continue;  // checked by RejectsWhatItCannotRun
      ASSERT_TRUE(a.ok()) << name << " " << layer.name << ": " << a.error_text();
      const auto b = model_->estimate_layer(z.graph, layer, device_);
      ASSERT_TRUE(b.ok());
      expect_sane(*a, std::string(name) + " " + layer.name);
      EXPECT_EQ(a->time.value(), b->time.value());
      EXPECT_EQ(a->energy.value(), b->energy.value());
      EXPECT_EQ(a->memory.value(), b->memory.value());
      ++costed;
    }
  }
  EXPECT_GT(costed, 20) << "the kind supports almost none of three common CNNs";
}

/// A convolution of `channels` in and out channels on a 32x32 map, then a fully connected layer
/// of `channels` features: a layer chain of two layers whose work grows with `channels`.
graph::Graph sized_model(std::int64_t channels) {
  graph::GraphBuilder b("sized");
  auto x = b.input("x", {1, channels, 32, 32});
  x = b.conv2d("conv", x, {.out_channels = channels, .kernel = 3, .padding = 1});
  x = b.global_avg_pool("pool", x);
  x = b.flatten("flat", x);
  x = b.linear("fc", x, channels);
  b.output(x);
  auto g = std::move(b).finish();
  if (!g.ok()) throw std::runtime_error(g.error_text());
  return std::move(g).value();
}

TEST_P(KindConformance, CostIsMonotoneInTheSizeOfTheWork) {
  std::vector<OpCost> previous;
  for (std::int64_t channels : {8, 32, 128, 512}) {
    const auto g = sized_model(channels);
    const auto chain = graph::build_layer_chain(g);
    ASSERT_TRUE(chain.ok()) << chain.error_text();
    std::vector<OpCost> now;
    for (const auto& layer : chain->layers) {
      auto c = model_->estimate_layer(g, layer, device_);
      ASSERT_TRUE(c.ok()) << layer.name << ": " << c.error_text();
      expect_sane(*c, layer.name);
      now.push_back(*c);
    }
    ASSERT_FALSE(now.empty());
    if (!previous.empty()) {
      ASSERT_EQ(now.size(), previous.size());
      for (std::size_t i = 0; i < now.size(); ++i) {
        const std::string at = chain->layers[i].name + " at " + std::to_string(channels);
        EXPECT_GE(now[i].time.value(), previous[i].time.value()) << at;
        EXPECT_GE(now[i].energy.value(), previous[i].energy.value()) << at;
        EXPECT_GE(now[i].memory.value(), previous[i].memory.value()) << at;
      }
    }
    previous = std::move(now);
  }
  // 512 channels hold weights: the layer holds some of its capacity resource.
  EXPECT_GT(previous.front().memory.value(), 0.0);
}

TEST_P(KindConformance, RespectsItsCapacityInItsOwnUnit) {
  const Capacity cap = kind_->capacity(device_);
  EXPECT_TRUE(std::isfinite(cap.amount) && cap.amount > 0.0) << cap.amount;
  EXPECT_FALSE(cap.unit.empty());
  // A one-device platform: the table carries the kind's unit, and a capacity just below what the
  // whole model holds makes one-stage plans infeasible with the capacity named in that unit.
  hw::Platform p;
  p.name = "one";
  p.devices = {device_};
  p.devices[0].id = DeviceId(0);
  p.devices[0].class_id = DeviceClassId(0);
  p.class_names = {device_.name};
  p.links.assign(4, hw::Link{BytesPerSecond(1e9), Seconds(0.0), JoulesPerByte(0.0), 1});
  const auto z = testing::zoo_chain("vgg8");
  auto table = build_cost_table(z.graph, z.chain, p, KindRegistry::builtin().models());
  ASSERT_TRUE(table.ok()) << table.error_text();
  EXPECT_EQ(table->unit(0), cap.unit);
  EXPECT_EQ(table->capacity[0], cap.amount);
  double held = 0.0;
  for (std::int32_t l = 0; l < table->num_layers; ++l) held += table->memory[table->at(0, l)];
  ASSERT_GT(held, 0.0);
  table->capacity[0] = held * 0.999;
  table->activation_buffer_scale.assign(1, 0.0);
  table->workspace_bytes.assign(table->workspace_bytes.size(), 0.0);
  const auto plan = plan::solve(*table, plan::PlanOptions{});
  ASSERT_FALSE(plan.has_plan()) << "a model larger than the device was planned";
  EXPECT_EQ(plan.infeasible().unit, cap.unit);
  EXPECT_GT(plan.infeasible().need, plan.infeasible().capacity);
  EXPECT_FALSE(plan.infeasible().constraint.empty());
  table->capacity[0] = held * 1.001;
  EXPECT_TRUE(plan::solve(*table, plan::PlanOptions{}).has_plan());
}

TEST_P(KindConformance, RejectsWhatItCannotRun) {
  const auto z = testing::zoo_chain("vgg8");
  const auto& op = z.graph.op(z.chain.layers[0].ops[0]);
  // A device of every other kind: the model claims none of it and says so instead of costing.
  for (const auto& [name, other] : preset_devices()) {
    if (KindRegistry::builtin().find(name) == kind_) continue;
    EXPECT_FALSE(model_->supports(op, other)) << name;
    EXPECT_FALSE(model_->estimate(z.graph, op, other).ok()) << name;
  }
  // Parameters its schema rejects never reach the model: validation names the field.
  hw::ParamRecord bad = device_.params;
  bad["no_such_parameter"] = 1.0;
  const auto checked = kind_->validate(bad);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error_text().find("no_such_parameter"), std::string::npos)
      << checked.error_text();
}

std::vector<std::string> registered_kind_names() {
  return KindRegistry::builtin().names();
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredKind, KindConformance,
                         ::testing::ValuesIn(registered_kind_names()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace tessera::cost
