// Inputs that once crashed a reader, stopped it with an internal error, or were silently read
// as something else: each is now a diagnostic naming its file, line and field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli_runner.hpp"
#include "support/cost_tables.hpp"
#include "tessera/core/file_text.hpp"
#include "tessera/io/neurosim_import.hpp"
#include "tessera/io/pipeedge.hpp"
#include "tessera/io/plan_file.hpp"
#include "tessera/io/platform_yaml.hpp"
#include "tessera/io/problem_json.hpp"
#include "tessera/io/workload_yaml.hpp"

namespace tessera::io {
namespace {

constexpr const char* kProblem = R"({
  "format": "tessera.problem/1",
  "name": "tiny",
  "layers": ["a", "b"],
  "cut_bytes": [100, 200, 50],
  "devices": [
    {"name": "cpu", "class": "cpu", "capacity_bytes": 1000,
     "layer_time_s": [0.1, 0.2]},
    {"name": "acc",
     "kind": "cim",
     "layer_time_s": [0.05, 0.3]}
  ],
  "links": {"latency_s": 0.001, "bandwidth_bytes_per_s": 1000}
})";

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  if (at == std::string::npos) throw std::logic_error("fixture text not found: " + from);
  return s.replace(at, from.size(), to);
}

/// The only diagnostic of a failed parse ("file:line: field: message").
template <typename T>
std::string only_error(const Result<T>& r) {
  if (r.ok()) return "(parsed)";
  if (r.diagnostics().size() != 1) return "(" + r.error_text() + ")";
  return r.diagnostics()[0].to_string();
}

TEST(ProblemJsonBadInput, ANumberOutOfDoubleRangeIsBadInputWithItsLine) {
  // Was "internal error" (nlohmann's out_of_range), even under an unknown key.
  const auto r = parse_problem_json(
      replaced(kProblem, "\"name\": \"tiny\",", "\"name\": \"tiny\",\n  \"note\": 1e999,"),
      "p.problem.json");
  EXPECT_EQ(only_error(r),
            "p.problem.json:4: number 1e999 is out of range (a JSON number must fit a double, "
            "|x| < 1.8e308)");
}

TEST(ProblemJsonBadInput, AStringFieldOfAnotherTypeIsNamedWithItsType) {
  // Each was "internal error" (nlohmann's type_error from value()).
  EXPECT_EQ(only_error(parse_problem_json(replaced(kProblem, "\"tiny\"", "7"), "p.json")),
            "p.json:3: name: must be a string, got a number");
  EXPECT_EQ(only_error(parse_problem_json(replaced(kProblem, "\"kind\": \"cim\"", "\"kind\": []"),
                                          "p.json")),
            "p.json:10: devices[1].kind: must be a string, got an array");
  EXPECT_EQ(only_error(parse_problem_json(
                replaced(kProblem, "\"class\": \"cpu\"", "\"class\": null"), "p.json")),
            "p.json:7: devices[0].class: must be a string, got null");
  EXPECT_EQ(only_error(parse_problem_json(replaced(kProblem, "\"name\": \"acc\"", "\"name\": {}"),
                                          "p.json")),
            "p.json:9: devices[1].name: must be a string, got an object");
}

TEST(ProblemJsonBadInput, ValidationErrorsCarryTheLineOfTheValue) {
  const auto r = parse_problem_json(replaced(kProblem, "[0.05, 0.3]", "[0.05, -0.3]"), "p.json");
  EXPECT_EQ(only_error(r), "p.json:11: devices[1].layer_time_s[1]: must not be negative, got -0.3");
}

TEST(ProblemJsonBadInput, SyntaxErrorsShowNoRawBytesNorLibraryNames) {
  const auto r = parse_problem_json(replaced(kProblem, "\"tiny\"", "\"ti\xff\""), "p.json");
  const std::string e = only_error(r);
  EXPECT_EQ(e.rfind("p.json:3: JSON syntax error: ", 0), 0U) << e;
  EXPECT_EQ(e.find("json.exception"), std::string::npos) << e;
  EXPECT_NE(e.find("\\xFF"), std::string::npos) << e;
  for (const char c : e) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << e;
}

TEST(ProblemJsonBadInput, DeviceAndLayerCountsAreLimitedBeforeAllocation) {
  std::string devices;
  for (int d = 0; d < 1025; ++d) devices += std::string(d ? "," : "") + "{}";
  const auto many = parse_problem_json(
      replaced(kProblem, "\"devices\": [", "\"devices\": [" + devices + ","), "p.json");
  EXPECT_NE(only_error(many).find("devices: at most 1024 devices are supported, got 1027"),
            std::string::npos)
      << only_error(many);
  std::string layers;
  for (std::size_t l = 0; l <= kMaxProblemLayers; ++l)
    layers += std::string(l ? "," : "") + "\"x\"";
  const auto deep = parse_problem_json(
      replaced(kProblem, "\"layers\": [\"a\", \"b\"]", "\"layers\": [" + layers + "]"), "p.json");
  EXPECT_NE(only_error(deep).find("layers: at most 100000 layers"), std::string::npos)
      << only_error(deep);
}

TEST(ProblemJsonBadInput, ADeviceThatIsNotAnObjectIsReportedNotReadPast) {
  // Found by fuzzing: the duplicate-name check indexed the names of earlier devices by
  // position, and a number in the list had none (a read past the end of a vector).
  const auto r =
      parse_problem_json(replaced(kProblem, "\"devices\": [", "\"devices\": [7,"), "p.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error_text().find("p.json:6: devices[0]: must be an object"), std::string::npos)
      << r.error_text();
}

TEST(ProblemJsonBadInput, DeepNestingIsRefused) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto r = parse_problem_json(deep, "p.json");
  EXPECT_NE(only_error(r).find("JSON nested deeper than 64 levels"), std::string::npos)
      << only_error(r);
}

constexpr const char* kPlan = R"({
  "format": "tessera.plan/1",
  "inputs": {"model": "vgg8", "platform": "donna-cim",
             "batch": 4,
             "input_buffers": 3},
  "options": {"overlap": false},
  "stages": [{"device": "a", "first_layer": 0, "last_layer": 2}]
})";

TEST(PlanFileBadInput, ABatchOutOfRangeIsAnErrorNotBatchOne) {
  // -1 and 1e300 were both read as batch 1.
  EXPECT_EQ(only_error(parse_plan_json(replaced(kPlan, "\"batch\": 4", "\"batch\": -1"), "p")),
            "p:4: inputs.batch: must be from 1 to 65536, got -1");
  EXPECT_EQ(only_error(parse_plan_json(replaced(kPlan, "\"batch\": 4", "\"batch\": 1e300"), "p")),
            "p:4: inputs.batch: must be a whole number, got 1e+300");
  EXPECT_EQ(only_error(parse_plan_json(
                replaced(kPlan, "\"input_buffers\": 3", "\"input_buffers\": 1e308"), "p")),
            "p:5: inputs.input_buffers: must be a number from 0 to 1024, got 1e+308");
}

TEST(PlanFileBadInput, OptionsOfTheWrongTypeAreErrors) {
  // "overlap": "x" was accepted (and ignored).
  EXPECT_EQ(
      only_error(parse_plan_json(replaced(kPlan, "\"overlap\": false", "\"overlap\": \"x\""), "p")),
      "p:6: options.overlap: must be true or false, got a string");
}

TEST(PlanFileBadInput, AWrongTypeIsNotCalledMissing) {
  EXPECT_EQ(only_error(parse_plan_json(replaced(kPlan, "\"vgg8\"", "3"), "p")),
            "p:3: inputs.model: must be a string, got a number");
  EXPECT_EQ(only_error(parse_plan_json(replaced(kPlan, "\"tessera.plan/1\"", "1"), "p")),
            "p:2: format: expected \"tessera.plan/1\" (write it with tessera plan --json)");
  EXPECT_EQ(only_error(parse_plan_json(replaced(kPlan, "\"device\": \"a\"", "\"device\": 2"), "p")),
            "p:7: stages[0].device: must be a device name, got a number");
}

TEST(PlanFileBadInput, ANumberOutOfDoubleRangeIsBadInput) {
  EXPECT_EQ(only_error(parse_plan_json(replaced(kPlan, "\"batch\": 4", "\"batch\": -1e999"), "p")),
            "p:4: number -1e999 is out of range (a JSON number must fit a double, |x| < 1.8e308)");
}

TEST(PlanFileBadInput, StageErrorsAgainstThePlatformCarryTheirLine) {
  // An unknown device had no line, and a layer range past the model was reported by the
  // simulator without file or line.
  constexpr const char* kStages = R"({
  "format": "tessera.plan/1",
  "inputs": {"model": "vgg8"},
  "stages": [
    {"device": "d0", "first_layer": 0, "last_layer": 1},
    {"device": "d1",
     "first_layer": 2,
     "last_layer": 3}
  ]
})";
  auto table = testing::blank_cost_table(4, 2);
  table.device_names = {"d0", "d1"};
  table.model_name = "m";
  table.platform_name = "p";
  auto resolved = [&](const std::string& text) {
    auto file = parse_plan_json(text, "p.json");
    if (!file.ok()) return "(" + file.error_text() + ")";
    auto stages = resolve_stages(*file, table);
    if (stages.ok()) return std::string("(resolved)");
    return stages.error_text();
  };
  EXPECT_EQ(resolved(kStages), "(resolved)");
  EXPECT_EQ(resolved(replaced(kStages, "\"d1\"", "\"gpu\"")),
            "p.json:6: stages[1].device: device 'gpu' is not on platform 'p'");
  EXPECT_EQ(resolved(replaced(kStages, "\"d1\"", "\"d0\"")),
            "p.json:6: stages[1].device: device 'd0' already runs the stage on line 5; a device "
            "runs one stage");
  EXPECT_EQ(resolved(replaced(kStages, "\"last_layer\": 3", "\"last_layer\": 99")),
            "p.json:8: stages[1].last_layer: is 99; expected 2 to 3 (the model 'm' has 4 layers)");
  EXPECT_EQ(resolved(replaced(kStages, "\"first_layer\": 2", "\"first_layer\": 3")),
            "p.json:7: stages[1].first_layer: is 3; the stage must start at layer 2, after the "
            "previous stage's last layer");
  EXPECT_EQ(resolved(replaced(kStages, "\"last_layer\": 3", "\"last_layer\": 2")),
            "p.json:8: stages[1].last_layer: is 2, but the model 'm' has 4 layers: the stages must "
            "cover them all");
}

/// A one-layer NeuroSim report; `tiles`, `latency` replace the numbers.
std::string report(const std::string& layer_line, const std::string& latency) {
  return "----------------- # of tile used for each layer -----------------\n" + layer_line +
         "\n"
         "------------------------------ Estimation of Layer 1 ---------------------------\n"
         "layer1's readLatency is: " +
         latency +
         "\n"
         "layer1's readDynamicEnergy is: 1.2e+06pJ\n";
}

TEST(NeuroSimBadInput, BadTileCountsAreErrorsWithTheirLine) {
  // -8, 0 and 99999999999 were dropped silently (or overflowed an int); 1e-320 and a huge layer
  // number threw from std::stod / std::stoi (internal error).
  for (const char* tiles : {"-8", "0", "99999999999", "1e-320", "2.5"}) {
    const auto r = parse_neurosim_report(report(std::string("layer1: ") + tiles, "100ns"), "r.txt");
    EXPECT_EQ(only_error(r), std::string("r.txt:2: layer1: tile count must be a whole number from "
                                         "1 to 1000000, got ") +
                                 tiles);
  }
  EXPECT_EQ(only_error(parse_neurosim_report(report("layer99999999999: 2", "100ns"), "r.txt")),
            "r.txt:2: layer99999999999: layer numbers go from 1 to 100000");
}

TEST(NeuroSimBadInput, ANonFiniteOrNegativeLatencyIsBadInputWithItsLine) {
  // Each was read and later reported as an infeasible "malformed cost table".
  for (const char* latency : {"nanns", "-5ns", "1e999ns", "infns"}) {
    const auto r = parse_neurosim_report(report("layer1: 2", latency), "r.txt");
    EXPECT_EQ(only_error(r),
              std::string("r.txt:4: layer1's readLatency: must be a finite, non-negative number, "
                          "got ") +
                  latency);
  }
}

TEST(NeuroSimBadInput, AMissingLineNamesTheLayerBlock) {
  const auto r = parse_neurosim_report(
      "------ Estimation of Layer 1 ------\nlayer1's readDynamicEnergy is: 1pJ\n", "r.txt");
  EXPECT_EQ(only_error(r), "r.txt:1: layer1: no readLatency line");
}

TEST(PlatformYamlBadInput, AVeryLongDeviceListIsRejectedBeforeItsEntriesAreRead) {
  std::string yaml = "format: tessera.platform/1\nname: big\ndevices:\n";
  for (int i = 0; i < 1500; ++i) yaml += "  - {name: d" + std::to_string(i) + ", kind: cpu}\n";
  const auto r = parse_platform_yaml(yaml, "big.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error_text().find(
                "big.yaml:3:1: devices: at most 1024 devices are supported (the list has 1500 "
                "entries)"),
            std::string::npos)
      << r.error_text().substr(0, 400);
  for (const auto& d : r.diagnostics())  // the entries (each lacking fields) are not read
    EXPECT_EQ(d.field.rfind("devices[", 0), std::string::npos) << d.to_string();
}

TEST(PlatformYamlBadInput, CountsAreLimitedWhileReading) {
  const auto r = parse_platform_yaml(
      "format: tessera.platform/1\nname: big\ndevices:\n"
      "  - {name: a, kind: cpu, count: 1000000000}\n",
      "big.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error_text().find("at most 1024 device instances"), std::string::npos)
      << r.error_text();
}

TEST(PipeEdgeBadInput, AKeyThatIsNotANameIsReportedNotThrown) {
  // Found by fuzzing: a list used as a model_profiles key (or a device type key) made yaml-cpp's
  // as<std::string>() throw, and the exception ended the program.
  PipeEdgeTexts texts;
  texts.models = "m:\n  layers: 1\n  parameters_in: 1\n  parameters_out: [1]\n  mem_MB: [1]\n";
  texts.device_types = "fast:\n  bw_Mbps: 1000\n  mem_MB: 64\n  model_profiles:\n    [1, 2]: []\n";
  texts.devices = "fast: [f0]\n[a, b]: [x]\n";
  const auto r = parse_pipeedge(texts, "m", 8);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error_text().find("device_types.yml:5:5: fast.model_profiles: expected a model name "
                                "as the key"),
            std::string::npos)
      << r.error_text();
  EXPECT_NE(r.error_text().find("devices.yml:2:1: expected a device type name as the key"),
            std::string::npos)
      << r.error_text();
}

TEST(PipeEdgeBadInput, HostsAndLayersAreLimitedBeforeTheirEntriesAreRead) {
  // Had no limit: 20,000 hosts built a 20,001 x 20,001 link matrix and ran for minutes.
  PipeEdgeTexts texts;
  texts.models = "m:\n  layers: 1\n  parameters_in: 1\n  parameters_out: [1]\n  mem_MB: [1]\n";
  texts.device_types =
      "fast:\n  bw_Mbps: 1000\n  mem_MB: 64\n  model_profiles:\n    m:\n      dtype: "
      "torch.float32\n      batch_size: 8\n      time_s: [0.1]\n";
  texts.devices = "fast: [f0]\nslow: [";
  for (int h = 0; h < 1024; ++h) texts.devices += (h ? ", s" : "s") + std::to_string(h);
  texts.devices += "]\n";
  auto r = parse_pipeedge(texts, "m", 8);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error_text().find("devices.yml:2:7: slow: at most 1024 hosts are supported; the "
                                "lists so far name 1025"),
            std::string::npos)
      << r.error_text();
  texts.devices = "fast: [f0]\n";
  texts.models = replaced(texts.models, "layers: 1", "layers: 100001");
  r = parse_pipeedge(texts, "m", 8);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error_text().find("models.yml:2:11: m.layers: at most 100000 layers are supported, "
                                "got 100001"),
            std::string::npos)
      << r.error_text();
}

TEST(InputFiles, YamlInputsAreLimitedToOneMebibyte) {
  // PipeEdge and workload YAML were read up to 64 MiB: yaml-cpp took 7 s and 1 GB for 4 MB of
  // numbers.
  const testing::TempDir tmp;
  const std::string path = tmp.path() + "/big.yml";
  {
    std::ofstream out(path);
    out << "format: tessera.workload/1\n";
    out << std::string(kMaxPipeEdgeFileBytes, '#');
  }
  const auto w = load_workload(path);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error_text(), path +
                                ": file: is 1 MiB (1048603 bytes); inputs of this kind are at "
                                "most 1 MiB");
  const auto p = load_pipeedge(path, path, path, "m");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error_text().find("inputs of this kind are at most 1 MiB"), std::string::npos)
      << p.error_text();
}

TEST(InputFiles, LargeFilesAreRefusedBeforeReading) {
  const testing::TempDir tmp;
  const std::string path = tmp.path() + "/big.yaml";
  {
    std::ofstream out(path);
    out << "format: tessera.platform/1\n";
    out << std::string(kMaxPlatformFileBytes, '#');
  }
  const auto r = load_platform(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error_text().find("a platform file is at most 1 MiB"), std::string::npos)
      << r.error_text();
  std::filesystem::resize_file(path, kMaxTextFileBytes + 1);
  const auto text = read_text_file(path);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error_text().find("at most 64 MiB"), std::string::npos) << text.error_text();
}

}  // namespace
}  // namespace tessera::io
