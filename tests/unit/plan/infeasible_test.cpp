// Infeasible problems come back naming the binding constraint.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "support/cost_tables.hpp"
#include "tessera/plan/pareto_front.hpp"
#include "tessera/plan/solve.hpp"

namespace tessera::plan {
namespace {

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Infeasible, NamesALayerNoDeviceCanRun) {
  cost::CostTable t = testing::blank_cost_table(3, 2);
  t.time_s[t.at(0, 1)] = INFINITY;
  t.time_s[t.at(1, 1)] = INFINITY;
  const PlanResult r = solve(t, PlanOptions{});
  ASSERT_FALSE(r.has_plan());
  EXPECT_EQ(r.infeasible().reason, InfeasibleReason::kLayerRunsNowhere);
  EXPECT_EQ(r.infeasible().layer, LayerId(1));
  EXPECT_TRUE(mentions(r.infeasible().constraint, "layer 'L1'")) << r.infeasible().constraint;
}

TEST(Infeasible, NamesALayerThatFitsNowhereWithTheClosestDeviceAndTheShortfall) {
  // Layer 1 holds 5e9 B of weights; dev0 has 4 GiB, dev1 2 GiB. Alone it needs 5e9 B (cuts are
  // empty), so dev0 is short by 5e9 - 4294967296 = 705032704 B = 672.37 MiB.
  cost::CostTable t = testing::blank_cost_table(3, 2);
  t.memory[t.at(0, 1)] = 5e9;
  t.memory[t.at(1, 1)] = 5e9;
  t.capacity = {4294967296.0, 2147483648.0};
  t.device_names = {"rpi-0", "rpi-1"};
  const PlanResult r = solve(t, PlanOptions{});
  ASSERT_FALSE(r.has_plan());
  const Infeasible& why = r.infeasible();
  EXPECT_EQ(why.reason, InfeasibleReason::kLayerFitsNowhere);
  EXPECT_EQ(why.layer, LayerId(1));
  EXPECT_EQ(why.device, DeviceId(0));
  EXPECT_EQ(why.need, 5e9);
  EXPECT_EQ(why.capacity, 4294967296.0);
  EXPECT_TRUE(mentions(why.constraint, "layer 'L1'")) << why.constraint;
  EXPECT_TRUE(mentions(why.constraint, "fits on no device")) << why.constraint;
  EXPECT_TRUE(mentions(why.constraint, "'rpi-0' with 4.00 GiB")) << why.constraint;
  EXPECT_TRUE(mentions(why.constraint, "short by 672.37 MiB (705032704 bytes)")) << why.constraint;
}

TEST(Infeasible, ComparesTheTotalMemoryWithAllDevicesTogether) {
  // four layers of 0.9 GB on three devices of 1 GB: each layer fits, all of them cannot
  cost::CostTable t = testing::blank_cost_table(4, 3);
  for (double& m : t.memory) m = 0.9e9;
  t.capacity = {1e9, 1e9, 1e9};
  const PlanResult r = solve(t, PlanOptions{});
  ASSERT_FALSE(r.has_plan());
  EXPECT_EQ(r.infeasible().reason, InfeasibleReason::kTotalMemory);
  EXPECT_TRUE(mentions(r.infeasible().constraint, "short by")) << r.infeasible().constraint;
}

TEST(Infeasible, SaysHowFarAChainOfStagesGetsWhenTheSplitIsImpossible) {
  // Layers of 1 B on two devices of 1.5 B: each device holds one layer, so only two of the
  // three layers can be placed although 3 B <= 2 · 1.5 B.
  cost::CostTable t = testing::blank_cost_table(3, 2);
  for (double& m : t.memory) m = 1.0;
  t.capacity = {1.5, 1.5};
  const PlanResult r = solve(t, PlanOptions{});
  ASSERT_FALSE(r.has_plan());
  EXPECT_EQ(r.infeasible().reason, InfeasibleReason::kNoAssignment);
  EXPECT_EQ(r.infeasible().layer, LayerId(2));
  EXPECT_TRUE(mentions(r.infeasible().constraint, "reach at most layer 'L1'"))
      << r.infeasible().constraint;
}

TEST(Infeasible, ReportsAnUnreachableSource) {
  cost::CostTable t = testing::blank_cost_table(2, 2);
  t.cut_bytes[0] = 10.0;
  testing::set_link(t, 2, 0, 0.0, 0.0, 0.0);
  testing::set_link(t, 2, 1, 0.0, 0.0, 0.0);
  const PlanResult r = solve(t, PlanOptions{});
  ASSERT_FALSE(r.has_plan());
  EXPECT_EQ(r.infeasible().reason, InfeasibleReason::kSourceUnreachable);
  PlanOptions pipeedge;
  pipeedge.include_source_sink = false;  // then the source link does not matter
  EXPECT_TRUE(solve(t, pipeedge).has_plan());
}

TEST(Infeasible, SaysWhenChainsCoverEveryLayerButNoneCanReachTheSink) {
  // Found by fuzzing: the diagnosis read the name of layer L (one past the last) when every
  // chain of stages reached the end but the output could not be sent. Here the links to the
  // last layer fits only on dev1, whose link to the host has zero bandwidth (+inf for the
  // output's 10 B); dev0 could send it but cannot hold that layer.
  cost::CostTable t = testing::blank_cost_table(2, 2);
  t.cut_bytes[2] = 10.0;
  t.memory[t.at(1, 0)] = 5.0;
  t.capacity = {1.0, 10.0};
  testing::set_link(t, 1, 2, 0.0, 0.0, 0.0);
  const PlanResult r = solve(t, PlanOptions{});
  ASSERT_FALSE(r.has_plan());
  EXPECT_EQ(r.infeasible().reason, InfeasibleReason::kNoAssignment);
  EXPECT_FALSE(r.infeasible().layer.has_value());
  EXPECT_TRUE(mentions(r.infeasible().constraint, "reach the last layer"))
      << r.infeasible().constraint;
  EXPECT_TRUE(mentions(r.infeasible().constraint, "link to the sink")) << r.infeasible().constraint;
}

TEST(Infeasible, ListsEveryProblemOfAMalformedTable) {
  cost::CostTable t = testing::blank_cost_table(2, 2);
  t.time_s.pop_back();
  t.cut_bytes.push_back(1.0);
  const PlanResult r = solve(t, PlanOptions{});
  ASSERT_FALSE(r.has_plan());
  EXPECT_EQ(r.infeasible().reason, InfeasibleReason::kMalformedTable);
  EXPECT_TRUE(mentions(r.infeasible().constraint, "time_s has 3 entries, expected 4"));
  EXPECT_TRUE(mentions(r.infeasible().constraint, "cut_bytes has 4 entries, expected 3"));
  cost::CostTable negative = testing::blank_cost_table(2, 2);
  negative.memory[1] = -1.0;
  EXPECT_EQ(solve(negative, PlanOptions{}).infeasible().reason, InfeasibleReason::kMalformedTable);
}

TEST(Infeasible, HandsTheParetoFrontTheSameDiagnosis) {
  cost::CostTable t = testing::blank_cost_table(2, 1);
  t.time_s[t.at(0, 0)] = INFINITY;
  const ParetoFront f = pareto_front(t, PlanOptions{});
  ASSERT_TRUE(f.infeasible.has_value());
  EXPECT_EQ(f.infeasible->reason, InfeasibleReason::kLayerRunsNowhere);
  EXPECT_TRUE(f.points.empty());
}

TEST(Infeasible, RefusesAnEmptyProblem) {
  const PlanResult r = solve(testing::blank_cost_table(0, 2), PlanOptions{});
  ASSERT_FALSE(r.has_plan());
  EXPECT_EQ(r.infeasible().reason, InfeasibleReason::kEmpty);
}

}  // namespace
}  // namespace tessera::plan
