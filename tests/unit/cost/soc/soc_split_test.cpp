// The split optimiser against brute force: on many small random SoCs, layers and networks, the
// per-layer optimum (for every low-precision channel count), the network optimum under a
// per-layer and a total budget, and the budget Pareto front equal exhaustive enumeration.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "tessera/cost/soc/soc_split.hpp"

namespace tessera::cost::soc {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// A random SoC of 2 or 3 units with random forms, acceptance and powers.
Soc random_soc(std::mt19937& rng) {
  std::uniform_int_distribution<int> units(2, 3);
  std::uniform_real_distribution<double> power(1.0, 200.0);
  std::uniform_int_distribution<int> coin(0, 1);
  Soc soc;
  soc.name = "random";
  soc.clock_hz = 260e6;
  const int n = units(rng);
  for (int i = 0; i < n; ++i) {
    Unit u;
    u.name = "u" + std::to_string(i);
    switch (std::uniform_int_distribution<int>(0, 4)(rng)) {
      case 0:
        u.form = UnitForm::kDianaDigital;
        u.pe_channels = std::uniform_int_distribution<int>(1, 8)(rng);
        u.pe_columns = std::uniform_int_distribution<int>(1, 8)(rng);
        break;
      case 1:
        u.form = UnitForm::kDianaAnalog;
        u.columns = std::uniform_int_distribution<int>(2, 16)(rng);
        u.rows = std::uniform_int_distribution<int>(64, 600)(rng);
        u.input_block = std::uniform_int_distribution<int>(1, 8)(rng);
        u.min_input_rows = std::uniform_int_distribution<int>(1, 8)(rng);
        break;
      case 2:
        u.form = UnitForm::kPulpCluster;
        break;
      case 3:
        u.form = UnitForm::kMacArray;
        u.macs_per_cycle = std::uniform_real_distribution<double>(0.5, 40.0)(rng);
        break;
      default:
        u.form = UnitForm::kCrossbar;
        u.rows = std::uniform_int_distribution<int>(4, 64)(rng);
        u.columns = std::uniform_int_distribution<int>(2, 16)(rng);
        u.arrays = std::uniform_int_distribution<int>(1, 3)(rng);
        break;
    }
    u.runs_conv = i == 0 || coin(rng) == 1;
    u.runs_fc = coin(rng) == 1;
    u.low_precision = i > 0 && coin(rng) == 1;
    u.active_power_mw = power(rng);
    u.idle_power_mw = coin(rng) == 1 ? power(rng) / 50.0 : 0.0;
    soc.units.push_back(u);
  }
  if (n == 2 && coin(rng) == 1) {
    soc.power = PowerForm::kLevels;
    soc.both_busy_power_mw = soc.units[0].active_power_mw + soc.units[1].active_power_mw * 0.6;
  }
  return soc;
}

LayerShape random_layer(std::mt19937& rng, int index, std::int64_t max_channels) {
  LayerShape s;
  s.name = "layer" + std::to_string(index);
  s.c_in = std::uniform_int_distribution<std::int64_t>(1, 24)(rng);
  s.c_out = std::uniform_int_distribution<std::int64_t>(1, max_channels)(rng);
  const std::int64_t k = std::uniform_int_distribution<int>(0, 1)(rng) == 1 ? 3 : 1;
  s.kx = s.ky = k;
  s.ox = s.oy = std::uniform_int_distribution<std::int64_t>(1, 20)(rng);
  return s;
}

/// Every split of the layer's channels over all units (units that do not accept it get 0).
void for_each_split(const Soc& soc, const LayerTable& t,
                    const std::function<void(const std::vector<std::int64_t>&)>& visit) {
  std::vector<std::int64_t> ch(soc.units.size(), 0);
  std::function<void(std::size_t, std::int64_t)> rec = [&](std::size_t u, std::int64_t left) {
    if (u + 1 == soc.units.size()) {
      if (left > 0 && t.cycles[u].empty()) return;
      ch[u] = left;
      visit(ch);
      ch[u] = 0;
      return;
    }
    const std::int64_t top = t.cycles[u].empty() ? 0 : left;
    for (std::int64_t c = 0; c <= top; ++c) {
      ch[u] = c;
      rec(u + 1, left - c);
    }
    ch[u] = 0;
  };
  rec(0, t.shape.c_out);
}

/// Brute force: the best cost with at most x low channels, for every x.
std::vector<double> brute_by_low(const Soc& soc, const LayerTable& t, const CostWeights& w) {
  std::vector<double> best(static_cast<std::size_t>(t.shape.c_out) + 1, kInf);
  for_each_split(soc, t, [&](const std::vector<std::int64_t>& ch) {
    const LayerSplit s = evaluate_split(soc, t, ch);
    for (auto x = static_cast<std::size_t>(s.low_precision_channels); x < best.size(); ++x) {
      best[x] = std::min(best[x], w.of(s));
    }
  });
  return best;
}

std::vector<LayerTable> accepted_tables(const Soc& soc, std::mt19937& rng, int layers,
                                        std::int64_t max_channels) {
  std::vector<LayerTable> out;
  for (int l = 0; l < layers; ++l) {
    LayerShape s = random_layer(rng, l, max_channels);
    LayerTable t = make_layer_table(soc, s);  // unit 0 runs every conv
    out.push_back(std::move(t));
  }
  return out;
}

void expect_same(double got, double want, const std::string& what) {
  if (want == kInf) {
    EXPECT_EQ(got, kInf) << what;
  } else {
    EXPECT_NEAR(got, want, 1e-9 * std::max(1.0, std::fabs(want))) << what;
  }
}

TEST(SocSplit, PerLayerOptimumEqualsBruteForceForEveryLowChannelCount) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const Soc soc = random_soc(rng);
    const LayerTable t = make_layer_table(soc, random_layer(rng, trial, 24));
    for (const CostWeights w :
         {CostWeights{1.0, 0.0}, CostWeights{0.0, 1.0}, CostWeights{0.3, 0.002}}) {
      auto got = best_splits_by_low_channels(soc, t, w);
      ASSERT_TRUE(got.ok()) << got.error_text();
      const auto want = brute_by_low(soc, t, w);
      ASSERT_EQ(got->size(), want.size());
      for (std::size_t x = 0; x < want.size(); ++x) {
        const auto& s = (*got)[x];
        const double cost = s.channels.empty() ? kInf : w.of(s);
        expect_same(cost, want[x], "trial " + std::to_string(trial) + " x " + std::to_string(x));
        if (s.channels.empty()) continue;
        EXPECT_LE(s.low_precision_channels, static_cast<std::int64_t>(x));
        std::int64_t sum = 0;
        for (auto c : s.channels) sum += c;
        EXPECT_EQ(sum, t.shape.c_out);
      }
    }
  }
}

/// Brute force over every combination of the layers' splits.
double brute_network(const Soc& soc, const std::vector<LayerTable>& tables, const CostWeights& w,
                     double budget, BudgetScope scope, bool whole_layers = false) {
  std::vector<std::vector<LayerSplit>> options(tables.size());
  for (std::size_t l = 0; l < tables.size(); ++l) {
    for_each_split(soc, tables[l], [&](const std::vector<std::int64_t>& ch) {
      const auto used = std::count_if(ch.begin(), ch.end(), [](std::int64_t c) { return c > 0; });
      if (whole_layers && used > 1) return;
      options[l].push_back(evaluate_split(soc, tables[l], ch));
    });
  }
  std::int64_t channels = 0;
  for (const auto& t : tables) channels += t.shape.c_out;
  const auto cap = static_cast<std::int64_t>(std::floor(budget * channels + 1e-9));
  double best = kInf;
  std::function<void(std::size_t, double, std::int64_t)> rec = [&](std::size_t l, double cost,
                                                                   std::int64_t low) {
    if (l == tables.size()) {
      if (scope == BudgetScope::kTotal && low > cap) return;
      best = std::min(best, cost);
      return;
    }
    const auto layer_cap =
        static_cast<std::int64_t>(std::floor(budget * tables[l].shape.c_out + 1e-9));
    for (const auto& s : options[l]) {
      if (scope == BudgetScope::kLayer && s.low_precision_channels > layer_cap) continue;
      rec(l + 1, cost + w.of(s), low + s.low_precision_channels);
    }
  };
  rec(0, 0.0, 0);
  return best;
}

TEST(SocSplit, NetworkOptimumUnderABudgetEqualsBruteForce) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 120; ++trial) {
    const Soc soc = random_soc(rng);
    const auto tables = accepted_tables(soc, rng, 3, soc.units.size() == 3 ? 5 : 8);
    for (auto objective :
         {SplitObjective::kLatency, SplitObjective::kEnergy, SplitObjective::kWeighted}) {
      for (auto scope : {BudgetScope::kLayer, BudgetScope::kTotal}) {
        for (double budget : {0.0, 0.25, 0.5, 1.0}) {
          const bool whole = trial % 3 == 2;  // also the best whole-layer mapping
          SplitOptions o{objective, 0.4, budget, scope, whole};
          auto w = cost_weights(soc, tables, o);
          ASSERT_TRUE(w.ok());
          const double want = brute_network(soc, tables, *w, budget, scope, whole);
          auto got = optimise_network(soc, tables, o);
          const std::string what = "trial " + std::to_string(trial) + " budget " +
                                   std::to_string(budget) + " scope " +
                                   std::to_string(static_cast<int>(scope));
          if (want == kInf) {
            EXPECT_FALSE(got.ok()) << what;
            continue;
          }
          ASSERT_TRUE(got.ok()) << what << ": " << got.error_text();
          expect_same(got->cost, want, what);
          std::int64_t channels = 0;
          for (const auto& t : tables) channels += t.shape.c_out;
          EXPECT_EQ(got->channels, channels);
          if (scope == BudgetScope::kTotal) {
            EXPECT_LE(got->low_precision_channels,
                      static_cast<std::int64_t>(std::floor(budget * channels + 1e-9)))
                << what;
          }
        }
      }
    }
  }
}

TEST(SocSplit, BudgetFrontIsExactlyTheBruteForceStepFunction) {
  std::mt19937 rng(23);
  for (int trial = 0; trial < 60; ++trial) {
    const Soc soc = random_soc(rng);
    const auto tables = accepted_tables(soc, rng, 3, soc.units.size() == 3 ? 4 : 6);
    std::int64_t channels = 0;
    for (const auto& t : tables) channels += t.shape.c_out;
    for (auto scope : {BudgetScope::kLayer, BudgetScope::kTotal}) {
      SplitOptions o{SplitObjective::kEnergy, 0.5, 1.0, scope};
      auto front = budget_front(soc, tables, o);
      ASSERT_TRUE(front.ok()) << front.error_text();
      ASSERT_FALSE(front->empty());
      // Strictly improving, and at its own budget each point is the brute-force optimum.
      for (std::size_t i = 0; i < front->size(); ++i) {
        const auto& p = (*front)[i];
        expect_same(p.split.cost,
                    brute_network(soc, tables, CostWeights{0.0, 1.0}, p.budget, scope),
                    "front point " + std::to_string(i));
        if (i > 0) {
          EXPECT_LT(p.split.cost, (*front)[i - 1].split.cost);
          EXPECT_GT(p.budget, (*front)[i - 1].budget);
        }
      }
      // Between points nothing better exists: at every budget x / channels the optimum is the
      // last point at or below it.
      for (std::int64_t x = 0; x <= channels; ++x) {
        const double b = static_cast<double>(x) / static_cast<double>(channels);
        const double want = brute_network(soc, tables, CostWeights{0.0, 1.0}, b, scope);
        double got = kInf;
        for (const auto& p : *front) {
          if (p.budget <= b + 1e-12) got = p.split.cost;
        }
        expect_same(got, want, "budget " + std::to_string(b));
      }
    }
  }
}

TEST(SocSplit, OptimalSplitIsNeverWorseThanTheBaselines) {
  std::mt19937 rng(31);
  for (int trial = 0; trial < 100; ++trial) {
    const Soc soc = random_soc(rng);
    const auto tables = accepted_tables(soc, rng, 4, 12);
    for (auto objective : {SplitObjective::kLatency, SplitObjective::kEnergy}) {
      SplitOptions o{objective, 0.5, 1.0, BudgetScope::kLayer};
      auto w = cost_weights(soc, tables, o);
      ASSERT_TRUE(w.ok());
      auto best = optimise_network(soc, tables, o);
      ASSERT_TRUE(best.ok());
      std::vector<Result<NetworkSplit>> baselines;
      baselines.push_back(baseline_whole_layer(soc, tables, *w));
      baselines.push_back(baseline_proportional(soc, tables, *w));
      for (std::size_t u = 0; u < soc.units.size(); ++u) {
        baselines.push_back(baseline_all_on(soc, tables, u, *w));
      }
      for (const auto& b : baselines) {
        ASSERT_TRUE(b.ok()) << b.error_text();
        EXPECT_LE(best->cost, b->cost * (1 + 1e-12)) << b->method;
        for (std::size_t l = 0; l < tables.size(); ++l) {
          std::int64_t sum = 0;
          for (auto c : b->layers[l].channels) sum += c;
          EXPECT_EQ(sum, tables[l].shape.c_out) << b->method;
        }
      }
    }
  }
}

TEST(SocSplit, ProportionalSplitFollowsThroughput) {
  // Two MAC arrays of 30 and 10 MAC/cycle: 3/4 and 1/4 of 16 channels.
  Soc soc;
  soc.name = "two";
  soc.clock_hz = 1e6;
  for (double rate : {30.0, 10.0}) {
    Unit u;
    u.name = "m" + std::to_string(static_cast<int>(rate));
    u.form = UnitForm::kMacArray;
    u.macs_per_cycle = rate;
    u.runs_conv = true;
    u.active_power_mw = 1.0;
    soc.units.push_back(u);
  }
  LayerShape s;
  s.name = "l";
  s.c_in = 4;
  s.c_out = 16;
  s.ox = s.oy = 4;
  const std::vector<LayerTable> tables = {make_layer_table(soc, s)};
  auto p = baseline_proportional(soc, tables, CostWeights{});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->layers[0].channels, (std::vector<std::int64_t>{12, 4}));
  // Both finish together: 12*4*16/30 = 25.6 = 4*4*16/10 cycles, the optimum too.
  EXPECT_NEAR(p->cycles, 25.6, 1e-12);
  auto best = optimise_network(soc, tables, SplitOptions{});
  ASSERT_TRUE(best.ok());
  EXPECT_NEAR(best->cycles, 25.6, 1e-12);
}

TEST(SocSplit, NamesTheLayerNoUnitRunsAndTheBudgetNoSplitMeets) {
  Soc soc;
  soc.name = "conv-only";
  soc.clock_hz = 1e6;
  Unit a;
  a.name = "low";
  a.form = UnitForm::kMacArray;
  a.macs_per_cycle = 4;
  a.runs_conv = true;
  a.low_precision = true;
  soc.units = {a};
  LayerShape fc;
  fc.name = "classifier";
  fc.fc = true;
  fc.c_in = 8;
  fc.c_out = 4;
  auto r = best_splits_by_low_channels(soc, make_layer_table(soc, fc), CostWeights{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error_text().find("classifier"), std::string::npos) << r.error_text();
  EXPECT_NE(r.error_text().find("'low'"), std::string::npos) << r.error_text();

  LayerShape conv;
  conv.name = "conv1";
  conv.c_in = 3;
  conv.c_out = 8;
  const std::vector<LayerTable> tables = {make_layer_table(soc, conv)};
  auto over = optimise_network(soc, tables, SplitOptions{SplitObjective::kLatency, 0.5, 0.5});
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error_text().find("conv1"), std::string::npos) << over.error_text();
  EXPECT_NE(over.error_text().find("budget"), std::string::npos) << over.error_text();
}

}  // namespace
}  // namespace tessera::cost::soc
