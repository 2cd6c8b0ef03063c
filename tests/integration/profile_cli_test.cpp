// `tessera profile`: measured per-layer costs on this machine, written as a problem file that
// `tessera plan` reads (model -> profile -> plan).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

using nlohmann::json;
using testing::read_file;
using testing::run_cli;
using testing::TempDir;

TEST(ProfileCli, MeasuresADeviceOfAPlatformAndThePlannerReadsIt) {
  TempDir dir;
  const std::string out = dir.path() + "/vgg8.problem.json";
  const auto r = run_cli({"profile", "vgg8", "--platform", "cluster-hetero", "--device", "rpi4-0",
                          "--out", out, "--threads", "1", "--max-seconds-per-layer", "0.05"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("measured_ms"), std::string::npos) << r.out;
  const auto doc = json::parse(read_file(out));
  EXPECT_EQ(doc["format"], "tessera.problem/1");
  const auto layers = doc["layers"].size();
  EXPECT_EQ(layers, 8U);  // VGG8: 6 conv + 2 FC
  bool found = false;
  for (const auto& d : doc["devices"]) {
    if (d["name"] != "rpi4-0") continue;
    found = true;
    ASSERT_EQ(d["layer_time_s"].size(), layers);
    for (const auto& t : d["layer_time_s"]) EXPECT_GT(t.get<double>(), 0.0);
    // Weights are measured as laid out by the executor: conv layers hold their filters.
    for (const auto& m : d["layer_memory_bytes"]) EXPECT_GT(m.get<double>(), 0.0);
  }
  EXPECT_TRUE(found);
  const auto plan = run_cli({"plan", out});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
}

TEST(ProfileCli, WithoutAPlatformWritesThisMachineAsOneDevice) {
  TempDir dir;
  const std::string out = dir.path() + "/here.problem.json";
  const auto r = run_cli({"profile", "vgg8", "--device", "this-cpu", "--out", out, "--threads", "1",
                          "--max-seconds-per-layer", "0.05"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(read_file(out));
  ASSERT_EQ(doc["devices"].size(), 1U);
  EXPECT_EQ(doc["devices"][0]["name"], "this-cpu");
  const auto plan = run_cli({"plan", out, "--json", "-"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("this-cpu"), std::string::npos);
}

// --co-run: the layers are timed while every other CPU runs the model (a pipeline's stages compute
// at once). With one CPU there is nothing to run beside the measurement: bad input, said so.
TEST(ProfileCli, CoRunTimesTheLayersWhileTheOtherCpusRunTheModel) {
  TempDir dir;
  const std::string out = dir.path() + "/vgg8.problem.json";
  const auto r = run_cli({"profile", "vgg8", "--device", "core", "--out", out, "--co-run",
                          "--max-seconds-per-layer", "0.05"});
  if (std::thread::hardware_concurrency() < 2 && r.exit_code == 2) {
    EXPECT_NE(r.err.find("needs at least 2 CPUs"), std::string::npos) << r.err;
    GTEST_SKIP() << "one CPU: --co-run has no other CPU to load";
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto at = r.out.find("meanwhile every other CPU ran the model, ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const auto runs =
      std::stol(r.out.substr(at + std::string("meanwhile every other CPU ran the model, ").size()));
  EXPECT_GE(runs, 1) << r.out;  // each co-runner finished a run before the timing started
  const auto doc = json::parse(read_file(out));
  for (const auto& t : doc["devices"][0]["layer_time_s"]) EXPECT_GT(t.get<double>(), 0.0);
}

TEST(ProfileCli, CoRunTimesSingleThreadStages) {
  TempDir dir;
  const auto r = run_cli({"profile", "vgg8", "--device", "core", "--out",
                          dir.path() + "/x.problem.json", "--co-run", "--threads", "2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--threads"), std::string::npos) << r.err;
}

TEST(ProfileCli, AnUnknownDeviceIsBadInput) {
  TempDir dir;
  const auto r = run_cli({"profile", "vgg8", "--platform", "cluster-hetero", "--device", "nope",
                          "--out", dir.path() + "/x.problem.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no device 'nope'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rpi4-0"), std::string::npos) << r.err;
}

TEST(ProfileCli, TheOutputMustBeAProblemFile) {
  const auto r = run_cli({"profile", "vgg8", "--device", "x", "--out", "/tmp/x.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(".problem.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tessera
