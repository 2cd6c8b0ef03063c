#include "tessera/io/pipeedge.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace tessera::io {
namespace {

namespace fs = std::filesystem;

const fs::path kReadmeDir = fs::path(TESSERA_SHARED_DIR) / "data" / "pipeedge-readme";
constexpr const char* kVitBase = "google/vit-base-patch16-224";

/// Skips the test when the read-only ../shared folder (PipeEdge's README example) is absent.
#define SKIP_WITHOUT_README_EXAMPLE()                                        \
  if (!fs::exists(kReadmeDir / "models.yml")) {                              \
    GTEST_SKIP() << "PipeEdge README example not found under " << kReadmeDir \
                 << " (the ../shared folder is absent)";                     \
  }

std::string readme(const char* name) {
  return (kReadmeDir / name).string();
}

/// Writes small YAML files into a folder of their own for one test.
class TempFiles {
 public:
  TempFiles() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("tessera_pipeedge_" + std::string(info->name()) + "_" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(dir_);
  }
  ~TempFiles() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  TempFiles(const TempFiles&) = delete;
  TempFiles& operator=(const TempFiles&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

/// A 3-layer model "m" and two types, "fast" (bw 1000 Mbps) and "slow" (bw 100 Mbps).
const char* const kModels = R"(m:
  layers: 3
  parameters_in: 10
  parameters_out: [20, 30, 40]
  mem_MB: [1.5, 2, 0.25]
)";
const char* const kTypes = R"(fast:
  bw_Mbps: 1000
  mem_MB: 64
  model_profiles:
    m:
    - batch_size: 2
      dtype: torch.float32
      time_s: [0.1, 0.2, 0.3]
    - batch_size: 4
      dtype: torch.float32
      time_s: [0.5, 0.6, 0.7]
    - batch_size: 4
      dtype: torch.float16
      time_s: [9, 9, 9]
slow:
  bw_Mbps: 100
  mem_MB: 32
  model_profiles:
    m:
    - batch_size: 2
      dtype: torch.float32
      time_s: [1, 2, 3]
)";
const char* const kDevices = R"(slow: [s0]
fast:
- f0
- f1
)";

bool has_diagnostic(const std::vector<Diagnostic>& ds, const std::string& file, int line,
                    const std::string& field, const std::string& text) {
  return std::any_of(ds.begin(), ds.end(), [&](const Diagnostic& d) {
    return d.file == file && (line == 0 || d.line == line) && d.field == field &&
           d.message.find(text) != std::string::npos;
  });
}

/// Loads the small instance with one of its three files replaced.
Result<PipeEdgeProblem> load_small(const TempFiles& files, const std::string& models,
                                   const std::string& types, const std::string& devices,
                                   std::int64_t batch = 2) {
  return load_pipeedge(files.write("models.yml", models), files.write("types.yml", types),
                       files.write("devices.yml", devices), "m", batch);
}

/// A stage as a planner reads it from the table: device and 0-based inclusive layer range.
struct Stage {
  std::int32_t device;
  std::int32_t first;
  std::int32_t last;
};

/// Bottleneck of a pipeline under the CostTable semantics the loader targets (no source/sink):
/// stage time = max(Σ time_s, transfer of the cut after its last layer to the next stage; none
/// after the last stage).
double bottleneck_s(const cost::CostTable& t, const std::vector<Stage>& stages) {
  double worst = 0.0;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const Stage& s = stages[i];
    double compute = 0.0;
    for (std::int32_t l = s.first; l <= s.last; ++l) compute += t.time_s[t.at(s.device, l)];
    const double send =
        i + 1 < stages.size() ? t.transfer_s(s.last + 1, s.device, stages[i + 1].device) : 0.0;
    worst = std::max(worst, std::max(compute, send));
  }
  return worst;
}

/// need = Σ memory + input buffers · cut before + output buffers · cut after <= capacity.
bool fits(const cost::CostTable& t, const Stage& s) {
  double need = 0.0;
  for (std::int32_t l = s.first; l <= s.last; ++l) need += t.memory[t.at(s.device, l)];
  const double in_buffers = s.first == 0 ? t.first_stage_input_buffers : t.input_buffers;
  need += in_buffers * t.cut_bytes[static_cast<std::size_t>(s.first)] +
          t.output_buffers * t.cut_bytes[static_cast<std::size_t>(s.last) + 1];
  return need <= t.capacity[static_cast<std::size_t>(s.device)];
}

TEST(PipeEdge, ReadmeExampleWithFixedDevicesHasEightHosts) {
  SKIP_WITHOUT_README_EXAMPLE();
  const auto problem = load_pipeedge(readme("models.yml"), readme("device_types.yml"),
                                     readme("devices_fixed.yml"), kVitBase, 8);
  ASSERT_TRUE(problem.ok()) << problem.error_text();
  const cost::CostTable& t = problem->table;
  EXPECT_EQ(problem->hosts, (std::vector<std::string>{"mb-0", "mb-1", "mb-2", "mb-3", "rcc-0",
                                                      "rcc-1", "rcc-2", "rcc-3"}));
  EXPECT_EQ(problem->host_types[0], "Minnowboard-E3845");
  EXPECT_EQ(problem->host_types[7], "RCC-VE-C2000");
  EXPECT_EQ(t.device_names, problem->hosts);
  EXPECT_EQ(t.class_names, (std::vector<std::string>{"Minnowboard-E3845", "RCC-VE-C2000"}));
  EXPECT_EQ(t.device_class, (std::vector<std::int32_t>{0, 0, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(t.num_layers, 48);
  EXPECT_EQ(t.num_devices, 8);
  EXPECT_EQ(t.microbatch, 8);
  ASSERT_EQ(t.time_s.size(), 8u * 48u);
  // The profiles' first and last entries, copied as they are.
  EXPECT_EQ(t.time_s[t.at(0, 0)], 0.46270322799682617);
  EXPECT_EQ(t.time_s[t.at(3, 47)], 0.3015031576156616);
  EXPECT_EQ(t.time_s[t.at(4, 0)], 0.37087414264678953);
  EXPECT_EQ(t.time_s[t.at(7, 47)], 0.24390978813171388);
  // memory = mem_MB * 2^20: 33.062912 MB * 1048576 for the last layer.
  EXPECT_EQ(t.memory[t.at(5, 47)], 33.062912 * 1048576.0);
  EXPECT_EQ(t.memory[t.at(0, 0)], 26.808319999999995 * 1048576.0);
  // Capacity: 2048 MB = 2147483648 bytes; PipeEdge needs strictly less, so the capacity is the
  // double just below it. RCC: 8192 MB = 8589934592 bytes.
  EXPECT_LT(t.capacity[0], 2147483648.0);
  EXPECT_EQ(std::nextafter(t.capacity[0], 1e300), 2147483648.0);
  EXPECT_EQ(std::nextafter(t.capacity[4], 1e300), 8589934592.0);
  EXPECT_TRUE(std::all_of(t.energy_j.begin(), t.energy_j.end(), [](double e) { return e == 0; }));
  EXPECT_TRUE(std::all_of(t.workspace_bytes.begin(), t.workspace_bytes.end(),
                          [](double w) { return w == 0; }));
  EXPECT_EQ(t.input_buffers, 3.0);
  EXPECT_EQ(t.output_buffers, 3.0);
  EXPECT_EQ(t.first_stage_input_buffers, 1.0);
  // DummyDeviceType has no vit-base profile: skipped with a warning, as PipeEdge prints one.
  EXPECT_TRUE(has_diagnostic(problem->warnings, readme("device_types.yml"), 1, "DummyDeviceType",
                             "no profile for model"));
}

TEST(PipeEdge, ReadmeCutBytesAreFourBytesTimesBatchTimesElements) {
  SKIP_WITHOUT_README_EXAMPLE();
  const auto problem = load_pipeedge(readme("models.yml"), readme("device_types.yml"),
                                     readme("devices_fixed.yml"), kVitBase, 8);
  ASSERT_TRUE(problem.ok()) << problem.error_text();
  const auto& cut = problem->table.cut_bytes;
  ASSERT_EQ(cut.size(), 49u);
  EXPECT_EQ(cut[0], 4816896.0);   // input: 4 * 8 * parameters_in 150528
  EXPECT_EQ(cut[1], 9682944.0);   // after layer 1: 4 * 8 * 302592
  EXPECT_EQ(cut[3], 24207360.0);  // after layer 3: 4 * 8 * 756480
  EXPECT_EQ(cut[6], 4841472.0);   // after layer 6: 4 * 8 * 151296
  EXPECT_EQ(cut[48], 32000.0);    // output: 4 * 8 * 1000
}

TEST(PipeEdge, ReadmeLinksUseTheSlowerHostInBinaryMegabits) {
  SKIP_WITHOUT_README_EXAMPLE();
  const auto problem = load_pipeedge(readme("models.yml"), readme("device_types.yml"),
                                     readme("devices_fixed.yml"), kVitBase, 8);
  ASSERT_TRUE(problem.ok()) << problem.error_text();
  const cost::CostTable& t = problem->table;
  // min(1000, 1000) Mbps * 2^20 / 8 = 131072000 bytes/s, no latency.
  EXPECT_EQ(t.link_bandwidth_bytes_per_s[t.link_at(0, 5)], 131072000.0);
  EXPECT_EQ(t.link_latency_s[t.link_at(0, 5)], 0.0);
  // Sending layer 6's output mb -> rcc: 4841472 bytes / 131072000 bytes/s = 0.036937... s.
  EXPECT_DOUBLE_EQ(t.transfer_s(6, 0, 5), 4841472.0 / 131072000.0);
  // The source endpoint's links are never used (PipeEdge does not charge them) but are finite.
  for (std::int32_t d = 0; d < t.num_devices; ++d) {
    EXPECT_TRUE(std::isfinite(t.link_bandwidth_bytes_per_s[t.link_at(d, t.source_endpoint())]));
    EXPECT_TRUE(std::isfinite(t.link_bandwidth_bytes_per_s[t.link_at(t.source_endpoint(), d)]));
  }
}

TEST(PipeEdge, ReadmeTableReproducesPipeEdgeBottlenecks) {
  SKIP_WITHOUT_README_EXAMPLE();
  const auto problem = load_pipeedge(readme("models.yml"), readme("device_types.yml"),
                                     readme("devices_fixed.yml"), kVitBase, 8);
  ASSERT_TRUE(problem.ok()) << problem.error_text();
  const cost::CostTable& t = problem->table;
  // What PipeEdge's sched-pipeline prints: mb-0..3 then rcc-0..3, 6 layers each. Costed on the
  // hosts' own types, the slowest stage is mb-3 on layers 19-24: Σ Minnowboard time_s[18..23]
  // = 0.3482602596 + 0.0818151474 + 0.3509374380 + 0.3065039158 + 0.3368937492 + 0.0821951151
  // = 1.7262477 s (sends are 4·8·151296 B / 131072000 B/s = 0.0369 s).
  std::vector<Stage> shipped;
  for (std::int32_t d = 0; d < 8; ++d) shipped.push_back({d, 6 * d, 6 * d + 5});
  EXPECT_NEAR(bottleneck_s(t, shipped), 1.726248, 1e-6);
  // The optimum under the same model (PipeEdge with its type/instance index fixed, checked by
  // an independent script): layers 1-5, 6-11, 12-16, 17-21 on mb, 22-28, 29-35, 36-41, 42-48
  // on rcc; the bottleneck is mb-0: Σ Minnowboard time_s[0..4] = 1.5487600 s.
  const std::vector<Stage> best = {{0, 0, 4},   {1, 5, 10},  {2, 11, 15}, {3, 16, 20},
                                   {4, 21, 27}, {5, 28, 34}, {6, 35, 40}, {7, 41, 47}};
  EXPECT_NEAR(bottleneck_s(t, best), 1.548760, 1e-6);
  for (const Stage& s : best) EXPECT_TRUE(fits(t, s)) << "stage on device " << s.device;
  // The whole model on one Minnowboard: Σ mem_MB ≈ 1175.0 MB of weights + 4816896 input bytes
  // + 3·32000 output bytes fits in 2048 MB.
  EXPECT_TRUE(fits(t, {0, 0, 47}));
}

TEST(PipeEdge, MemoryMustBeStrictlyBelowTheTypeMemoryAsInPipeEdge) {
  TempFiles files;
  // One layer with no activations: need = 64 MB of weights exactly.
  const std::string models =
      "m:\n  layers: 1\n  parameters_in: 0\n  parameters_out: [0]\n"
      "  mem_MB: [64]\n";
  const std::string types =
      "a:\n  bw_Mbps: 1\n  mem_MB: 64\n  model_profiles:\n    m:\n"
      "    - {batch_size: 2, dtype: torch.float32, time_s: [1]}\n"
      "b:\n  bw_Mbps: 1\n  mem_MB: 64.000001\n  model_profiles:\n"
      "    m:\n    - {batch_size: 2, dtype: torch.float32, time_s: [1]}\n";
  const auto problem = load_small(files, models, types, "a: [a0]\nb: [b0]\n");
  ASSERT_TRUE(problem.ok()) << problem.error_text();
  // PipeEdge: 64·2^20 > 64·2^20 is false, so it does not fit on a; it does on b.
  EXPECT_FALSE(fits(problem->table, {0, 0, 0}));
  EXPECT_TRUE(fits(problem->table, {1, 0, 0}));
}

TEST(PipeEdge, ShippedDevicesFileKeepsMinnowboardsAndWarnsAboutTheUndefinedType) {
  SKIP_WITHOUT_README_EXAMPLE();
  const auto problem = load_pipeedge(readme("models.yml"), readme("device_types.yml"),
                                     readme("devices.yml"), kVitBase, 8);
  ASSERT_TRUE(problem.ok()) << problem.error_text();
  EXPECT_EQ(problem->hosts, (std::vector<std::string>{"mb-0", "mb-1", "mb-2", "mb-3"}));
  EXPECT_EQ(problem->table.num_devices, 4);
  EXPECT_EQ(problem->table.class_names, (std::vector<std::string>{"Minnowboard-E3845"}));
  // devices.yml line 7 is "RCC-VE-C2558:", a type device_types.yml does not define.
  EXPECT_TRUE(has_diagnostic(problem->warnings, readme("devices.yml"), 7, "RCC-VE-C2558",
                             "PipeEdge ignores them silently"));
  EXPECT_TRUE(has_diagnostic(problem->warnings, readme("devices.yml"), 7, "RCC-VE-C2558",
                             "rcc-0, rcc-1, rcc-2, rcc-3"));
  // And the defined RCC-VE-C2000 type has no hosts left.
  EXPECT_TRUE(
      has_diagnostic(problem->warnings, readme("device_types.yml"), 0, "RCC-VE-C2000", "no hosts"));
}

TEST(PipeEdge, SmallInstanceOrdersTypesByNameAndPicksTheBatchProfile) {
  TempFiles files;
  const auto problem = load_small(files, kModels, kTypes, kDevices, 4);
  // "slow" has no batch-4 float32 profile: skipped.
  ASSERT_TRUE(problem.ok()) << problem.error_text();
  EXPECT_EQ(problem->hosts, (std::vector<std::string>{"f0", "f1"}));
  EXPECT_EQ(problem->table.time_s, (std::vector<double>{0.5, 0.6, 0.7, 0.5, 0.6, 0.7}));
  EXPECT_TRUE(has_diagnostic(problem->warnings, files.path("types.yml"), 15, "slow",
                             "with batch_size 4 and dtype torch.float32"));

  const auto both = load_small(files, kModels, kTypes, kDevices, 2);
  ASSERT_TRUE(both.ok()) << both.error_text();
  // Types in name order (fast, slow), as PipeEdge's std::map visits them; hosts in file order.
  EXPECT_EQ(both->hosts, (std::vector<std::string>{"f0", "f1", "s0"}));
  EXPECT_EQ(both->host_types, (std::vector<std::string>{"fast", "fast", "slow"}));
  EXPECT_EQ(both->table.time_s[both->table.at(2, 2)], 3.0);
  // fast <-> slow: min(1000, 100) Mbps = 100 * 2^20 / 8 = 13107200 bytes/s.
  const auto& t = both->table;
  EXPECT_EQ(t.link_bandwidth_bytes_per_s[t.link_at(0, 2)], 13107200.0);
  EXPECT_EQ(t.link_bandwidth_bytes_per_s[t.link_at(2, 1)], 13107200.0);
  // fast <-> fast: 1000 * 2^20 / 8 = 131072000 bytes/s.
  EXPECT_EQ(t.link_bandwidth_bytes_per_s[t.link_at(0, 1)], 131072000.0);
  // Cuts with batch 2: 4 * 2 * (10, 20, 30, 40).
  EXPECT_EQ(t.cut_bytes, (std::vector<double>{80.0, 160.0, 240.0, 320.0}));
  // 1.5 MB = 1.5 * 1048576 = 1572864 bytes; 0.25 MB = 262144 bytes.
  EXPECT_EQ(t.memory[t.at(2, 0)], 1572864.0);
  EXPECT_EQ(t.memory[t.at(2, 2)], 262144.0);
  // Capacity of slow: just below 32 MB = 33554432 bytes.
  EXPECT_EQ(std::nextafter(t.capacity[2], 1e300), 33554432.0);
}

TEST(PipeEdge, ShortParametersOutRepeatsCyclicallyWithAWarning) {
  TempFiles files;
  const auto problem = load_small(files, R"(m:
  layers: 3
  parameters_in: 10
  parameters_out: [20, 30]
  mem_MB: [1, 1, 1]
)",
                                  kTypes, kDevices, 2);
  ASSERT_TRUE(problem.ok()) << problem.error_text();
  // out_elems = 20, 30, 20 (index (j - 1) mod 2); cuts = 4 * 2 * (10, 20, 30, 20).
  EXPECT_EQ(problem->table.cut_bytes, (std::vector<double>{80.0, 160.0, 240.0, 160.0}));
  EXPECT_TRUE(has_diagnostic(problem->warnings, files.path("models.yml"), 4, "m.parameters_out",
                             "repeated cyclically"));
}

TEST(PipeEdge, EmitsPipeEdgeScheduleLines) {
  // Byte for byte what PipeEdge's sched-pipeline printed for the README example.
  EXPECT_EQ(emit_pipeedge_schedule({"mb-0", "mb-1", "rcc-0"}, {{0, 5}, {6, 11}, {12, 47}}),
            "- mb-0: [1, 6]\n- mb-1: [7, 12]\n- rcc-0: [13, 48]\n");
  EXPECT_EQ(emit_pipeedge_schedule({"h"}, {{0, 0}}), "- h: [1, 1]\n");
  EXPECT_EQ(emit_pipeedge_schedule({}, {}), "[]\n");
}

TEST(PipeEdge, EmitterRejectsMismatchedSizes) {
  EXPECT_THROW((void)emit_pipeedge_schedule({"a", "b"}, {{0, 1}}), std::invalid_argument);
}

TEST(PipeEdge, UnknownModelListsTheKnownOnes) {
  TempFiles files;
  const std::string models = files.write("models.yml", kModels + std::string("other:\n  x: 1\n"));
  const auto problem = load_pipeedge(models, files.write("types.yml", kTypes),
                                     files.write("devices.yml", kDevices), "vit", 2);
  ASSERT_FALSE(problem.ok());
  EXPECT_TRUE(has_diagnostic(problem.diagnostics(), models, 1, "vit",
                             "unknown model 'vit'; known models: m, other"));
}

TEST(PipeEdge, MissingFilesAreNamed) {
  TempFiles files;
  const auto problem = load_pipeedge(files.path("nope.yml"), files.write("types.yml", kTypes),
                                     files.path("absent.yml"), "m", 2);
  ASSERT_FALSE(problem.ok());
  EXPECT_TRUE(
      has_diagnostic(problem.diagnostics(), files.path("nope.yml"), 0, "file", "no such file"));
  EXPECT_TRUE(
      has_diagnostic(problem.diagnostics(), files.path("absent.yml"), 0, "file", "no such file"));
}

TEST(PipeEdge, YamlSyntaxErrorHasLineAndColumn) {
  TempFiles files;
  const auto problem = load_small(files, kModels, kTypes, "fast:\n- f0\n- [f1\n");
  ASSERT_FALSE(problem.ok());
  ASSERT_EQ(problem.diagnostics().size(), 1u);
  const Diagnostic& d = problem.diagnostics()[0];
  EXPECT_EQ(d.file, files.path("devices.yml"));
  EXPECT_GE(d.line, 3);
  EXPECT_GT(d.column, 0);
  EXPECT_NE(d.message.find("YAML syntax error"), std::string::npos);
}

TEST(PipeEdge, NegativeNumbersAreRejectedWhereTheyAre) {
  TempFiles files;
  const auto problem = load_small(files, R"(m:
  layers: 3
  parameters_in: -10
  parameters_out: [20, -30, 40]
  mem_MB: [1.5, 2, -0.25]
)",
                                  R"(fast:
  bw_Mbps: -1000
  mem_MB: -64
  model_profiles:
    m:
    - batch_size: 2
      dtype: torch.float32
      time_s: [0.1, -0.2, 0.3]
)",
                                  "fast: [f0]\n");
  ASSERT_FALSE(problem.ok());
  const auto& ds = problem.diagnostics();
  const std::string models = files.path("models.yml");
  const std::string types = files.path("types.yml");
  EXPECT_TRUE(has_diagnostic(ds, models, 3, "m.parameters_in", "must not be negative, got -10"));
  EXPECT_TRUE(has_diagnostic(ds, models, 4, "m.parameters_out[1]", "must not be negative"));
  EXPECT_TRUE(has_diagnostic(ds, models, 5, "m.mem_MB[2]", "must not be negative"));
  EXPECT_TRUE(has_diagnostic(ds, types, 2, "fast.bw_Mbps", "must not be negative"));
  EXPECT_TRUE(has_diagnostic(ds, types, 3, "fast.mem_MB", "must not be negative"));
  EXPECT_TRUE(
      has_diagnostic(ds, types, 8, "fast.model_profiles.m[0].time_s[1]", "must not be negative"));
  EXPECT_EQ(ds.size(), 6u);  // every problem, in both files, is reported at once
}

TEST(PipeEdge, WrongListLengthsAreRejected) {
  TempFiles files;
  const auto model = load_small(files, R"(m:
  layers: 3
  parameters_in: 10
  parameters_out: [1, 2, 3, 4]
  mem_MB: [1, 2]
)",
                                kTypes, kDevices);
  ASSERT_FALSE(model.ok());
  const std::string models = files.path("models.yml");
  EXPECT_TRUE(
      has_diagnostic(model.diagnostics(), models, 5, "m.mem_MB", "has 2 entries; layers is 3"));
  EXPECT_TRUE(has_diagnostic(model.diagnostics(), models, 4, "m.parameters_out", "has 4 entries"));

  const auto times = load_small(files, kModels, R"(fast:
  bw_Mbps: 1000
  mem_MB: 64
  model_profiles:
    m:
    - batch_size: 2
      dtype: torch.float32
      time_s: [0.1, 0.2]
)",
                                "fast: [f0]\n");
  ASSERT_FALSE(times.ok());
  EXPECT_TRUE(has_diagnostic(times.diagnostics(), files.path("types.yml"), 8,
                             "fast.model_profiles.m[0].time_s",
                             "has 2 entries; the model has 3 layers"));
}

TEST(PipeEdge, MissingAndNonNumericFieldsAreRejected) {
  TempFiles files;
  const auto problem = load_small(files, R"(m:
  layers: three
  parameters_out: [20, 30, 40]
  mem_MB: [1, 2, .nan]
)",
                                  R"(fast:
  mem_MB: 64
)",
                                  "fast: f0\n");
  ASSERT_FALSE(problem.ok());
  const auto& ds = problem.diagnostics();
  const std::string models = files.path("models.yml");
  EXPECT_TRUE(has_diagnostic(ds, models, 2, "m.layers", "expected an integer, got 'three'"));
  EXPECT_TRUE(has_diagnostic(ds, models, 2, "m.parameters_in", "missing field 'parameters_in'"));
  EXPECT_TRUE(has_diagnostic(ds, models, 4, "m.mem_MB[2]", "expected a finite number"));
  EXPECT_TRUE(
      has_diagnostic(ds, files.path("types.yml"), 2, "fast.bw_Mbps", "missing field 'bw_Mbps'"));
  EXPECT_TRUE(has_diagnostic(ds, files.path("devices.yml"), 1, "fast", "expected a list"));
}

TEST(PipeEdge, HostListedTwiceIsRejected) {
  TempFiles files;
  const auto problem = load_small(files, kModels, kTypes, "fast: [f0, f1]\nslow:\n- f0\n");
  ASSERT_FALSE(problem.ok());
  EXPECT_TRUE(has_diagnostic(problem.diagnostics(), files.path("devices.yml"), 3, "slow[0]",
                             "host 'f0' is already listed on line 1"));
}

TEST(PipeEdge, NoParticipatingTypeIsAnError) {
  TempFiles files;
  // Only an undefined type has hosts: PipeEdge would print [] here.
  const auto problem = load_small(files, kModels, kTypes, "tpu: [t0]\n");
  ASSERT_FALSE(problem.ok());
  EXPECT_TRUE(has_diagnostic(problem.diagnostics(), files.path("devices.yml"), 0, "",
                             "no device type has both hosts here and a profile for model 'm'"));
  // The reasons come with it.
  EXPECT_TRUE(has_diagnostic(problem.diagnostics(), files.path("devices.yml"), 1, "tpu",
                             "is not defined in types.yml"));
}

TEST(PipeEdge, NonPositiveBatchIsRejected) {
  TempFiles files;
  const auto problem = load_small(files, kModels, kTypes, kDevices, 0);
  ASSERT_FALSE(problem.ok());
  EXPECT_TRUE(has_diagnostic(problem.diagnostics(), "", 0, "batch", "must be a positive"));
}

TEST(PipeEdge, MalformedStructureIsRejected) {
  TempFiles files;
  const auto problem = load_small(files, "- not a map\n", R"(fast:
  bw_Mbps: 1
  mem_MB: 1
  model_profiles: [1, 2]
slow: 3
)",
                                  kDevices);
  ASSERT_FALSE(problem.ok());
  const auto& ds = problem.diagnostics();
  EXPECT_TRUE(has_diagnostic(ds, files.path("models.yml"), 1, "", "expected a map"));
  EXPECT_TRUE(has_diagnostic(ds, files.path("types.yml"), 4, "fast.model_profiles",
                             "expected a map from model name to list"));
  EXPECT_TRUE(has_diagnostic(ds, files.path("types.yml"), 5, "slow", "expected a map"));
}

}  // namespace
}  // namespace tessera::io
