// ONNX import time of the graph-only fixtures (tests/data/onnx): parse, check, shape inference
// with constant folding, IR construction. Target: ResNet-152 in well under 1 s.
#include <benchmark/benchmark.h>

#include <string>

#include "tessera/graph/passes.hpp"
#include "tessera/onnx/onnx_import.hpp"

namespace {

std::string onnx_fixture(const char* name) {
  return std::string(TESSERA_TEST_DATA_DIR) + "/onnx/" + name + ".onnx";
}

/// Imports `name` once per iteration; with `chain`, also fuses it into the layer chain.
void import_fixture(benchmark::State& state, const char* name, bool chain) {
  const std::string path = onnx_fixture(name);
  tessera::onnx::OnnxImportOptions options;
  options.sequence_length = 128;
  for (auto _ : state) {
    auto imported = tessera::onnx::import_onnx(path, options);
    if (!imported.ok()) {
      state.SkipWithError(imported.error_text().c_str());
      return;
    }
    if (chain) {
      auto layers = tessera::graph::build_layer_chain(imported->graph);
      benchmark::DoNotOptimize(layers);
    }
    benchmark::DoNotOptimize(imported);
  }
}

void BM_OnnxImportResnet152(benchmark::State& state) {
  import_fixture(state, "resnet152", false);
}
void BM_OnnxImportResnet152WithLayerChain(benchmark::State& state) {
  import_fixture(state, "resnet152", true);
}
/// GPT-2 small: ~3,000 nodes, two thirds of them shape computations folded at import.
void BM_OnnxImportGpt2(benchmark::State& state) {
  import_fixture(state, "gpt2", false);
}

}  // namespace

BENCHMARK(BM_OnnxImportResnet152)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OnnxImportResnet152WithLayerChain)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OnnxImportGpt2)->Unit(benchmark::kMillisecond);
