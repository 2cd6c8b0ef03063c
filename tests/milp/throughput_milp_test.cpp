// The exact throughput solver and anytime mode against an independent MILP of the same problem
// solved by CBC (tests/support/milp): equal optimal periods on random instances of up to 8
// layers and 5 distinct devices, and anytime bounds that never pass the MILP's optimum.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "support/milp/throughput_milp.hpp"
#include "support/random_instance.hpp"
#include "tessera/plan/evaluate_plan.hpp"
#include "tessera/plan/solve.hpp"

namespace tessera::plan {
namespace {

double relative(double a, double b) {
  if (a == b) return 0.0;
  return std::fabs(a - b) / std::max(std::fabs(a), std::fabs(b));
}

struct Case {
  cost::CostTable table;
  PlanOptions options;
  std::string name;
};

Case random_case(std::uint64_t seed) {
  testing::RandomInstanceSpec spec;
  spec.seed = seed + 55000;
  spec.layers = 4 + static_cast<std::int32_t>(seed % 5);               // 4..8
  spec.class_sizes.assign(static_cast<std::size_t>(3 + seed % 3), 1);  // 3..5 distinct
  spec.memory_tightness = seed % 4 == 0 ? 0.8 : (seed % 4 == 1 ? 0.2 : 0.5);
  spec.inf_probability = seed % 6 == 0 ? 0.15 : 0.0;
  spec.asymmetric_links = seed % 2 == 0;
  spec.pipelined_probability = seed % 5 == 0 ? 0.5 : 0.0;
  Case c{testing::random_cost_table(spec), PlanOptions{}, ""};
  c.options.objective = Objective::kThroughput;
  c.options.overlap = (seed / 2) % 2 == 0;
  c.options.include_source_sink = seed % 7 != 3;
  c.name = "seed " + std::to_string(spec.seed) + ", " + std::to_string(spec.layers) + " layers x " +
           std::to_string(c.table.num_devices) + " devices, overlap " +
           std::to_string(c.options.overlap) + ", source/sink " +
           std::to_string(c.options.include_source_sink);
  return c;
}

TEST(ThroughputMilp, CbcOptimumEqualsTheExactSolverAndBoundsAnytimeMode) {
  int agreeing = 0;
  for (std::uint64_t seed = 1; seed <= 70; ++seed) {
    const Case c = random_case(seed);
    SCOPED_TRACE(c.name);
    const testing::MilpAnswer milp = testing::solve_throughput_milp(c.table, c.options);
    ASSERT_TRUE(milp.solved);
    const PlanResult exact = solve(c.table, c.options);
    ASSERT_EQ(exact.has_plan(), milp.feasible);
    if (!milp.feasible) continue;
    // CBC's plan is a real plan, and its period is the exact solver's.
    const Plan milp_plan = evaluate_plan(c.table, milp.stages, c.options);
    EXPECT_TRUE(milp_plan.feasible());
    EXPECT_LE(relative(milp_plan.period_s, milp.period_s), 1e-9);
    EXPECT_LE(relative(milp.objective_s, milp.period_s), 1e-5) << "CBC's tolerance";
    EXPECT_LE(relative(milp.period_s, exact.plan().period_s), 1e-6)
        << milp.period_s << " vs " << exact.plan().period_s;
    if (relative(milp.period_s, exact.plan().period_s) <= 1e-6) ++agreeing;

    // Anytime mode (exact search refused), stopped early and run to gap 0.
    const double optimum = milp.period_s;
    for (const bool to_the_end : {false, true}) {
      PlanOptions o = c.options;
      o.max_state_vectors = 1;
      if (to_the_end) {
        o.gap = 0.0;
      } else {
        o.time_limit_s = 0.001;
      }
      const PlanResult any = solve(c.table, o);
      if (!any.has_plan()) {
        EXPECT_FALSE(to_the_end);
        continue;
      }
      ASSERT_TRUE(any.stats().period_lower_bound_s.has_value());
      ASSERT_TRUE(any.stats().gap.has_value());
      const double lower = *any.stats().period_lower_bound_s;
      const double period = any.plan().period_s;
      EXPECT_TRUE(any.plan().feasible());
      EXPECT_LE(lower, optimum * (1 + 1e-9));
      EXPECT_GE(period, optimum * (1 - 1e-9));
      EXPECT_LE(period, optimum * (1 + *any.stats().gap) * (1 + 1e-9));
      if (to_the_end) {
        EXPECT_TRUE(any.stats().optimal);
        EXPECT_LE(relative(period, optimum), 1e-6);
      }
    }
  }
  RecordProperty("agreeing", agreeing);
  EXPECT_GE(agreeing, 50);
}

}  // namespace
}  // namespace tessera::plan
