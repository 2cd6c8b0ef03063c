// Problem assembly, the step every planning command starts with: model -> layer chain ->
// platform -> cost table -> network (problem::assemble), on a large model and platform.
#include <benchmark/benchmark.h>

#include "tessera/problem/problem.hpp"

namespace {

void assemble(benchmark::State& state, const char* model, const char* platform) {
  tessera::io::ProblemInputs inputs;
  inputs.model = model;
  inputs.platform = platform;
  for (auto _ : state) {
    auto problem = tessera::problem::assemble(inputs);
    if (!problem.ok()) {
      state.SkipWithError(problem.error_text().c_str());
      return;
    }
    benchmark::DoNotOptimize(problem->table.time_s.data());
  }
}

void BM_AssembleResnet152OnHetero16(benchmark::State& state) {
  assemble(state, "resnet152", "hetero16");
}
void BM_AssembleVgg8OnDonnaHetero(benchmark::State& state) {
  assemble(state, "vgg8", "donna-hetero");
}

}  // namespace

BENCHMARK(BM_AssembleResnet152OnHetero16)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AssembleVgg8OnDonnaHetero)->Unit(benchmark::kMillisecond);
