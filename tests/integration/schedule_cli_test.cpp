// `tessera schedule` end to end: the tessera.schedule/1 document on the shipped 2x2 package,
// the HTML report, and bad or infeasible workloads (exit 2 naming file, line and field; exit 3
// naming the binding constraint).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

using nlohmann::json;
using testing::run_cli;

const char* kWorkload = R"(format: tessera.workload/1
name: pair
models:
  - model: gpt2
    batch: 2
    seq_len: 16
  - model: resnet18
    batch: 4
)";

std::string write_workload(const testing::TempDir& dir, const std::string& text,
                           const char* name = "w.yaml") {
  const std::string file = dir.path() + "/" + name;
  testing::write_file(file, text);
  return file;
}

TEST(ScheduleCli, WritesAnOptimalScheduleWithItsBaselines) {
  testing::TempDir dir;
  const std::string file = write_workload(dir, kWorkload);
  const std::string html = dir.path() + "/s.html";
  const auto r = run_cli({"schedule", file, "--platform", "odema-2x2", "--objective", "edp",
                          "--json", "-", "--report", html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["format"], "tessera.schedule/1");
  EXPECT_EQ(doc["objective"], "edp");
  EXPECT_TRUE(doc["solver"]["optimal"].get<bool>());
  const auto& m = doc["metrics"];
  EXPECT_NEAR(m["edp_j_s"].get<double>(),
              m["weighted_latency_s"].get<double>() * m["energy_j"].get<double>(),
              1e-9 * m["edp_j_s"].get<double>());
  const auto& e = doc["energy_breakdown"];
  EXPECT_NEAR(e["compute_j"].get<double>() + e["l2_j"].get<double>() + e["nop_j"].get<double>() +
                  e["dram_j"].get<double>(),
              m["energy_j"].get<double>(), 1e-9 * m["energy_j"].get<double>());
  ASSERT_EQ(doc["models"].size(), 2u);
  std::set<std::string> chiplets;
  for (const auto& model : doc["models"]) {
    int next = 0;
    for (const auto& s : model["segments"]) {
      EXPECT_EQ(s["first_layer"].get<int>(), next);
      next = s["last_layer"].get<int>() + 1;
      EXPECT_TRUE(chiplets.insert(s["chiplet"].get<std::string>()).second) << "a chiplet twice";
    }
    EXPECT_GT(next, 10);
  }
  std::set<std::string> names;
  for (const auto& b : doc["baselines"]) {
    names.insert(b["name"].get<std::string>());
    // Baselines on the same package never beat the proven optimum.
    if (b["feasible"].get<bool>() && (b["name"] == "standalone" || b["name"] == "scar-heuristic")) {
      EXPECT_GE(b["metrics"]["edp_j_s"].get<double>(), m["edp_j_s"].get<double>() * (1 - 1e-12))
          << b["name"];
    }
  }
  for (const char* n : {"standalone", "scar-heuristic", "standalone-ws", "pipelined-ws",
                        "standalone-os", "pipelined-os"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
  const std::string page = testing::read_file(html);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("Gantt"), std::string::npos);
}

TEST(ScheduleCli, TimeWindowsAddUpAndCoverEveryLayerOnce) {
  testing::TempDir dir;
  const auto r = run_cli({"schedule", write_workload(dir, kWorkload), "--platform", "odema-2x2",
                          "--windows", "3", "--no-baselines", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  const auto& w = doc["windows"];
  ASSERT_TRUE(w["feasible"].get<bool>());
  ASSERT_GE(w["windows"].size(), 2u);
  double latency = 0.0;
  double energy = 0.0;
  std::map<std::string, int> next;
  for (const auto& one : w["windows"]) {
    latency += one["latency_s"].get<double>();
    energy += one["energy_j"].get<double>();
    for (const auto& m : one["models"]) {
      const std::string name = m["name"];
      EXPECT_EQ(m["first_layer"].get<int>(), next[name]) << name;
      next[name] = m["last_layer"].get<int>() + 1;
    }
  }
  EXPECT_NEAR(w["latency_s"].get<double>(), latency, 1e-12 * latency);
  EXPECT_NEAR(w["energy_j"].get<double>(), energy, 1e-12 * energy);
  EXPECT_NEAR(w["edp_j_s"].get<double>(), latency * energy, 1e-9 * latency * energy);
  for (const auto& model : doc["models"]) {
    EXPECT_EQ(next[model["name"].get<std::string>()],
              model["segments"].back()["last_layer"].get<int>() + 1);
  }
}

TEST(ScheduleCli, AZeroBatchAndAMisspeltKeyAreBadInputWithLines) {
  testing::TempDir dir;
  std::string text = kWorkload;
  text.replace(text.find("batch: 4"), 8, "batch: 0");
  text.replace(text.find("seq_len"), 7, "seq_lne");
  const std::string file = write_workload(dir, text);
  const auto r = run_cli({"schedule", file, "--platform", "odema-2x2"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("w.yaml:8:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("models[1].batch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("models[0].seq_lne"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'seq_len'"), std::string::npos) << r.err;
}

TEST(ScheduleCli, AnUnknownModelAndANonChipletPlatformAreBadInput) {
  testing::TempDir dir;
  std::string text = kWorkload;
  text.replace(text.find("resnet18"), 8, "resnet19");
  auto r = run_cli({"schedule", write_workload(dir, text), "--platform", "odema-2x2"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("models[1].model"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("resnet19"), std::string::npos) << r.err;
  r = run_cli({"schedule", write_workload(dir, kWorkload, "ok.yaml"), "--platform", "edge-cpu"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("dataflow chiplets"), std::string::npos) << r.err;
}

TEST(ScheduleCli, WorkLimitsThatAreNotPositiveNumbersAreBadInput) {
  testing::TempDir dir;
  const std::string workload = write_workload(dir, kWorkload);
  for (const char* option : {"--work-limit", "--proof-work-limit"}) {
    for (const char* value : {"-5", "0", "nan", "inf", "many"}) {
      const auto r = run_cli({"schedule", workload, "--platform", "odema-2x2", option, value});
      EXPECT_EQ(r.exit_code, 2) << option << ' ' << value << ": " << r.err;
      EXPECT_NE(r.err.find(option), std::string::npos) << r.err;
    }
  }
}

TEST(ScheduleCli, AnUnmeetableDeadlineOrTooLittleMemoryIsInfeasible) {
  testing::TempDir dir;
  std::string text = kWorkload;
  text += "    deadline_s: 1e-9\n";
  auto r = run_cli({"schedule", write_workload(dir, text), "--platform", "odema-2x2"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("resnet18"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("deadline"), std::string::npos) << r.err;
  std::string platform = testing::preset_text("odema-2x2");
  for (auto at = platform.find("memory_gib: 16"); at != std::string::npos;
       at = platform.find("memory_gib: 16")) {
    platform.replace(at, 14, "memory_bytes: 1000");
  }
  const std::string small = dir.path() + "/small.yaml";
  testing::write_file(small, platform);
  r = run_cli({"schedule", write_workload(dir, kWorkload, "ok.yaml"), "--platform", small});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("memory"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tessera
