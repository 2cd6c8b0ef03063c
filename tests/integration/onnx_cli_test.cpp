// Every committed ONNX fixture inspects, plans and yields a Pareto front through the CLI, and
// agrees with the zoo model of the same network.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

using nlohmann::json;
using testing::run_cli;

struct Fixture {
  const char* file;
  const char* zoo;
  std::vector<std::string> extra;  ///< model options both runs need
  friend void PrintTo(const Fixture& f, std::ostream* os) { *os << f.file; }
};

std::string fixture_path(const Fixture& f) {
  return std::string(TESSERA_TEST_DATA_DIR) + "/onnx/" + f.file;
}

class OnnxCli : public ::testing::TestWithParam<Fixture> {};

TEST_P(OnnxCli, InspectAgreesWithTheZoo) {
  const auto& f = GetParam();
  auto onnx_args = std::vector<std::string>{"inspect", fixture_path(f), "--json", "-"};
  auto zoo_args = std::vector<std::string>{"inspect", f.zoo, "--json", "-"};
  onnx_args.insert(onnx_args.end(), f.extra.begin(), f.extra.end());
  zoo_args.insert(zoo_args.end(), f.extra.begin(), f.extra.end());
  const auto onnx = run_cli(onnx_args);
  const auto zoo = run_cli(zoo_args);
  ASSERT_EQ(onnx.exit_code, 0) << onnx.err;
  ASSERT_EQ(zoo.exit_code, 0) << zoo.err;
  const auto a = json::parse(onnx.out);
  const auto b = json::parse(zoo.out);
  EXPECT_EQ(a["layers"].size(), b["layers"].size());
  const double macs = b["totals"]["macs"].get<double>();
  EXPECT_NEAR(a["totals"]["macs"].get<double>(), macs, 0.01 * macs);
}

TEST_P(OnnxCli, PlansAndGivesAParetoFront) {
  const auto& f = GetParam();
  auto plan = std::vector<std::string>{"plan",           fixture_path(f), "--platform",
                                       "cluster-hetero", "--json",        "-"};
  plan.insert(plan.end(), f.extra.begin(), f.extra.end());
  const auto p = run_cli(plan);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_TRUE(json::parse(p.out)["solver"]["optimal"].get<bool>());
  auto pareto = std::vector<std::string>{"pareto",         fixture_path(f), "--platform",
                                         "cluster-hetero", "--json",        "-"};
  pareto.insert(pareto.end(), f.extra.begin(), f.extra.end());
  const auto q = run_cli(pareto);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_FALSE(json::parse(q.out)["points"].empty());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, OnnxCli,
                         ::testing::Values(Fixture{"resnet18.onnx", "resnet18", {}},
                                           Fixture{"resnet50.onnx", "resnet50", {}},
                                           Fixture{"mobilenet_v2.onnx", "mobilenet_v2", {}},
                                           Fixture{"vgg16.onnx", "vgg16", {}},
                                           Fixture{"gpt2.onnx", "gpt2", {"--seq-len", "128"}}),
                         [](const auto& param_info) { return std::string(param_info.param.zoo); });

TEST(OnnxCliErrors, NotAnOnnxFileIsBadInputNamingTheFile) {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  const auto path = dir + "/broken.onnx";
  testing::write_file(path, "this is not protobuf");
  const auto r = run_cli({"inspect", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  const auto missing = run_cli({"plan", dir + "/absent.onnx", "--platform", "edge-cpu"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("absent.onnx"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace tessera
