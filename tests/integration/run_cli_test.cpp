// `tessera run`: latency and throughput of a model on this machine, .npy in and out, and bad
// input (missing weights, unsupported operators, wrong input files) as exit 2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "support/cli_runner.hpp"
#include "tessera/io/npy.hpp"

namespace tessera {
namespace {

using nlohmann::json;
using testing::run_cli;
using testing::TempDir;

TEST(RunCli, ReportsLatencyAndThroughputAsJson) {
  const auto r = run_cli({"run", "mobilenet_v2", "--random-weights", "1", "--inferences", "3",
                          "--warmup", "1", "--threads", "2", "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc["format"], "tessera.run/1");
  const auto& lat = doc["latency_ms"];
  EXPECT_GT(lat["mean"].get<double>(), 0.0);
  EXPECT_LE(lat["p50"].get<double>(), lat["p99"].get<double>());
  EXPECT_LE(lat["min"].get<double>(), lat["p50"].get<double>());
  // throughput = 1000 / mean latency (ms)
  EXPECT_NEAR(doc["throughput_inferences_per_s"].get<double>(), 1000.0 / lat["mean"].get<double>(),
              1e-6 * doc["throughput_inferences_per_s"].get<double>());
  EXPECT_GT(doc["peak_rss_bytes"].get<double>(), 0.0);
  EXPECT_EQ(doc["outputs"][0]["shape"], json::array({1, 1000}));
}

TEST(RunCli, PrintsLatencyInMilliseconds) {
  const auto r =
      run_cli({"run", "resnet18", "--random-weights", "2", "--inferences", "2", "--batch", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("latency_ms: mean "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" inferences/s ("), std::string::npos);
  EXPECT_NE(r.out.find("output 'fc': float32 2x1000"), std::string::npos) << r.out;
}

TEST(RunCli, ReadsAndWritesNpyDeterministically) {
  TempDir dir;
  io::NpyArray input;
  input.shape = {1, 3, 224, 224};
  input.data.resize(static_cast<std::size_t>(3 * 224 * 224 * 4));
  for (std::size_t i = 0; i < input.data.size() / 4; ++i) {
    const float v = std::sin(static_cast<float>(i));
    std::memcpy(input.data.data() + 4 * i, &v, 4);
  }
  const std::string in = dir.path() + "/x.npy";
  ASSERT_TRUE(io::write_npy(in, input).ok());
  const std::string out1 = dir.path() + "/y1.npy", out2 = dir.path() + "/y2.npy";
  for (const auto& out : {out1, out2}) {
    const auto r = run_cli({"run", "resnet18", "--random-weights", "4", "--input", in, "--output",
                            out, "--inferences", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto y1 = io::read_npy(out1), y2 = io::read_npy(out2);
  ASSERT_TRUE(y1.ok() && y2.ok());
  EXPECT_EQ(y1->shape, (graph::Shape{1, 1000}));
  EXPECT_EQ(y1->data, y2->data);
  float first = 0;
  std::memcpy(&first, y1->data.data(), 4);
  EXPECT_TRUE(std::isfinite(first));
}

TEST(RunCli, AGraphOnlyModelNeedsRandomWeights) {
  const auto r = run_cli({"run", std::string(TESSERA_TEST_DATA_DIR) + "/onnx/resnet18.onnx"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("resnet18.onnx"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("random-weights seed"), std::string::npos) << r.err;
}

TEST(RunCli, RunsEveryOnnxFixtureWithRandomWeights) {
  for (const char* f : {"resnet18.onnx", "mobilenet_v2.onnx", "gpt2.onnx"}) {
    const auto r =
        run_cli({"run", std::string(TESSERA_TEST_DATA_DIR) + "/onnx/" + f, "--random-weights", "1",
                 "--inferences", "1", "--warmup", "0", "--seq-len", "8"});
    EXPECT_EQ(r.exit_code, 0) << f << ": " << r.err;
  }
}

TEST(RunCli, AnInputOfTheWrongShapeIsBadInput) {
  TempDir dir;
  io::NpyArray input;
  input.shape = {1, 3, 8, 8};
  input.data.resize(3 * 8 * 8 * 4);
  const std::string in = dir.path() + "/small.npy";
  ASSERT_TRUE(io::write_npy(in, input).ok());
  const auto r = run_cli({"run", "resnet18", "--random-weights", "1", "--input", in});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("small.npy"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1x3x224x224"), std::string::npos) << r.err;
}

TEST(RunCli, AFileThatIsNotNpyIsBadInput) {
  TempDir dir;
  const std::string in = dir.path() + "/x.npy";
  testing::write_file(in, "hello");
  const auto r = run_cli({"run", "resnet18", "--random-weights", "1", "--input", in});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("x.npy"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("magic"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tessera
