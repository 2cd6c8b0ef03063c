// `tessera plan` and `tessera pareto` end to end: zoo models on presets, problem files,
// PipeEdge's README example, infeasible and bad inputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/cli_runner.hpp"
#include "support/random_instance.hpp"
#include "tessera/io/problem_json.hpp"

namespace tessera {
namespace {

using nlohmann::json;
using testing::run_cli;

const std::string kPipeEdgeDir = std::string(TESSERA_SHARED_DIR) + "/data/pipeedge-readme";

TEST(PlanCli, PlansAZooModelOnAHeterogeneousPreset) {
  const auto r = run_cli({"plan", "resnet50", "--platform", "cluster-hetero", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc["format"], "tessera.plan/1");
  ASSERT_FALSE(doc["stages"].empty());
  EXPECT_TRUE(doc["solver"]["optimal"].get<bool>());
  // Stages cover every layer in order, each device at most once.
  std::int64_t next = 0;
  std::set<std::string> devices;
  for (const auto& s : doc["stages"]) {
    EXPECT_EQ(s["first_layer"].get<std::int64_t>(), next);
    next = s["last_layer"].get<std::int64_t>() + 1;
    EXPECT_TRUE(devices.insert(s["device"].get<std::string>()).second);
    EXPECT_LE(s["stage_s"].get<double>(), doc["metrics"]["period_s"].get<double>() * (1 + 1e-12));
  }
  EXPECT_EQ(next, static_cast<std::int64_t>(doc["layers"].size()));
  const auto& m = doc["metrics"];
  EXPECT_NEAR(m["throughput_per_s"].get<double>(), 1.0 / m["period_s"].get<double>(), 1e-9);
  // The optimum is at least as good as every baseline.
  for (const auto& b : doc["baselines"]) {
    if (!b.contains("metrics")) continue;
    EXPECT_LE(m["period_s"].get<double>(), b["metrics"]["period_s"].get<double>() * (1 + 1e-12))
        << b["name"];
  }
}

TEST(PlanCli, PrintsAStageTableWithUnits) {
  const auto r = run_cli({"plan", "vgg8", "--platform", "cluster-hetero"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("period"), std::string::npos);
  EXPECT_NE(r.out.find("inferences/s"), std::string::npos);
  EXPECT_NE(r.out.find("proven optimal"), std::string::npos);
}

TEST(PlanCli, EnergyObjectiveNeverCostsMoreEnergyThanThroughput) {
  const auto t =
      json::parse(run_cli({"plan", "resnet18", "--platform", "cluster-hetero", "--json", "-"}).out);
  const auto e = json::parse(run_cli({"plan", "resnet18", "--platform", "cluster-hetero",
                                      "--objective", "energy", "--json", "-"})
                                 .out);
  EXPECT_LE(e["metrics"]["energy_per_inference_j"].get<double>(),
            t["metrics"]["energy_per_inference_j"].get<double>() * (1 + 1e-12));
  EXPECT_GE(e["metrics"]["period_s"].get<double>(),
            t["metrics"]["period_s"].get<double>() * (1 - 1e-12));
}

TEST(PlanCli, ReadsPipeEdgeFilesAndFindsTheOptimum) {
  if (!std::filesystem::exists(kPipeEdgeDir)) GTEST_SKIP() << "../shared is absent";
  const std::vector<std::string> base = {"plan",
                                         "--pipeedge",
                                         kPipeEdgeDir + "/models.yml",
                                         kPipeEdgeDir + "/device_types.yml",
                                         kPipeEdgeDir + "/devices_fixed.yml",
                                         "--model",
                                         "google/vit-base-patch16-224"};
  auto with = [&](std::vector<std::string> extra) {
    auto a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return run_cli(a);
  };
  const auto j = with({"--json", "-"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto doc = json::parse(j.out);
  // PipeEdge's README example: PipeEdge's shipped scheduler prints a 1.726 s bottleneck; the
  // optimum under its own cost model is 1.549 s (../shared/data/pipeedge-readme/README.md).
  EXPECT_NEAR(doc["metrics"]["period_s"].get<double>(), 1.549, 0.0005);
  EXPECT_TRUE(doc["solver"]["optimal"].get<bool>());
  const auto e = with({"--emit", "pipeedge"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(e.out.rfind("- ", 0), 0u) << e.out;
  EXPECT_NE(e.out.find(": [1, "), std::string::npos) << e.out;
  EXPECT_NE(e.out.find(", 48]"), std::string::npos) << e.out;
}

TEST(PlanCli, ProblemFileRoundTripGivesTheSamePlan) {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  const auto problem = dir + "/vgg8.problem.json";
  const auto a = run_cli(
      {"plan", "vgg8", "--platform", "cluster-hetero", "--save-problem", problem, "--json", "-"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto b = run_cli({"plan", problem, "--json", "-"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(json::parse(a.out)["stages"], json::parse(b.out)["stages"]);
}

TEST(PlanCli, InfeasibleExitsThreeNamingTheConstraint) {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  const auto problem = dir + "/tight.problem.json";
  // Layer "big" needs 500 bytes; the only device holds 100.
  testing::write_file(problem, R"({"format": "tessera.problem/1", "layers": ["small", "big"],
    "cut_bytes": [0, 0, 0],
    "devices": [{"name": "tiny", "capacity_bytes": 100, "layer_time_s": [1, 1],
                 "layer_memory_bytes": [10, 500]}],
    "links": {"latency_s": 0, "bandwidth_bytes_per_s": 1e9}})");
  const auto r = run_cli({"plan", problem});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("big"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tiny"), std::string::npos) << r.err;
}

TEST(PlanCli, BadInputsExitTwoNamingFileAndField) {
  EXPECT_EQ(run_cli({"plan", "resnet50"}).exit_code, 2) << "missing --platform";
  const auto unknown = run_cli({"plan", "resnet50", "--platform", "no-such-preset"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no-such-preset"), std::string::npos) << unknown.err;
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  const auto yaml = dir + "/bad.yaml";
  testing::write_file(yaml,
                      "format: tessera.platform/1\nname: bad\ndevices:\n  - name: a\n"
                      "    kind: quantum\n");
  const auto bad = run_cli({"plan", "vgg8", "--platform", yaml});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(yaml + ":5"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("kind"), std::string::npos) << bad.err;
  EXPECT_EQ(run_cli({"plan", "vgg8", "--platform", "cluster-hetero", "--alpha", "2"}).exit_code, 2);
}

// The issue's acceptance case: resnet152 on the 16-device heterogeneous preset.
TEST(ParetoCli, FrontIsSortedAndHoldsEveryWeightedOptimum) {
  const auto r = run_cli({"pareto", "resnet152", "--platform", "hetero16", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc["format"], "tessera.pareto/1");
  const auto& pts = doc["points"];
  ASSERT_FALSE(pts.empty());
  for (std::size_t i = 1; i < pts.size(); ++i) {
    EXPECT_GT(pts[i]["period_s"].get<double>(), pts[i - 1]["period_s"].get<double>());
    EXPECT_LT(pts[i]["energy_per_inference_j"].get<double>(),
              pts[i - 1]["energy_per_inference_j"].get<double>());
  }
  for (const char* alpha : {"0", "0.25", "0.5", "0.75", "1"}) {
    const auto w = json::parse(run_cli({"plan", "resnet152", "--platform", "hetero16",
                                        "--objective", "weighted", "--alpha", alpha, "--json", "-"})
                                   .out);
    const double p = w["metrics"]["period_s"].get<double>();
    const double e = w["metrics"]["energy_per_inference_j"].get<double>();
    bool on_front = false;
    for (const auto& pt : pts)
      on_front |= std::abs(pt["period_s"].get<double>() - p) <= 1e-9 * p &&
                  std::abs(pt["energy_per_inference_j"].get<double>() - e) <= 1e-9 * e;
    EXPECT_TRUE(on_front) << "alpha " << alpha << ": (" << p << " s, " << e << " J)";
  }
}

TEST(ParetoCli, WritesCsv) {
  const auto r = run_cli({"pareto", "vgg8", "--platform", "cluster-hetero", "--csv", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("period_s,throughput_per_s,energy_per_sample_j,energy_per_inference_j", 0),
            0u);
}

TEST(ParetoCli, ThreadsGiveTheSameFront) {
  const auto one = run_cli({"pareto", "resnet152", "--platform", "hetero16", "--csv", "-"});
  const auto two =
      run_cli({"pareto", "resnet152", "--platform", "hetero16", "--csv", "-", "--threads", "2"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(two.out, one.out);
  EXPECT_EQ(run_cli({"pareto", "resnet152", "--platform", "hetero16", "--threads", "0"}).exit_code,
            2);
}

}  // namespace
}  // namespace tessera

namespace tessera {
namespace {

using nlohmann::json;
using testing::run_cli;

// A random problem beyond the exact search (34 distinct devices: 2^34 count vectors).
std::string large_problem(const testing::TempDir& dir) {
  testing::RandomInstanceSpec spec;
  spec.layers = 60;
  spec.class_sizes.assign(34, 1);
  spec.seed = 3;
  spec.memory_tightness = 0.5;
  const std::string path = dir.path() + "/large.problem.json";
  testing::write_file(path, io::problem_json(testing::random_cost_table(spec)));
  return path;
}

TEST(PlanCli, AnytimeModeReportsABoundAndAGap) {
  const testing::TempDir dir;
  const std::string problem = large_problem(dir);
  const auto r = run_cli({"plan", problem, "--time-limit", "0.5", "--gap", "1%", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  const auto& solver = doc["solver"];
  ASSERT_TRUE(solver.contains("period_lower_bound_s"));
  ASSERT_TRUE(solver.contains("gap_fraction"));
  const double lower = solver["period_lower_bound_s"].get<double>();
  const double period = doc["metrics"]["period_s"].get<double>();
  EXPECT_GT(lower, 0.0);
  EXPECT_LE(lower, period);
  EXPECT_NEAR(solver["gap_fraction"].get<double>(), (period - lower) / lower, 1e-9);
  const auto text = run_cli({"plan", problem, "--time-limit", "0.2"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("of optimal (lower bound "), std::string::npos) << text.out;
  // Without a limit: the baseline fallback, no bound.
  const auto plain = run_cli({"plan", problem, "--json", "-"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_FALSE(json::parse(plain.out)["solver"].contains("gap_fraction"));
  const auto hint = run_cli({"plan", problem});
  ASSERT_EQ(hint.exit_code, 0) << hint.err;
  EXPECT_NE(hint.out.find("--time-limit SECONDS searches further"), std::string::npos) << hint.out;
}

TEST(PlanCli, AnytimeModeWithinExactReachIsOptimalWithGapZero) {
  const auto r = run_cli({"plan", "resnet50", "--platform", "cluster-hetero", "--time-limit", "30",
                          "--gap", "0", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_TRUE(doc["solver"]["optimal"].get<bool>());
  EXPECT_EQ(doc["solver"]["gap_fraction"].get<double>(), 0.0);
  EXPECT_EQ(doc["solver"]["period_lower_bound_s"].get<double>(),
            doc["metrics"]["period_s"].get<double>());
}

TEST(PlanCli, AnytimeOptionsRefuseBadValuesNamingTheOption) {
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--time-limit", "-1"},
                                              {"--time-limit", "nan"},
                                              {"--gap", "-0.5"},
                                              {"--gap", "nan"},
                                              {"--gap", "1%%"},
                                              {"--gap", "abc"}}) {
    std::vector<std::string> args{"plan", "resnet50", "--platform", "cluster-hetero"};
    args.insert(args.end(), bad.begin(), bad.end());
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << bad[0] << " " << bad[1];
    EXPECT_NE(r.err.find(bad[0]), std::string::npos) << r.err;
  }
  const auto latency = run_cli({"plan", "resnet50", "--platform", "cluster-hetero", "--objective",
                                "latency", "--time-limit", "5"});
  EXPECT_EQ(latency.exit_code, 2);
  EXPECT_NE(latency.err.find("throughput only"), std::string::npos) << latency.err;
}

}  // namespace
}  // namespace tessera
