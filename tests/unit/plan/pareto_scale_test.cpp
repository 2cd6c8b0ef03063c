// The Pareto front beyond the oracle's sizes: the energy search that starts at the least
// period, the relaxed reach bound inside the cost DP, node bounds from seen plans and parents,
// and forward passes split over threads, against brute force on random instances of 5-7
// distinct devices; and the same front for every thread count on larger instances.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "support/brute_force.hpp"
#include "support/random_instance.hpp"
#include "tessera/plan/pareto_front.hpp"

namespace tessera::plan {
namespace {

bool near(double a, double b) {
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

/// Two fronts of one instance are the same: the same points (period and energy equal to the
/// last bit) with the same plans.
void expect_same_front(const ParetoFront& got, const ParetoFront& want) {
  ASSERT_EQ(got.points.size(), want.points.size());
  for (std::size_t i = 0; i < got.points.size(); ++i) {
    EXPECT_EQ(got.points[i].period_s, want.points[i].period_s) << "point " << i;
    EXPECT_EQ(got.points[i].energy_per_inference_j, want.points[i].energy_per_inference_j)
        << "point " << i;
    EXPECT_EQ(got.points[i].plan.assignment(), want.points[i].plan.assignment()) << "point " << i;
  }
}

TEST(ParetoScale, DistinctDevicesMatchBruteForceForAnyThreadCount) {
  int fronts = 0;
  int long_fronts = 0;  // fronts of five points or more
  for (std::uint64_t seed = 1; seed <= 36; ++seed) {
    testing::RandomInstanceSpec spec;
    spec.seed = seed + 12000;
    spec.layers = 5 + static_cast<std::int32_t>(seed % 3);
    spec.class_sizes.assign(static_cast<std::size_t>(5 + seed % 3), 1);
    if (seed % 8 == 5) spec.class_sizes = {2, 1, 1, 2};  // classes take the generic paths
    spec.memory_tightness = seed % 3 == 0 ? 0.9 : (seed % 3 == 1 ? 0.3 : 0.6);
    spec.inf_probability = seed % 5 == 0 ? 0.2 : 0.0;
    spec.asymmetric_links = seed % 2 == 0;
    spec.pipelined_probability = seed % 7 == 0 ? 0.5 : 0.0;
    PlanOptions options;
    options.overlap = (seed / 2) % 2 == 0;
    options.include_source_sink = seed % 6 != 5;
    const cost::CostTable table = testing::random_cost_table(spec);
    SCOPED_TRACE("seed " + std::to_string(spec.seed) + ", layers " + std::to_string(spec.layers) +
                 ", devices " + std::to_string(table.num_devices) + ", overlap " +
                 std::to_string(options.overlap));
    const std::vector<testing::FrontPoint> want =
        testing::brute_force_front(testing::all_feasible_plans(table, options), false);
    const ParetoFront one = pareto_front(table, options);
    ASSERT_EQ(one.points.empty(), want.empty());
    if (want.empty()) continue;
    EXPECT_TRUE(one.stats.optimal);
    ASSERT_EQ(one.points.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_TRUE(near(one.points[i].period_s, want[i].x))
          << "point " << i << ": " << one.points[i].period_s << " vs " << want[i].x;
      EXPECT_TRUE(near(one.points[i].energy_per_inference_j, want[i].energy_j))
          << "point " << i << ": " << one.points[i].energy_per_inference_j << " vs "
          << want[i].energy_j;
      EXPECT_TRUE(one.points[i].plan.feasible());
    }
    for (const std::int32_t threads : {2, 3}) {
      SCOPED_TRACE(std::to_string(threads) + " threads");
      PlanOptions o = options;
      o.threads = threads;
      o.min_parallel_vectors = 1;  // split every level, however small
      expect_same_front(pareto_front(table, o), one);
    }
    ++fronts;
    if (want.size() >= 5) ++long_fronts;
  }
  EXPECT_GE(fronts, 24);
  EXPECT_GE(long_fronts, 8);
}

// Instances whose forward passes hold levels of many count vectors, so that the threads do
// split them: the same points and plans for 1, 2 and 3 threads.
TEST(ParetoScale, FrontDoesNotDependOnTheThreadCount) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    testing::RandomInstanceSpec spec;
    spec.seed = seed + 13000;
    spec.layers = 20 + static_cast<std::int32_t>(seed % 2) * 8;
    spec.class_sizes.assign(static_cast<std::size_t>(9 + seed % 2), 1);
    if (seed == 3) spec.class_sizes = {3, 2, 2, 1, 1, 1, 1};
    spec.memory_tightness = 0.5;
    PlanOptions options;
    options.overlap = seed % 3 != 0;
    const cost::CostTable table = testing::random_cost_table(spec);
    SCOPED_TRACE("seed " + std::to_string(spec.seed));
    const ParetoFront one = pareto_front(table, options);
    ASSERT_FALSE(one.points.empty());
    EXPECT_TRUE(one.stats.optimal);
    for (const std::int32_t threads : {2, 3}) {
      SCOPED_TRACE(std::to_string(threads) + " threads");
      PlanOptions o = options;
      o.threads = threads;
      expect_same_front(pareto_front(table, o), one);
    }
  }
}

// Two threads split every level of both DP passes (min_parallel_vectors = 1) and run the
// relaxation beside the Lagrangian bound: the same points and plans as one thread, on
// distinct devices (count vectors as bit masks) and on classes of several devices.
TEST(ParetoScale, TwoThreadsSplitEveryLevelAndKeepTheFront) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    testing::RandomInstanceSpec spec;
    spec.seed = seed + 14000;
    spec.layers = 14 + static_cast<std::int32_t>(seed % 3) * 4;
    spec.class_sizes.assign(static_cast<std::size_t>(7 + seed % 2), 1);
    if (seed % 3 == 0) spec.class_sizes = {2, 2, 1, 1, 1, 3};
    spec.memory_tightness = seed % 2 == 0 ? 0.4 : 0.7;
    spec.asymmetric_links = seed % 2 == 1;
    PlanOptions options;
    options.overlap = seed % 4 != 3;
    const cost::CostTable table = testing::random_cost_table(spec);
    SCOPED_TRACE("seed " + std::to_string(spec.seed));
    const ParetoFront one = pareto_front(table, options);
    ASSERT_FALSE(one.points.empty());
    EXPECT_TRUE(one.stats.optimal);
    PlanOptions two = options;
    two.threads = 2;
    two.min_parallel_vectors = 1;
    expect_same_front(pareto_front(table, two), one);
  }
}

}  // namespace
}  // namespace tessera::plan
