// SoC devices end to end: `tessera split` tables and JSON, its bad input, and SoCs as devices of
// a distributed plan whose cost-table entries are the optimal splits.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

using nlohmann::json;
using testing::run_cli;

json split_json(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"split"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--json", "-"});
  const auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? json::parse(r.out) : json();
}

TEST(SplitCli, SplitsEveryResnet20LayerOnDianaAndBeatsTheBaselines) {
  const json doc = split_json({"resnet20", "--platform", "diana"});
  ASSERT_FALSE(doc.is_null());
  EXPECT_EQ(doc["format"], "tessera.split/1");
  EXPECT_EQ(doc["device"], "diana");
  // conv1, 18 block convolutions, 2 shortcut convolutions, fc.
  ASSERT_EQ(doc["layers"].size(), 22u);
  double latency = 0.0;
  double energy = 0.0;
  for (const auto& l : doc["layers"]) {
    std::int64_t channels = 0;
    double slowest = 0.0;
    for (const auto& u : l["units"]) {
      channels += u["channels"].get<std::int64_t>();
      slowest = std::max(slowest, u["latency_s"].get<double>());
    }
    EXPECT_EQ(channels, l["channels"].get<std::int64_t>()) << l["name"];
    EXPECT_DOUBLE_EQ(l["latency_s"].get<double>(), slowest) << l["name"];
    latency += l["latency_s"].get<double>();
    energy += l["energy_j"].get<double>();
  }
  EXPECT_NEAR(doc["totals"]["latency_s"].get<double>(), latency, 1e-12);
  EXPECT_NEAR(doc["totals"]["energy_j"].get<double>(), energy, 1e-15);
  // The classifier is fully connected: only the digital array runs it.
  EXPECT_EQ(doc["layers"][21]["units"][1]["channels"], 0);
  // Latency-optimal: no baseline is faster.
  ASSERT_GE(doc["baselines"].size(), 4u);
  for (const auto& b : doc["baselines"]) {
    EXPECT_GE(b["latency_s"].get<double>(), doc["totals"]["latency_s"].get<double>() * (1 - 1e-12))
        << b["method"];
  }
}

TEST(SplitCli, ABudgetOfZeroKeepsEveryChannelOnTheDigitalArray) {
  const json doc = split_json({"resnet20", "--platform", "diana", "--budget", "0"});
  ASSERT_FALSE(doc.is_null());
  EXPECT_EQ(doc["totals"]["low_precision_share"], 0.0);
  for (const auto& l : doc["layers"]) EXPECT_EQ(l["units"][1]["channels"], 0) << l["name"];
  // A total budget: at most 30 % of all channels on the analog array, and the exact front.
  const json total = split_json({"resnet20", "--platform", "diana", "--budget", "0.3",
                                 "--budget-scope", "total", "--objective", "energy", "--front"});
  ASSERT_FALSE(total.is_null());
  EXPECT_LE(total["totals"]["low_precision_share"].get<double>(), 0.3);
  ASSERT_GE(total["front"].size(), 2u);
  for (std::size_t i = 1; i < total["front"].size(); ++i) {
    EXPECT_LT(total["front"][i]["energy_j"].get<double>(),
              total["front"][i - 1]["energy_j"].get<double>());
  }
}

TEST(SplitCli, DarksideComputesStandardConvChannelsOnTheDepthwiseEngineOnlyWithinTheBudget) {
  const json doc = split_json({"mbv1_conv_cifar", "--platform", "darkside"});
  ASSERT_FALSE(doc.is_null());
  std::map<std::string, json> layers;
  for (const auto& l : doc["layers"]) layers[l["name"].get<std::string>()] = l;
  // A genuine depthwise layer runs wholly on the DWE; a searchable 3x3 block is split.
  ASSERT_TRUE(layers.count("dw1.conv1"));
  EXPECT_EQ(layers["dw1.conv1"]["units"][0]["channels"], 0);
  ASSERT_TRUE(layers.count("layer3.conv1"));
  EXPECT_GT(layers["layer3.conv1"]["units"][1]["channels"].get<int>(), 0);
  EXPECT_GT(layers["layer3.conv1"]["low_precision_channels"].get<int>(), 0);
  const json none = split_json({"mbv1_conv_cifar", "--platform", "darkside", "--budget", "0"});
  ASSERT_FALSE(none.is_null());
  for (const auto& l : none["layers"]) EXPECT_EQ(l["low_precision_channels"], 0) << l["name"];
  EXPECT_GT(none["totals"]["latency_s"].get<double>(), doc["totals"]["latency_s"].get<double>());
}

TEST(SplitCli, PrintsAPerLayerTableWithTheBaselines) {
  const auto r = run_cli({"split", "resnet20", "--platform", "diana"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("digital ch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("analog ch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("whole layer on its fastest unit"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("proportional"), std::string::npos) << r.out;
}

TEST(SplitCli, RejectsABudgetOutsideZeroToOne) {
  const auto r = run_cli({"split", "resnet20", "--platform", "diana", "--budget", "1.5"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--budget"), std::string::npos) << r.err;
}

TEST(SplitCli, NamesTheLayerNoUnitRunsAndTheUnits) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/conv-only.yaml";
  testing::write_file(file, R"(format: tessera.platform/1
name: conv-only
source: {name: host, link: {bandwidth_gb_per_s: 1, latency_us: 1, energy_pj_per_byte: 1}}
devices:
  - name: soc
    kind: soc
    memory_bytes: 1048576
    static_power_w: 0
    link: {bandwidth_gb_per_s: 1, latency_us: 1, energy_pj_per_byte: 1}
    params:
      clock_mhz: 100
      units:
        - {name: cores, form: mac_array, conv: 1, macs_per_cycle: 16, active_power_mw: 10}
links: {topology: full_mesh}
)");
  const auto r = run_cli({"split", "resnet20", "--platform", file});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("layer 'fc'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'cores'"), std::string::npos) << r.err;
}

TEST(SplitCli, NamesTheUnitWithZeroThroughputWithFileAndLine) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/zero.yaml";
  testing::write_file(file, R"(format: tessera.platform/1
name: zero
source: {name: host, link: {bandwidth_gb_per_s: 1, latency_us: 1, energy_pj_per_byte: 1}}
devices:
  - name: soc
    kind: soc
    memory_bytes: 1048576
    static_power_w: 0
    link: {bandwidth_gb_per_s: 1, latency_us: 1, energy_pj_per_byte: 1}
    params:
      clock_mhz: 100
      units:
        - name: cores
          form: mac_array
          conv: 1
          fc: 1
          macs_per_cycle: 0
          active_power_mw: 10
links: {topology: full_mesh}
)");
  const auto r = run_cli({"split", "resnet20", "--platform", file});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("zero.yaml:17"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unit 'cores' has zero throughput"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("macs_per_cycle"), std::string::npos) << r.err;
}

TEST(SplitCli, GarofaloClusterPutsPointwiseOnTheImaAndDepthwiseOnTheAccelerator) {
  const json doc = split_json({"mobilenet_v2", "--platform", "garofalo-imc"});
  ASSERT_FALSE(doc.is_null());
  std::map<std::string, json> layers;
  for (const auto& l : doc["layers"]) layers[l["name"].get<std::string>()] = l;
  // features.8: 64 -> 384 (1x1) -> depthwise 3x3 -> 64 (1x1) at 14x14.
  const auto channels = [&](const std::string& layer, int unit) {
    return layers.at(layer)["units"][unit]["channels"].get<int>();
  };
  EXPECT_EQ(channels("features.8.conv.0.0", 1), 384);  // expansion: all on the IMA
  EXPECT_EQ(channels("features.8.conv.2", 1), 64);     // projection: all on the IMA
  EXPECT_EQ(channels("features.8.conv.1.0", 1), 0);    // depthwise: never on the crossbar
  EXPECT_GT(channels("features.8.conv.1.0", 2), 0);    // ... but on the accelerator
  // Against the 8 cores alone the heterogeneous cluster is faster and cheaper.
  json cores;
  for (const auto& b : doc["baselines"]) {
    if (b["method"] == "all on cores") cores = b;
  }
  ASSERT_FALSE(cores.is_null());
  EXPECT_GT(cores["latency_s"].get<double>(), 2.0 * doc["totals"]["latency_s"].get<double>());
  EXPECT_GT(cores["energy_j"].get<double>(), 2.0 * doc["totals"]["energy_j"].get<double>());
  // More arrays never slow a layer down.
  const json multi = split_json({"mobilenet_v2", "--platform", "garofalo-imc-multi"});
  ASSERT_FALSE(multi.is_null());
  EXPECT_LT(multi["totals"]["latency_s"].get<double>(), doc["totals"]["latency_s"].get<double>());
}

TEST(SocPlanCli, PipelinesResnet20AcrossTwoDianasAndACpuAtTheOptimalSplits) {
  const auto r = run_cli({"plan", "resnet20", "--platform", "diana-pair-cpu", "--objective",
                          "latency", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json plan = json::parse(r.out);
  // Each layer's cost on a DIANA is its latency-optimal split: a stage's compute time is the
  // sum of `tessera split`'s per-layer latencies over its layers.
  const json split = split_json({"resnet20", "--platform", "diana"});
  ASSERT_FALSE(split.is_null());
  std::map<std::string, double> split_s;
  for (const auto& l : split["layers"]) split_s[l["name"]] = l["latency_s"].get<double>();
  const auto inspect = run_cli({"inspect", "resnet20", "--json", "-"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  const json layers = json::parse(inspect.out)["layers"];
  bool on_diana = false;
  for (const auto& s : plan["stages"]) {
    if (s["device"].get<std::string>().rfind("diana", 0) != 0) continue;
    on_diana = true;
    double sum = 0.0;
    for (int l = s["first_layer"].get<int>(); l <= s["last_layer"].get<int>(); ++l) {
      const std::string name = layers[l]["name"];
      if (split_s.count(name)) sum += split_s[name];
    }
    EXPECT_NEAR(s["compute_s"].get<double>(), sum, 1e-9 * sum) << s["device"];
  }
  EXPECT_TRUE(on_diana) << r.out;
  const auto pareto =
      run_cli({"pareto", "resnet20", "--platform", "diana-pair-cpu", "--json", "-"});
  ASSERT_EQ(pareto.exit_code, 0) << pareto.err;
  EXPECT_FALSE(json::parse(pareto.out)["points"].empty());
}

}  // namespace
}  // namespace tessera
