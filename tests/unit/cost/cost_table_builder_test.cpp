#include "tessera/cost/cost_table_builder.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support/devices.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/graph/zoo.hpp"

namespace tessera::cost {
namespace {

hw::Platform two_device_platform() {
  hw::Platform p;
  p.name = "two";
  auto cpu = testing::round_number_cpu();
  auto cim = testing::round_number_cpu();
  cim.id = DeviceId(1);
  cim.name = "cim";
  cim.kind = "cim";  // CimModel with NeuroSim's default parameters
  cim.class_id = DeviceClassId(1);
  p.devices = {cpu, cim};
  p.class_names = {"cpu", "cim"};
  // 3 endpoints (cpu, cim, source): 1 GB/s, 10 us, 5 pJ/B everywhere.
  p.links.assign(9, hw::Link{BytesPerSecond(1e9), Seconds(10e-6), JoulesPerByte(5e-12), 1});
  for (int i = 0; i < 3; ++i) p.links[static_cast<std::size_t>(i * 3 + i)] = hw::Link{};
  return p;
}

TEST(BuildCostTable, FillsEveryLayerAndDeviceAndLinks) {
  auto g = graph::build_zoo_model("vgg8");
  ASSERT_TRUE(g.ok()) << g.error_text();
  auto chain = graph::build_layer_chain(g.value());
  ASSERT_TRUE(chain.ok());
  const auto platform = two_device_platform();
  auto table = build_cost_table(g.value(), chain.value(), platform, CostModelSet::defaults());
  ASSERT_TRUE(table.ok()) << table.error_text();
  const auto& t = table.value();
  EXPECT_EQ(t.num_layers, 8);
  EXPECT_EQ(t.num_devices, 2);
  for (std::int32_t l = 0; l < t.num_layers; ++l) {
    EXPECT_GT(t.time_s[t.at(0, l)], 0.0);
    EXPECT_TRUE(std::isfinite(t.time_s[t.at(1, l)])) << "CimModel claims the CIM device";
    EXPECT_GE(t.memory[t.at(1, l)], 1.0) << "a CIM layer's memory is its tiles";
    EXPECT_DOUBLE_EQ(t.memory[t.at(0, l)],
                     static_cast<double>(chain->layers[static_cast<std::size_t>(l)].weight_bytes));
  }
  // The input cut of vgg8: 3 x 32 x 32 x 4 B = 12,288 B; over 1 GB/s with 10 us latency:
  // 10e-6 + 12288 / 1e9 = 22.288 us.
  EXPECT_DOUBLE_EQ(t.cut_bytes[0], 12288.0);
  EXPECT_NEAR(t.transfer_s(0, t.source_endpoint(), 0), 10e-6 + 12288.0 / 1e9, 1e-15);
  EXPECT_NEAR(t.transfer_j(0, t.source_endpoint(), 0), 12288.0 * 5e-12, 1e-20);
  EXPECT_EQ(t.transfer_s(3, 0, 0), 0.0);
  EXPECT_DOUBLE_EQ(t.static_power_w[0], 5.0);
  // Capacity units are tiles for CIM devices (CimParams default: 128), without activation
  // buffers; bytes for the CPU.
  EXPECT_DOUBLE_EQ(t.capacity[1], 128.0);
  EXPECT_DOUBLE_EQ(t.buffer_scale(1), 0.0);
  EXPECT_DOUBLE_EQ(t.buffer_scale(0), 1.0);
}

TEST(BuildCostTable, CimDevicesPipelineTheirLayersUnlessParamsPipelineIsZero) {
  auto g = graph::build_zoo_model("vgg8");
  ASSERT_TRUE(g.ok()) << g.error_text();
  auto chain = graph::build_layer_chain(g.value());
  ASSERT_TRUE(chain.ok());
  auto platform = two_device_platform();
  // NeuroSim V1.4's default (Param.cpp pipeline = true): the CIM chip pipelines its layers.
  auto table = build_cost_table(g.value(), chain.value(), platform, CostModelSet::defaults());
  ASSERT_TRUE(table.ok()) << table.error_text();
  ASSERT_EQ(table->pipelined_layers.size(), 2U);
  EXPECT_FALSE(table->pipelined(0));
  EXPECT_TRUE(table->pipelined(1));
  // pipeline: 0 = NeuroSim's layer-by-layer mode, which also drops the weight copies made for
  // pipeline balance: no layer needs more tiles, and layer 2 (speed-up 16 when pipelined, 4
  // copies filling its PE otherwise) gets slower. (Other layers may get faster: the chip's
  // global bus and buffer are sized for fewer tiles, as in NeuroSim's layer-by-layer runs.)
  platform.devices[1].params["pipeline"] = 0.0;
  auto serial = build_cost_table(g.value(), chain.value(), platform, CostModelSet::defaults());
  ASSERT_TRUE(serial.ok()) << serial.error_text();
  EXPECT_FALSE(serial->pipelined(1));
  for (std::int32_t l = 0; l < serial->num_layers; ++l) {
    EXPECT_LE(serial->memory[serial->at(1, l)], table->memory[table->at(1, l)]) << l;
  }
  EXPECT_GT(serial->time_s[serial->at(1, 1)], table->time_s[table->at(1, 1)]);
  platform.devices[1].params["pipeline"] = 1.0;
  auto on = build_cost_table(g.value(), chain.value(), platform, CostModelSet::defaults());
  ASSERT_TRUE(on.ok()) << on.error_text();
  EXPECT_TRUE(on->pipelined(1));
}

TEST(BuildCostTable, RejectsAPipelineParamOtherThanZeroOrOne) {
  auto g = graph::build_zoo_model("vgg8");
  ASSERT_TRUE(g.ok()) << g.error_text();
  auto chain = graph::build_layer_chain(g.value());
  ASSERT_TRUE(chain.ok());
  auto platform = two_device_platform();
  platform.devices[1].params["pipeline"] = 2.0;
  auto table = build_cost_table(g.value(), chain.value(), platform, CostModelSet::defaults());
  ASSERT_FALSE(table.ok());
  bool named = false;
  for (const auto& d : table.diagnostics())
    named = named || d.field == "device 'cim' params.pipeline";
  EXPECT_TRUE(named) << table.error_text();
}

}  // namespace
}  // namespace tessera::cost
