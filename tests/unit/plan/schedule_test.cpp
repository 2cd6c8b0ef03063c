// The multi-model chiplet scheduler against a brute-force oracle on small random instances,
// the segment cost written out by hand, and its baselines' validity.
#include "tessera/plan/schedule.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <random>

namespace tessera::plan {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

ScheduleInstance random_instance(std::mt19937_64& rng, int classes = 2, int max_chiplets = 4,
                                 int max_layers = 4) {
  auto uni = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  ScheduleInstance inst;
  auto& pkg = inst.package;
  const int chiplets = pick(2, max_chiplets);
  const int cols = 2;
  for (int c = 0; c < classes; ++c) pkg.class_names.push_back("class" + std::to_string(c));
  for (int c = 0; c < chiplets; ++c) {
    pkg.chiplet_names.push_back("c" + std::to_string(c));
    pkg.chiplet_class.push_back(pick(0, classes - 1));
    pkg.dram_hops.push_back(pick(0, 2));
    pkg.chiplet_memory_bytes.push_back(pick(0, 4) == 0 ? 50.0 : 1e9);
  }
  for (int a = 0; a < chiplets; ++a) {
    for (int b = 0; b < chiplets; ++b) {
      pkg.hops.push_back(std::abs(a / cols - b / cols) + std::abs(a % cols - b % cols));
    }
  }
  pkg.hop_latency_s = uni(0.0, 0.5);
  pkg.nop_bytes_per_s = uni(50.0, 200.0);
  pkg.nop_j_per_byte_hop = uni(0.0, 0.01);
  pkg.dram_latency_s = uni(0.0, 1.0);
  pkg.dram_bytes_per_s = uni(20.0, 100.0);
  pkg.dram_j_per_byte = uni(0.0, 0.05);
  const int models = pick(1, std::min(3, chiplets));
  for (int m = 0; m < models; ++m) {
    ScheduleModel model;
    model.name = "m" + std::to_string(m);
    model.batch = pick(1, 4);
    model.weight = pick(0, 2) == 0 ? uni(0.5, 2.0) : 1.0;
    const int layers = pick(1, max_layers);
    for (int l = 0; l < layers; ++l) {
      model.layer_names.push_back("l" + std::to_string(l));
      model.weight_bytes.push_back(uni(0.0, 40.0));
    }
    for (int l = 0; l <= layers; ++l) model.cut_bytes.push_back(uni(0.0, 100.0));
    for (int c = 0; c < classes; ++c) {
      std::vector<double> t, cj, l2, dj;
      for (int l = 0; l < layers; ++l) {
        t.push_back(uni(0.1, 10.0));
        cj.push_back(uni(0.0, 1.0));
        l2.push_back(uni(0.0, 1.0));
        dj.push_back(uni(0.0, 1.0));
      }
      model.time_s.push_back(t);
      model.compute_j.push_back(cj);
      model.l2_j.push_back(l2);
      model.dram_j.push_back(dj);
    }
    if (pick(0, 5) == 0) model.deadline_s = uni(5.0, 60.0);
    inst.models.push_back(std::move(model));
  }
  return inst;
}

bool respects_limits(const ScheduleInstance& inst, const Schedule& s, const ScheduleMetrics& m) {
  for (std::size_t i = 0; i < inst.models.size(); ++i) {
    if (m.models[i].latency_s > inst.models[i].deadline_s) return false;
    for (const auto& seg : s.models[i]) {
      double w = 0.0;
      for (int l = seg.first_layer; l <= seg.last_layer; ++l) {
        w += inst.models[i].weight_bytes[static_cast<std::size_t>(l)];
      }
      if (w > inst.package.chiplet_memory_bytes[static_cast<std::size_t>(seg.chiplet)]) {
        return false;
      }
    }
  }
  return true;
}

/// Every schedule: each model any ordered sequence of free chiplets and any cuts.
double brute_force(const ScheduleInstance& inst, ScheduleObjective objective) {
  double best = kInf;
  Schedule s;
  s.models.resize(inst.models.size());
  std::vector<bool> used(static_cast<std::size_t>(inst.package.size()), false);
  std::function<void(std::size_t, int)> place = [&](std::size_t mi, int first) {
    if (mi == inst.models.size()) {
      const auto m = evaluate_schedule(inst, s);
      if (respects_limits(inst, s, m)) best = std::min(best, objective_value(m, objective));
      return;
    }
    const int layers = inst.models[mi].layers();
    for (int c = 0; c < inst.package.size(); ++c) {
      if (used[static_cast<std::size_t>(c)]) continue;
      used[static_cast<std::size_t>(c)] = true;
      for (int last = first; last < layers; ++last) {
        s.models[mi].push_back({c, first, last});
        if (last == layers - 1) {
          place(mi + 1, 0);
        } else {
          place(mi, last + 1);
        }
        s.models[mi].pop_back();
      }
      used[static_cast<std::size_t>(c)] = false;
    }
  };
  place(0, 0);
  return best;
}

TEST(Schedule, ExactAgreesWithBruteForceOnRandomInstances) {
  std::mt19937_64 rng(2024);
  int compared = 0;
  int infeasible = 0;
  for (int n = 0; n < 320; ++n) {
    const ScheduleInstance inst = random_instance(rng);
    for (auto objective : {ScheduleObjective::kLatency, ScheduleObjective::kEnergy,
                           ScheduleObjective::kEdp, ScheduleObjective::kThroughput}) {
      ScheduleOptions options;
      options.objective = objective;
      const double oracle = brute_force(inst, objective);
      const ScheduleResult r = solve_schedule(inst, options);
      if (!std::isfinite(oracle)) {
        EXPECT_FALSE(r.feasible) << "instance " << n;
        EXPECT_FALSE(r.infeasible.empty());
        ++infeasible;
        continue;
      }
      ASSERT_TRUE(r.feasible) << "instance " << n << ": " << r.infeasible;
      EXPECT_TRUE(r.optimal) << "instance " << n;
      EXPECT_EQ(check_schedule(inst, r.schedule), "") << "instance " << n;
      EXPECT_TRUE(respects_limits(inst, r.schedule, r.metrics)) << "instance " << n;
      const double got = objective_value(r.metrics, objective);
      EXPECT_NEAR(got, oracle, 1e-9 * std::max(1.0, oracle))
          << "instance " << n << " objective " << static_cast<int>(objective);
      EXPECT_LE(r.lower_bound, got * (1 + 1e-12)) << "instance " << n;
      // Baselines are valid schedules and never beat the optimum.
      for (const ScheduleResult& b :
           {scar_heuristic(inst, options), solve_schedule_exact(inst, options, 1)}) {
        if (!b.feasible) continue;
        EXPECT_EQ(check_schedule(inst, b.schedule), "");
        if (respects_limits(inst, b.schedule, b.metrics)) {
          EXPECT_GE(objective_value(b.metrics, objective), got * (1 - 1e-12)) << "instance " << n;
        }
      }
      ++compared;
    }
  }
  EXPECT_GE(compared, 1000);
  EXPECT_LT(infeasible, compared / 4);
}

TEST(Schedule, BranchAndBoundBeyondTheExactSpaceAgreesWithBruteForce) {
  // A work limit of a few evaluations leaves the exact search one chiplet per model at most,
  // so every instance goes through local search and then the branch and bound that prunes by
  // the local search's schedule (tried whatever its gap, with work enough to finish).
  std::mt19937_64 rng(77);
  int compared = 0;
  int improved_on_local_search = 0;
  for (int n = 0; n < 480; ++n) {
    // Every third instance has three chiplet classes (the bounds' general case).
    const ScheduleInstance inst = random_instance(rng, n % 3 == 2 ? 3 : 2);
    for (auto objective : {ScheduleObjective::kLatency, ScheduleObjective::kEnergy,
                           ScheduleObjective::kEdp, ScheduleObjective::kThroughput}) {
      ScheduleOptions options;
      options.objective = objective;
      options.work_limit = 3;
      options.proof_work_limit = 1e9;
      options.restarts = 0;
      options.local_search_moves = 20;
      const double oracle = brute_force(inst, objective);
      const ScheduleResult r = solve_schedule(inst, options);
      if (!std::isfinite(oracle)) {
        EXPECT_FALSE(r.feasible && r.optimal) << "instance " << n;
        continue;
      }
      ASSERT_TRUE(r.feasible) << "instance " << n << ": " << r.infeasible;
      EXPECT_EQ(check_schedule(inst, r.schedule), "") << "instance " << n;
      EXPECT_TRUE(respects_limits(inst, r.schedule, r.metrics)) << "instance " << n;
      const double got = objective_value(r.metrics, objective);
      EXPECT_LE(schedule_lower_bound(inst, objective), oracle * (1 + 1e-12)) << "instance " << n;
      if (r.method.find("branch and bound") == std::string::npos) {
        // The whole space fit the work limit after all (one model on one chiplet).
        EXPECT_TRUE(r.optimal) << "instance " << n << ": " << r.method;
      } else {
        EXPECT_TRUE(r.optimal) << "instance " << n;
        const ScheduleResult standalone = solve_schedule_exact(inst, options, 1);
        const ScheduleResult local =
            standalone.feasible ? local_search(inst, options, standalone.schedule) : standalone;
        if (local.feasible && objective_value(local.metrics, objective) > got * (1 + 1e-9)) {
          ++improved_on_local_search;
        }
        ++compared;
      }
      EXPECT_NEAR(got, oracle, 1e-9 * std::max(1.0, oracle))
          << "instance " << n << " objective " << static_cast<int>(objective);
    }
  }
  EXPECT_GE(compared, 750);
  EXPECT_GE(improved_on_local_search, 20);  // the branch and bound does more than confirm
}

TEST(Schedule, BranchAndBoundAgreesWithTheFullEnumerationOnLargerInstances) {
  // Packages of up to 7 chiplets and models of up to 12 layers: beyond brute force, but the
  // plain enumeration of every option still runs, as a second check of the pruning.
  std::mt19937_64 rng(2026);
  int compared = 0;
  for (int n = 0; n < 60; ++n) {
    const ScheduleInstance inst = random_instance(rng, n % 3 == 2 ? 3 : 2, 7, 12);
    const std::int32_t full =
        inst.package.size() - static_cast<std::int32_t>(inst.models.size()) + 1;
    for (auto objective : {ScheduleObjective::kLatency, ScheduleObjective::kEnergy,
                           ScheduleObjective::kEdp, ScheduleObjective::kThroughput}) {
      ScheduleOptions options;
      options.objective = objective;
      const ScheduleResult plain = solve_schedule_exact(inst, options, full);
      options.work_limit = 3;
      options.proof_work_limit = 1e9;
      options.restarts = 1;
      options.local_search_moves = 200;
      const ScheduleResult r = solve_schedule(inst, options);
      ASSERT_EQ(r.feasible, plain.feasible) << "instance " << n << ": " << r.infeasible;
      if (!plain.feasible) continue;
      EXPECT_TRUE(r.optimal) << "instance " << n << ": " << r.method;
      const double want = objective_value(plain.metrics, objective);
      EXPECT_NEAR(objective_value(r.metrics, objective), want, 1e-9 * std::max(1.0, want))
          << "instance " << n << " objective " << static_cast<int>(objective);
      EXPECT_LE(schedule_lower_bound(inst, objective), want * (1 + 1e-12)) << "instance " << n;
      ++compared;
    }
  }
  EXPECT_GE(compared, 150);
}

TEST(Schedule, SegmentCostsAddComputeTransfersAndWeightHops) {
  // Two chiplets one hop apart; chiplet 1 is 2 hops from DRAM. One model, two layers, batch 3,
  // split layer 0 -> chiplet 0, layer 1 -> chiplet 1.
  ScheduleInstance inst;
  auto& p = inst.package;
  p.chiplet_names = {"a", "b"};
  p.chiplet_class = {0, 1};
  p.class_names = {"ws", "os"};
  p.hops = {0, 1, 1, 0};
  p.dram_hops = {0, 2};
  p.hop_latency_s = 0.5;
  p.nop_bytes_per_s = 10.0;
  p.nop_j_per_byte_hop = 0.1;
  p.dram_latency_s = 2.0;
  p.dram_bytes_per_s = 5.0;
  p.dram_j_per_byte = 1.0;
  ScheduleModel m;
  m.name = "m";
  m.batch = 3;
  m.layer_names = {"l0", "l1"};
  m.time_s = {{1.0, 2.0}, {4.0, 3.0}};
  m.compute_j = {{0.1, 0.2}, {0.4, 0.3}};
  m.l2_j = {{0.0, 0.0}, {0.0, 0.0}};
  m.dram_j = {{0.0, 0.0}, {0.0, 0.5}};
  m.weight_bytes = {10.0, 20.0};
  m.cut_bytes = {5.0, 30.0, 10.0};
  inst.models = {m};
  Schedule s;
  s.models = {{{0, 0, 0}, {1, 1, 1}}};
  const auto r = evaluate_schedule(inst, s);
  // Segment 0 on a (class ws): compute 1; input 5 B from DRAM: 2 + 5/5 + 0 hops = 3; output
  // 30 B to b over 1 hop: 0.5 + 30/10 = 3.5 -> 7.5 s. Energy 0.1 + 5 B x 1 J/B = 5.1 J.
  // Segment 1 on b (class os): compute 3; input 30 B over 1 hop: 3.5; output 10 B to DRAM
  // over 2 hops: 2 + 10/5 + 2 x 0.5 = 5; weights 20 B cross 2 hops: + 1 s -> 12.5 s.
  // Energy 0.3 + 0.5 + 30 B x 1 hop x 0.1 + 10 B x (1 + 2 x 0.1) + 20 B x 2 x 0.1 = 19.8 J.
  ASSERT_EQ(r.models.size(), 1u);
  EXPECT_NEAR(r.models[0].segment_s[0], 7.5, 1e-12);
  EXPECT_NEAR(r.models[0].segment_s[1], 12.5, 1e-12);
  // Latency = 7.5 + 12.5 + (3 - 1) x 12.5 = 45; energy = 3 x (5.1 + 19.8) = 74.7.
  EXPECT_NEAR(r.latency_s, 45.0, 1e-12);
  EXPECT_NEAR(r.energy_j, 74.7, 1e-12);
  EXPECT_NEAR(r.edp_j_s, 45.0 * 74.7, 1e-9);
  EXPECT_NEAR(r.period_s, 12.5, 1e-12);
  EXPECT_NEAR(r.energy.nop_j, 3 * (3.0 + 2.0 + 4.0), 1e-12);
  EXPECT_NEAR(r.energy.dram_j, 3 * (5.0 + 0.5 + 10.0), 1e-12);
  EXPECT_NEAR(r.samples_per_s, 3.0 / 45.0, 1e-12);
}

TEST(Schedule, TooManyModelsAndUnmeetableDeadlinesAreInfeasibleWithAReason) {
  std::mt19937_64 rng(7);
  ScheduleInstance inst = random_instance(rng);
  while (inst.models.size() <= static_cast<std::size_t>(inst.package.size())) {
    inst.models.push_back(inst.models.front());
  }
  auto r = solve_schedule(inst, {});
  EXPECT_FALSE(r.feasible);
  EXPECT_NE(r.infeasible.find("chiplets"), std::string::npos) << r.infeasible;
  inst.models.resize(1);
  inst.models[0].deadline_s = 1e-9;
  r = solve_schedule(inst, {});
  EXPECT_FALSE(r.feasible);
  EXPECT_NE(r.infeasible.find("deadline"), std::string::npos) << r.infeasible;
  EXPECT_NE(r.infeasible.find(inst.models[0].name), std::string::npos) << r.infeasible;
}

}  // namespace
}  // namespace tessera::plan

namespace tessera::plan {
namespace {

ScheduleInstance two_model_instance() {
  ScheduleInstance inst;
  auto& p = inst.package;
  p.chiplet_names = {"a", "b"};
  p.chiplet_class = {0, 0};
  p.class_names = {"ws"};
  p.hops = {0, 1, 1, 0};
  p.dram_hops = {0, 0};
  p.hop_latency_s = 0.0;
  p.nop_bytes_per_s = 1.0;
  p.dram_bytes_per_s = 1.0;
  auto model = [](const char* name, std::vector<double> t) {
    ScheduleModel m;
    m.name = name;
    for (std::size_t l = 0; l < t.size(); ++l) m.layer_names.push_back("l" + std::to_string(l));
    m.time_s = {t};
    m.compute_j = {std::vector<double>(t.size(), 1.0)};
    m.l2_j = {std::vector<double>(t.size(), 0.0)};
    m.dram_j = {std::vector<double>(t.size(), 0.0)};
    m.weight_bytes.assign(t.size(), 0.0);
    m.cut_bytes.assign(t.size() + 1, 0.0);
    return m;
  };
  inst.models = {model("a", {1, 1, 1, 1}), model("b", {3})};
  return inst;
}

TEST(ScheduleWindows, FirstFitPackingFillsEachWindowsBudgetInLayerOrder) {
  // Horizon = max(1+1+1+1, 3) = 4; one split: 2 windows of budget 2, the last unbounded.
  // a: l0, l1 fill window 0 (1 + 1 = 2); l2 does not fit its slack (0): window 1 with l3.
  // b: l0 (3) exceeds the budget but window 0 is empty for it: it goes there.
  const auto ranges = scar_windows(two_model_instance(), 1);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0][0], (std::pair<std::int32_t, std::int32_t>{0, 1}));
  EXPECT_EQ(ranges[1][0], (std::pair<std::int32_t, std::int32_t>{2, 3}));
  EXPECT_EQ(ranges[0][1], (std::pair<std::int32_t, std::int32_t>{0, 0}));
  EXPECT_GT(ranges[1][1].first, ranges[1][1].second);  // b has nothing left
}

TEST(ScheduleWindows, WindowsAddUpAndOneWindowIsTheSingleSchedule) {
  const ScheduleInstance inst = two_model_instance();
  ScheduleOptions options;
  options.objective = ScheduleObjective::kLatency;
  // One window over everything: the plain schedule.
  const auto one = solve_windows(inst, {{{0, 3}, {0, 0}}}, options);
  ASSERT_TRUE(one.feasible) << one.infeasible;
  const auto plain = solve_schedule(inst, options);
  EXPECT_DOUBLE_EQ(one.latency_s, plain.metrics.latency_s);
  EXPECT_DOUBLE_EQ(one.energy_j, plain.metrics.energy_j);
  // Two windows: window 0 runs a's l0-l1 beside b (slowest: b, 3 s), window 1 a's l2-l3 on
  // up to both chiplets (2 s on one, or 1 s + 1 s pipelined over batch 1 = 2 s): 5 s in all;
  // energy is the layers' 1 J each.
  const auto two = solve_windows(inst, scar_windows(inst, 1), options);
  ASSERT_TRUE(two.feasible) << two.infeasible;
  ASSERT_EQ(two.windows.size(), 2u);
  EXPECT_DOUBLE_EQ(two.latency_s, 3.0 + 2.0);
  EXPECT_DOUBLE_EQ(two.energy_j, 5.0);
  EXPECT_DOUBLE_EQ(two.edp_j_s, 25.0);
  EXPECT_EQ(two.models[1], (std::vector<std::int32_t>{0}));
}

}  // namespace
}  // namespace tessera::plan
