// The (period, energy) front and the weighted objective.
#include "tessera/plan/pareto_front.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support/cost_tables.hpp"
#include "support/random_instance.hpp"
#include "tessera/plan/solve.hpp"

namespace tessera::plan {
namespace {

constexpr double kEps = 1e-12;

/// Two layers: dev0 is slow but frugal (time {1, 3} s, energy {0.5, 1.5} J), dev1 fast but
/// hungry (time {2, 2} s, energy {4, 4} J); no transfers, no static power.
///   [dev0]        period 4, energy 2
///   [dev1]        period 4, energy 8
///   [dev0 → dev1] period max(1, 2) = 2, energy 0.5 + 4 = 4.5
///   [dev1 → dev0] period max(2, 3) = 3, energy 4 + 1.5 = 5.5 (dominated by the one above)
/// Front: (2 s, 4.5 J), (4 s, 2 J).
cost::CostTable frugal_and_fast() {
  cost::CostTable t = testing::blank_cost_table(2, 2);
  t.time_s = {1, 3, 2, 2};
  t.energy_j = {0.5, 1.5, 4, 4};
  return t;
}

TEST(ParetoFront, HoldsExactlyTheNonDominatedPoints) {
  const ParetoFront f = pareto_front(frugal_and_fast(), PlanOptions{});
  ASSERT_FALSE(f.infeasible.has_value());
  ASSERT_EQ(f.points.size(), 2U);
  EXPECT_NEAR(f.points[0].period_s, 2.0, kEps);
  EXPECT_NEAR(f.points[0].energy_per_inference_j, 4.5, kEps);
  EXPECT_NEAR(f.points[1].period_s, 4.0, kEps);
  EXPECT_NEAR(f.points[1].energy_per_inference_j, 2.0, kEps);
  EXPECT_EQ(f.points[1].plan.stages.size(), 1U);
  EXPECT_EQ(f.points[1].plan.stages[0].device, DeviceId(0));
  EXPECT_TRUE(f.stats.optimal);
}

TEST(ParetoFront, WeightedPicksThePointWithTheSmallestNormalisedScore) {
  // period* = 2, energy* = 2. score([dev0 → dev1]) = a · 1 + (1 - a) · 2.25 and
  // score([dev0]) = a · 2 + (1 - a) · 1: equal at a = 5/9.
  PlanOptions o;
  o.objective = Objective::kWeighted;
  o.alpha = 0.5;  // 1.625 vs 1.5: [dev0]
  PlanResult r = solve(frugal_and_fast(), o);
  ASSERT_TRUE(r.has_plan());
  EXPECT_NEAR(r.plan().period_s, 4.0, kEps);
  o.alpha = 0.7;  // 0.7 + 0.675 = 1.375 vs 1.4 + 0.3 = 1.7: [dev0 → dev1]
  r = solve(frugal_and_fast(), o);
  ASSERT_TRUE(r.has_plan());
  EXPECT_NEAR(r.plan().period_s, 2.0, kEps);
}

TEST(ParetoFront, AlsoGivesTheLatencyEnergyFrontWhenAsked) {
  // latencies: [dev0] 4, [dev1] 4, [dev0 → dev1] 3, [dev1 → dev0] 5: front (3, 4.5), (4, 2)
  PlanOptions o;
  o.latency_energy_front = true;
  const ParetoFront f = pareto_front(frugal_and_fast(), o);
  ASSERT_EQ(f.latency_points.size(), 2U);
  EXPECT_NEAR(f.latency_points[0].latency_s, 3.0, kEps);
  EXPECT_NEAR(f.latency_points[0].energy_per_inference_j, 4.5, kEps);
  EXPECT_NEAR(f.latency_points[1].latency_s, 4.0, kEps);
  EXPECT_NEAR(f.latency_points[1].energy_per_inference_j, 2.0, kEps);
}

TEST(ParetoFront, SpansTheThroughputAndEnergyOptimaOnALargerInstance) {
  testing::RandomInstanceSpec spec;
  spec.seed = 7;
  spec.layers = 40;
  spec.class_sizes = {2, 2, 1, 1};
  spec.memory_tightness = 0.5;
  const cost::CostTable t = testing::random_cost_table(spec);
  const ParetoFront f = pareto_front(t, PlanOptions{});
  ASSERT_GE(f.points.size(), 2U);
  for (std::size_t i = 1; i < f.points.size(); ++i) {
    EXPECT_GT(f.points[i].period_s, f.points[i - 1].period_s);
    EXPECT_LT(f.points[i].energy_per_inference_j, f.points[i - 1].energy_per_inference_j);
  }
  PlanOptions o;
  o.objective = Objective::kThroughput;
  const PlanResult fastest = solve(t, o);
  o.objective = Objective::kEnergy;
  const PlanResult frugal = solve(t, o);
  ASSERT_TRUE(fastest.has_plan() && frugal.has_plan());
  EXPECT_NEAR(f.points.front().period_s, fastest.plan().period_s, 1e-9 * fastest.plan().period_s);
  EXPECT_NEAR(f.points.front().energy_per_inference_j, fastest.plan().energy_per_inference_j,
              1e-9 * fastest.plan().energy_per_inference_j);
  EXPECT_NEAR(f.points.back().energy_per_inference_j, frugal.plan().energy_per_inference_j,
              1e-9 * frugal.plan().energy_per_inference_j);
  // Every weighted optimum is a point of the front.
  for (const double alpha : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    o.objective = Objective::kWeighted;
    o.alpha = alpha;
    const PlanResult w = solve(t, o);
    ASSERT_TRUE(w.has_plan());
    bool on_front = false;
    for (const ParetoPoint& p : f.points) {
      on_front = on_front || (p.period_s == w.plan().period_s &&
                              p.energy_per_inference_j == w.plan().energy_per_inference_j);
    }
    EXPECT_TRUE(on_front) << "alpha " << alpha;
  }
}

}  // namespace
}  // namespace tessera::plan

namespace tessera::plan {
namespace {

TEST(ParetoFrontLimits, TheSweepStopsAtItsStateBudgetAndSaysSo) {
  // A front of several points; a budget of one state stops the sweep after the first solve.
  testing::RandomInstanceSpec spec;
  spec.seed = 7;
  spec.layers = 12;
  spec.class_sizes = {1, 1, 1};
  const cost::CostTable t = testing::random_cost_table(spec);
  const ParetoFront full = pareto_front(t, PlanOptions{});
  ASSERT_FALSE(full.infeasible.has_value());
  ASSERT_GE(full.points.size(), 2U) << "the instance needs a front of several points";
  EXPECT_TRUE(full.truncated.empty());
  EXPECT_TRUE(full.stats.optimal);
  PlanOptions budget;
  budget.max_front_work = 1;
  const ParetoFront cut = pareto_front(t, budget);
  EXPECT_LT(cut.points.size(), full.points.size());
  EXPECT_FALSE(cut.stats.optimal);
  EXPECT_NE(cut.truncated.find("work limit (1 DP state-layer steps)"), std::string::npos)
      << cut.truncated;
}

}  // namespace
}  // namespace tessera::plan
