// Exact channel splits (see soc_split.hpp for the exactness argument).
#include "tessera/cost/soc/soc_split.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

#include "tessera/core/format.hpp"

namespace tessera::cost::soc {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// floor(share x n), robust to a share that is n' / n in exact arithmetic.
std::int64_t budget_channels(double share, std::int64_t n) {
  return static_cast<std::int64_t>(std::floor(share * static_cast<double>(n) + 1e-9));
}

std::vector<std::size_t> accepting_units(const LayerTable& t) {
  std::vector<std::size_t> out;
  for (std::size_t u = 0; u < t.cycles.size(); ++u) {
    if (!t.cycles[u].empty()) out.push_back(u);
  }
  return out;
}

std::string unit_list(const Soc& soc) {
  std::string out;
  for (const auto& u : soc.units) {
    if (!out.empty()) out += ", ";
    out += "'" + u.name + "' (" + std::string(unit_form_name(u.form)) + ":";
    if (u.runs_conv) out += " conv";
    if (u.runs_depthwise) out += " depthwise";
    if (u.runs_fc) out += " fc";
    if (u.kernel > 0) out += " " + std::to_string(u.kernel) + "x" + std::to_string(u.kernel);
    out += ")";
  }
  return out;
}

std::string describe(const LayerShape& s) {
  if (s.fc) return "fully connected " + std::to_string(s.c_in) + "->" + std::to_string(s.c_out);
  std::string kind = s.groups == 1 ? "conv" : (s.depthwise() ? "depthwise conv" : "grouped conv");
  return kind + " " + std::to_string(s.kx) + "x" + std::to_string(s.ky) + ", " +
         std::to_string(s.c_in) + "->" + std::to_string(s.c_out) +
         (s.groups > 1 ? ", groups " + std::to_string(s.groups) : "");
}

Diagnostic no_unit(const Soc& soc, const LayerShape& s) {
  return Diagnostic{"", 0, 0, "layer '" + s.name + "'",
                    "no unit of SoC '" + soc.name + "' runs this layer (" + describe(s) +
                        "); units: " + unit_list(soc)};
}

/// The objective's value for per-unit busy cycles t (indexed as Soc::units), and the other
/// criterion to break ties with (energy when only latency counts, else latency): among splits
/// of equal latency the cheaper one wins.
struct Scored {
  double cost = 0.0;
  double tie = 0.0;
  [[nodiscard]] bool better_than(const Scored& o) const {
    return cost < o.cost || (cost == o.cost && tie < o.tie);
  }
};

class SplitCost {
 public:
  SplitCost(const Soc& soc, const CostWeights& w) : soc_(soc), w_(w) {
    for (const auto& u : soc.units) idle_sum_ += u.idle_power_mw;
  }

  template <std::size_t N>
  [[nodiscard]] Scored of(const std::array<double, N>& t) const {
    double latency = 0.0;
    for (double x : t) latency = std::max(latency, x);
    double energy = 0.0;
    bool levels = false;
    if constexpr (N == 2) {
      if (soc_.power == PowerForm::kLevels) {
        const double m = std::min(t[0], t[1]);
        energy = soc_.both_busy_power_mw * m + soc_.units[0].active_power_mw * (t[0] - m) +
                 soc_.units[1].active_power_mw * (t[1] - m);
        levels = true;
      }
    }
    if (!levels) {
      for (std::size_t u = 0; u < N; ++u) {
        energy += (soc_.units[u].active_power_mw - soc_.units[u].idle_power_mw) * t[u];
      }
      energy += idle_sum_ * latency;
    }
    return {w_.latency * latency + w_.energy * energy, w_.energy == 0.0 ? energy : latency};
  }

 private:
  const Soc& soc_;
  CostWeights w_;
  double idle_sum_ = 0.0;
};

/// Visits every split of C channels over the accepting units: (busy cycles per unit, channels
/// per unit). Units are at most 3 (the kind's check); orders: first unit's channels ascending,
/// then the second's.
template <std::size_t N, typename Visit>
void for_each_split(const LayerTable& t, const std::vector<std::size_t>& acc, Visit&& visit) {
  const std::int64_t total = t.shape.c_out;
  std::array<double, N> busy{};
  std::array<std::int64_t, N> ch{};
  const auto at = [&](std::size_t k, std::int64_t c) {
    return t.cycles[acc[k]][static_cast<std::size_t>(c)];
  };
  if (acc.size() == 1) {
    ch[acc[0]] = total;
    busy[acc[0]] = at(0, total);
    visit(busy, ch);
    return;
  }
  if (acc.size() == 2) {
    for (std::int64_t a = 0; a <= total; ++a) {
      ch[acc[0]] = a;
      ch[acc[1]] = total - a;
      busy[acc[0]] = at(0, a);
      busy[acc[1]] = at(1, total - a);
      visit(busy, ch);
    }
    return;
  }
  for (std::int64_t a = 0; a <= total; ++a) {
    ch[acc[0]] = a;
    busy[acc[0]] = at(0, a);
    for (std::int64_t b = 0; a + b <= total; ++b) {
      ch[acc[1]] = b;
      ch[acc[2]] = total - a - b;
      busy[acc[1]] = at(1, b);
      busy[acc[2]] = at(2, total - a - b);
      visit(busy, ch);
    }
  }
}

template <std::size_t N>
Result<std::vector<LayerSplit>> best_by_low(const Soc& soc, const LayerTable& table,
                                            const CostWeights& w, bool whole_layers,
                                            std::int64_t only) {
  const auto acc = accepting_units(table);
  if (acc.empty()) return no_unit(soc, table.shape);
  const std::int64_t total = table.shape.c_out;
  const SplitCost cost(soc, w);
  std::array<bool, N> low_unit{};
  for (std::size_t u = 0; u < N; ++u) {
    low_unit[u] = counts_as_low_precision(soc.units[u], table.shape);
  }
  std::vector<Scored> best(static_cast<std::size_t>(total) + 1, Scored{kInf, kInf});
  std::vector<std::array<std::int64_t, N>> arg(best.size());
  for_each_split<N>(table, acc,
                    [&](const std::array<double, N>& busy, const std::array<std::int64_t, N>& ch) {
                      std::int64_t low = 0;
                      int used = 0;
                      for (std::size_t u = 0; u < N; ++u) {
                        if (low_unit[u]) low += ch[u];
                        if (ch[u] > 0) ++used;
                      }
                      if (whole_layers && used > 1) return;
                      const Scored c = cost.of(busy);
                      auto& b = best[static_cast<std::size_t>(low)];
                      if (c.better_than(b)) {
                        b = c;
                        arg[static_cast<std::size_t>(low)] = ch;
                      }
                    });
  // At most x low channels: the best over 0..x (the fewest low channels among ties).
  for (std::size_t x = 1; x < best.size(); ++x) {
    if (!best[x].better_than(best[x - 1])) {
      best[x] = best[x - 1];
      arg[x] = arg[x - 1];
    }
  }
  // Only entry `only` (>= 0) is filled when only it is wanted (a single layer's best split).
  std::vector<LayerSplit> out(best.size());
  for (std::size_t x = 0; x < best.size(); ++x) {
    if (best[x].cost == kInf || (only >= 0 && x != static_cast<std::size_t>(only))) continue;
    out[x] = evaluate_split(soc, table, std::vector<std::int64_t>(arg[x].begin(), arg[x].end()));
  }
  return out;
}

NetworkSplit totals(std::string method, std::vector<LayerSplit> layers,
                    const std::vector<LayerTable>& tables, const CostWeights& w) {
  NetworkSplit n;
  n.method = std::move(method);
  n.layers = std::move(layers);
  for (std::size_t l = 0; l < n.layers.size(); ++l) {
    const auto& s = n.layers[l];
    n.cycles += s.cycles;
    n.energy_mw_cycles += s.energy_mw_cycles;
    n.cost += w.of(s);
    n.low_precision_channels += s.low_precision_channels;
    n.channels += tables[l].shape.c_out;
  }
  return n;
}

/// Every layer's best split for each number of low channels.
Result<std::vector<std::vector<LayerSplit>>> all_best(const Soc& soc,
                                                      const std::vector<LayerTable>& tables,
                                                      const CostWeights& w, bool whole_layers) {
  std::vector<std::vector<LayerSplit>> out;
  out.reserve(tables.size());
  for (const auto& t : tables) {
    auto b = best_splits_by_low_channels(soc, t, w, whole_layers);
    if (!b.ok()) return b.diagnostics();
    out.push_back(std::move(b).value());
  }
  return out;
}

double split_cost_or_inf(const LayerSplit& s, const CostWeights& w) {
  return s.channels.empty() ? kInf : w.of(s);
}

/// The fewest low-precision channels layer l needs (its smallest x with a split).
std::int64_t min_low(const std::vector<LayerSplit>& by_low) {
  for (std::size_t x = 0; x < by_low.size(); ++x) {
    if (!by_low[x].channels.empty()) return static_cast<std::int64_t>(x);
  }
  return static_cast<std::int64_t>(by_low.size());
}

Diagnostic over_budget(const Soc& soc, const std::vector<LayerTable>& tables,
                       const std::vector<std::vector<LayerSplit>>& best, double budget,
                       BudgetScope scope) {
  std::string needs;
  std::int64_t need_total = 0;
  std::int64_t channels = 0;
  for (std::size_t l = 0; l < tables.size(); ++l) {
    const std::int64_t need = min_low(best[l]);
    need_total += need;
    channels += tables[l].shape.c_out;
    const bool fails = scope == BudgetScope::kLayer
                           ? need > budget_channels(budget, tables[l].shape.c_out)
                           : need > 0;
    if (fails && need > 0) {
      if (!needs.empty()) needs += ", ";
      needs += "'" + tables[l].shape.name + "' needs " + std::to_string(need) + " of " +
               std::to_string(tables[l].shape.c_out);
    }
  }
  const std::string what = scope == BudgetScope::kLayer
                               ? "a per-layer low-precision budget of " + fixed_digits(budget, 4)
                               : "a total low-precision budget of " + fixed_digits(budget, 4) +
                                     " (" + std::to_string(budget_channels(budget, channels)) +
                                     " of " + std::to_string(channels) +
                                     " channels; the layers need " + std::to_string(need_total) +
                                     ")";
  return Diagnostic{"", 0, 0, "budget",
                    "SoC '" + soc.name + "' cannot meet " + what +
                        ": only low-precision units run some layers: " + needs};
}

/// Knapsack over layers: g[X] = best total cost with at most X low channels; choice[l][X] =
/// the low channels layer l is allowed in that optimum.
struct TotalDp {
  std::vector<double> g;
  std::vector<std::vector<std::int32_t>> choice;
};

/// The tie-breaking criterion of a split (as best_splits_by_low_channels): energy when only
/// latency counts, else latency.
double tie_of(const LayerSplit& s, const CostWeights& w) {
  return s.channels.empty() ? kInf : (w.energy == 0.0 ? s.energy_mw_cycles : s.cycles);
}

TotalDp total_dp(const std::vector<LayerTable>& tables,
                 const std::vector<std::vector<LayerSplit>>& best, const CostWeights& w,
                 std::int64_t cap) {
  TotalDp dp;
  const auto width = static_cast<std::size_t>(cap) + 1;
  dp.g.assign(width, 0.0);
  std::vector<double> gt(width, 0.0);  // sum of the tie criterion along the optimum
  dp.choice.resize(tables.size());
  std::vector<double> next(width);
  std::vector<double> next_t(width);
  std::vector<double> f;
  std::vector<double> ft;
  for (std::size_t l = 0; l < tables.size(); ++l) {
    const auto c_l = static_cast<std::size_t>(tables[l].shape.c_out);
    f.assign(c_l + 1, kInf);
    ft.assign(c_l + 1, kInf);
    for (std::size_t x = 0; x <= c_l; ++x) {
      f[x] = split_cost_or_inf(best[l][x], w);
      ft[x] = tie_of(best[l][x], w);
    }
    auto& choice = dp.choice[l];
    choice.assign(width, 0);
    for (std::size_t X = 0; X < width; ++X) {
      double b = kInf;
      double bt = kInf;
      std::int32_t arg = 0;
      const std::size_t top = std::min(X, c_l);
      for (std::size_t x = 0; x <= top; ++x) {
        const double v = dp.g[X - x] + f[x];
        // Equal costs (to rounding of the sums) are decided by the tie criterion.
        const double eps = b < kInf ? 1e-12 * std::fabs(b) : 0.0;
        if (v < b - eps || (v <= b + eps && gt[X - x] + ft[x] < bt)) {
          b = v;
          bt = gt[X - x] + ft[x];
          arg = static_cast<std::int32_t>(x);
        }
      }
      next[X] = b;
      next_t[X] = bt;
      choice[X] = arg;
    }
    dp.g.swap(next);
    gt.swap(next_t);
  }
  return dp;
}

std::vector<LayerSplit> rebuild(const TotalDp& dp, const std::vector<std::vector<LayerSplit>>& best,
                                std::int64_t X) {
  std::vector<LayerSplit> layers(best.size());
  for (std::size_t l = best.size(); l-- > 0;) {
    const std::int32_t x = dp.choice[l][static_cast<std::size_t>(X)];
    layers[l] = best[l][static_cast<std::size_t>(x)];
    X -= x;
  }
  return layers;
}

std::string method(const SplitOptions& o) {
  return o.whole_layers ? "best whole-layer mapping in the budget" : "optimal";
}

std::size_t fastest_whole(const LayerTable& t) {
  std::size_t best = t.cycles.size();
  for (std::size_t u = 0; u < t.cycles.size(); ++u) {
    if (t.cycles[u].empty()) continue;
    if (best == t.cycles.size() || t.cycles[u].back() < t.cycles[best].back()) best = u;
  }
  return best;
}

LayerSplit whole_on(const Soc& soc, const LayerTable& t, std::size_t unit) {
  std::vector<std::int64_t> ch(soc.units.size(), 0);
  ch[unit] = t.shape.c_out;
  return evaluate_split(soc, t, ch);
}

}  // namespace

LayerTable make_layer_table(const Soc& soc, const LayerShape& shape) {
  LayerTable t;
  t.shape = shape;
  t.cycles.resize(soc.units.size());
  for (std::size_t u = 0; u < soc.units.size(); ++u) {
    if (!accepts(soc.units[u], shape)) continue;
    auto& row = t.cycles[u];
    row.resize(static_cast<std::size_t>(shape.c_out) + 1);
    for (std::int64_t c = 0; c <= shape.c_out; ++c) {
      row[static_cast<std::size_t>(c)] = unit_cycles(soc.units[u], shape, c, soc.clock_hz);
    }
  }
  return t;
}

double split_energy(const Soc& soc, const std::vector<double>& t) {
  double latency = 0.0;
  for (double x : t) latency = std::max(latency, x);
  if (soc.power == PowerForm::kLevels) {
    const double m = std::min(t[0], t[1]);
    return soc.both_busy_power_mw * m + soc.units[0].active_power_mw * (t[0] - m) +
           soc.units[1].active_power_mw * (t[1] - m);
  }
  double energy = 0.0;
  for (std::size_t u = 0; u < t.size(); ++u) {
    energy += soc.units[u].active_power_mw * t[u] + soc.units[u].idle_power_mw * (latency - t[u]);
  }
  return energy;
}

std::vector<double> unit_energies(const Soc& soc, const LayerSplit& split) {
  const auto& t = split.unit_cycles;
  std::vector<double> out(t.size(), 0.0);
  if (soc.power == PowerForm::kLevels) {
    const double m = std::min(t[0], t[1]);
    const double alone = soc.units[0].active_power_mw + soc.units[1].active_power_mw;
    for (std::size_t u = 0; u < 2; ++u) {
      const double p = soc.units[u].active_power_mw;
      out[u] = p * (t[u] - m) + (alone > 0.0 ? soc.both_busy_power_mw * m * p / alone : 0.0);
    }
    return out;
  }
  for (std::size_t u = 0; u < t.size(); ++u) {
    out[u] =
        soc.units[u].active_power_mw * t[u] + soc.units[u].idle_power_mw * (split.cycles - t[u]);
  }
  return out;
}

LayerSplit evaluate_split(const Soc& soc, const LayerTable& table,
                          const std::vector<std::int64_t>& channels) {
  LayerSplit s;
  s.channels = channels;
  s.unit_cycles.assign(soc.units.size(), 0.0);
  for (std::size_t u = 0; u < soc.units.size(); ++u) {
    const std::int64_t c = channels[u];
    if (c == 0) continue;
    s.unit_cycles[u] = table.cycles[u][static_cast<std::size_t>(c)];
    if (counts_as_low_precision(soc.units[u], table.shape)) s.low_precision_channels += c;
  }
  for (double t : s.unit_cycles) s.cycles = std::max(s.cycles, t);
  s.energy_mw_cycles = split_energy(soc, s.unit_cycles);
  return s;
}

namespace {

Result<std::vector<LayerSplit>> by_low(const Soc& soc, const LayerTable& table,
                                       const CostWeights& w, bool whole_layers, std::int64_t only) {
  switch (soc.units.size()) {
    case 1:
      return best_by_low<1>(soc, table, w, whole_layers, only);
    case 2:
      return best_by_low<2>(soc, table, w, whole_layers, only);
    case 3:
      return best_by_low<3>(soc, table, w, whole_layers, only);
    default:
      return Diagnostic{"", 0, 0, "device '" + soc.name + "' params.units",
                        "an SoC has 1 to 3 units"};
  }
}

}  // namespace

Result<std::vector<LayerSplit>> best_splits_by_low_channels(const Soc& soc, const LayerTable& table,
                                                            const CostWeights& w,
                                                            bool whole_layers) {
  return by_low(soc, table, w, whole_layers, -1);
}

Result<LayerSplit> best_split(const Soc& soc, const LayerTable& table, const CostWeights& w,
                              std::int64_t max_low) {
  const auto x = static_cast<std::size_t>(std::clamp<std::int64_t>(max_low, 0, table.shape.c_out));
  auto best = by_low(soc, table, w, false, static_cast<std::int64_t>(x));
  if (!best.ok()) return best.diagnostics();
  if ((*best)[x].channels.empty()) {
    return Diagnostic{"", 0, 0, "layer '" + table.shape.name + "'",
                      "only low-precision units of SoC '" + soc.name + "' run this layer, and " +
                          "the budget allows " + std::to_string(x) + " of its " +
                          std::to_string(table.shape.c_out) + " channels on them"};
  }
  return std::move((*best)[x]);
}

Result<CostWeights> cost_weights(const Soc& soc, const std::vector<LayerTable>& tables,
                                 const SplitOptions& options) {
  if (options.objective == SplitObjective::kLatency) return CostWeights{1.0, 0.0};
  if (options.objective == SplitObjective::kEnergy) return CostWeights{0.0, 1.0};
  double latency = 0.0;
  double energy = 0.0;
  for (const auto& t : tables) {
    auto l = best_split(soc, t, {1.0, 0.0}, t.shape.c_out);
    if (!l.ok()) return l.diagnostics();
    auto e = best_split(soc, t, {0.0, 1.0}, t.shape.c_out);
    if (!e.ok()) return e.diagnostics();
    latency += l->cycles;
    energy += e->energy_mw_cycles;
  }
  return CostWeights{options.alpha / (latency > 0.0 ? latency : 1.0),
                     (1.0 - options.alpha) / (energy > 0.0 ? energy : 1.0)};
}

Result<NetworkSplit> optimise_network(const Soc& soc, const std::vector<LayerTable>& tables,
                                      const SplitOptions& options) {
  auto w = cost_weights(soc, tables, options);
  if (!w.ok()) return w.diagnostics();
  auto best = all_best(soc, tables, *w, options.whole_layers);
  if (!best.ok()) return best.diagnostics();
  std::vector<LayerSplit> layers;
  if (options.scope == BudgetScope::kLayer) {
    for (std::size_t l = 0; l < tables.size(); ++l) {
      const auto x = budget_channels(options.budget, tables[l].shape.c_out);
      const auto& s = (*best)[l][static_cast<std::size_t>(x)];
      if (s.channels.empty()) {
        return over_budget(soc, tables, *best, options.budget, options.scope);
      }
      layers.push_back(s);
    }
    return totals(method(options), std::move(layers), tables, *w);
  }
  std::int64_t channels = 0;
  for (const auto& t : tables) channels += t.shape.c_out;
  const std::int64_t cap = budget_channels(options.budget, channels);
  const TotalDp dp = total_dp(tables, *best, *w, cap);
  if (dp.g[static_cast<std::size_t>(cap)] == kInf) {
    return over_budget(soc, tables, *best, options.budget, options.scope);
  }
  return totals(method(options), rebuild(dp, *best, cap), tables, *w);
}

Result<std::vector<BudgetPoint>> budget_front(const Soc& soc, const std::vector<LayerTable>& tables,
                                              const SplitOptions& options) {
  auto w = cost_weights(soc, tables, options);
  if (!w.ok()) return w.diagnostics();
  auto best = all_best(soc, tables, *w, options.whole_layers);
  if (!best.ok()) return best.diagnostics();
  std::vector<BudgetPoint> front;
  double last = kInf;
  if (options.scope == BudgetScope::kTotal) {
    std::int64_t channels = 0;
    for (const auto& t : tables) channels += t.shape.c_out;
    const TotalDp dp = total_dp(tables, *best, *w, channels);
    for (std::int64_t X = 0; X <= channels; ++X) {
      const double g = dp.g[static_cast<std::size_t>(X)];
      if (!(g < last)) continue;
      last = g;
      front.push_back({channels > 0 ? static_cast<double>(X) / static_cast<double>(channels) : 0.0,
                       totals(method(options), rebuild(dp, *best, X), tables, *w)});
    }
    return front;
  }
  // Per-layer budget: the optimum changes only at shares x / C_l.
  std::vector<double> shares = {0.0};
  for (const auto& t : tables) {
    for (std::int64_t x = 1; x <= t.shape.c_out; ++x) {
      shares.push_back(static_cast<double>(x) / static_cast<double>(t.shape.c_out));
    }
  }
  std::sort(shares.begin(), shares.end());
  shares.erase(std::unique(shares.begin(), shares.end()), shares.end());
  for (double b : shares) {
    double sum = 0.0;
    for (std::size_t l = 0; l < tables.size() && sum < kInf; ++l) {
      sum += split_cost_or_inf(
          (*best)[l][static_cast<std::size_t>(budget_channels(b, tables[l].shape.c_out))], *w);
    }
    if (!(sum < last)) continue;
    last = sum;
    std::vector<LayerSplit> layers;
    for (std::size_t l = 0; l < tables.size(); ++l) {
      layers.push_back(
          (*best)[l][static_cast<std::size_t>(budget_channels(b, tables[l].shape.c_out))]);
    }
    front.push_back({b, totals(method(options), std::move(layers), tables, *w)});
  }
  return front;
}

Result<NetworkSplit> baseline_all_on(const Soc& soc, const std::vector<LayerTable>& tables,
                                     std::size_t unit, const CostWeights& w) {
  std::vector<LayerSplit> layers;
  for (const auto& t : tables) {
    std::size_t u = t.cycles[unit].empty() ? fastest_whole(t) : unit;
    if (u == t.cycles.size()) return no_unit(soc, t.shape);
    layers.push_back(whole_on(soc, t, u));
  }
  return totals("all on " + soc.units[unit].name, std::move(layers), tables, w);
}

Result<NetworkSplit> baseline_whole_layer(const Soc& soc, const std::vector<LayerTable>& tables,
                                          const CostWeights& w) {
  std::vector<LayerSplit> layers;
  for (const auto& t : tables) {
    const std::size_t u = fastest_whole(t);
    if (u == t.cycles.size()) return no_unit(soc, t.shape);
    layers.push_back(whole_on(soc, t, u));
  }
  return totals("whole layer on its fastest unit", std::move(layers), tables, w);
}

Result<NetworkSplit> baseline_proportional(const Soc& soc, const std::vector<LayerTable>& tables,
                                           const CostWeights& w) {
  std::vector<LayerSplit> layers;
  for (const auto& t : tables) {
    const auto acc = accepting_units(t);
    if (acc.empty()) return no_unit(soc, t.shape);
    const std::int64_t total = t.shape.c_out;
    // Throughput on the whole layer: channels per cycle.
    std::vector<double> rate;
    for (auto u : acc) {
      const double cycles = t.cycles[u].back();
      rate.push_back(cycles > 0.0 ? static_cast<double>(total) / cycles : kInf);
    }
    std::vector<std::int64_t> ch(soc.units.size(), 0);
    const auto inf_it = std::find(rate.begin(), rate.end(), kInf);
    if (inf_it != rate.end()) {
      ch[acc[static_cast<std::size_t>(inf_it - rate.begin())]] = total;
    } else {
      const double sum = std::accumulate(rate.begin(), rate.end(), 0.0);
      std::vector<std::pair<double, std::size_t>> remainder;
      std::int64_t given = 0;
      for (std::size_t k = 0; k < acc.size(); ++k) {
        const double exact = static_cast<double>(total) * rate[k] / sum;
        const auto whole = static_cast<std::int64_t>(std::floor(exact));
        ch[acc[k]] = whole;
        given += whole;
        remainder.emplace_back(-(exact - static_cast<double>(whole)), k);
      }
      std::sort(remainder.begin(), remainder.end());
      for (std::size_t i = 0; given < total; ++i, ++given) ch[acc[remainder[i].second]] += 1;
    }
    layers.push_back(evaluate_split(soc, t, ch));
  }
  return totals("proportional", std::move(layers), tables, w);
}

Result<NetworkTables> network_tables(const Soc& soc, const graph::Graph& graph,
                                     const graph::LayerChain& chain) {
  NetworkTables out;
  std::vector<Diagnostic> problems;
  for (const auto& layer : chain.layers) {
    auto shape = layer_shape(graph, layer);
    if (!shape.ok()) {
      problems.insert(problems.end(), shape.diagnostics().begin(), shape.diagnostics().end());
      continue;
    }
    if (!shape->has_value()) continue;
    LayerTable t = make_layer_table(soc, **shape);
    if (accepting_units(t).empty()) {
      problems.push_back(no_unit(soc, t.shape));
      continue;
    }
    out.tables.push_back(std::move(t));
    out.layer_index.push_back(layer.id.value());
  }
  if (!problems.empty()) return problems;
  return out;
}

}  // namespace tessera::cost::soc
