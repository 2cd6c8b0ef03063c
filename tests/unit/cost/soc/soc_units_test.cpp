// The SoC units' closed forms against the worked values of ODiMO's DIANA and Darkside models
// (issue text and docs/formats.md), read through the shipped presets.
#include <gtest/gtest.h>

#include <string>

#include "tessera/cost/kind_registry.hpp"
#include "tessera/cost/soc/soc.hpp"
#include "tessera/cost/soc/soc_model.hpp"
#include "tessera/cost/soc/soc_split.hpp"
#include "tessera/graph/graph_builder.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/io/platform_yaml.hpp"

namespace tessera::cost::soc {
namespace {

Soc preset_soc(const std::string& preset) {
  auto p = io::load_platform(preset);
  EXPECT_TRUE(p.ok()) << p.error_text();
  auto soc = Soc::from_device(p->devices.at(0));
  EXPECT_TRUE(soc.ok()) << soc.error_text();
  return *soc;
}

LayerShape conv(std::int64_t c_in, std::int64_t c_out, std::int64_t k, std::int64_t out) {
  LayerShape s;
  s.name = "conv";
  s.c_in = c_in;
  s.c_out = c_out;
  s.kx = s.ky = k;
  s.ox = s.oy = out;
  return s;
}

constexpr std::size_t kDigital = 0;
constexpr std::size_t kAnalog = 1;

TEST(DianaUnits, MatchOdimoOn16To16Conv3x3At32x32) {
  const Soc soc = preset_soc("diana");
  const LayerShape l = conv(16, 16, 3, 32);
  // Analog, 8 channels: u = 4 (4*8 <= 512, (4+2)*max(64,16)*3 = 1152 <= 1152);
  // 18.2 * ceil(8/512) * ceil(16/128) * 32*32 / 4 = 4659.2, + 8*16*3*3 = 1152 -> 5811.2.
  EXPECT_EQ(analog_unroll(soc.units[kAnalog], l, 8), 4);
  EXPECT_NEAR(unit_cycles(soc.units[kAnalog], l, 8, soc.clock_hz), 5811.2, 1e-6);
  // Digital, 8 channels: ceil(8/16)*16*ceil(32/16)*32*9 = 9216, + 32*32*(8+16)/8 = 3072.
  EXPECT_NEAR(unit_cycles(soc.units[kDigital], l, 8, soc.clock_hz), 12288.0, 1e-9);
  // All 16 on the digital array: 9216 + 32*32*(16+16)/8 = 13312 (ODiMO's table).
  EXPECT_NEAR(unit_cycles(soc.units[kDigital], l, 16, soc.clock_hz), 13312.0, 1e-9);
  // Half/half: latency max = 12288; energy = 42.39*5811.2 + 24.96*(12288-5811.2) mW.cycles
  // = 407,998.0 -> / 260 MHz * 1e-3 = 1.569 uJ.
  const LayerSplit s = evaluate_split(soc, make_layer_table(soc, l), {8, 8});
  EXPECT_NEAR(s.cycles, 12288.0, 1e-6);
  EXPECT_NEAR(soc.joules(s.energy_mw_cycles), 1.569e-6, 0.0005e-6);
  EXPECT_EQ(s.low_precision_channels, 8);
}

TEST(DianaUnits, MatchOdimoOn256To256Conv3x3At8x8) {
  const Soc soc = preset_soc("diana");
  const LayerShape l = conv(256, 256, 3, 8);
  // Analog: (1+2)*256*3 = 2304 > 1152, so u = 1; 18.2 * 1 * 2 * 64 = 2329.6 + 8*256*9 = 18432.
  EXPECT_EQ(analog_unroll(soc.units[kAnalog], l, 128), 1);
  EXPECT_NEAR(unit_cycles(soc.units[kAnalog], l, 128, soc.clock_hz), 20761.6, 1e-6);
  // Digital: 8*256*1*8*9 = 147456 + 64*(128+256)/8 = 3072 -> 150528.
  EXPECT_NEAR(unit_cycles(soc.units[kDigital], l, 128, soc.clock_hz), 150528.0, 1e-9);
  const LayerSplit s = evaluate_split(soc, make_layer_table(soc, l), {128, 128});
  EXPECT_NEAR(s.cycles, 150528.0, 1e-6);
  // 42.39*20761.6 + 24.96*(150528-20761.6) = 4,119,053.5 mW.cycles = 15.84 uJ.
  EXPECT_NEAR(soc.joules(s.energy_mw_cycles), 15.84e-6, 0.005e-6);
}

TEST(DianaUnits, MatchOdimoOnTheOtherReferenceLayers) {
  const Soc soc = preset_soc("diana");
  // 64->64 3x3 at 8x8: u = 4 ((4+2)*64*3 = 1152); analog all 64: 18.2*16 + 8*64*9 = 4899.2;
  // digital all: 4*64*1*8*9 = 18432 + 64*128/8 = 1024 -> 19456; half: 9984; 1.287 uJ.
  const LayerShape a = conv(64, 64, 3, 8);
  EXPECT_NEAR(unit_cycles(soc.units[kAnalog], a, 64, soc.clock_hz), 4899.2, 1e-6);
  EXPECT_NEAR(unit_cycles(soc.units[kDigital], a, 64, soc.clock_hz), 19456.0, 1e-9);
  const LayerSplit sa = evaluate_split(soc, make_layer_table(soc, a), {32, 32});
  EXPECT_NEAR(sa.cycles, 9984.0, 1e-6);
  EXPECT_NEAR(soc.joules(sa.energy_mw_cycles), 1.287e-6, 0.0005e-6);
  // 512->512 3x3 at 4x4: u = 1; analog 18.2*1*4*16 + 8*512*9 = 38028.8; digital half:
  // 16*512*1*4*9 = 294912 + 16*(256+512)/8 = 1536 -> 296448; 31.01 uJ.
  const LayerShape b = conv(512, 512, 3, 4);
  EXPECT_NEAR(unit_cycles(soc.units[kAnalog], b, 256, soc.clock_hz), 38028.8, 1e-6);
  EXPECT_NEAR(unit_cycles(soc.units[kDigital], b, 512, soc.clock_hz), 591872.0, 1e-9);
  const LayerSplit sb = evaluate_split(soc, make_layer_table(soc, b), {256, 256});
  EXPECT_NEAR(sb.cycles, 296448.0, 1e-6);
  EXPECT_NEAR(soc.joules(sb.energy_mw_cycles), 31.01e-6, 0.005e-6);
}

TEST(DianaUnits, AnalogArrayRefusesDepthwiseAndFullyConnectedLayers) {
  const Soc soc = preset_soc("diana");
  LayerShape dw = conv(32, 32, 3, 16);
  dw.groups = 32;
  EXPECT_FALSE(accepts(soc.units[kAnalog], dw));
  EXPECT_TRUE(accepts(soc.units[kDigital], dw));
  // A whole depthwise layer on the digital array is ODiMO's ceil((C/g)/16)*C_in*...:
  // 1 * 32 * ceil(16/16) * 16 * 9 = 4608, + 16*16*(32+32)/8 = 2048.
  EXPECT_NEAR(unit_cycles(soc.units[kDigital], dw, 32, soc.clock_hz), 6656.0, 1e-9);
  LayerShape fc = conv(512, 10, 1, 1);
  fc.fc = true;
  EXPECT_FALSE(accepts(soc.units[kAnalog], fc));
  EXPECT_TRUE(accepts(soc.units[kDigital], fc));
}

TEST(DarksideUnits, MatchOdimoOn128ChannelConv3x3At56x56) {
  const Soc soc = preset_soc("darkside");
  const LayerShape l = conv(128, 128, 3, 56);
  // Cluster: ceil(56/2)*ceil(56/8) = 196 iterations of 2*9*128 = 2304 (im2col) +
  // ceil(128/4) * (14*ceil(1152/4) + 15) = 32*4047 = 129504 -> 196 * 131808 = 25,834,368.
  EXPECT_NEAR(unit_cycles(soc.units[0], l, 128, soc.clock_hz), 25834368.0, 1e-6);
  // DWE (as the depthwise substitute of the block): ceil(128/16) * (9 + 9*56 + 4*56*56)
  // = 8 * 13057 = 104,456.
  EXPECT_TRUE(accepts(soc.units[1], l));
  EXPECT_NEAR(unit_cycles(soc.units[1], l, 128, soc.clock_hz), 104456.0, 1e-9);
  // The same number for a genuine depthwise layer, which does not count as low precision.
  LayerShape dw = l;
  dw.groups = 128;
  EXPECT_NEAR(unit_cycles(soc.units[1], dw, 128, soc.clock_hz), 104456.0, 1e-9);
  EXPECT_TRUE(counts_as_low_precision(soc.units[1], l));
  EXPECT_FALSE(counts_as_low_precision(soc.units[1], dw));
  // 512->512 at 14x14: 29,057,280 and 29,408 cycles (ODiMO's code, recomputed).
  const LayerShape m = conv(512, 512, 3, 14);
  EXPECT_NEAR(unit_cycles(soc.units[0], m, 512, soc.clock_hz), 29057280.0, 1e-6);
  EXPECT_NEAR(unit_cycles(soc.units[1], m, 512, soc.clock_hz), 29408.0, 1e-9);
}

TEST(DarksideUnits, EnergyIsActivePowerWhileBusyAndIdlePowerWhileWaiting) {
  const Soc soc = preset_soc("darkside");
  const LayerShape l = conv(128, 128, 3, 56);
  const LayerTable t = make_layer_table(soc, l);
  const LayerSplit s = evaluate_split(soc, t, {120, 8});
  const double t0 = unit_cycles(soc.units[0], l, 120, soc.clock_hz);
  const double t1 = unit_cycles(soc.units[1], l, 8, soc.clock_hz);
  ASSERT_GT(t0, t1);
  // E = 168 t0 + 118 t1 + 1.32 (t0 - t1) mW.cycles (the cluster never waits).
  EXPECT_NEAR(s.energy_mw_cycles, 168.0 * t0 + 118.0 * t1 + 1.32 * (t0 - t1), 1e-6);
  EXPECT_EQ(s.cycles, t0);
}

TEST(SocModel, CostsALayerAtItsLatencyOptimalSplit) {
  auto p = io::load_platform("diana");
  ASSERT_TRUE(p.ok()) << p.error_text();
  auto device = KindRegistry::builtin().prepare(p->devices.at(0));
  ASSERT_TRUE(device.ok()) << device.error_text();
  graph::GraphBuilder b("one");
  auto x = b.input("x", {1, 16, 32, 32});
  x = b.conv2d("conv", x, {.out_channels = 16, .kernel = 3, .padding = 1});
  x = b.batch_norm("bn", x);
  x = b.relu("relu", x);
  b.output(x);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.ok()) << g.error_text();
  auto chain = graph::build_layer_chain(*g);
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->layers.size(), 1u);
  const SocModel model;
  auto cost = model.estimate_layer(*g, chain->layers[0], *device);
  ASSERT_TRUE(cost.ok()) << cost.error_text();
  // Every split c_analog = 0..16 by hand: the smallest max(t_analog(c), t_digital(16 - c)).
  auto soc = Soc::from_device(*device);
  ASSERT_TRUE(soc.ok());
  const LayerShape l = conv(16, 16, 3, 32);
  double best = 1e300;
  std::int64_t best_c = -1;
  for (std::int64_t c = 0; c <= 16; ++c) {
    const double t = std::max(unit_cycles(soc->units[kAnalog], l, c, soc->clock_hz),
                              unit_cycles(soc->units[kDigital], l, 16 - c, soc->clock_hz));
    if (t < best) {
      best = t;
      best_c = c;
    }
  }
  EXPECT_NEAR(cost->time.value(), best / 260e6, 1e-15);
  EXPECT_EQ(cost->parts.at("analog_channels"), static_cast<double>(best_c));
  // Weights: analog channels at 2 bits, digital ones at 8 bits (16 x 3 x 3 per channel).
  EXPECT_NEAR(cost->memory.value(),
              static_cast<double>(best_c) * 144 * 2 / 8.0 +
                  static_cast<double>(16 - best_c) * 144 * 8 / 8.0,
              1e-9);
}

}  // namespace
}  // namespace tessera::cost::soc
