// Plan metrics computed by hand.
#include "tessera/plan/evaluate_plan.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support/cost_tables.hpp"

namespace tessera::plan {
namespace {

constexpr double kEps = 1e-12;

/// Three layers on two devices; endpoint 2 is the source/sink.
cost::CostTable three_layer_table() {
  cost::CostTable t = testing::blank_cost_table(3, 2);
  const double time[2][3] = {{1, 2, 3}, {2, 1, 1}};
  const double energy[2][3] = {{0.1, 0.2, 0.3}, {0.4, 0.5, 0.6}};
  const double memory[2][3] = {{10, 20, 30}, {7, 7, 7}};
  const double workspace[2][3] = {{5, 1, 2}, {3, 3, 3}};
  for (std::int32_t d = 0; d < 2; ++d) {
    for (std::int32_t l = 0; l < 3; ++l) {
      t.time_s[t.at(d, l)] = time[d][l];
      t.energy_j[t.at(d, l)] = energy[d][l];
      t.memory[t.at(d, l)] = memory[d][l];
      t.workspace_bytes[t.at(d, l)] = workspace[d][l];
    }
  }
  t.cut_bytes = {100, 200, 300, 400};
  testing::set_link(t, 2, 0, 100.0, 0.5, 0.01);
  testing::set_link(t, 0, 1, 200.0, 0.0, 0.001);
  testing::set_link(t, 1, 2, 400.0, 0.25, 0.002);
  t.static_power_w = {2.0, 3.0};
  t.input_buffers = 2.0;
  t.output_buffers = 3.0;
  t.first_stage_input_buffers = 1.0;
  return t;
}

const std::vector<StageAssignment> kTwoStages = {{DeviceId(0), LayerId(0), LayerId(1)},
                                                 {DeviceId(1), LayerId(2), LayerId(2)}};

TEST(EvaluatePlan, ComputesEveryMetricOfATwoStagePlanWithOverlap) {
  const Plan p = evaluate_plan(three_layer_table(), kTwoStages, PlanOptions{});
  ASSERT_TRUE(p.feasible());
  ASSERT_EQ(p.stages.size(), 2U);
  // source: cut 0 = 100 B over 100 B/s + 0.5 s latency = 1.5 s; 0.01 J/B · 100 B = 1 J
  EXPECT_NEAR(p.source_transfer_s, 1.5, kEps);
  EXPECT_NEAR(p.source_transfer_j, 1.0, kEps);
  // stage 0 on dev0, layers 0-1: compute 1 + 2 = 3 s; send cut 2 = 300 B at 200 B/s = 1.5 s
  const Stage& s0 = p.stages[0];
  EXPECT_NEAR(s0.compute_s, 3.0, kEps);
  EXPECT_NEAR(s0.send_s, 1.5, kEps);
  EXPECT_NEAR(s0.stage_s, 3.0, kEps);                       // max(3, 1.5)
  EXPECT_NEAR(s0.energy_j, 0.1 + 0.2 + 0.001 * 300, kEps);  // 0.6 J
  // memory: 10 + 20 + max(5, 1) + first-stage input 1 · 100 + output 3 · 300 = 1035 B
  EXPECT_NEAR(s0.memory, 1035.0, kEps);
  // stage 1 on dev1, layer 2: compute 1 s; send cut 3 = 400 B at 400 B/s + 0.25 s = 1.25 s
  const Stage& s1 = p.stages[1];
  EXPECT_NEAR(s1.compute_s, 1.0, kEps);
  EXPECT_NEAR(s1.send_s, 1.25, kEps);
  EXPECT_NEAR(s1.stage_s, 1.25, kEps);
  EXPECT_NEAR(s1.energy_j, 0.6 + 0.002 * 400, kEps);  // 1.4 J
  // memory: 7 + 3 + input 2 · 300 + output 3 · 400 = 1810 B
  EXPECT_NEAR(s1.memory, 1810.0, kEps);
  // period = max(1.5, 3, 1.25) = 3 s; latency = 1.5 + (3 + 1.5) + (1 + 1.25) = 8.25 s
  EXPECT_NEAR(p.period_s, 3.0, kEps);
  EXPECT_NEAR(p.throughput_per_s, 1.0 / 3.0, kEps);
  EXPECT_NEAR(p.latency_s, 8.25, kEps);
  // energy = dynamic (1 + 0.6 + 1.4 = 3 J) + static (2 W + 3 W) · 3 s = 18 J
  EXPECT_NEAR(p.dynamic_energy_j, 3.0, kEps);
  EXPECT_NEAR(p.static_energy_j, 15.0, kEps);
  EXPECT_NEAR(p.energy_per_inference_j, 18.0, kEps);
  // per device: dev0 2 · 3 + 0.6 = 6.6 J, dev1 3 · 3 + 1.4 = 10.4 J; + source 1 J = 18 J
  ASSERT_EQ(p.energy_per_device_j.size(), 2U);
  EXPECT_NEAR(p.energy_per_device_j[0], 6.6, kEps);
  EXPECT_NEAR(p.energy_per_device_j[1], 10.4, kEps);
  EXPECT_EQ(p.devices_used, 2);
}

TEST(EvaluatePlan, AddsComputeAndSendWithoutOverlap) {
  PlanOptions o;
  o.overlap = false;
  const Plan p = evaluate_plan(three_layer_table(), kTwoStages, o);
  // stage 0: 3 + 1.5 = 4.5 s; stage 1: 1 + 1.25 = 2.25 s; period 4.5 s
  EXPECT_NEAR(p.stages[0].stage_s, 4.5, kEps);
  EXPECT_NEAR(p.stages[1].stage_s, 2.25, kEps);
  EXPECT_NEAR(p.period_s, 4.5, kEps);
  EXPECT_NEAR(p.latency_s, 8.25, kEps);  // latency does not depend on overlap
  // energy: 3 J dynamic + 5 W · 4.5 s = 25.5 J
  EXPECT_NEAR(p.energy_per_inference_j, 25.5, kEps);
}

TEST(EvaluatePlan, LeavesOutSourceAndSinkTransfersWhenAsked) {
  PlanOptions o;
  o.include_source_sink = false;
  const Plan p = evaluate_plan(three_layer_table(), kTwoStages, o);
  EXPECT_EQ(p.source_transfer_s, 0.0);
  EXPECT_EQ(p.stages[1].send_s, 0.0);  // the last stage sends nothing
  EXPECT_NEAR(p.stages[1].stage_s, 1.0, kEps);
  EXPECT_NEAR(p.period_s, 3.0, kEps);
  // latency = (3 + 1.5) + (1 + 0) = 5.5 s; energy = 0.6 + 0.6 + 5 W · 3 s = 16.2 J
  EXPECT_NEAR(p.latency_s, 5.5, kEps);
  EXPECT_NEAR(p.energy_per_inference_j, 16.2, kEps);
  // memory buffers are still held for the input and output cuts
  EXPECT_NEAR(p.stages[0].memory, 1035.0, kEps);
}

TEST(EvaluatePlan, ReportsTheMemoryShortfallOfAStage) {
  cost::CostTable t = three_layer_table();
  t.capacity[1] = 1800.0;  // stage 1 needs 1810 B
  const Plan p = evaluate_plan(t, kTwoStages, PlanOptions{});
  ASSERT_EQ(p.violations.size(), 1U);
  EXPECT_NE(p.violations[0].find("'dev1'"), std::string::npos) << p.violations[0];
  EXPECT_NE(p.violations[0].find("short by 10 bytes"), std::string::npos) << p.violations[0];
}

TEST(EvaluatePlan, ListsCoverageGapsRepeatedDevicesAndBadIds) {
  const cost::CostTable t = three_layer_table();
  const Plan gap = evaluate_plan(
      t, {{DeviceId(0), LayerId(0), LayerId(0)}, {DeviceId(1), LayerId(2), LayerId(2)}}, {});
  EXPECT_FALSE(gap.feasible());
  const Plan twice = evaluate_plan(
      t, {{DeviceId(0), LayerId(0), LayerId(0)}, {DeviceId(0), LayerId(1), LayerId(2)}}, {});
  ASSERT_FALSE(twice.feasible());
  EXPECT_NE(twice.violations[0].find("more than one stage"), std::string::npos);
  const Plan bad = evaluate_plan(t, {{DeviceId(7), LayerId(0), LayerId(2)}}, {});
  EXPECT_FALSE(bad.feasible());
  EXPECT_TRUE(std::isinf(bad.period_s));
}

TEST(EvaluatePlan, FlagsALayerADeviceCannotRun) {
  cost::CostTable t = three_layer_table();
  t.time_s[t.at(1, 2)] = INFINITY;
  const Plan p = evaluate_plan(t, kTwoStages, PlanOptions{});
  ASSERT_FALSE(p.feasible());
  EXPECT_NE(p.violations[0].find("cannot run layer 'L2'"), std::string::npos) << p.violations[0];
}

TEST(EvaluatePlan, MeetsCapsWithinTheirTolerance) {
  PlanOptions o;
  o.period_cap_s = 3.0;
  o.latency_cap_s = 8.25 * (1.0 - 1e-12);  // rounding-level excess is accepted
  EXPECT_TRUE(evaluate_plan(three_layer_table(), kTwoStages, o).feasible());
  o.latency_cap_s = 8.0;
  const Plan p = evaluate_plan(three_layer_table(), kTwoStages, o);
  ASSERT_EQ(p.violations.size(), 1U);
  EXPECT_NE(p.violations[0].find("latency_cap_s"), std::string::npos);
}

TEST(TransferTime, IsTheLatencyForAnEmptyCutAndInfiniteOnADeadLink) {
  cost::CostTable t = three_layer_table();
  t.cut_bytes[1] = 0.0;
  testing::set_link(t, 0, 1, 0.0, 0.125, 0.0);
  EXPECT_EQ(t.transfer_s(1, 0, 1), 0.125);  // 0 bytes: no 0/0
  EXPECT_TRUE(std::isinf(t.transfer_s(2, 0, 1)));
  EXPECT_EQ(t.transfer_s(2, 1, 1), 0.0);
}

TEST(EvaluatePlan, APipelinedDeviceGivesItsSlowestLayerToThePeriodAndTheSumToTheLatency) {
  cost::CostTable t = three_layer_table();
  t.pipelined_layers = {1, 0};  // dev0 streams inferences through its layers
  const Plan p = evaluate_plan(t, kTwoStages, PlanOptions{});
  ASSERT_TRUE(p.feasible());
  // stage 0 on dev0, layers 0-1 (1 s and 2 s): busy max(1, 2) = 2 s per inference, one
  // inference takes 1 + 2 = 3 s; stage 1 as before (1 s, send 1.25 s)
  const Stage& s0 = p.stages[0];
  EXPECT_TRUE(s0.pipelined);
  EXPECT_NEAR(s0.compute_s, 2.0, kEps);
  EXPECT_NEAR(s0.compute_latency_s, 3.0, kEps);
  EXPECT_NEAR(s0.stage_s, 2.0, kEps);  // max(2, 1.5)
  EXPECT_NEAR(s0.energy_j, 0.1 + 0.2 + 0.001 * 300, kEps);
  EXPECT_FALSE(p.stages[1].pipelined);
  EXPECT_NEAR(p.stages[1].compute_latency_s, 1.0, kEps);
  // period = max(1.5, 2, 1.25) = 2 s; latency = 1.5 + (3 + 1.5) + (1 + 1.25) = 8.25 s as before;
  // static energy (2 W + 3 W) · 2 s = 10 J
  EXPECT_NEAR(p.period_s, 2.0, kEps);
  EXPECT_NEAR(p.latency_s, 8.25, kEps);
  EXPECT_NEAR(p.static_energy_j, 10.0, kEps);

  PlanOptions serial;
  serial.overlap = false;  // stage times 2 + 1.5 = 3.5 s and 1 + 1.25 = 2.25 s
  const Plan q = evaluate_plan(t, kTwoStages, serial);
  EXPECT_NEAR(q.stages[0].stage_s, 3.5, kEps);
  EXPECT_NEAR(q.period_s, 3.5, kEps);
  EXPECT_NEAR(q.latency_s, 8.25, kEps);
}

}  // namespace
}  // namespace tessera::plan
