// Whole models against PyTorch: tests/data/make_runtime_fixtures.py exported each model with its
// weights, a seeded input and PyTorch's output (eval mode, float32); the executor must match
// within rtol 1e-4, atol 1e-5 (|tessera - torch| <= atol + rtol * |torch|, numpy's allclose).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "tessera/io/npy.hpp"
#include "tessera/onnx/onnx_import.hpp"
#include "tessera/runtime/executor.hpp"

namespace tessera::runtime {
namespace {

constexpr double kRtol = 1e-4;
constexpr double kAtol = 1e-5;

class PytorchFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(PytorchFixture, MatchesPytorchsOutput) {
  const std::string base = std::string(TESSERA_TEST_DATA_DIR) + "/runtime/" + GetParam();
  auto model = onnx::import_onnx(base + ".onnx");  // resnet_mini keeps its fixed batch of 2
  ASSERT_TRUE(model.ok()) << model.error_text();
  ExecutorOptions options;
  options.threads = 2;
  auto executor = Executor::create(model->graph, options);
  ASSERT_TRUE(executor.ok()) << executor.error_text();
  auto x = io::read_npy(base + ".input.npy");
  auto want = io::read_npy(base + ".output.npy");
  ASSERT_TRUE(x.ok() && want.ok());
  ASSERT_EQ(executor->input_specs().size(), 1U);
  HostTensor input = executor->input_specs()[0];
  ASSERT_EQ(input.shape, x->shape);
  ASSERT_EQ(input.dtype, x->dtype);
  input.data = x->data;
  auto y = executor->run({input});
  ASSERT_TRUE(y.ok()) << y.error_text();
  const auto& got = (*y)[0];
  ASSERT_EQ(got.shape, want->shape);
  std::vector<float> expected(static_cast<std::size_t>(got.elements()));
  std::memcpy(expected.data(), want->data.data(), want->data.size());
  double worst = 0.0;
  for (std::int64_t i = 0; i < got.elements(); ++i) {
    const double a = got.as<float>()[i], b = expected[static_cast<std::size_t>(i)];
    worst = std::max(worst, std::abs(a - b) / (kAtol + kRtol * std::abs(b)));
    ASSERT_LE(std::abs(a - b), kAtol + kRtol * std::abs(b)) << "element " << i;
  }
  std::cout << GetParam() << ": worst |diff| / (atol + rtol |torch|) = " << worst << "\n";
}

INSTANTIATE_TEST_SUITE_P(Models, PytorchFixture,
                         ::testing::Values("dwse_cnn", "resnet_mini", "gpt_mini", "gpt_mini_ln17"));

}  // namespace
}  // namespace tessera::runtime
