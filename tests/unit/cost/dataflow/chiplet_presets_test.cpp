// The shipped chiplet packages (presets/scar-*.yaml, odema-*.yaml; scripts/gen-chiplet-presets.py)
// are what their names say: SCAR's Table II package constants on an N x N mesh, DRAM interfaces
// on the left and right edge columns, and the dataflow layouts of SCAR's templates.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tessera/io/platform_yaml.hpp"

namespace tessera::cost {
namespace {

struct Counts {
  int ws = 0;
  int os = 0;
  int dram = 0;
};

Counts count(const hw::Platform& p) {
  Counts c;
  for (const auto& d : p.devices) {
    EXPECT_EQ(d.kind, "dataflow") << d.name;
    (d.params.word("dataflow") == "weight_stationary" ? c.ws : c.os) += 1;
    c.dram += d.params.flag("dram_interface") ? 1 : 0;
    EXPECT_EQ(d.params.integer("pes"), 4096) << d.name;
    EXPECT_EQ(d.params.number("l2_bytes"), 10485760.0) << d.name;
    EXPECT_EQ(d.params.number("clock_mhz"), 500.0) << d.name;
    EXPECT_EQ(d.params.number("offchip_gb_per_s"), 64.0) << d.name;
    EXPECT_EQ(d.params.number("dram_energy_pj_per_bit"), 14.8) << d.name;
  }
  return c;
}

hw::Platform load(const std::string& name) {
  auto p = io::load_platform(name);
  EXPECT_TRUE(p.ok()) << name << ": " << p.error_text();
  return p.ok() ? std::move(p).value() : hw::Platform{};
}

TEST(ChipletPresets, PackagesUseScarTableTwoOnAnXyMesh) {
  for (int n : {2, 3, 6}) {
    for (const char* kind : {"nvd", "shi"}) {
      const std::string name = "scar-" + std::to_string(n) + "x" + std::to_string(n) + "-" + kind;
      const auto p = load(name);
      ASSERT_EQ(p.device_count(), n * n) << name;
      const Counts c = count(p);
      EXPECT_EQ(std::string(kind) == "nvd" ? c.ws : c.os, n * n) << name;
      EXPECT_EQ(c.dram, n == 2 ? 4 : 2 * n) << name << ": the left and right edge columns";
      int farthest = 0;
      for (std::int32_t a = 0; a < p.device_count(); ++a) {
        for (std::int32_t b = 0; b < p.device_count(); ++b) {
          const auto& l = p.link(a, b);
          farthest = std::max(farthest, l.hops);
          if (a == b) continue;
          // Table II: 35 ns and 2.04 pJ/bit per hop, 100 GB/s per chiplet.
          EXPECT_NEAR(l.latency.value(), l.hops * 35e-9, 1e-15) << name;
          EXPECT_NEAR(l.energy_per_byte.value(), l.hops * 16.32e-12, 1e-20) << name;
          EXPECT_NEAR(l.bandwidth.value(), 100e9, 1.0) << name;
        }
      }
      EXPECT_EQ(farthest, 2 * (n - 1)) << name << ": corner to corner";
    }
  }
}

TEST(ChipletPresets, HeterogeneousTemplatesHaveTheirLayouts) {
  for (int n : {3, 6}) {
    const std::string size = std::to_string(n) + "x" + std::to_string(n);
    // Checkerboard: neighbours differ.
    const auto cb = load("scar-" + size + "-cb");
    const Counts c = count(cb);
    EXPECT_EQ(c.ws, (n * n + 1) / 2);
    for (std::int32_t a = 0; a < cb.device_count(); ++a) {
      for (std::int32_t b = 0; b < cb.device_count(); ++b) {
        if (cb.link(a, b).hops == 1) {
          EXPECT_NE(cb.devices[a].params.word("dataflow"), cb.devices[b].params.word("dataflow"));
        }
      }
    }
    // Sides: the edge columns (with the DRAM interfaces) weight-stationary.
    const auto sides = load("scar-" + size + "-sides");
    EXPECT_EQ(count(sides).ws, 2 * n);
    for (const auto& d : sides.devices) {
      EXPECT_EQ(d.params.flag("dram_interface"), d.params.word("dataflow") == "weight_stationary")
          << d.name;
    }
  }
  // Cross: rows and columns 2-3 of 6 output-stationary: 36 - 4 x 4 = 20.
  EXPECT_EQ(count(load("scar-6x6-cross")).os, 20);
  // Odema's package: three weight-stationary and one output-stationary chiplet; its baseline is
  // one output-stationary die with their PEs.
  const Counts odema = count(load("odema-2x2"));
  EXPECT_EQ(odema.ws, 3);
  EXPECT_EQ(odema.os, 1);
  const auto mono = load("odema-monolithic-os");
  ASSERT_EQ(mono.device_count(), 1);
  EXPECT_EQ(mono.devices[0].params.integer("pes"), 4 * 4096);
  EXPECT_EQ(mono.devices[0].params.word("dataflow"), "output_stationary");
}

}  // namespace
}  // namespace tessera::cost
