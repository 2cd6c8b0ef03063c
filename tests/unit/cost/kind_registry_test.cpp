// The device-kind seam: the built-in registry, kind names, and each kind's traits.
#include "tessera/cost/kind_registry.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "support/devices.hpp"

namespace tessera::cost {
namespace {

TEST(KindRegistry, ServesEveryBuiltInKindNameOnce) {
  const auto& kinds = KindRegistry::builtin();
  const auto names = kinds.names();
  // The first kinds, in kinds.def order; a new kind adds names after them.
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 3),
            (std::vector<std::string>{"cpu", "gpu", "cim"}));
  const std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size());
  for (const auto& n : names) {
    const DeviceKind* k = kinds.find(n);
    ASSERT_NE(k, nullptr) << n;
    const auto served = k->names();
    EXPECT_NE(std::find(served.begin(), served.end(), n), served.end()) << n;
  }
  EXPECT_EQ(kinds.find("cpu"), kinds.find("gpu")) << "one roofline kind serves both";
  EXPECT_EQ(kinds.find("tpu"), nullptr);
  EXPECT_EQ(kinds.find("cim")->label(), "CIM");
}

TEST(KindRegistry, NamesAnUnknownKindWithTheValidOnes) {
  hw::Device d = testing::round_number_cpu();
  d.kind = "gpuu";
  auto k = KindRegistry::builtin().kind_of(d);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.diagnostics()[0].field, "device 'cpu' kind");
  EXPECT_NE(k.error_text().find("did you mean 'gpu'"), std::string::npos) << k.error_text();
  EXPECT_NE(k.error_text().find("cpu, gpu, cim"), std::string::npos) << k.error_text();
}

TEST(KindRegistry, PrepareFillsDefaultsAndReportsEveryBadParamOnce) {
  hw::Device chip;
  chip.name = "chip";
  chip.kind = "cim";
  chip.params["tiles"] = 64;
  auto ready = KindRegistry::builtin().prepare(chip);
  ASSERT_TRUE(ready.ok()) << ready.error_text();
  EXPECT_EQ(ready->params.integer("tiles"), 64);
  EXPECT_EQ(ready->params.integer("adc_bits"), 5);
  EXPECT_EQ(ready->params.word("cell"), "sram");

  chip.params["tiles"] = -1;
  chip.params["adc_bitz"] = 5;
  auto bad = KindRegistry::builtin().prepare(chip);
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.diagnostics().size(), 2U) << bad.error_text();
  EXPECT_EQ(bad.diagnostics()[0].field, "device 'chip' params.adc_bitz");
  EXPECT_EQ(bad.diagnostics()[1].field, "device 'chip' params.tiles");

  hw::Device cpu = testing::round_number_cpu();
  cpu.params["tiles"] = 4;  // roofline devices take no params
  auto extra = KindRegistry::builtin().prepare(cpu);
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.error_text().find("unknown roofline parameter"), std::string::npos)
      << extra.error_text();
}

TEST(KindRegistry, KindsGiveTheirCapacityResourceAndPipelining) {
  const auto& kinds = KindRegistry::builtin();
  const hw::Device cpu = testing::round_number_cpu();
  const Capacity bytes = kinds.find("cpu")->capacity(cpu);
  EXPECT_EQ(bytes.unit, "bytes");
  EXPECT_EQ(bytes.amount, 8.0 * 1024 * 1024 * 1024);
  EXPECT_FALSE(kinds.find("cpu")->pipelines_layers(cpu));

  hw::Device chip;
  chip.name = "chip";
  chip.kind = "cim";
  auto ready = kinds.prepare(chip);
  ASSERT_TRUE(ready.ok());
  const Capacity tiles = kinds.find("cim")->capacity(*ready);
  EXPECT_EQ(tiles.unit, "tiles");
  EXPECT_EQ(tiles.amount, 128.0);  // NeuroSim-sized default
  EXPECT_TRUE(kinds.find("cim")->pipelines_layers(*ready));
  EXPECT_FALSE(kinds.find("cim")->device_fields().peak) << "a CIM chip reads no roofline numbers";
  EXPECT_TRUE(kinds.find("gpu")->device_fields().peak);
}

TEST(KindRegistry, EachKindsModelClaimsOnlyItsOwnDevices) {
  const auto models = KindRegistry::builtin().models();
  graph::Op op;
  op.kind = graph::OpKind::kRelu;
  for (const auto& kind : KindRegistry::builtin().kinds()) {
    const auto model = kind->make_model({});
    for (const auto& name : KindRegistry::builtin().names()) {
      hw::Device d;
      d.kind = name;
      const auto served = kind->names();
      const bool own = std::find(served.begin(), served.end(), name) != served.end();
      if (!own) {
        EXPECT_FALSE(model->supports(op, d)) << kind->label() << " claims " << name;
      }
    }
  }
}

}  // namespace
}  // namespace tessera::cost
