// The throughput search beyond the oracle's sizes: the relaxed reach bound that proves most
// periods infeasible, the sparse storage of reached states and the sparse tie-break, against
// brute force on random instances of up to 7 distinct devices.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "support/brute_force.hpp"
#include "support/random_instance.hpp"
#include "tessera/plan/solve.hpp"

namespace tessera::plan {
namespace {

bool near(double a, double b) {
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

TEST(ThroughputScale, DistinctDevicesMatchBruteForce) {
  int feasible = 0;
  int many_stages = 0;  // optimal plans of four stages or more
  for (std::uint64_t seed = 1; seed <= 90; ++seed) {
    testing::RandomInstanceSpec spec;
    spec.seed = seed + 7000;
    spec.layers = 4 + static_cast<std::int32_t>(seed % 4);
    spec.class_sizes.assign(static_cast<std::size_t>(5 + seed % 3 - (seed % 4 == 3 ? 1 : 0)), 1);
    if (seed % 9 == 4) spec.class_sizes = {2, 1, 1, 2};  // classes take the generic paths
    spec.memory_tightness = seed % 3 == 0 ? 0.9 : (seed % 3 == 1 ? 0.3 : 0.6);
    spec.inf_probability = seed % 5 == 0 ? 0.2 : 0.0;
    spec.asymmetric_links = seed % 2 == 0;
    spec.pipelined_probability = seed % 7 == 0 ? 0.5 : 0.0;
    PlanOptions options;
    options.objective = Objective::kThroughput;
    options.overlap = (seed / 2) % 2 == 0;
    options.include_source_sink = seed % 6 != 5;
    const cost::CostTable table = testing::random_cost_table(spec);
    SCOPED_TRACE("seed " + std::to_string(spec.seed) + ", layers " + std::to_string(spec.layers) +
                 ", devices " + std::to_string(table.num_devices) + ", overlap " +
                 std::to_string(options.overlap));
    const std::vector<Plan> plans = testing::all_feasible_plans(table, options);
    const std::optional<Plan> want = testing::brute_force_best(plans, options);
    for (const std::int64_t work : {options.max_sparse_tie_break_work, std::int64_t{0}}) {
      SCOPED_TRACE("sparse tie-break work limit " + std::to_string(work));
      PlanOptions o = options;
      o.max_sparse_tie_break_work = work;
      const PlanResult got = solve(table, o);
      ASSERT_EQ(got.has_plan(), want.has_value());
      if (!want) continue;
      const Plan& p = got.plan();
      EXPECT_TRUE(got.stats().optimal);
      EXPECT_TRUE(p.feasible());
      EXPECT_TRUE(near(p.period_s, want->period_s)) << p.period_s << " vs " << want->period_s;
      EXPECT_EQ(p.devices_used, want->devices_used);
      EXPECT_TRUE(near(p.energy_per_inference_j, want->energy_per_inference_j))
          << p.energy_per_inference_j << " vs " << want->energy_per_inference_j;
    }
    if (want) {
      ++feasible;
      if (want->stages.size() >= 4) ++many_stages;
    }
  }
  EXPECT_GE(feasible, 50);
  EXPECT_GE(many_stages, 10);  // the bound must prune inside long chains, not only at the ends
}

// Several threads test several candidate periods per round: the plan (not only its period)
// is the same for every thread count, on instances large enough for several rounds.
TEST(ThroughputScale, PlanDoesNotDependOnTheThreadCount) {
  int rounds_differ = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    testing::RandomInstanceSpec spec;
    spec.seed = seed + 9100;
    spec.layers = 12 + static_cast<std::int32_t>(seed % 3) * 8;
    spec.class_sizes.assign(static_cast<std::size_t>(6 + seed % 5), 1);
    if (seed % 4 == 0) spec.class_sizes = {3, 2, 2, 1, 1};
    spec.memory_tightness = seed % 2 == 0 ? 0.5 : 0.8;
    PlanOptions options;
    options.objective = Objective::kThroughput;
    options.overlap = seed % 3 != 0;
    const cost::CostTable table = testing::random_cost_table(spec);
    SCOPED_TRACE("seed " + std::to_string(spec.seed));
    const PlanResult one = solve(table, options);
    ASSERT_TRUE(one.has_plan());
    for (const std::int32_t threads : {2, 3}) {
      options.threads = threads;
      const PlanResult many = solve(table, options);
      ASSERT_TRUE(many.has_plan());
      EXPECT_EQ(many.plan().assignment(), one.plan().assignment()) << threads << " threads";
      EXPECT_EQ(many.plan().period_s, one.plan().period_s);
      EXPECT_EQ(many.plan().energy_per_inference_j, one.plan().energy_per_inference_j);
      if (many.stats().dp_runs != one.stats().dp_runs) ++rounds_differ;
    }
  }
  EXPECT_GT(rounds_differ, 0);  // the threads did test other candidates
}

// With the count-vector limit below 2^devices, throughput refuses the exact search; at or
// above it, it stores only reached states, so a limit that the dense DPs' states (count
// vectors × classes) would exceed still gives the exact answer.
TEST(ThroughputScale, CountVectorLimitAppliesToThroughputAlone) {
  testing::RandomInstanceSpec spec;
  spec.seed = 11;
  spec.layers = 6;
  spec.class_sizes.assign(6, 1);
  spec.memory_tightness = 0.5;
  const cost::CostTable table = testing::random_cost_table(spec);
  PlanOptions o;
  o.objective = Objective::kThroughput;
  o.max_state_vectors = 64;  // 2^6 count vectors, 384 states
  const PlanResult exact = solve(table, o);
  ASSERT_TRUE(exact.has_plan());
  EXPECT_TRUE(exact.stats().optimal);
  const std::optional<Plan> want =
      testing::brute_force_best(testing::all_feasible_plans(table, o), o);
  ASSERT_TRUE(want.has_value());
  EXPECT_TRUE(near(exact.plan().period_s, want->period_s));
  o.max_state_vectors = 63;
  EXPECT_FALSE(solve(table, o).stats().optimal);
  o.max_state_vectors = 64;
  o.objective = Objective::kEnergy;  // dense DPs: 384 states > 64
  EXPECT_FALSE(solve(table, o).stats().optimal);
}

}  // namespace
}  // namespace tessera::plan
