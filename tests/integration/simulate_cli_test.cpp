// tessera simulate and the plot/report options of plan and pareto, through the CLI binary.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

using testing::run_cli;

TEST(SimulateCli, SimulatesAPlanFileAndMatchesItsAnalyticPeriod) {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  const auto plan = dir + "/plan.json";
  auto p = run_cli({"plan", "vgg16", "--platform", "cluster-homogeneous", "--json", plan});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto s = run_cli({"simulate", "--plan", plan, "--inferences", "200", "--json", "-", "--trace",
                    dir + "/trace.json", "--gantt", dir + "/gantt.svg"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto doc = nlohmann::json::parse(s.out);
  EXPECT_EQ(doc["format"], "tessera.simulation/1");
  const double period = doc["period_s"].get<double>();
  const double analytic = doc["analytic"]["period_s"].get<double>();
  EXPECT_NEAR(period, analytic, 0.01 * analytic);
  EXPECT_GT(doc["latency_p99_s"].get<double>(), 0.0);
  EXPECT_EQ(doc["devices"].size(), doc["queues"].size());
  for (const auto& d : doc["devices"]) {
    EXPECT_GT(d["utilisation"].get<double>(), 0.0);
    EXPECT_LE(d["utilisation"].get<double>(), 1.0 + 1e-9);
    EXPECT_GT(d["energy_j"].get<double>(), 0.0);
  }
  const auto trace = nlohmann::json::parse(testing::read_file(dir + "/trace.json"));
  ASSERT_TRUE(trace["traceEvents"].is_array());
  std::size_t complete = 0;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "X") ++complete;
  // Per inference: one compute per stage and one transfer into each stage plus the sink.
  const auto stages = doc["devices"].size();
  EXPECT_EQ(complete, 200 * (2 * stages + 1));
  const auto gantt = testing::read_file(dir + "/gantt.svg");
  EXPECT_NE(gantt.find("<svg"), std::string::npos);
  EXPECT_NE(gantt.find("simulated time (s)"), std::string::npos);
}

TEST(SimulateCli, PlanSimulateShowsContentionOnASharedBus) {
  // examples/cluster-bus.yaml: cluster-homogeneous with one shared medium instead of a switch;
  // the planner's link matrix is the same, the simulated period is not.
  const std::string bus = std::string(TESSERA_PRESET_DIR) + "/../examples/cluster-bus.yaml";
  auto r = run_cli({"plan", "resnet18", "--platform", bus, "--simulate", "200"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("simulation (SimGrid)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(shared_bus)"), std::string::npos) << r.out;
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  ASSERT_EQ(run_cli({"plan", "resnet18", "--platform", bus, "--json", dir + "/p.json"}).exit_code,
            0);
  auto s = run_cli({"simulate", "--plan", dir + "/p.json", "-n", "300", "--json", "-"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto doc = nlohmann::json::parse(s.out);
  EXPECT_EQ(doc["topology"], "shared_bus");
  // About 57 ms of bus traffic per inference against a 24.4 ms analytic period.
  EXPECT_GT(doc["period_s"].get<double>(), 1.5 * doc["analytic"]["period_s"].get<double>());
}

TEST(SimulateCli, RejectsAFileThatIsNotAPlan) {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  testing::write_file(dir + "/bad.json", R"({"format": "tessera.model/1"})");
  auto s = run_cli({"simulate", "--plan", dir + "/bad.json"});
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.err.find("format"), std::string::npos) << s.err;
  EXPECT_NE(s.err.find("inputs"), std::string::npos) << s.err;
}

TEST(SimulateCli, ParetoWritesAnSvgWithAxesAndTheChosenPoint) {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  auto r = run_cli(
      {"pareto", "vgg16", "--platform", "cluster-homogeneous", "--svg", dir + "/front.svg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto svg = testing::read_file(dir + "/front.svg");
  EXPECT_NE(svg.find("period per inference ("), std::string::npos);
  EXPECT_NE(svg.find("energy per inference ("), std::string::npos);
  EXPECT_NE(svg.find("chosen plan"), std::string::npos);
  EXPECT_NE(svg.find("baseline even split"), std::string::npos);
  EXPECT_EQ(r.err, "");  // no progress output when stderr is not a terminal
}

TEST(SimulateCli, PlanReportIsOneSelfContainedHtmlFile) {
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  auto r = run_cli(
      {"plan", "vgg16", "--platform", "cluster-homogeneous", "--report", dir + "/report.html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto html = testing::read_file(dir + "/report.html");
  for (const char* part : {"<!DOCTYPE html>", "Model and platform", "Pareto front",
                           "Simulated pipeline", "busy time per device", "energy per device"})
    EXPECT_NE(html.find(part), std::string::npos) << part;
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

}  // namespace
}  // namespace tessera
