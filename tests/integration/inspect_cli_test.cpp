// `tessera models` and `tessera inspect` end to end.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

using testing::run_cli;

TEST(InspectCli, ListsTheZoo) {
  const auto r = run_cli({"models"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* m : {"vgg8", "vgg16", "resnet18", "resnet50", "resnet152", "mobilenet_v2",
                        "gpt2", "vit_b16", "bert_base"})
    EXPECT_NE(r.out.find(m), std::string::npos) << m;
}

struct Reference {
  const char* model;
  std::int64_t parameters;
  double macs;  ///< 0 = no published MAC count asserted
  friend void PrintTo(const Reference& r, std::ostream* os) { *os << r.model; }
};

// Parameter counts of the reference implementations (torchvision 0.14 `sum(p.numel())`,
// Hugging Face `num_parameters()`), MACs from torchvision's model documentation (GFLOPS column,
// which counts multiply-accumulates).
class InspectJson : public ::testing::TestWithParam<Reference> {};

TEST_P(InspectJson, ReportsExactParametersAndMacs) {
  const auto ref = GetParam();
  const auto r = run_cli({"inspect", ref.model, "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["format"], "tessera.model/1");
  EXPECT_EQ(doc["name"], ref.model);
  EXPECT_EQ(doc["totals"]["parameters"].get<std::int64_t>(), ref.parameters);
  if (ref.macs > 0) {
    EXPECT_NEAR(doc["totals"]["macs"].get<double>(), ref.macs, 0.01 * ref.macs);
  }
  EXPECT_EQ(doc["totals"]["weight_bytes"].get<std::int64_t>(), 4 * ref.parameters);
  // Cut sizes: one per layer boundary, input and output included.
  EXPECT_EQ(doc["cuts"].size(), doc["layers"].size() + 1);
}

INSTANTIATE_TEST_SUITE_P(
    Zoo, InspectJson,
    ::testing::Values(Reference{"resnet18", 11689512, 1.81e9},
                      Reference{"resnet50", 25557032, 4.09e9},
                      Reference{"resnet152", 60192808, 11.5e9},
                      Reference{"vgg16", 138357544, 15.5e9},
                      Reference{"mobilenet_v2", 3504872, 0.30e9}, Reference{"vit_b16", 86567656, 0},
                      Reference{"bert_base", 109482240, 0}, Reference{"gpt2", 124439808, 0}),
    [](const auto& param_info) { return std::string(param_info.param.model); });

TEST(InspectCli, BatchScalesMacsNotParameters) {
  const auto one = nlohmann::json::parse(run_cli({"inspect", "resnet18", "--json", "-"}).out);
  const auto four =
      nlohmann::json::parse(run_cli({"inspect", "resnet18", "--batch", "4", "--json", "-"}).out);
  EXPECT_EQ(four["totals"]["macs"].get<std::int64_t>(),
            4 * one["totals"]["macs"].get<std::int64_t>());
  EXPECT_EQ(four["totals"]["parameters"], one["totals"]["parameters"]);
}

TEST(InspectCli, PrintsAReadableTable) {
  const auto r = run_cli({"inspect", "vgg8"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cut after"), std::string::npos);
  EXPECT_NE(r.out.find("conv1"), std::string::npos);
  EXPECT_NE(r.out.find("12,973,440"), std::string::npos);
}

TEST(InspectCli, UnknownModelIsBadInput) {
  const auto r = run_cli({"inspect", "resnet9000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("resnet9000"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("model"), std::string::npos) << r.err;
}

TEST(InspectCli, MissingArgumentIsBadInput) {
  EXPECT_EQ(run_cli({"inspect"}).exit_code, 2);
  EXPECT_EQ(run_cli({"no-such-command"}).exit_code, 2);
}

TEST(InspectCli, UnwritableJsonFileIsBadInput) {
  const auto r = run_cli({"inspect", "vgg8", "--json", "/nonexistent-dir/x.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent-dir/x.json"), std::string::npos);
}

}  // namespace
}  // namespace tessera
