// SimGrid simulation throughput: 10,000 inferences through a 16-stage plan (target < 2 s).
#include <benchmark/benchmark.h>

#include <vector>

#include "support/random_instance.hpp"
#include "tessera/sim/simulate.hpp"

namespace {

void BM_Simulate16Stages(benchmark::State& state) {
  tessera::testing::RandomInstanceSpec spec;
  spec.layers = 16;
  spec.class_sizes.assign(16, 1);
  spec.seed = 7;
  const auto table = tessera::testing::random_cost_table(spec);
  std::vector<tessera::plan::StageAssignment> stages;
  for (std::int32_t i = 0; i < 16; ++i)
    stages.push_back({tessera::DeviceId(i), tessera::LayerId(i), tessera::LayerId(i)});
  tessera::sim::SimOptions options;
  options.inferences = state.range(0);
  for (auto _ : state) {
    auto r = tessera::sim::simulate(table, stages, options);
    if (!r.ok()) {
      state.SkipWithError(r.error_text().c_str());
      return;
    }
    benchmark::DoNotOptimize(r->period_s);
  }
  state.counters["inferences"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_Simulate16Stages)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
