#include "tessera/io/platform_yaml.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace tessera::io {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

/// The first diagnostic whose field is `field`, or nullptr.
const Diagnostic* find_field(const std::vector<Diagnostic>& ds, const std::string& field) {
  for (const auto& d : ds) {
    if (d.field == field) return &d;
  }
  return nullptr;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A valid one-device document; tests append or replace lines. Line numbers in comments.
const char* const kValid =
    "format: tessera.platform/1\n"  // 1
    "name: t\n"                     // 2
    "source: {name: host, link: {bandwidth_gbit_per_s: 1, latency_us: 100, "
    "energy_pj_per_byte: 8000}}\n"                                                      // 3
    "devices:\n"                                                                        // 4
    "  - name: cpu\n"                                                                   // 5
    "    kind: cpu\n"                                                                   // 6
    "    memory_gib: 8\n"                                                               // 7
    "    peak_gflops: {float32: 100}\n"                                                 // 8
    "    memory_bandwidth_gb_per_s: 10\n"                                               // 9
    "    static_power_w: 5\n"                                                           // 10
    "    energy_pj_per_flop: 1\n"                                                       // 11
    "    energy_pj_per_byte: 10\n"                                                      // 12
    "    link: {bandwidth_gbit_per_s: 1, latency_us: 100, energy_pj_per_byte: 8000}\n"  // 13
    "links:\n"                                                                          // 14
    "  topology: full_mesh\n";                                                          // 15

std::string replace_line(const std::string& text, int line, const std::string& with) {
  std::vector<std::string> lines;
  std::string current;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) lines.push_back(current);
  lines[static_cast<std::size_t>(line - 1)] = with;
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

/// A device entry with round numbers: 8 GiB, 100 GFLOP/s, 10 GB/s, 5 W, 1 pJ/FLOP, 10 pJ/byte.
std::string device(const std::string& name, const std::string& extra = "") {
  return "  - name: " + name +
         "\n"
         "    kind: cpu\n"
         "    memory_gib: 8\n"
         "    peak_gflops: {float32: 100}\n"
         "    memory_bandwidth_gb_per_s: 10\n"
         "    static_power_w: 5\n"
         "    energy_pj_per_flop: 1\n"
         "    energy_pj_per_byte: 10\n" +
         extra;
}

const char* const kHeader =
    "format: tessera.platform/1\n"
    "name: t\n"
    "source: {name: host}\n"
    "devices:\n";

TEST(PlatformYaml, ParsesAValidDocumentWithUnitsConverted) {
  auto p = parse_platform_yaml(kValid, "valid.yaml");
  ASSERT_TRUE(p.ok()) << p.error_text();
  ASSERT_EQ(p->device_count(), 1);
  const auto& d = p->devices[0];
  EXPECT_EQ(d.name, "cpu");
  EXPECT_EQ(d.kind, "cpu");
  EXPECT_EQ(d.memory.value(), 8 * kGiB);                 // 8 GiB
  EXPECT_EQ(d.peak.at(DType::kFloat32).value(), 100e9);  // 100 GFLOP/s
  EXPECT_EQ(d.memory_bandwidth.value(), 10e9);           // 10 GB/s
  EXPECT_EQ(d.static_power.value(), 5.0);
  EXPECT_NEAR(d.energy_per_flop.value(), 1e-12, 1e-24);   // 1 pJ
  EXPECT_NEAR(d.energy_per_byte.value(), 10e-12, 1e-24);  // 10 pJ
  EXPECT_EQ(d.layer_overhead.value(), 0.0);               // optional
  EXPECT_EQ(d.efficiency.conv, hw::Efficiency{}.conv);    // defaults
  EXPECT_EQ(p->source_name, "host");
  EXPECT_EQ(p->source_file, "valid.yaml");
  // 1 Gbit/s = 1e9 / 8 = 1.25e8 bytes/s; 100 us = 1e-4 s; 8000 pJ = 8e-9 J per byte.
  EXPECT_EQ(p->link(0, 1).bandwidth.value(), 1.25e8);
  EXPECT_NEAR(p->link(0, 1).latency.value(), 1e-4, 1e-15);
  EXPECT_NEAR(p->link(1, 0).energy_per_byte.value(), 8e-9, 1e-20);
}

TEST(PlatformYaml, AcceptsEveryUnitSpelling) {
  const std::string text = std::string(kHeader) +
                           "  - name: a\n"
                           "    kind: gpu\n"
                           "    memory_mib: 512\n"
                           "    peak_tflops: {float32: 2, float16: 8, int8: 16}\n"
                           "    memory_bandwidth_bytes_per_s: 3e9\n"
                           "    static_power_w: 1\n"
                           "    energy_j_per_flop: 2e-12\n"
                           "    energy_j_per_byte: 3e-12\n"
                           "    layer_overhead_ms: 0.5\n"
                           "    efficiency: {conv: 0.9, memory: 0.8}\n"
                           "  - name: b\n"
                           "    kind: cim\n"
                           "    memory_bytes: 1000\n"
                           "    peak_gflops: {float32: 1}\n"
                           "    memory_bandwidth_gb_per_s: 1\n"
                           "    static_power_w: 0\n"
                           "    energy_pj_per_flop: 0\n"
                           "    energy_pj_per_byte: 0\n"
                           "    layer_overhead_s: 2\n"
                           "    params: {tiles: 64, cell: rram, pipeline: false}\n"
                           "links:\n"
                           "  topology: shared_bus\n"
                           "  bus: {bandwidth_mbit_per_s: 800, latency_ns: 50, "
                           "energy_j_per_byte: 1e-11}\n";
  auto p = parse_platform_yaml(text, "units.yaml");
  ASSERT_TRUE(p.ok()) << p.error_text();
  const auto& a = p->devices[0];
  EXPECT_EQ(a.kind, "gpu");
  EXPECT_EQ(a.memory.value(), 512.0 * 1024 * 1024);     // 512 MiB
  EXPECT_EQ(a.peak.at(DType::kFloat16).value(), 8e12);  // 8 TFLOP/s
  EXPECT_EQ(a.peak.at(DType::kInt8).value(), 16e12);
  EXPECT_EQ(a.memory_bandwidth.value(), 3e9);
  EXPECT_NEAR(a.layer_overhead.value(), 0.5e-3, 1e-15);  // 0.5 ms
  EXPECT_EQ(a.efficiency.conv, 0.9);
  EXPECT_EQ(a.efficiency.memory, 0.8);
  EXPECT_EQ(a.efficiency.gemm, hw::Efficiency{}.gemm);
  EXPECT_TRUE(a.params.empty()) << "roofline devices take no params";
  const auto& b = p->devices[1];
  EXPECT_EQ(b.kind, "cim");
  EXPECT_EQ(b.memory.value(), 1000.0);
  EXPECT_EQ(b.layer_overhead.value(), 2.0);
  // Params are typed by the CIM kind's schema, with its defaults filled in.
  EXPECT_EQ(b.params.integer("tiles"), 64);
  EXPECT_EQ(b.params.word("cell"), "rram");
  EXPECT_FALSE(b.params.flag("pipeline"));
  EXPECT_EQ(b.params.integer("adc_bits"), 5);
  // 800 Mbit/s = 800e6 / 8 = 1e8 bytes/s; 50 ns; 1e-11 J/byte.
  EXPECT_EQ(p->link(0, 1).bandwidth.value(), 1e8);
  EXPECT_NEAR(p->link(0, 1).latency.value(), 50e-9, 1e-18);
  EXPECT_EQ(p->link(2, 0).energy_per_byte.value(), 1e-11);
}

TEST(PlatformYaml, ExpandsCountAndAssignsClassesInOrder) {
  const std::string text = std::string(kHeader) + device("rpi", "    count: 3\n") +
                           device("jetson", "    class: accel\n") +
                           device("coral", "    class: accel\n") + device("desk") +
                           "links:\n  topology: shared_bus\n"
                           "  bus: {bandwidth_gbit_per_s: 1, latency_us: 1, "
                           "energy_pj_per_byte: 1}\n";
  auto p = parse_platform_yaml(text, "count.yaml");
  ASSERT_TRUE(p.ok()) << p.error_text();
  std::vector<std::string> names;
  std::vector<std::int32_t> classes;
  for (const auto& d : p->devices) {
    names.push_back(d.name);
    classes.push_back(d.class_id.value());
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"rpi-0", "rpi-1", "rpi-2", "jetson", "coral", "desk"}));
  EXPECT_EQ(classes, (std::vector<std::int32_t>{0, 0, 0, 1, 1, 2}));
  EXPECT_EQ(p->class_names, (std::vector<std::string>{"rpi", "accel", "desk"}));
}

TEST(PlatformYaml, ReadsHostsAndNumbersThemPerInstance) {
  const std::string text = std::string(kHeader) +
                           device("rpi", "    count: 3\n    host: node-{i}\n") +
                           device("desk", "    host: desk.local\n") +
                           "links:\n  topology: shared_bus\n"
                           "  bus: {bandwidth_gbit_per_s: 1, latency_us: 1, "
                           "energy_pj_per_byte: 1}\n";
  auto p = parse_platform_yaml(text, "hosts.yaml");
  ASSERT_TRUE(p.ok()) << p.error_text();
  std::vector<std::string> hosts;
  for (const auto& d : p->devices) hosts.push_back(d.host);
  EXPECT_EQ(hosts, (std::vector<std::string>{"node-0", "node-1", "node-2", "desk.local"}));
  EXPECT_EQ(p->source_host, "") << "no source host: the machine tessera starts on";
}

TEST(PlatformYaml, BuildsAFullMeshFromNics) {
  const std::string text =
      "format: tessera.platform/1\n"
      "name: t\n"
      "source: {name: host, link: {bandwidth_gbit_per_s: 10, latency_us: 20, "
      "energy_pj_per_byte: 2000}}\n"
      "devices:\n" +
      device("a",
             "    link: {bandwidth_gbit_per_s: 1, latency_us: 100, energy_pj_per_byte: "
             "8000}\n") +
      "links: {topology: full_mesh}\n";
  auto p = parse_platform_yaml(text, "mesh.yaml");
  ASSERT_TRUE(p.ok()) << p.error_text();
  EXPECT_EQ(p->topology, hw::Topology::kFullMesh);
  // a→host: min(1, 10) Gbit/s = 1.25e8 B/s; (100 + 20)/2 = 60 us; (8000 + 2000)/2 = 5000 pJ.
  EXPECT_EQ(p->link(0, 1).bandwidth.value(), 1.25e8);
  EXPECT_NEAR(p->link(0, 1).latency.value(), 60e-6, 1e-15);
  EXPECT_NEAR(p->link(0, 1).energy_per_byte.value(), 5e-9, 1e-20);
  EXPECT_EQ(p->link(1, 0).bandwidth.value(), 1.25e8);
}

TEST(PlatformYaml, BuildsASharedBus) {
  const std::string text = std::string(kHeader) + device("a", "    count: 2\n") +
                           "links:\n"
                           "  topology: shared_bus\n"
                           "  bus: {bandwidth_gb_per_s: 4, latency_ns: 500, "
                           "energy_pj_per_byte: 20}\n";
  auto p = parse_platform_yaml(text, "bus.yaml");
  ASSERT_TRUE(p.ok()) << p.error_text();
  EXPECT_EQ(p->topology, hw::Topology::kSharedBus);
  // Every ordered pair of {a-0, a-1, host}: 4 GB/s = 4e9 B/s, 500 ns, 20 pJ/byte.
  for (std::int32_t i = 0; i < 3; ++i) {
    for (std::int32_t j = 0; j < 3; ++j) {
      if (i == j) continue;
      EXPECT_EQ(p->link(i, j).bandwidth.value(), 4e9);
      EXPECT_NEAR(p->link(i, j).latency.value(), 500e-9, 1e-18);
      EXPECT_NEAR(p->link(i, j).energy_per_byte.value(), 20e-12, 1e-24);
    }
  }
}

TEST(PlatformYaml, BuildsA2DMeshWithHops) {
  const std::string text = std::string(kHeader) + device("core") + device("cim", "    count: 2\n") +
                           "links:\n"
                           "  topology: mesh_2d\n"
                           "  mesh:\n"
                           "    rows: 2\n"
                           "    cols: 3\n"
                           "    hop_latency_ns: 2\n"
                           "    link_bandwidth_gb_per_s: 32\n"
                           "    energy_pj_per_byte_per_hop: 0.5\n"
                           "    placement: {core: [0, 0], cim-0: [0, 2], cim-1: [1, 2], "
                           "host: [1, 0]}\n";
  auto p = parse_platform_yaml(text, "noc.yaml");
  ASSERT_TRUE(p.ok()) << p.error_text();
  EXPECT_EQ(p->topology, hw::Topology::kMesh2D);
  // core (0,0) → cim-1 (1,2): |0-1| + |0-2| = 3 hops; 3 x 2 ns = 6 ns; 3 x 0.5 = 1.5 pJ/byte;
  // bandwidth of one link, 32 GB/s.
  EXPECT_EQ(p->link(0, 2).hops, 3);
  EXPECT_NEAR(p->link(0, 2).latency.value(), 6e-9, 1e-18);
  EXPECT_NEAR(p->link(0, 2).energy_per_byte.value(), 1.5e-12, 1e-24);
  EXPECT_EQ(p->link(0, 2).bandwidth.value(), 32e9);
  // cim-0 (0,2) → cim-1 (1,2): 1 hop, 2 ns.
  EXPECT_EQ(p->link(1, 2).hops, 1);
  EXPECT_NEAR(p->link(1, 2).latency.value(), 2e-9, 1e-18);
  // host (1,0) → cim-0 (0,2): 1 + 2 = 3 hops.
  EXPECT_EQ(p->link(3, 1).hops, 3);
}

TEST(PlatformYaml, BuildsExplicitLinksWithADefault) {
  const std::string text = std::string(kHeader) + device("a") + device("b") +
                           "links:\n"
                           "  topology: explicit\n"
                           "  default: {bandwidth_gbit_per_s: 1, latency_ms: 1, "
                           "energy_pj_per_byte: 100}\n"
                           "  pairs:\n"
                           "    - {from: a, to: b, bandwidth_gbit_per_s: 10, latency_us: 5, "
                           "energy_pj_per_byte: 10}\n"
                           "    - {from: host, to: a, bandwidth_gbit_per_s: 40, latency_us: 2, "
                           "energy_pj_per_byte: 1, bidirectional: false}\n";
  auto p = parse_platform_yaml(text, "explicit.yaml");
  ASSERT_TRUE(p.ok()) << p.error_text();
  EXPECT_EQ(p->topology, hw::Topology::kExplicit);
  // a↔b: 10 Gbit/s = 1.25e9 B/s, 5 us, both ways.
  EXPECT_EQ(p->link(0, 1).bandwidth.value(), 1.25e9);
  EXPECT_EQ(p->link(1, 0).bandwidth.value(), 1.25e9);
  EXPECT_NEAR(p->link(1, 0).latency.value(), 5e-6, 1e-15);
  // host→a: 40 Gbit/s = 5e9 B/s; a→host is not given, so the default: 1.25e8 B/s, 1 ms.
  EXPECT_EQ(p->link(2, 0).bandwidth.value(), 5e9);
  EXPECT_EQ(p->link(0, 2).bandwidth.value(), 1.25e8);
  EXPECT_NEAR(p->link(0, 2).latency.value(), 1e-3, 1e-15);
  EXPECT_NEAR(p->link(2, 1).energy_per_byte.value(), 100e-12, 1e-22);
}

// ---- presets ---------------------------------------------------------------------------------

TEST(PlatformPresets, EveryPresetLoadsAndValidates) {
  const auto presets = list_presets();
  std::set<std::string> names;
  for (const auto& info : presets) {
    names.insert(info.name);
    EXPECT_TRUE(info.diagnostics.empty())
        << info.name << ": " << format_diagnostics(info.diagnostics);
    EXPECT_FALSE(info.description.empty()) << info.name;
    auto p = load_platform(info.name);
    ASSERT_TRUE(p.ok()) << info.name << ": " << p.error_text();
    EXPECT_EQ(p->name, info.name) << "preset name should match its file name";
    EXPECT_EQ(p->device_count(), info.device_count);
    const auto endpoints = static_cast<std::size_t>(p->device_count() + 1);
    EXPECT_EQ(p->links.size(), endpoints * endpoints);
    for (const auto& d : p->devices) {
      // The roofline numbers are given where the device's kind reads them (not on CIM chips).
      const auto* kind = cost::KindRegistry::builtin().find(d.kind);
      ASSERT_NE(kind, nullptr) << d.name;
      if (kind->device_fields().peak) {
        EXPECT_GT(d.peak.at(DType::kFloat32).value(), 0.0) << d.name;
      }
      if (kind->device_fields().energy_per_flop) {
        EXPECT_GT(d.energy_per_flop.value(), 0.0) << d.name;
      }
      EXPECT_GT(d.static_power.value(), 0.0) << d.name;
    }
  }
  for (const char* expected : {"edge-cpu", "jetson-gpu", "desktop-cpu", "datacenter-gpu",
                               "cluster-homogeneous", "cluster-hetero", "hetero16"}) {
    EXPECT_TRUE(names.count(expected)) << "missing preset " << expected;
  }
}

TEST(PlatformPresets, DeviceCountsAndClassesAreAsDescribed) {
  struct Expect {
    const char* name;
    std::int32_t devices;
    std::vector<std::string> classes;
  };
  const Expect expected[] = {
      {"edge-cpu", 1, {"rpi4"}},
      {"jetson-gpu", 1, {"xavier-nx"}},
      {"desktop-cpu", 1, {"ryzen9-5950x"}},
      {"datacenter-gpu", 1, {"a100"}},
      {"cluster-homogeneous", 8, {"rpi4"}},
      {"cluster-hetero", 8, {"rpi4", "xavier-nx", "ryzen9-5950x", "a100"}},
      {"hetero16", 16, {"rpi4", "xavier-nx", "ryzen9-5950x", "a100"}},
      {"donna-cpu", 4, {"rpi4"}},
      {"donna-gpu", 4, {"xavier-nx"}},
  };
  for (const auto& e : expected) {
    auto p = load_platform(e.name);
    ASSERT_TRUE(p.ok()) << e.name << ": " << p.error_text();
    EXPECT_EQ(p->device_count(), e.devices) << e.name;
    EXPECT_EQ(p->class_names, e.classes) << e.name;
  }
  auto h = load_platform("hetero16");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->devices[7].name, "rpi4-7");
  EXPECT_EQ(h->devices[8].name, "xavier-nx-0");
  EXPECT_EQ(h->devices[15].name, "a100-1");
  EXPECT_EQ(h->devices[15].class_id.value(), 3);
}

TEST(PlatformPresets, CarryTheCitedNumbers) {
  auto rpi = load_platform("edge-cpu");
  ASSERT_TRUE(rpi.ok()) << rpi.error_text();
  const auto& r = rpi->devices[0];
  // 4 cores x 1.5 GHz x 8 FLOP/cycle = 48 GFLOP/s; 4 GiB; 2.7 W idle; (6.4 - 2.7) / 48e9.
  EXPECT_EQ(r.peak.at(DType::kFloat32).value(), 48e9);
  EXPECT_EQ(r.memory.value(), 4 * kGiB);
  EXPECT_EQ(r.static_power.value(), 2.7);
  EXPECT_NEAR(r.energy_per_flop.value(), 77e-12, 1e-24);
  // Gigabit Ethernet: 1e9 / 8 = 1.25e8 bytes/s.
  EXPECT_EQ(rpi->link(0, 1).bandwidth.value(), 1.25e8);

  auto a100 = load_platform("datacenter-gpu");
  ASSERT_TRUE(a100.ok()) << a100.error_text();
  const auto& g = a100->devices[0];
  EXPECT_EQ(g.peak.at(DType::kFloat32).value(), 19.5e12);
  EXPECT_EQ(g.peak.at(DType::kFloat16).value(), 312e12);
  EXPECT_EQ(g.memory_bandwidth.value(), 1555e9);
  EXPECT_EQ(g.memory.value(), 42405855232.0);
  // PCIe 4.0 x16: 31.5 GB/s.
  EXPECT_EQ(a100->link(0, 1).bandwidth.value(), 31.5e9);
}

TEST(PlatformPresets, LoadsByPathToo) {
  auto by_path = load_platform(preset_dir() + "/edge-cpu.yaml");
  ASSERT_TRUE(by_path.ok()) << by_path.error_text();
  EXPECT_EQ(by_path->source_file, preset_dir() + "/edge-cpu.yaml");
  EXPECT_EQ(by_path->devices[0].name, "rpi4");
}

// ---- bad input: one problem each, with its file, line and field ------------------------------

TEST(PlatformYamlErrors, UnknownPresetNameListsThePresets) {
  auto p = load_platform("no-such-preset");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u);
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.file, "");
  EXPECT_EQ(d.line, 0);
  EXPECT_EQ(d.field, "platform");
  EXPECT_TRUE(contains(d.message, "unknown platform preset 'no-such-preset'")) << d.message;
  EXPECT_TRUE(contains(d.message, "edge-cpu")) << d.message;
}

TEST(PlatformYamlErrors, UnreadableFileNamesThePath) {
  const std::string path = "/nonexistent-tessera-dir/platform.yaml";
  auto p = load_platform(path);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u);
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.file, path);
  EXPECT_EQ(d.line, 0);
  EXPECT_EQ(d.field, "");
  EXPECT_TRUE(contains(d.message, "cannot read file")) << d.message;
}

TEST(PlatformYamlErrors, DirectoryIsRejected) {
  auto p = load_platform(preset_dir());
  ASSERT_FALSE(p.ok());
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.file, preset_dir());
  EXPECT_TRUE(contains(d.message, "is a directory")) << d.message;
}

TEST(PlatformYamlErrors, YamlSyntaxErrorReportsItsLine) {
  const std::string text =
      "format: tessera.platform/1\n"  // 1
      "name: t\n"                     // 2
      "devices:\n"                    // 3
      "  - name: [cpu\n"              // 4: unclosed flow sequence
      "    kind: cpu\n";              // 5
  auto p = parse_platform_yaml(text, "syntax.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u);
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.file, "syntax.yaml");
  // yaml-cpp notices the unclosed '[' on the next line.
  EXPECT_EQ(d.line, 5) << d.to_string();
  EXPECT_EQ(d.field, "");
  EXPECT_TRUE(contains(d.message, "YAML syntax error")) << d.message;
}

TEST(PlatformYamlErrors, TabIndentationIsASyntaxErrorOnItsLine) {
  const std::string text = replace_line(kValid, 7, "\tmemory_gib: 8");
  auto p = parse_platform_yaml(text, "tab.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.diagnostics()[0].line, 7) << p.error_text();
  EXPECT_TRUE(contains(p.diagnostics()[0].message, "YAML syntax error"));
}

TEST(PlatformYamlErrors, MissingFieldIsReportedAtItsMapping) {
  const std::string text = replace_line(kValid, 10, "    layer_overhead_us: 5");  // drops power
  auto p = parse_platform_yaml(text, "missing.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.file, "missing.yaml");
  EXPECT_EQ(d.line, 5);  // the device's mapping starts at "- name: cpu"
  EXPECT_EQ(d.field, "devices[0].static_power_w");
  EXPECT_TRUE(contains(d.message, "missing required field 'static_power_w'")) << d.message;
}

TEST(PlatformYamlErrors, NegativeFieldIsReportedOnItsLine) {
  const std::string text = replace_line(kValid, 7, "    memory_gib: -8");
  auto p = parse_platform_yaml(text, "negative.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.file, "negative.yaml");
  EXPECT_EQ(d.line, 7);
  EXPECT_EQ(d.field, "devices[0].memory_gib");
  EXPECT_TRUE(contains(d.message, "must be > 0")) << d.message;
}

TEST(PlatformYamlErrors, ZeroBandwidthIsRejected) {
  const std::string text = replace_line(
      kValid, 13, "    link: {bandwidth_gbit_per_s: 0, latency_us: 100, energy_pj_per_byte: 8000}");
  auto p = parse_platform_yaml(text, "zero.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  EXPECT_EQ(p.diagnostics()[0].line, 13);
  EXPECT_EQ(p.diagnostics()[0].field, "devices[0].link.bandwidth_gbit_per_s");
}

TEST(PlatformYamlErrors, NonNumericValueIsReported) {
  const std::string text = replace_line(kValid, 9, "    memory_bandwidth_gb_per_s: fast");
  auto p = parse_platform_yaml(text, "nan.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.line, 9);
  EXPECT_EQ(d.field, "devices[0].memory_bandwidth_gb_per_s");
  EXPECT_TRUE(contains(d.message, "expected a number, got 'fast'")) << d.message;
}

TEST(PlatformYamlErrors, UnknownDeviceKindListsTheValidOnes) {
  const std::string text = replace_line(kValid, 6, "    kind: tpu");
  auto p = parse_platform_yaml(text, "kind.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.file, "kind.yaml");
  EXPECT_EQ(d.line, 6);
  EXPECT_EQ(d.field, "devices[0].kind");
  EXPECT_TRUE(contains(d.message, "unknown device kind 'tpu'")) << d.message;
  EXPECT_TRUE(contains(d.message, "(valid: cpu, gpu, cim")) << d.message;
}

TEST(PlatformYamlErrors, DuplicateDeviceNameIsReportedOnTheSecond) {
  const std::string text = std::string(kHeader) + device("a") + device("a") +  // lines 5, 13
                           "links: {topology: shared_bus, bus: {bandwidth_gbit_per_s: 1, "
                           "latency_us: 1, energy_pj_per_byte: 1}}\n";
  auto p = parse_platform_yaml(text, "dup.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.file, "dup.yaml");
  EXPECT_EQ(d.line, 13);  // 4 header lines + 8 lines of the first device + 1
  EXPECT_EQ(d.field, "devices[1].name");
  EXPECT_TRUE(contains(d.message, "duplicate name 'a'")) << d.message;
}

TEST(PlatformYamlErrors, LinkNamingAnUnknownDeviceIsReported) {
  const std::string text = std::string(kHeader) + device("a") +  // device on lines 5-12
                           "links:\n"                            // 13
                           "  topology: explicit\n"              // 14
                           "  default: {bandwidth_gbit_per_s: 1, latency_us: 1, "
                           "energy_pj_per_byte: 1}\n"         // 15
                           "  pairs:\n"                       // 16
                           "    - from: a\n"                  // 17
                           "      to: ghost\n"                // 18
                           "      bandwidth_gbit_per_s: 1\n"  // 19
                           "      latency_us: 1\n"            // 20
                           "      energy_pj_per_byte: 1\n";   // 21
  auto p = parse_platform_yaml(text, "pairs.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.file, "pairs.yaml");
  EXPECT_EQ(d.line, 18);
  EXPECT_EQ(d.field, "links.pairs[0].to");
  EXPECT_TRUE(contains(d.message, "unknown endpoint 'ghost'")) << d.message;
}

// A 2 x 2 mesh over device "a" whose placement block (from line 22 on) is `placement_lines`.
std::string mesh_with_placement(const std::string& placement_lines) {
  return std::string(kHeader) + device("a") +   // lines 5-12
         "links:\n"                             // 13
         "  topology: mesh_2d\n"                // 14
         "  mesh:\n"                            // 15
         "    rows: 2\n"                        // 16
         "    cols: 2\n"                        // 17
         "    hop_latency_ns: 1\n"              // 18
         "    link_bandwidth_gb_per_s: 1\n"     // 19
         "    energy_pj_per_byte_per_hop: 1\n"  // 20
         "    placement:\n" +                   // 21
         placement_lines;
}

TEST(PlatformYamlErrors, PlacementNamingAnUnknownDeviceIsReported) {
  const std::string text = mesh_with_placement(
      "      a: [0, 0]\n"       // 22
      "      b: [0, 1]\n"       // 23
      "      host: [1, 1]\n");  // 24
  auto p = parse_platform_yaml(text, "place.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.line, 23);
  EXPECT_EQ(d.field, "links.mesh.placement.b");
  EXPECT_TRUE(contains(d.message, "unknown endpoint 'b'")) << d.message;
}

TEST(PlatformYamlErrors, PlacementOutOfIntRangeIsReportedNotConverted) {
  // Found by fuzzing: a coordinate of 4.4e24 was converted to int before the range check
  // rejected it (undefined behaviour under UBSan).
  const std::string text = mesh_with_placement("      a: [4444444444444444444444444, 0]\n");  // 22
  auto p = parse_platform_yaml(text, "place.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.line, 22);
  EXPECT_EQ(d.field, "links.mesh.placement.a");
  EXPECT_TRUE(contains(d.message, "two integers")) << d.message;
}

TEST(PlatformYamlErrors, WrongFormatVersionIsTheOnlyProblemReported) {
  std::string text = replace_line(kValid, 1, "format: tessera.platform/2");
  text = replace_line(text, 7, "    memory_gib: -1");  // not reported: another format's rules
  auto p = parse_platform_yaml(text, "v2.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.file, "v2.yaml");
  EXPECT_EQ(d.line, 1);
  EXPECT_EQ(d.field, "format");
  EXPECT_TRUE(contains(d.message, "unsupported format 'tessera.platform/2'")) << d.message;
}

TEST(PlatformYamlErrors, MissingFormatIsAnError) {
  const std::string text = replace_line(kValid, 1, "description: no format line");
  auto p = parse_platform_yaml(text, "noformat.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  EXPECT_EQ(p.diagnostics()[0].field, "format");
  EXPECT_EQ(p.diagnostics()[0].line, 1);
  EXPECT_TRUE(contains(p.diagnostics()[0].message, "tessera.platform/1"));
}

TEST(PlatformYamlErrors, UnknownKeySuggestsTheClosestOne) {
  const std::string text = replace_line(kValid, 7, "    memroy_gib: 8");
  auto p = parse_platform_yaml(text, "typo.yaml");
  ASSERT_FALSE(p.ok());
  const Diagnostic* d = find_field(p.diagnostics(), "devices[0].memroy_gib");
  ASSERT_NE(d, nullptr) << p.error_text();
  EXPECT_EQ(d->line, 7);
  EXPECT_TRUE(contains(d->message, "did you mean 'memory_gib'?")) << d->message;
  // The misspelt key leaves memory missing, which is reported too.
  EXPECT_NE(find_field(p.diagnostics(), "devices[0].memory_gib"), nullptr) << p.error_text();
}

TEST(PlatformYamlErrors, CountBelowOneIsRejected) {
  const std::string text = replace_line(kValid, 6, "    kind: cpu\n    count: 0");
  auto p = parse_platform_yaml(text, "count.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  EXPECT_EQ(p.diagnostics()[0].line, 7);
  EXPECT_EQ(p.diagnostics()[0].field, "devices[0].count");
  EXPECT_TRUE(contains(p.diagnostics()[0].message, "must be >= 1"));
}

TEST(PlatformYamlErrors, AQuantityInTwoUnitsIsAmbiguous) {
  const std::string text = replace_line(kValid, 7, "    memory_gib: 8\n    memory_mib: 8192");
  auto p = parse_platform_yaml(text, "twice.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  EXPECT_EQ(p.diagnostics()[0].line, 8);
  EXPECT_EQ(p.diagnostics()[0].field, "devices[0].memory_mib");
  EXPECT_TRUE(contains(p.diagnostics()[0].message, "only one of"));
}

TEST(PlatformYamlErrors, KeysOfAnotherTopologyAreRejected) {
  const std::string text =
      std::string(kValid) +
      "  bus: {bandwidth_gbit_per_s: 1, latency_us: 1, energy_pj_per_byte: 1}\n";
  auto p = parse_platform_yaml(text, "bus.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  EXPECT_EQ(p.diagnostics()[0].line, 16);
  EXPECT_EQ(p.diagnostics()[0].field, "links.bus");
  EXPECT_TRUE(contains(p.diagnostics()[0].message, "only used with topology shared_bus"));
}

TEST(PlatformYamlErrors, RepeatedKeyIsReported) {
  const std::string text = replace_line(kValid, 2, "name: t\nname: u");
  auto p = parse_platform_yaml(text, "repeat.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  EXPECT_EQ(p.diagnostics()[0].line, 3);
  EXPECT_EQ(p.diagnostics()[0].field, "name");
  EXPECT_TRUE(contains(p.diagnostics()[0].message, "given twice"));
}

TEST(PlatformYamlErrors, MissingNicForFullMeshIsReportedAtTheDevice) {
  const std::string text = replace_line(kValid, 13, "    layer_overhead_us: 1");
  auto p = parse_platform_yaml(text, "nic.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1u) << p.error_text();
  EXPECT_EQ(p.diagnostics()[0].line, 5);
  EXPECT_EQ(p.diagnostics()[0].field, "devices[0].link");
  EXPECT_TRUE(contains(p.diagnostics()[0].message, "full_mesh"));
}

TEST(PlatformYamlErrors, ReportsEveryProblemOfAFileAtOnce) {
  const std::string text =
      "format: tessera.platform/1\n"           // 1
      "name: many\n"                           // 2
      "source: {name: host}\n"                 // 3
      "devices:\n"                             // 4
      "  - name: a\n"                          // 5
      "    kind: quantum\n"                    // 6  unknown kind
      "    memory_gib: -4\n"                   // 7  negative
      "    peak_gflops: {float32: 10}\n"       // 8
      "    memory_bandwidth_gb_per_s: lots\n"  // 9  non-numeric
      "    static_power_w: 1\n"                // 10
      "    energy_pj_per_flop: 1\n"            // 11
      "    energy_pj_per_byte: 1\n"            // 12
      "    colour: blue\n"                     // 13 unknown key
      "  - name: a\n"                          // 14 duplicate name; static_power_w
      "    kind: cpu\n"                        // 15 missing from this mapping
      "    memory_gib: 1\n"                    // 16
      "    peak_gflops: {float16: 10}\n"       // 17 float32 missing
      "    memory_bandwidth_gb_per_s: 1\n"     // 18
      "    energy_pj_per_flop: 1\n"            // 19
      "    energy_pj_per_byte: 1\n"            // 20
      "  - {name: b, kind: cpu, count: 0, memory_gib: 1, peak_gflops: {float32: 1}, "
      "memory_bandwidth_gb_per_s: 1, static_power_w: 1, energy_pj_per_flop: 1, "
      "energy_pj_per_byte: 1}\n"  // 21 count < 1
      "links:\n"                  // 22
      "  topology: explicit\n"    // 23
      "  default: {bandwidth_gbit_per_s: 1, latency_us: 1, energy_pj_per_byte: 1}\n"  // 24
      "  pairs:\n"                                                                    // 25
      "    - {from: nobody, to: a, bandwidth_gbit_per_s: 1, latency_us: 1, "
      "energy_pj_per_byte: 1}\n";  // 26 unknown device
  auto p = parse_platform_yaml(text, "many.yaml");
  ASSERT_FALSE(p.ok());
  const auto& ds = p.diagnostics();
  struct Want {
    int line;
    const char* field;
    const char* message;
  };
  const Want wants[] = {
      {6, "devices[0].kind", "unknown device kind 'quantum'"},
      {7, "devices[0].memory_gib", "must be > 0"},
      {9, "devices[0].memory_bandwidth_gb_per_s", "expected a number"},
      {13, "devices[0].colour", "unknown key 'colour'"},
      {14, "devices[1].name", "duplicate name 'a'"},
      {14, "devices[1].static_power_w", "missing required field 'static_power_w'"},
      {17, "devices[1].peak_gflops", "float32 peak is required"},
      {21, "devices[2].count", "must be >= 1"},
      {26, "links.pairs[0].from", "unknown endpoint 'nobody'"},
  };
  for (const auto& w : wants) {
    const Diagnostic* d = find_field(ds, w.field);
    ASSERT_NE(d, nullptr) << "no diagnostic for " << w.field << " in:\n" << p.error_text();
    EXPECT_EQ(d->file, "many.yaml");
    EXPECT_EQ(d->line, w.line) << w.field;
    EXPECT_TRUE(contains(d->message, w.message)) << w.field << ": " << d->message;
  }
  EXPECT_EQ(ds.size(), std::size(wants)) << p.error_text();
  // Reported in file order.
  EXPECT_TRUE(std::is_sorted(ds.begin(), ds.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line < b.line;
  }));
}

const char* const kBus =
    "links: {topology: shared_bus, bus: {bandwidth_gbit_per_s: 1, latency_us: 1, "
    "energy_pj_per_byte: 1}}\n";

/// A CIM chip with only the fields its kind reads (no roofline numbers); `params` appended.
std::string cim_chip(const std::string& name, const std::string& params) {
  return "  - name: " + name +
         "\n"
         "    kind: cim\n"
         "    count: 4\n"
         "    static_power_w: 0.003\n"
         "    link: {bandwidth_gbit_per_s: 1, latency_us: 100, energy_pj_per_byte: 8000}\n"
         "    params:\n" +
         params;
}

TEST(PlatformYamlKinds, CimChipsNeedNoRooflineNumbersAndGetTypedParams) {
  const std::string text = std::string(kHeader) +
                           cim_chip("chip",
                                    "      cell: rram\n"
                                    "      technology_nm: 7\n"
                                    "      tiles: 256\n") +
                           kBus;
  auto p = parse_platform_yaml(text, "cim.yaml");
  ASSERT_TRUE(p.ok()) << p.error_text();
  ASSERT_EQ(p->devices.size(), 4U);
  const auto& d = p->devices[3];
  EXPECT_EQ(d.params.word("cell"), "rram");
  EXPECT_EQ(d.params.number("technology_nm"), 7.0);
  EXPECT_EQ(d.params.integer("tiles"), 256);
  EXPECT_EQ(d.params.integer("subarray_rows"), 128);  // the schema's default
  EXPECT_TRUE(d.params.flag("pipeline"));
}

TEST(PlatformYamlKinds, ACimParamTypoIsOneErrorWithFileLineAndField) {
  // Four copies of the chip, eighteen layers to cost later: still one error, on its line.
  const std::string text = std::string(kHeader) +
                           cim_chip("chip",                  // 5-10
                                    "      cell: sram\n"     // 11
                                    "      adc_bit: 5\n") +  // 12
                           kBus;
  auto p = parse_platform_yaml(text, "typo.yaml");
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(p.diagnostics().size(), 1U) << p.error_text();
  const auto& d = p.diagnostics()[0];
  EXPECT_EQ(d.file, "typo.yaml");
  EXPECT_EQ(d.line, 12);
  EXPECT_EQ(d.field, "devices[0].params.adc_bit");
  EXPECT_TRUE(contains(d.message, "unknown CIM parameter")) << d.message;
  EXPECT_TRUE(contains(d.message, "did you mean 'adc_bits'")) << d.message;
}

TEST(PlatformYamlKinds, ParamTypesRangesAndChecksAcrossParamsAreReportedOnTheirLines) {
  const std::string text = std::string(kHeader) +
                           cim_chip("chip",                         // 5-10
                                    "      cell: dram\n"            // 11
                                    "      subarray_rows: 12.5\n"   // 12
                                    "      tiles: many\n"           // 13
                                    "      pipeline: 2\n"           // 14
                                    "      technology_nm: 28\n") +  // 15
                           kBus;
  auto p = parse_platform_yaml(text, "types.yaml");
  ASSERT_FALSE(p.ok());
  const auto& ds = p.diagnostics();
  const std::pair<int, const char*> wants[] = {{11, "devices[0].params.cell"},
                                               {12, "devices[0].params.subarray_rows"},
                                               {13, "devices[0].params.tiles"},
                                               {14, "devices[0].params.pipeline"},
                                               {15, "devices[0].params.technology_nm"}};
  for (const auto& [line, field] : wants) {
    const Diagnostic* d = find_field(ds, field);
    ASSERT_NE(d, nullptr) << field << " in:\n" << p.error_text();
    EXPECT_EQ(d->line, line) << field;
  }
  EXPECT_EQ(ds.size(), std::size(wants)) << p.error_text();
  EXPECT_TRUE(contains(find_field(ds, "devices[0].params.subarray_rows")->message, "integer"));
  EXPECT_TRUE(contains(find_field(ds, "devices[0].params.technology_nm")->message,
                       "unknown technology node"));
}

/// A kind made of parts (as an SoC is of compute units): its params hold a list of records.
class UnitsKind final : public cost::DeviceKind {
 public:
  UnitsKind() {
    auto unit = std::make_shared<hw::ParamSchema>("unit");
    unit->add(spec("name", hw::ParamType::kWord));
    hw::ParamSpec macs = spec("macs_per_cycle", hw::ParamType::kInteger);
    macs.min = 0.0;
    macs.min_exclusive = true;
    unit->add(macs);
    hw::ParamSpec clock = spec("clock_mhz", hw::ParamType::kNumber);
    clock.unit = "MHz";
    clock.min = 1.0;
    schema_.add(clock);
    hw::ParamSpec units = spec("units", hw::ParamType::kRecords);
    units.fields = unit;
    units.min_records = 1;
    schema_.add(units);
  }
  static hw::ParamSpec spec(const char* name, hw::ParamType type) {
    hw::ParamSpec s;
    s.name = name;
    s.type = type;
    return s;
  }
  [[nodiscard]] std::vector<std::string> names() const override { return {"units"}; }
  [[nodiscard]] std::string_view label() const override { return "units"; }
  [[nodiscard]] const hw::ParamSchema& schema() const override { return schema_; }
  [[nodiscard]] hw::DeviceFields device_fields() const override { return hw::DeviceFields::none(); }
  [[nodiscard]] cost::Capacity capacity(const hw::Device& d) const override {
    return {static_cast<double>(d.params.records("units").size()), "units"};
  }
  [[nodiscard]] std::unique_ptr<cost::CostModel> make_model(
      const cost::CostOptions& /*options*/) const override {
    return cost::KindRegistry::builtin().kinds().front()->make_model({});
  }

 private:
  hw::ParamSchema schema_{"units"};
};

TEST(PlatformYamlKinds, AKindsParamsMayHoldListsOfRecordsCheckedOnTheirLines) {
  cost::KindRegistry kinds;
  kinds.add(std::make_unique<UnitsKind>());
  const std::string head = std::string(kHeader) +
                           "  - name: soc\n"          // 5
                           "    kind: units\n"        // 6
                           "    static_power_w: 1\n"  // 7
                           "    link: {bandwidth_gbit_per_s: 1, latency_us: 1, "
                           "energy_pj_per_byte: 1}\n"  // 8
                           "    params:\n"             // 9
                           "      clock_mhz: 800\n"    // 10
                           "      units:\n";           // 11
  const std::string good = head +
                           "        - {name: cpu, macs_per_cycle: 4}\n"      // 12
                           "        - {name: npu, macs_per_cycle: 256}\n" +  // 13
                           kBus;
  auto p = parse_platform_yaml(good, "soc.yaml", kinds);
  ASSERT_TRUE(p.ok()) << p.error_text();
  const auto& units = p->devices[0].params.records("units");
  ASSERT_EQ(units.size(), 2U);
  EXPECT_EQ(units[1].word("name"), "npu");
  EXPECT_EQ(units[1].integer("macs_per_cycle"), 256);

  const std::string bad = head +
                          "        - {name: cpu, macs_per_cycle: 4}\n"  // 12
                          "        - name: npu\n"                       // 13
                          "          macs_per_cycle: 0\n"               // 14
                          "          sram_kib: 64\n" +                  // 15
                          kBus;
  auto q = parse_platform_yaml(bad, "soc.yaml", kinds);
  ASSERT_FALSE(q.ok());
  ASSERT_EQ(q.diagnostics().size(), 2U) << q.error_text();
  const Diagnostic* zero = find_field(q.diagnostics(), "devices[0].params.units[1].macs_per_cycle");
  ASSERT_NE(zero, nullptr) << q.error_text();
  EXPECT_EQ(zero->line, 14);
  const Diagnostic* unknown = find_field(q.diagnostics(), "devices[0].params.units[1].sram_kib");
  ASSERT_NE(unknown, nullptr) << q.error_text();
  EXPECT_EQ(unknown->line, 15);
  EXPECT_TRUE(contains(unknown->message, "unknown unit parameter")) << unknown->message;
}

}  // namespace
}  // namespace tessera::io
