// Reference planners: simple, feasible, and never better than the exact solver.
#include "tessera/plan/baselines.hpp"

#include <gtest/gtest.h>

#include "support/cost_tables.hpp"
#include "support/random_instance.hpp"

namespace tessera::plan {
namespace {

constexpr double kEps = 1e-12;

TEST(Baselines, BestSingleDevicePicksTheFastestDeviceThatFits) {
  // dev0: 3 s but too small; dev1: 5 s; dev2: 4 s
  cost::CostTable t = testing::blank_cost_table(2, 3);
  t.time_s = {1, 2, 2, 3, 2, 2};
  t.memory = {10, 10, 10, 10, 10, 10};
  t.capacity = {15, 100, 100};
  const PlanResult r = best_single_device(t, PlanOptions{});
  ASSERT_TRUE(r.has_plan());
  EXPECT_FALSE(r.stats().optimal);
  EXPECT_EQ(r.plan().stages[0].device, DeviceId(2));
  EXPECT_NEAR(r.plan().period_s, 4.0, kEps);
}

TEST(Baselines, EvenSplitGivesTheKFastestDevicesNearlyEqualLayerCounts) {
  // Five 1 s layers; dev1 is the fastest overall, then dev0, then dev2. With k = 2 the split
  // is 3 + 2 layers, fastest device first; k = 3 gives 2 + 2 + 1 and period 2 as well, so the
  // tie goes to fewer devices.
  cost::CostTable t = testing::blank_cost_table(5, 3);
  for (std::int32_t l = 0; l < 5; ++l) {
    t.time_s[t.at(0, l)] = 1.0;
    t.time_s[t.at(1, l)] = 0.9;
    t.time_s[t.at(2, l)] = 1.1;
  }
  const PlanResult r = even_split(t, PlanOptions{});
  ASSERT_TRUE(r.has_plan());
  const std::vector<StageAssignment> want = {{DeviceId(1), LayerId(0), LayerId(1)},
                                             {DeviceId(0), LayerId(2), LayerId(3)},
                                             {DeviceId(2), LayerId(4), LayerId(4)}};
  // periods: k=1 4.5, k=2 max(2.7, 2) = 2.7, k=3 max(1.8, 2, 1.1) = 2
  EXPECT_NEAR(r.plan().period_s, 2.0, kEps);
  EXPECT_EQ(r.plan().assignment(), want);
}

TEST(Baselines, EvenSplitUsesAtLeastTwoDevicesWhenThereAreTwo) {
  // One device is best here (the other is slow), but "even split" showing one device was the
  // best single device under another name: the split is over two.
  cost::CostTable t = testing::blank_cost_table(4, 2);
  for (std::int32_t l = 0; l < 4; ++l) {
    t.time_s[t.at(0, l)] = 1.0;
    t.time_s[t.at(1, l)] = 10.0;
  }
  const PlanResult r = even_split(t, PlanOptions{});
  ASSERT_TRUE(r.has_plan());
  EXPECT_EQ(r.plan().devices_used, 2);
  // A one-device platform still has its one-device split.
  const PlanResult one = even_split(testing::blank_cost_table(4, 1), PlanOptions{});
  ASSERT_TRUE(one.has_plan());
  EXPECT_EQ(one.plan().devices_used, 1);
}

TEST(Baselines, GreedyFillsFastDevicesFirstAndStaysFeasible) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    testing::RandomInstanceSpec spec;
    spec.seed = seed;
    spec.layers = 20;
    spec.class_sizes = {1, 1, 1, 1};
    spec.memory_tightness = 0.3;
    const cost::CostTable t = testing::random_cost_table(spec);
    const PlanResult r = greedy(t, PlanOptions{});
    if (!r.has_plan()) {
      EXPECT_FALSE(r.infeasible().constraint.empty());
      continue;
    }
    EXPECT_TRUE(r.plan().feasible());
    EXPECT_EQ(r.plan().stages.back().last_layer, LayerId(19));
  }
}

}  // namespace
}  // namespace tessera::plan
