// Argument errors and out-of-range options: exit 2, a "tessera: error:" line that names the
// option and its range in a few digits, and a "did you mean" where a name was misspelt.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_runner.hpp"
#include "tessera/core/format.hpp"

namespace tessera {
namespace {

using testing::run_cli;

struct BadArgs {
  const char* name;
  std::vector<std::string> args;
  std::string message;  ///< the first line of stderr
  friend void PrintTo(const BadArgs& b, std::ostream* os) { *os << b.name; }
};

class BadArgsCli : public ::testing::TestWithParam<BadArgs> {};

TEST_P(BadArgsCli, ExitsTwoWithOneShortErrorLine) {
  const auto& c = GetParam();
  const auto r = run_cli(c.args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), c.message) << r.err;
  EXPECT_LT(r.err.size(), 300U) << "no 309-digit bounds: " << r.err;
}

const std::vector<std::string> kPlan = {"plan", "vgg8", "--platform", "edge-cpu"};

std::vector<std::string> plan_with(std::vector<std::string> extra) {
  auto args = kPlan;
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadArgsCli,
    ::testing::Values(
        // Accepted before, and a plan chosen with a NaN weight.
        BadArgs{"alpha_nan", plan_with({"--objective", "weighted", "--alpha", "nan"}),
                "tessera: error: --alpha: must be a number from 0 to 1, got 'nan'"},
        // Reported as infeasible (exit 3) before.
        BadArgs{"input_buffers_nan", plan_with({"--input-buffers", "nan"}),
                "tessera: error: --input-buffers: must be a number from 0 to 1024, got 'nan'"},
        // std::bad_alloc (internal error) before.
        BadArgs{"input_buffers_huge", plan_with({"--input-buffers", "1e308"}),
                "tessera: error: --input-buffers: must be a number from 0 to 1024, got '1e308'"},
        // The range printed DBL_MAX in 309 digits before.
        BadArgs{"simulate_zero", plan_with({"--simulate", "0"}),
                "tessera: error: --simulate: must be a whole number from 1 to 10000000, got '0'"},
        BadArgs{"batch_text", plan_with({"--batch", "x"}),
                "tessera: error: --batch: must be a whole number from 1 to 65536, got 'x'"},
        BadArgs{"period_cap_negative", plan_with({"--period-cap-s", "-1"}),
                "tessera: error: --period-cap-s: must be a positive number, got '-1'"},
        // CLI11's own messages lacked the prefix and a suggestion.
        BadArgs{"unknown_command",
                {"pln", "vgg8"},
                "tessera: error: unknown command 'pln' (commands: models, platforms, inspect, "
                "plan, pareto, simulate, estimate, run, split, profile, schedule); did you mean "
                "'plan'?"},
        BadArgs{"unknown_option", plan_with({"--objectiv", "latency"}),
                "tessera: error: unexpected arguments --objectiv latency; did you mean "
                "'--objective'?"},
        BadArgs{"unknown_value", plan_with({"--objective", "wieghted"}),
                "tessera: error: --objective: unknown value 'wieghted' (one of throughput, "
                "latency, energy, weighted); did you mean 'weighted'?"},
        // Was silently ignored.
        BadArgs{"alpha_without_weighted", plan_with({"--alpha", "0.3"}),
                "tessera: error: --alpha: applies to --objective weighted only (the objective "
                "is throughput)"},
        // A segfault (signal 11) after 30 s: OpenMP started 10^8 threads.
        BadArgs{"run_threads_huge",
                {"run", "vgg8", "--threads", "100000000"},
                "tessera: error: --threads: must be a whole number from 0 to 1024, got "
                "'100000000'"},
        // CLI11's "Could not convert: --inferences = 1e30" before.
        BadArgs{"run_inferences_float",
                {"run", "vgg8", "--inferences", "1e30"},
                "tessera: error: --inferences: must be a whole number from 1 to 10000000, got "
                "'1e30'"},
        BadArgs{"run_input_queue_huge",
                {"run", "vgg8", "--plan", "p.json", "--input-queue", "100000000"},
                "tessera: error: --input-queue: must be a whole number from 1 to 1024, got "
                "'100000000'"},
        // Accepted, and the profile ran with a NaN time budget.
        BadArgs{"profile_budget_nan",
                {"profile", "vgg8", "--device", "cpu", "--out", "x.problem.json",
                 "--max-seconds-per-layer", "nan"},
                "tessera: error: --max-seconds-per-layer: must be a number from 1e-06 to 3600, "
                "got 'nan'"},
        BadArgs{"split_batch_huge",
                {"split", "vgg8", "--platform", "diana", "--batch", "1e9"},
                "tessera: error: --batch: must be a whole number from 1 to 65536, got '1e9'"},
        // Was silently ignored, as plan's was.
        BadArgs{"split_alpha_without_weighted",
                {"split", "vgg8", "--platform", "diana", "--alpha", "0.3"},
                "tessera: error: --alpha: applies to --objective weighted only (the objective "
                "is latency)"},
        BadArgs{"split_budget_out_of_range",
                {"split", "vgg8", "--platform", "diana", "--budget", "7"},
                "tessera: error: --budget: must be a number from 0 to 1, got '7'"},
        BadArgs{"no_command",
                {},
                "tessera: error: a command is required (models, platforms, "
                "inspect, plan, pareto, simulate, estimate, run, split, profile, schedule)"}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(CliText, NamesTheBottleneck) {
  // The 224x224 fp32 input over the 1 Gbit/s host link sets resnet18's period on this
  // cluster; the output said nothing of it.
  const auto r = run_cli({"plan", "resnet18", "--platform", "cluster-hetero"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("bottleneck             the input transfer from the source to '"),
            std::string::npos)
      << r.out;
  const auto j = run_cli({"plan", "resnet18", "--platform", "cluster-hetero", "--json", "-"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(nlohmann::json::parse(j.out)["metrics"]["bottleneck"]["resource"], "source_transfer");
  // Without the source transfer, a stage is the bottleneck.
  const auto s =
      run_cli({"plan", "vgg16", "--platform", "cluster-hetero", "--no-source-sink", "--json", "-"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto b = nlohmann::json::parse(s.out)["metrics"]["bottleneck"];
  EXPECT_NE(b["resource"], "source_transfer") << b.dump();
  EXPECT_TRUE(b.contains("device")) << b.dump();
}

TEST(CliText, EnergyIsPerSampleWithABatch) {
  // Throughput counted samples while "energy per inference" was per microbatch.
  const auto r = run_cli({"plan", "resnet18", "--platform", "cluster-hetero", "--batch", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("samples/s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("energy per sample"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("per microbatch of 4"), std::string::npos) << r.out;
  const auto j =
      run_cli({"plan", "resnet18", "--platform", "cluster-hetero", "--batch", "4", "--json", "-"});
  const auto m = nlohmann::json::parse(j.out)["metrics"];
  EXPECT_DOUBLE_EQ(m["energy_per_sample_j"].get<double>() * 4,
                   m["energy_per_inference_j"].get<double>());
}

/// The first line of `text` that starts with `start` (a solve time such as "350 us" inside
/// another line must not match "0 ").
std::string line_with(const std::string& text, const std::string& start) {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    if (text.compare(at, start.size(), start) == 0) return text.substr(at, end - at);
    at = end + 1;
  }
  return {};
}

TEST(CliText, BaselinesParetoAndReportShowEnergyPerSample) {
  // With a batch the baseline table, the Pareto table, CSV and plot and the HTML report showed
  // the energy of a whole microbatch as "energy/inference" beside a throughput of samples.
  const testing::TempDir tmp;
  const std::vector<std::string> problem = {"vgg8", "--platform", "cluster-hetero", "--batch", "4"};
  auto with = [&](const std::string& command, std::vector<std::string> extra) {
    std::vector<std::string> args = {command};
    args.insert(args.end(), problem.begin(), problem.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const std::string html = tmp.path() + "/plan.html";
  const auto r = run_cli(with("plan", {"--report", html, "--json", tmp.path() + "/plan.json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = nlohmann::json::parse(testing::read_file(tmp.path() + "/plan.json"));
  const std::string header = line_with(r.out, "baseline ");
  EXPECT_NE(header.find("energy/sample"), std::string::npos) << r.out;
  EXPECT_NE(line_with(r.out, "stage ").find("energy/microbatch"), std::string::npos) << r.out;
  for (const auto& b : plan["baselines"]) {
    if (!b.contains("metrics")) continue;
    const double per_sample = b["metrics"]["energy_per_sample_j"].get<double>();
    EXPECT_DOUBLE_EQ(per_sample * 4, b["metrics"]["energy_per_inference_j"].get<double>());
    const std::string row = line_with(r.out, b["name"].get<std::string>() + " ");
    EXPECT_NE(row.find(" " + human_joules(per_sample) + " "), std::string::npos) << row << "\n"
                                                                                 << r.out;
  }
  const std::string report = testing::read_file(html);
  const double plan_sample = plan["metrics"]["energy_per_sample_j"].get<double>();
  EXPECT_NE(report.find("<dt>energy per sample</dt><dd>" + human_joules(plan_sample) + " ("),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("samples/s</dd>"), std::string::npos);
  EXPECT_NE(report.find("<th>energy/sample</th>"), std::string::npos);
  EXPECT_NE(report.find("<th>energy/microbatch</th>"), std::string::npos);
  EXPECT_EQ(report.find("energy per inference"), std::string::npos);
  EXPECT_EQ(report.find("energy/inference"), std::string::npos);

  const auto p =
      run_cli(with("pareto", {"--json", tmp.path() + "/front.json", "--csv",
                              tmp.path() + "/front.csv", "--svg", tmp.path() + "/front.svg"}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(line_with(p.out, "#").find("energy/sample"), std::string::npos) << p.out;
  EXPECT_NE(line_with(p.out, "#").find("samples/s"), std::string::npos) << p.out;
  const auto front = nlohmann::json::parse(testing::read_file(tmp.path() + "/front.json"));
  ASSERT_FALSE(front["points"].empty());
  const auto& first = front["points"][0];
  const double first_sample = first["energy_per_sample_j"].get<double>();
  EXPECT_DOUBLE_EQ(first_sample * 4, first["energy_per_inference_j"].get<double>());
  EXPECT_NE(line_with(p.out, "0 ").find(" " + human_joules(first_sample) + " "), std::string::npos)
      << p.out;
  const std::string csv = testing::read_file(tmp.path() + "/front.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "period_s,throughput_per_s,energy_per_sample_j,energy_per_inference_j,latency_s,"
            "devices_used,stages");
  const std::string svg = testing::read_file(tmp.path() + "/front.svg");
  EXPECT_NE(svg.find(">energy per sample ("), std::string::npos);

  const auto s = run_cli(
      {"simulate", "--plan", tmp.path() + "/plan.json", "--json", tmp.path() + "/sim.json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("energy per sample      "), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("energy (whole run)"), std::string::npos) << s.out;
  const auto sim = nlohmann::json::parse(testing::read_file(tmp.path() + "/sim.json"));
  EXPECT_DOUBLE_EQ(sim["energy_per_sample_j"].get<double>() * 4,
                   sim["energy_per_inference_j"].get<double>());

  // Without a batch a sample is an inference, and the tables say so.
  const auto one = run_cli({"plan", "vgg8", "--platform", "cluster-hetero"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(line_with(one.out, "baseline ").find("energy/inference"), std::string::npos) << one.out;
}

TEST(CliText, CountsAgreeWithTheirNouns) {
  const auto r = run_cli({"plan", "vgg8", "--platform", "cim-sram-22nm"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(8 layers, 1 device)"), std::string::npos) << r.out;
  const auto p = run_cli({"platforms", "cim-sram-22nm"});
  EXPECT_NE(p.out.find("1 device, 1 class,"), std::string::npos) << p.out;
}

TEST(CliText, TheLatencyFrontIsPrintedAndEstimateTakesShortOptions) {
  const auto r = run_cli({"pareto", "vgg8", "--platform", "cluster-hetero", "--latency"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Pareto front (latency, energy): "), std::string::npos) << r.out;
  const auto e =
      run_cli({"estimate", "gpt2", "-p", "edge-cpu", "--device", "rpi4", "--seq-len", "16"});
  EXPECT_EQ(e.exit_code, 0) << e.err;
}

TEST(CliText, TheReportSimulatesWhatTheTerminalSimulates) {
  // The report used max(24, 4 x stages) inferences whatever --simulate said.
  const testing::TempDir tmp;
  const std::string html = tmp.path() + "/plan.html";
  const auto r = run_cli(
      {"plan", "vgg16", "--platform", "donna-hetero", "--simulate", "50", "--report", html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("inferences             50 ("), std::string::npos) << r.out;
  const std::string report = testing::read_file(html);
  EXPECT_NE(report.find("<dd>50 ("), std::string::npos);
  EXPECT_NE(report.find("Per-device time and energy (whole run: 50 inferences)"),
            std::string::npos);
  EXPECT_NE(report.find("the simulated latency includes that queueing"), std::string::npos);
  EXPECT_NE(report.find("<dt>bottleneck</dt>"), std::string::npos);
}

TEST(CliText, HelpShowsNoDefaultOutsideTheOptionsRange) {
  // "--batch INT:INT in [1, 65536]=0", "--period-cap-s FLOAT:NUMBER > 0=0", "--random-weights
  // ...=-1": sentinels for "not given" shown as defaults the option itself refuses.
  const std::regex ranged(R"((INT|NUMBER) in \[([-0-9.e+]+), ([-0-9.e+]+)\]=(\S+))");
  const std::regex positive(R"(NUMBER > 0=(\S+))");
  for (const char* command : {"inspect", "plan", "pareto", "simulate", "estimate", "run", "split",
                              "profile", "schedule"}) {
    const auto r = run_cli({command, "--help"});
    ASSERT_EQ(r.exit_code, 0) << command << ": " << r.err;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_search(line, m, ranged)) {
        const double v = std::stod(m[4].str());
        EXPECT_TRUE(v >= std::stod(m[2].str()) && v <= std::stod(m[3].str()))
            << command << ": " << line;
      }
      if (std::regex_search(line, m, positive)) {
        EXPECT_GT(std::stod(m[1].str()), 0.0) << command << ": " << line;
      }
    }
  }
}

TEST(CliJson, NamesThatAreNotUtf8AreWrittenAsValidJson) {
  // A platform device named with a Latin-1 byte: --json stopped with an internal error.
  const testing::TempDir tmp;
  const std::string path = tmp.path() + "/latin1.yaml";
  std::string yaml = testing::preset_text("edge-cpu");
  const auto at = yaml.find("name: rpi4");
  ASSERT_NE(at, std::string::npos);
  yaml.replace(at, 10, "name: \"rpi\xe9\"");
  testing::write_file(path, yaml);
  const auto r = run_cli({"plan", "vgg8", "--platform", path, "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);  // throws (fails the test) when not UTF-8
  EXPECT_EQ(doc["stages"][0]["device"], "rpi\xef\xbf\xbd") << "U+FFFD replaces the byte";
}

}  // namespace
}  // namespace tessera
