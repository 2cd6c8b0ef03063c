// Bad input reaches the user as exit code 2 with the file, line and field named; one case each.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

using testing::run_cli;

/// A valid platform with one device; each case below breaks one thing.
constexpr const char* kGood = R"(format: tessera.platform/1
name: lab
devices:
  - name: pi
    kind: cpu
    memory_gib: 4
    peak_gflops: {float32: 48}
    memory_bandwidth_gb_per_s: 12.8
    static_power_w: 2.7
    energy_pj_per_flop: 77
    energy_pj_per_byte: 36
    link: {bandwidth_gbit_per_s: 1, latency_us: 100, energy_pj_per_byte: 8000}
source:
  link: {bandwidth_gbit_per_s: 1, latency_us: 100, energy_pj_per_byte: 8000}
)";

struct BadPlatform {
  const char* name;
  std::string yaml;
  int line;           ///< the line the message must name
  const char* field;  ///< text the message must contain
  friend void PrintTo(const BadPlatform& b, std::ostream* os) { *os << b.name; }
};

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  if (at == std::string::npos) throw std::logic_error("fixture text not found: " + from);
  return s.replace(at, from.size(), to);
}

class BadPlatformCli : public ::testing::TestWithParam<BadPlatform> {};

TEST_P(BadPlatformCli, ExitsTwoNamingFileLineAndField) {
  const auto& c = GetParam();
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  const auto path = dir + "/lab.yaml";
  testing::write_file(path, c.yaml);
  for (const auto& args : {std::vector<std::string>{"platforms", path},
                           std::vector<std::string>{"plan", "vgg8", "--platform", path}}) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(path + ":" + std::to_string(c.line)), std::string::npos)
        << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(c.field), std::string::npos) << args[0] << ": " << r.err;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadPlatformCli,
    ::testing::Values(
        BadPlatform{"YamlSyntaxError", replace(kGood, "    kind: cpu\n", "    kind: [cpu\n"), 6,
                    "syntax"},
        BadPlatform{"MissingField", replace(kGood, "    static_power_w: 2.7\n", ""), 4,
                    "static_power_w"},
        BadPlatform{"NegativeField", replace(kGood, "memory_gib: 4", "memory_gib: -4"), 6,
                    "memory_gib"},
        BadPlatform{"UnknownDeviceKind", replace(kGood, "kind: cpu", "kind: quantum"), 5, "kind"},
        BadPlatform{"DuplicateDeviceName",
                    replace(kGood, "source:\n",
                            "  - name: pi\n    kind: cpu\n    memory_gib: 4\n"
                            "    peak_gflops: {float32: 48}\n    memory_bandwidth_gb_per_s: 12.8\n"
                            "    static_power_w: 2.7\n    energy_pj_per_flop: 77\n"
                            "    energy_pj_per_byte: 36\n"
                            "    link: {bandwidth_gbit_per_s: 1, latency_us: 100, "
                            "energy_pj_per_byte: 8000}\nsource:\n"),
                    13, "duplicate"},
        BadPlatform{"LinkNamesAnUnknownDevice",
                    std::string(kGood) +
                        "links:\n  topology: explicit\n  default: {bandwidth_gbit_per_s: 1, "
                        "latency_us: 100, energy_pj_per_byte: 1}\n  pairs:\n    - {from: pi, "
                        "to: ghost, bandwidth_gbit_per_s: 10, latency_us: 5, "
                        "energy_pj_per_byte: 1}\n",
                    19, "ghost"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(BadInputCli, ARepeatedMistakeIsPrintedAFewTimesAndCounted) {
  // 500 initializers without an element type: 500 error lines before (200,000 for a model at
  // the initializer limit).
  const testing::TempDir tmp;
  const std::string path = tmp.path() + "/inits.onnx";
  std::string graph;
  for (int i = 0; i < 500; ++i) graph += std::string("\x2a\x00", 2);  // an empty initializer
  // ir_version 8, then the graph (field 7) with its length as a two-byte varint.
  const auto n = graph.size();
  testing::write_file(path, std::string("\x08\x08\x3a", 3) + static_cast<char>((n & 0x7F) | 0x80) +
                                static_cast<char>(n >> 7) + graph);
  const auto r = run_cli({"inspect", path});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 21) << r.err;
  EXPECT_NE(r.err.find(path + ": initializer '': has element type UNDEFINED"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("tessera: error: ... and 480 more (fix the 20 above and run again)\n"),
            std::string::npos)
      << r.err;
}

TEST(BadInputCli, UnreadablePlatformFileNamesThePath) {
  const auto r = run_cli({"platforms", "/nonexistent/lab.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/lab.yaml"), std::string::npos) << r.err;
}

TEST(BadInputCli, UnknownPresetListsTheKnownOnes) {
  const auto r = run_cli({"platforms", "no-such-preset"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no-such-preset"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("edge-cpu"), std::string::npos) << r.err;
}

TEST(BadInputCli, UnknownModelNameListsTheZoo) {
  const auto r = run_cli({"plan", "alexnet", "--platform", "edge-cpu"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("alexnet"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("resnet50"), std::string::npos) << r.err;
}

TEST(BadInputCli, EveryPresetLoads) {
  const auto list = run_cli({"platforms"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.out.find("invalid"), std::string::npos) << list.out;
  for (const char* p : {"edge-cpu", "jetson-gpu", "desktop-cpu", "datacenter-gpu",
                        "cluster-homogeneous", "cluster-hetero", "hetero16"}) {
    const auto r = run_cli({"platforms", p});
    EXPECT_EQ(r.exit_code, 0) << p << ": " << r.err;
  }
}

}  // namespace
}  // namespace tessera
