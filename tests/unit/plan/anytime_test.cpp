// Anytime mode: a heuristic throughput search with a proven lower bound for instances beyond
// max_state_vectors. Forced on small instances (max_state_vectors = 1) it is checked against
// brute force: its bound never exceeds the optimum, its plan is never better than the optimum,
// its gap is a true bound, and with gap 0 and no time limit it proves the optimum.
#include <gtest/gtest.h>

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

testing::RandomInstanceSpec small_spec(std::uint64_t seed) {
  testing::RandomInstanceSpec spec;
  spec.seed = seed + 91000;
  spec.layers = 4 + static_cast<std::int32_t>(seed % 4);
  spec.class_sizes.assign(static_cast<std::size_t>(3 + seed % 3), 1);
  if (seed % 7 == 3) spec.class_sizes = {2, 1, 2};  // classes take the generic paths
  spec.memory_tightness = seed % 3 == 0 ? 0.9 : (seed % 3 == 1 ? 0.3 : 0.6);
  spec.inf_probability = seed % 5 == 0 ? 0.2 : 0.0;
  spec.asymmetric_links = seed % 2 == 0;
  spec.pipelined_probability = seed % 6 == 0 ? 0.5 : 0.0;
  return spec;
}

PlanOptions small_options(std::uint64_t seed) {
  PlanOptions options;
  options.objective = Objective::kThroughput;
  options.overlap = (seed / 2) % 2 == 0;
  options.include_source_sink = seed % 5 != 4;
  options.max_state_vectors = 1;  // refuse the exact search: anytime mode
  return options;
}

TEST(Anytime, GapZeroWithoutTimeLimitProvesTheBruteForceOptimum) {
  int feasible = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    const testing::RandomInstanceSpec spec = small_spec(seed);
    PlanOptions options = small_options(seed);
    options.gap = 0.0;
    const cost::CostTable table = testing::random_cost_table(spec);
    SCOPED_TRACE("seed " + std::to_string(spec.seed) + ", layers " + std::to_string(spec.layers) +
                 ", devices " + std::to_string(table.num_devices));
    const std::optional<Plan> want =
        testing::brute_force_best(testing::all_feasible_plans(table, options), options);
    const PlanResult got = solve(table, options);
    ASSERT_EQ(got.has_plan(), want.has_value());
    if (!want) continue;
    ++feasible;
    EXPECT_TRUE(got.plan().feasible());
    EXPECT_TRUE(got.stats().optimal) << got.stats().method;
    EXPECT_TRUE(near(got.plan().period_s, want->period_s))
        << got.plan().period_s << " vs " << want->period_s;
    ASSERT_TRUE(got.stats().period_lower_bound_s.has_value());
    ASSERT_TRUE(got.stats().gap.has_value());
    EXPECT_EQ(*got.stats().gap, 0.0);
    EXPECT_TRUE(near(*got.stats().period_lower_bound_s, want->period_s));
  }
  EXPECT_GE(feasible, 40);
}

TEST(Anytime, BoundAndGapHoldWhenStoppedEarly) {
  // Stopped after one test or at once: the bound is still a bound and the gap is honest.
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    const testing::RandomInstanceSpec spec = small_spec(seed);
    const cost::CostTable table = testing::random_cost_table(spec);
    PlanOptions options = small_options(seed);
    const std::optional<Plan> want =
        testing::brute_force_best(testing::all_feasible_plans(table, options), options);
    if (!want) continue;
    for (const double limit : {0.0, 0.002}) {
      SCOPED_TRACE("seed " + std::to_string(spec.seed) + ", time limit " + std::to_string(limit));
      PlanOptions o = options;
      o.time_limit_s = limit;
      const PlanResult got = solve(table, o);
      if (!got.has_plan()) continue;  // nothing found in time: allowed, not claimed infeasible
      const double period = got.plan().period_s;
      ASSERT_TRUE(got.stats().period_lower_bound_s.has_value());
      const double lower = *got.stats().period_lower_bound_s;
      const double gap = *got.stats().gap;
      EXPECT_TRUE(got.plan().feasible());
      EXPECT_LE(lower, want->period_s * (1 + 1e-9));
      EXPECT_GE(period, want->period_s * (1 - 1e-9));
      EXPECT_GE(gap, 0.0);
      // The gap bounds the distance to the optimum: period <= optimum · (1 + gap).
      EXPECT_LE(period, want->period_s * (1 + gap) * (1 + 1e-9));
      if (got.stats().optimal) {
        EXPECT_TRUE(near(period, want->period_s));
      }
    }
  }
}

TEST(Anytime, ExactSearchWithinReachReportsGapZero) {
  testing::RandomInstanceSpec spec;
  spec.layers = 8;
  spec.class_sizes = {1, 1, 1, 1};
  spec.seed = 5;
  const cost::CostTable table = testing::random_cost_table(spec);
  PlanOptions options;
  options.time_limit_s = 5.0;
  options.gap = 0.01;
  const PlanResult got = solve(table, options);
  ASSERT_TRUE(got.has_plan());
  EXPECT_TRUE(got.stats().optimal);
  EXPECT_EQ(got.stats().gap, 0.0);
  EXPECT_EQ(got.stats().period_lower_bound_s, got.plan().period_s);
  const PlanResult plain = solve(table, PlanOptions{});
  EXPECT_EQ(plain.plan().assignment(), got.plan().assignment());
  EXPECT_FALSE(plain.stats().gap.has_value());
}

TEST(Anytime, LargeInstanceGetsFeasiblePlanWithFiniteGap) {
  // 300 layers x 32 distinct devices: 2^32 count vectors, beyond max_state_vectors.
  testing::RandomInstanceSpec spec;
  spec.layers = 300;
  spec.class_sizes.assign(32, 1);
  spec.seed = 17;
  spec.memory_tightness = 0.3;
  const cost::CostTable table = testing::random_cost_table(spec);
  PlanOptions options;
  options.time_limit_s = 1.0;
  const PlanResult got = solve(table, options);
  ASSERT_TRUE(got.has_plan()) << got.infeasible().constraint;
  EXPECT_TRUE(got.plan().feasible());
  ASSERT_TRUE(got.stats().period_lower_bound_s.has_value());
  ASSERT_TRUE(got.stats().gap.has_value());
  EXPECT_GT(*got.stats().period_lower_bound_s, 0.0);
  EXPECT_LE(*got.stats().period_lower_bound_s, got.plan().period_s);
  EXPECT_TRUE(std::isfinite(*got.stats().gap));
  EXPECT_NE(got.stats().method.find("anytime"), std::string::npos);
  // Without a limit the same instance falls back to the baselines, as before.
  const PlanResult fallback = solve(table, PlanOptions{});
  ASSERT_TRUE(fallback.has_plan());
  EXPECT_FALSE(fallback.stats().period_lower_bound_s.has_value());
  EXPECT_LE(got.plan().period_s, fallback.plan().period_s * (1 + 1e-12));
}

}  // namespace
}  // namespace tessera::plan
