// Every exact solver against the brute-force oracle on many small random instances.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "support/brute_force.hpp"
#include "support/random_instance.hpp"
#include "tessera/plan/pareto_front.hpp"
#include "tessera/plan/solve.hpp"

namespace tessera::plan {
namespace {

using testing::RandomInstanceSpec;

constexpr double kRel = 1e-9;

bool near(double a, double b) {
  if (a == b) return true;
  return std::fabs(a - b) <= kRel * std::max(std::fabs(a), std::fabs(b));
}

const char* objective_name(Objective o) {
  switch (o) {
    case Objective::kThroughput:
      return "throughput";
    case Objective::kLatency:
      return "latency";
    case Objective::kEnergy:
      return "energy";
    case Objective::kWeighted:
      return "weighted";
  }
  return "?";
}

/// Class structures with at most four devices: distinct devices, classes of identical ones,
/// and mixes.
const std::vector<std::vector<std::int32_t>> kShapes = {
    {1}, {1, 1}, {2}, {1, 1, 1}, {2, 1}, {3}, {1, 1, 1, 1}, {2, 2}, {2, 1, 1}, {3, 1}, {4},
};

struct Case {
  RandomInstanceSpec spec;
  PlanOptions options;
  std::string text;
};

Case make_case(std::uint64_t seed) {
  Case c;
  c.spec.seed = seed;
  c.spec.layers = 1 + static_cast<std::int32_t>(seed % 6);
  c.spec.class_sizes = kShapes[(seed / 6) % kShapes.size()];
  c.spec.memory_tightness = (seed % 3 == 0) ? 0.95 : (seed % 3 == 1 ? 0.0 : 0.5);
  c.spec.inf_probability = (seed % 4 == 0) ? 0.25 : 0.0;
  c.spec.perturb_class_links = seed % 5 == 0;
  c.spec.asymmetric_links = seed % 2 == 0;
  c.spec.static_power_scale = seed % 7 == 0 ? 0.0 : 1.0;
  c.options.overlap = (seed / 2) % 2 == 0;
  c.options.include_source_sink = (seed / 4) % 2 == 0;
  c.options.alpha = static_cast<double>(seed % 11) / 10.0;
  c.text =
      "seed " + std::to_string(seed) + ", layers " + std::to_string(c.spec.layers) + ", classes {";
  for (const std::int32_t n : c.spec.class_sizes) c.text += std::to_string(n) + ",";
  c.text += "}, tight " + std::to_string(c.spec.memory_tightness) + ", overlap " +
            std::to_string(c.options.overlap) + ", io " +
            std::to_string(c.options.include_source_sink);
  return c;
}

/// Adds a period or latency cap halfway through the range the feasible plans span.
void add_caps(Case& c, const cost::CostTable& table, std::uint64_t seed) {
  if (seed % 6 != 1 && seed % 6 != 2) return;
  const std::vector<Plan> plans = testing::all_feasible_plans(table, c.options);
  if (plans.empty()) return;
  std::vector<double> values;
  for (const Plan& p : plans) values.push_back(seed % 6 == 1 ? p.period_s : p.latency_s);
  std::sort(values.begin(), values.end());
  const double cap = values[values.size() / 3];
  if (seed % 6 == 1) {
    c.options.period_cap_s = cap;
    c.text += ", period cap " + std::to_string(cap);
  } else {
    c.options.latency_cap_s = cap;
    c.text += ", latency cap " + std::to_string(cap);
  }
  if (seed % 12 == 2) c.options.latency_energy_front = true;
}

void expect_fronts_equal(const std::vector<ParetoPoint>& got,
                         const std::vector<testing::FrontPoint>& want, bool latency) {
  ASSERT_EQ(got.size(), want.size()) << (latency ? "latency" : "period") << " front size";
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double x = latency ? got[i].latency_s : got[i].period_s;
    EXPECT_TRUE(near(x, want[i].x)) << "point " << i << ": " << x << " vs " << want[i].x;
    EXPECT_TRUE(near(got[i].energy_per_inference_j, want[i].energy_j))
        << "point " << i << ": " << got[i].energy_per_inference_j << " vs " << want[i].energy_j;
    EXPECT_TRUE(got[i].plan.feasible());
  }
}

/// Every objective and the fronts of one instance against the brute-force oracle.
void check_against_oracle(const Case& c, const cost::CostTable& table,
                          const std::vector<Plan>& plans) {
  for (const Objective o :
       {Objective::kThroughput, Objective::kLatency, Objective::kEnergy, Objective::kWeighted}) {
    SCOPED_TRACE(objective_name(o));
    PlanOptions options = c.options;
    options.objective = o;
    const PlanResult got = solve(table, options);
    const std::optional<Plan> want = testing::brute_force_best(plans, options);
    ASSERT_EQ(got.has_plan(), want.has_value())
        << (got.has_plan() ? "solver found a plan" : got.infeasible().constraint);
    if (!want) {
      EXPECT_FALSE(got.infeasible().constraint.empty());
      continue;
    }
    const Plan& p = got.plan();
    EXPECT_TRUE(p.feasible()) << p.violations.front();
    EXPECT_TRUE(got.stats().optimal);
    switch (o) {
      case Objective::kThroughput:
        EXPECT_TRUE(near(p.period_s, want->period_s)) << p.period_s << " vs " << want->period_s;
        EXPECT_EQ(p.devices_used, want->devices_used);
        EXPECT_TRUE(near(p.energy_per_inference_j, want->energy_per_inference_j))
            << p.energy_per_inference_j << " vs " << want->energy_per_inference_j;
        break;
      case Objective::kLatency:
        EXPECT_TRUE(near(p.latency_s, want->latency_s)) << p.latency_s << " vs " << want->latency_s;
        EXPECT_TRUE(near(p.energy_per_inference_j, want->energy_per_inference_j))
            << p.energy_per_inference_j << " vs " << want->energy_per_inference_j;
        EXPECT_EQ(p.devices_used, want->devices_used);
        break;
      case Objective::kEnergy:
        EXPECT_TRUE(near(p.energy_per_inference_j, want->energy_per_inference_j))
            << p.energy_per_inference_j << " vs " << want->energy_per_inference_j;
        break;
      case Objective::kWeighted: {
        // the same plan value under the oracle's normalisation
        double ps = INFINITY;
        double es = INFINITY;
        for (const Plan& q : plans) {
          ps = std::min(ps, q.period_s);
          es = std::min(es, q.energy_per_inference_j);
        }
        const auto score = [&](const Plan& q) {
          const double a = ps > 0 ? q.period_s / ps : 0.0;
          const double b = es > 0 ? q.energy_per_inference_j / es : 0.0;
          return options.alpha * a + (1.0 - options.alpha) * b;
        };
        EXPECT_TRUE(near(score(p), score(*want))) << score(p) << " vs " << score(*want);
        break;
      }
    }
  }
  const ParetoFront front = pareto_front(table, c.options);
  EXPECT_EQ(front.infeasible.has_value(), plans.empty());
  expect_fronts_equal(front.points, testing::brute_force_front(plans, false), false);
  if (c.options.latency_energy_front && !plans.empty()) {
    expect_fronts_equal(front.latency_points, testing::brute_force_front(plans, true), true);
  }
}

TEST(PlannerOracle, EverySolverMatchesBruteForceOnRandomSmallInstances) {
  int instances = 0;
  int feasible = 0;
  for (std::uint64_t seed = 1; seed <= 660; ++seed) {
    Case c = make_case(seed);
    const cost::CostTable table = testing::random_cost_table(c.spec);
    add_caps(c, table, seed);
    SCOPED_TRACE(c.text);
    const std::vector<Plan> plans = testing::all_feasible_plans(table, c.options);
    ++instances;
    if (!plans.empty()) ++feasible;
    check_against_oracle(c, table, plans);
  }
  EXPECT_GE(instances, 500);
  EXPECT_GE(feasible, 300);  // the infeasible ones test the diagnosis path
  EXPECT_LE(feasible, instances - 50);
}

// Devices that pipeline their layers (period max, latency sum): the same sweep of shapes,
// memory, +inf entries, overlap, source/sink and caps, with the flag on random classes and,
// in every third instance, flipped on one member of each multi-device class (identical costs
// and links, different pipelining).
TEST(PlannerOracle, PipelinedDevicesMatchBruteForce) {
  int instances = 0;
  int feasible = 0;
  int pipelined_plans = 0;  // feasible plans with a pipelined stage of two or more layers
  for (std::uint64_t seed = 1; seed <= 660; ++seed) {
    Case c = make_case(seed);
    c.spec.seed = seed + 100000;
    c.spec.pipelined_probability = 0.6;
    c.spec.perturb_pipelined = seed % 3 == 0;
    c.text += ", pipelined (seed " + std::to_string(c.spec.seed) + ", perturbed " +
              std::to_string(c.spec.perturb_pipelined) + ")";
    const cost::CostTable table = testing::random_cost_table(c.spec);
    add_caps(c, table, seed);
    SCOPED_TRACE(c.text);
    const std::vector<Plan> plans = testing::all_feasible_plans(table, c.options);
    ++instances;
    if (!plans.empty()) ++feasible;
    for (const Plan& p : plans) {
      // evaluate_plan agrees with the oracle's own arithmetic
      const testing::ReferenceTimes r = testing::reference_times(table, p, c.options);
      ASSERT_TRUE(near(p.period_s, r.period_s)) << p.period_s << " vs " << r.period_s;
      ASSERT_TRUE(near(p.latency_s, r.latency_s)) << p.latency_s << " vs " << r.latency_s;
      for (const Stage& s : p.stages) {
        if (s.pipelined && s.last_layer.value() > s.first_layer.value()) {
          ++pipelined_plans;
          break;
        }
      }
    }
    check_against_oracle(c, table, plans);
  }
  EXPECT_EQ(instances, 660);
  EXPECT_GE(feasible, 300);
  EXPECT_GE(pipelined_plans, 1000);  // the flag changes many plans' numbers
}

}  // namespace
}  // namespace tessera::plan
