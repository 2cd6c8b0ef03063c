// Dataflow chiplets end to end: `tessera estimate` on the shipped chiplet package, and bad
// chiplet and package input (exit 2 naming the file, the line and the field).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

using nlohmann::json;
using testing::run_cli;

TEST(DataflowCli, EstimatesEveryResnet18LayerOnBothDataflows) {
  double latency[2] = {0.0, 0.0};
  int i = 0;
  for (const char* device : {"ws-0", "os"}) {
    const auto r = run_cli(
        {"estimate", "resnet18", "--platform", "odema-2x2", "--device", device, "--json", "-"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    EXPECT_EQ(doc["device_kind"], "dataflow");
    EXPECT_EQ(doc["array"]["pes"], 4096);
    double sum = 0.0;
    double energy = 0.0;
    for (const auto& l : doc["layers"]) {
      sum += l["latency_s"].get<double>();
      energy += l["energy_j"].get<double>();
      const double parts = l["parts"]["mac_j"].get<double>() + l["parts"]["l1_j"].get<double>() +
                           l["parts"]["l2_j"].get<double>() + l["parts"]["dram_j"].get<double>();
      EXPECT_NEAR(l["energy_j"].get<double>(), parts, 1e-12 * parts) << l["name"];
      EXPECT_GT(l["parts"]["utilisation"].get<double>(), 0.0) << l["name"];
      EXPECT_LE(l["parts"]["utilisation"].get<double>(), 1.0) << l["name"];
    }
    EXPECT_NEAR(doc["totals"]["latency_s"].get<double>(), sum, 1e-12);
    EXPECT_NEAR(doc["totals"]["energy_j"].get<double>(), energy, 1e-12);
    latency[i++] = sum;
  }
  // ResNet-18's late layers have 7x7 outputs: an array of 512 output positions idles there,
  // 64-deep reductions over 256-512 channels do not.
  EXPECT_LT(latency[0], latency[1]);
}

TEST(DataflowCli, AnUnknownDataflowIsBadInputNamingFileLineAndField) {
  testing::TempDir dir;
  std::string text = testing::preset_text("odema-2x2");
  const std::string from = "dataflow: output_stationary";
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "dataflow: row_stationary");
  const std::string file = dir.path() + "/bad.yaml";
  testing::write_file(file, text);
  const auto r = run_cli({"estimate", "resnet18", "--platform", file, "--device", "os"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("bad.yaml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("devices[1].params.dataflow"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("row-stationary"), std::string::npos) << r.err;
}

TEST(DataflowCli, AChipletOutsideTheMeshIsBadInputNamingFileLineAndField) {
  testing::TempDir dir;
  std::string text = testing::preset_text("odema-2x2");
  const std::string from = "os: [1, 1]";
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "os: [1, 7]");
  const std::string file = dir.path() + "/outside.yaml";
  testing::write_file(file, text);
  const auto r = run_cli({"estimate", "resnet18", "--platform", file, "--device", "os"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("outside.yaml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("links.mesh.placement.os"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("outside"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tessera
