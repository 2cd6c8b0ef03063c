// Scaling of the exact planners on seeded random instances (tests/support/random_instance,
// seed 42, memory tightness 0.5). Arguments: layers, devices[, classes]; devices of a class
// are identical. Results are summarised in docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "support/random_instance.hpp"
#include "tessera/plan/pareto_front.hpp"
#include "tessera/plan/solve.hpp"

namespace {

using tessera::plan::Objective;
using tessera::plan::PlanOptions;
using tessera::testing::RandomInstanceSpec;

RandomInstanceSpec spec(std::int32_t layers, std::vector<std::int32_t> classes, double tight) {
  RandomInstanceSpec s;
  s.layers = layers;
  s.class_sizes = std::move(classes);
  s.seed = 42;
  s.memory_tightness = tight;
  return s;
}

void run_solve(benchmark::State& state, const RandomInstanceSpec& s, Objective objective,
               std::int32_t threads = 1) {
  const tessera::cost::CostTable table = tessera::testing::random_cost_table(s);
  PlanOptions options;
  options.objective = objective;
  options.threads = threads;
  std::int64_t states = 0;
  bool optimal = false;
  double period_s = 0.0;
  for (auto _ : state) {
    const tessera::plan::PlanResult r = tessera::plan::solve(table, options);
    if (!r.has_plan()) state.SkipWithError(r.infeasible().constraint.c_str());
    states = r.stats().states_explored;
    optimal = r.stats().optimal;
    if (r.has_plan()) period_s = r.plan().period_s;
    benchmark::DoNotOptimize(r);
  }
  state.counters["states"] = static_cast<double>(states);
  // 1 when the answer is proven optimal (0: a baseline fallback beyond max_state_vectors).
  state.counters["optimal"] = optimal ? 1.0 : 0.0;
  state.counters["period_us"] = period_s * 1e6;
}

std::vector<std::int32_t> distinct(std::int32_t n) {
  return std::vector<std::int32_t>(static_cast<std::size_t>(n), 1);
}

// Throughput, distinct devices: the 2^D subsets dominate.
void BM_ThroughputDistinct(benchmark::State& state) {
  run_solve(state,
            spec(static_cast<std::int32_t>(state.range(0)),
                 distinct(static_cast<std::int32_t>(state.range(1))), 0.5),
            Objective::kThroughput);
}
BENCHMARK(BM_ThroughputDistinct)
    ->ArgsProduct({{48}, {4, 8, 12, 16, 20, 24}})
    ->Args({150, 16})
    ->Unit(benchmark::kMillisecond);

// Throughput on distinct devices with 1 or 2 threads testing candidate periods.
void BM_ThroughputThreads(benchmark::State& state) {
  run_solve(state,
            spec(static_cast<std::int32_t>(state.range(0)),
                 distinct(static_cast<std::int32_t>(state.range(1))), 0.5),
            Objective::kThroughput, static_cast<std::int32_t>(state.range(2)));
}
BENCHMARK(BM_ThroughputThreads)
    ->ArgsProduct({{48}, {20, 24}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Throughput, devices in classes of identical devices.
void BM_ThroughputClasses(benchmark::State& state) {
  const auto layers = static_cast<std::int32_t>(state.range(0));
  const auto devices = static_cast<std::int32_t>(state.range(1));
  const auto classes = static_cast<std::int32_t>(state.range(2));
  run_solve(
      state,
      spec(layers, std::vector<std::int32_t>(static_cast<std::size_t>(classes), devices / classes),
           0.5),
      Objective::kThroughput);
}
BENCHMARK(BM_ThroughputClasses)
    ->Args({150, 16, 8})
    ->Args({50, 64, 4})
    ->Args({150, 64, 4})
    ->Args({500, 64, 4})
    ->Args({1000, 64, 4})
    ->Args({1000, 4, 4})
    ->Args({1000, 16, 4})
    ->Args({1000, 32, 4})
    ->Unit(benchmark::kMillisecond);

void BM_EnergyClasses(benchmark::State& state) {
  const auto layers = static_cast<std::int32_t>(state.range(0));
  run_solve(state, spec(layers, {16, 16, 16, 16}, 0.5), Objective::kEnergy);
}
BENCHMARK(BM_EnergyClasses)->Arg(150)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_LatencyClasses(benchmark::State& state) {
  const auto layers = static_cast<std::int32_t>(state.range(0));
  run_solve(state, spec(layers, {16, 16, 16, 16}, 0.5), Objective::kLatency);
}
BENCHMARK(BM_LatencyClasses)->Arg(150)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_LatencyDistinct(benchmark::State& state) {
  run_solve(state,
            spec(static_cast<std::int32_t>(state.range(0)),
                 distinct(static_cast<std::int32_t>(state.range(1))), 0.5),
            Objective::kLatency);
}
BENCHMARK(BM_LatencyDistinct)
    ->Args({48, 16})
    ->Args({150, 16})
    ->Args({48, 20})
    ->Unit(benchmark::kMillisecond);

void BM_EnergyDistinct(benchmark::State& state) {
  run_solve(state,
            spec(static_cast<std::int32_t>(state.range(0)),
                 distinct(static_cast<std::int32_t>(state.range(1))), 0.5),
            Objective::kEnergy);
}
BENCHMARK(BM_EnergyDistinct)
    ->Args({48, 16})
    ->Args({150, 16})
    ->Args({48, 20})
    ->Unit(benchmark::kMillisecond);

// The front benchmarks' instance: arguments layers, devices, classes (devices / classes each).
tessera::cost::CostTable front_table(const benchmark::State& state) {
  const auto layers = static_cast<std::int32_t>(state.range(0));
  const auto devices = static_cast<std::int32_t>(state.range(1));
  const auto classes = static_cast<std::int32_t>(state.range(2));
  return tessera::testing::random_cost_table(
      spec(layers, std::vector<std::int32_t>(static_cast<std::size_t>(classes), devices / classes),
           0.5));
}

// The exact (period, energy) front of a ResNet-152-sized chain (160 layers).
void BM_ParetoFront(benchmark::State& state) {
  const tessera::cost::CostTable table = front_table(state);
  PlanOptions options;
  // Fourth argument 1: no work limit, so the front is exact however long it takes.
  if (state.range(3) != 0) options.max_front_work = std::numeric_limits<std::int64_t>::max();
  std::size_t points = 0;
  bool truncated = false;
  for (auto _ : state) {
    const tessera::plan::ParetoFront f = tessera::plan::pareto_front(table, options);
    if (f.infeasible) state.SkipWithError(f.infeasible->constraint.c_str());
    points = f.points.size();
    truncated = !f.truncated.empty();
    benchmark::DoNotOptimize(f);
  }
  state.counters["points"] = static_cast<double>(points);
  // 1 when the sweep stopped at PlanOptions::max_front_work (the front is then not proven).
  state.counters["truncated"] = truncated ? 1.0 : 0.0;
}
BENCHMARK(BM_ParetoFront)
    ->Args({160, 16, 4, 0})
    ->Args({160, 8, 8, 0})
    ->Args({160, 12, 12, 0})
    ->Args({160, 16, 16, 0})
    ->Args({160, 16, 16, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// The exact front (no work limit) with PlanOptions::threads: layers, devices, classes, threads.
// The points do not depend on the threads; wall time does (CPU time is summed over threads).
void BM_ParetoFrontThreads(benchmark::State& state) {
  const tessera::cost::CostTable table = front_table(state);
  PlanOptions options;
  options.max_front_work = std::numeric_limits<std::int64_t>::max();
  options.threads = static_cast<std::int32_t>(state.range(3));
  std::size_t points = 0;
  for (auto _ : state) {
    const tessera::plan::ParetoFront f = tessera::plan::pareto_front(table, options);
    if (f.infeasible) state.SkipWithError(f.infeasible->constraint.c_str());
    points = f.points.size();
    benchmark::DoNotOptimize(f);
  }
  state.counters["points"] = static_cast<double>(points);
}
BENCHMARK(BM_ParetoFrontThreads)
    ->Args({160, 12, 12, 1})
    ->Args({160, 12, 12, 2})
    ->Args({160, 16, 16, 1})
    ->Args({160, 16, 16, 2})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
