// Multi-model scheduling on a chiplet package (include/tessera/plan/schedule.hpp).
//
// Exact search: a model's options are every ordered sequence of distinct chiplets (its
// segments' placement) with every way to cut its layers into that many contiguous segments; per
// set of chiplets only the Pareto front of (objective key, tie-break key) is kept (latency:
// weighted latency then energy; energy: energy then weighted latency; EDP: weighted latency and
// energy; throughput: period then energy). The package objective is monotone in each model's
// keys (max of latencies, sum of energies, max of periods), so combining the models' fronts
// over disjoint chiplet sets, again keeping fronts per set of used chiplets, loses no optimum.
//
// Beyond the work limit of that enumeration, the same enumeration runs as a branch and bound
// against an incumbent (local search's schedule): a partial option is dropped when even its
// least completion, with the other models at their least energy and at their least latency on
// the chiplets it leaves them, cannot beat the incumbent, or when another partial option reached
// the same state no worse (Pruning, OptionEnumerator).
#include "tessera/plan/schedule.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <random>
#include <unordered_map>

namespace tessera::plan {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Prefix sums of a model's per-layer numbers, per class.
struct Prefix {
  std::vector<std::vector<double>> t, cj, l2, dj;
  std::vector<double> wb;
};

std::vector<double> prefix(const std::vector<double>& v) {
  std::vector<double> p(v.size() + 1, 0.0);
  for (std::size_t i = 0; i < v.size(); ++i) p[i + 1] = p[i] + v[i];
  return p;
}

/// The least largest part of `t` cut into at most `n` contiguous parts, by bisection between
/// the largest item and the sum: {lo, hi}, lo not achievable (or the largest item), hi
/// achievable, 100 halvings apart.
std::pair<double, double> largest_part(const std::vector<double>& t, std::int32_t n) {
  double lo = 0.0;
  for (double v : t) lo = std::max(lo, v);
  double hi = std::accumulate(t.begin(), t.end(), 0.0);
  for (int it = 0; it < 100; ++it) {
    const double mid = (lo + hi) / 2;
    std::int32_t parts = 1;
    double acc = 0.0;
    for (double v : t) {
      if (acc + v > mid) {
        ++parts;
        acc = v;
      } else {
        acc += v;
      }
    }
    (parts <= n ? hi : lo) = mid;
  }
  return {lo, hi};
}

Prefix make_prefix(const ScheduleModel& m) {
  Prefix p;
  for (std::size_t c = 0; c < m.time_s.size(); ++c) {
    p.t.push_back(prefix(m.time_s[c]));
    p.cj.push_back(prefix(m.compute_j[c]));
    p.l2.push_back(prefix(m.l2_j[c]));
    p.dj.push_back(prefix(m.dram_j[c]));
  }
  p.wb = prefix(m.weight_bytes);
  return p;
}

struct SegCost {
  double t = 0.0;
  EnergyBreakdown e;
};

/// Layers [a, b] of `m` on chiplet `ch`, after chiplet `prev` and before `next` (-1: DRAM).
SegCost segment_cost(const SchedulePackage& pkg, const ScheduleModel& m, const Prefix& p,
                     std::int32_t ch, std::int32_t a, std::int32_t b, std::int32_t prev,
                     std::int32_t next) {
  SegCost s;
  const auto cls = static_cast<std::size_t>(pkg.chiplet_class[static_cast<std::size_t>(ch)]);
  const auto ua = static_cast<std::size_t>(a);
  const auto ub = static_cast<std::size_t>(b) + 1;
  s.t = p.t[cls][ub] - p.t[cls][ua];
  s.e.compute_j = p.cj[cls][ub] - p.cj[cls][ua];
  s.e.l2_j = p.l2[cls][ub] - p.l2[cls][ua];
  s.e.dram_j = p.dj[cls][ub] - p.dj[cls][ua];
  const double dh = pkg.dram_hops[static_cast<std::size_t>(ch)];
  auto dram = [&](double bytes) {
    s.t += pkg.dram_latency_s + bytes / pkg.dram_bytes_per_s + dh * pkg.hop_latency_s;
    s.e.dram_j += bytes * pkg.dram_j_per_byte;
    s.e.nop_j += bytes * dh * pkg.nop_j_per_byte_hop;
  };
  const double in = m.cut_bytes[ua];
  if (prev < 0) {
    dram(in);
  } else {
    const double h = pkg.hop(prev, ch);
    s.t += h * pkg.hop_latency_s + in / pkg.nop_bytes_per_s;
    s.e.nop_j += in * h * pkg.nop_j_per_byte_hop;  // charged once, to the receiver
  }
  const double out = m.cut_bytes[ub];
  if (next < 0) {
    dram(out);
  } else {
    s.t += pkg.hop(ch, next) * pkg.hop_latency_s + out / pkg.nop_bytes_per_s;
  }
  const double wb = p.wb[ub] - p.wb[ua];
  if (wb > 0.0 && dh > 0.0) {
    s.t += dh * pkg.hop_latency_s;
    s.e.nop_j += wb * dh * pkg.nop_j_per_byte_hop;
  }
  return s;
}

void add(EnergyBreakdown& a, const EnergyBreakdown& b, double times = 1.0) {
  a.compute_j += times * b.compute_j;
  a.l2_j += times * b.l2_j;
  a.nop_j += times * b.nop_j;
  a.dram_j += times * b.dram_j;
}

/// A model's numbers under one option, as the objectives read them.
struct Keys {
  double wl = 0.0;  ///< weight × latency
  double l = 0.0;   ///< latency
  double e = 0.0;
  double p = 0.0;
};

Keys model_keys(const ScheduleModel& m, double sum_t, double max_t, double sum_e) {
  Keys k;
  k.l = sum_t + static_cast<double>(m.batch - 1) * max_t;
  k.wl = m.weight * k.l;
  k.e = static_cast<double>(m.batch) * sum_e;
  k.p = max_t;
  return k;
}

/// (primary, secondary) of the Pareto fronts for an objective.
std::pair<double, double> front_keys(const Keys& k, ScheduleObjective o) {
  switch (o) {
    case ScheduleObjective::kLatency:
      return {k.wl, k.e};
    case ScheduleObjective::kEnergy:
      return {k.e, k.wl};
    case ScheduleObjective::kEdp:
      return {k.wl, k.e};
    case ScheduleObjective::kThroughput:
      return {k.p, k.e};
  }
  return {k.wl, k.e};
}

/// A 2-D Pareto front of items with keys (a, b), smaller better; ties keep the first.
template <typename Item>
class Front {
 public:
  /// Adds the item unless an existing one is at least as good in both keys.
  bool insert(double a, double b, Item item) {
    for (const auto& e : items_) {
      if (e.a <= a && e.b <= b) return false;
    }
    std::erase_if(items_, [&](const Entry& e) { return a <= e.a && b <= e.b; });
    items_.push_back({a, b, std::move(item)});
    return true;
  }
  struct Entry {
    double a;
    double b;
    Item item;
  };
  [[nodiscard]] const std::vector<Entry>& items() const { return items_; }

 private:
  std::vector<Entry> items_;
};

/// One option of one model: its chiplets in segment order and its cuts.
struct Option {
  Keys keys;
  std::vector<std::int32_t> chiplets;
  std::vector<std::int32_t> last_layers;  ///< per segment
};

struct Combined {
  Keys keys;  ///< wl, e, p over the models so far (l: the largest latency)
  std::uint64_t prev_mask = 0;
  std::int32_t prev_index = -1;
  std::int32_t option = -1;  ///< index into the model's option list for its mask
};

double combined_objective(const Keys& k, ScheduleObjective o) {
  switch (o) {
    case ScheduleObjective::kLatency:
      return k.wl;
    case ScheduleObjective::kEnergy:
      return k.e;
    case ScheduleObjective::kEdp:
      return k.wl * k.e;
    case ScheduleObjective::kThroughput:
      return k.p;
  }
  return k.wl;
}

double secondary(const Keys& k, ScheduleObjective o) {
  return o == ScheduleObjective::kEnergy ? k.wl : k.e;
}

double binomial(double n, double k) {
  if (k < 0 || k > n) return 0.0;
  double r = 1.0;
  for (double i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

/// (sequence, cut) evaluations of the exact search with at most `kmax` chiplets per model.
double exact_work(const ScheduleInstance& inst, std::int32_t kmax) {
  const double c = inst.package.size();
  double work = 0.0;
  for (const auto& m : inst.models) {
    double perm = 1.0;
    for (std::int32_t k = 1; k <= kmax && k <= m.layers(); ++k) {
      perm *= (c - k + 1);
      work += perm * binomial(m.layers() - 1, k - 1);
    }
  }
  return work;
}

/// Least times and energies of one model's layers (each at its cheapest class; transfers left
/// out except the model's own input and output through DRAM), as suffix arrays for the partial
/// bounds of the pruned enumeration.
struct ModelFloor {
  std::vector<double> time_s;    ///< [a]: Σ_{l >= a} least time
  std::vector<double> energy_j;  ///< [a]: Σ_{l >= a} least energy
  std::vector<double> worst_s;   ///< [a]: max_{l >= a} least time
  double in_s = 0.0, in_j = 0.0, out_s = 0.0, out_j = 0.0;
};

ModelFloor model_floor(const SchedulePackage& pkg, const ScheduleModel& m) {
  ModelFloor f;
  const auto layers = static_cast<std::size_t>(m.layers());
  f.time_s.assign(layers + 1, 0.0);
  f.energy_j.assign(layers + 1, 0.0);
  f.worst_s.assign(layers + 1, 0.0);
  for (std::size_t l = layers; l-- > 0;) {
    double t = kInf;
    double j = kInf;
    for (std::size_t c = 0; c < m.time_s.size(); ++c) {
      t = std::min(t, m.time_s[c][l]);
      j = std::min(j, m.compute_j[c][l] + m.l2_j[c][l] + m.dram_j[c][l]);
    }
    f.time_s[l] = f.time_s[l + 1] + t;
    f.energy_j[l] = f.energy_j[l + 1] + j;
    f.worst_s[l] = std::max(f.worst_s[l + 1], t);
  }
  f.in_s = pkg.dram_latency_s + m.cut_bytes.front() / pkg.dram_bytes_per_s;
  f.out_s = pkg.dram_latency_s + m.cut_bytes.back() / pkg.dram_bytes_per_s;
  f.in_j = m.cut_bytes.front() * pkg.dram_j_per_byte;
  f.out_j = m.cut_bytes.back() * pkg.dram_j_per_byte;
  return f;
}

/// A model's floor in the form the chiplet-share bound reads: a chiplet of class c does at most
/// `rate[c]` of the model's least work (Σ layers at their cheapest class) per unit of time, since
/// every layer takes at least least_time / rate[c] there.
struct ShareFloor {
  double sum_s = 0.0;     ///< least Σ segment times (compute at the cheapest class + DRAM in/out)
  double work_s = 0.0;    ///< Σ layers' least time
  double worst_s = 0.0;   ///< the slowest layer at its cheapest class
  double energy_j = 0.0;  ///< least energy per sample (layers at their cheapest, DRAM in/out)
  double weight = 1.0;
  double batch = 1.0;
  std::vector<double> rate;  ///< per class, in (0, 1]
  /// [n]: a lower bound on the slowest of n contiguous segments of the least layer times
  /// (n = 1 .. layers; larger n: the slowest layer).
  std::vector<double> split_s;
  [[nodiscard]] double split(std::size_t n) const {
    return n < split_s.size() ? split_s[n] : worst_s;
  }
  /// Per count vector of chiplets (per class, mixed radix over the package's class counts):
  /// a lower bound on the model's slowest segment on such chiplets (empty: not tabled).
  std::vector<double> period_on;
  std::vector<std::size_t> radix;  ///< of period_on's count vectors
};

/// Σ over the layers each runs wholly on the classes of `n` (count per class): the least
/// largest load per chiplet when layers may be split between chiplets (fractional), with two
/// classes exact by the greedy exchange (layers relatively cheapest on the second class go
/// there first), with more a perfect balance at each class's best relative speed.
double fluid_period(const ScheduleModel& m, const std::vector<std::int32_t>& n,
                    const std::vector<double>& rate, double work_s) {
  std::vector<std::size_t> used;
  for (std::size_t c = 0; c < n.size(); ++c) {
    if (n[c] > 0) used.push_back(c);
  }
  if (used.empty()) return kInf;
  double worst = 0.0;  // every layer runs wholly on one chiplet of an available class
  for (std::int32_t l = 0; l < m.layers(); ++l) {
    double t = kInf;
    for (std::size_t c : used) t = std::min(t, m.time_s[c][static_cast<std::size_t>(l)]);
    worst = std::max(worst, t);
  }
  if (used.size() == 1) {
    double sum = 0.0;
    for (double t : m.time_s[used[0]]) sum += t;
    return std::max(worst, sum / n[used[0]]);
  }
  if (used.size() > 2) {
    double r = 0.0;
    for (std::size_t c : used) r += n[c] * rate[c];
    return std::max(worst, work_s / r);
  }
  const std::size_t a = used[0];
  const std::size_t b = used[1];
  std::vector<std::int32_t> order(static_cast<std::size_t>(m.layers()));
  std::iota(order.begin(), order.end(), 0);
  auto ratio = [&](std::int32_t l) {
    const auto ul = static_cast<std::size_t>(l);
    return m.time_s[b][ul] / m.time_s[a][ul];
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::int32_t x, std::int32_t y) { return ratio(x) < ratio(y); });
  auto fits = [&](double period) {
    double room_b = n[b] * period;
    double load_a = 0.0;
    for (std::int32_t l : order) {
      const auto ul = static_cast<std::size_t>(l);
      const double tb = m.time_s[b][ul];
      const double ta = m.time_s[a][ul];
      if (room_b > 0.0 && tb <= room_b) {
        room_b -= tb;
      } else if (room_b > 0.0 && std::isfinite(tb)) {
        load_a += ta * (1.0 - room_b / tb);
        room_b = 0.0;
      } else {
        load_a += ta;
      }
    }
    return load_a <= n[a] * period;
  };
  double lo = 0.0;
  double hi = std::max(worst, work_s);
  for (int it = 0; it < 200 && !fits(hi); ++it) hi *= 2.0;
  if (!fits(hi)) return worst;
  for (int it = 0; it < 80; ++it) {
    const double mid = (lo + hi) / 2.0;
    (fits(mid) ? hi : lo) = mid;
  }
  return std::max(worst, lo);
}

ShareFloor share_floor(const SchedulePackage& pkg, const ScheduleModel& m) {
  const ModelFloor f = model_floor(pkg, m);
  ShareFloor s;
  s.sum_s = f.time_s[0] + f.in_s + f.out_s;
  s.work_s = f.time_s[0];
  s.worst_s = f.worst_s[0];
  s.energy_j = f.energy_j[0] + f.in_j + f.out_j;
  s.weight = m.weight;
  s.batch = static_cast<double>(m.batch);
  // Least largest part of a split of the least layer times into n contiguous parts (the
  // bisection's unachievable end, so never above the optimum).
  std::vector<double> least_t;
  for (std::int32_t l = 0; l < m.layers(); ++l) {
    least_t.push_back(f.time_s[static_cast<std::size_t>(l)] -
                      f.time_s[static_cast<std::size_t>(l) + 1]);
  }
  s.split_s.assign(static_cast<std::size_t>(std::min(m.layers(), 64)) + 1, s.worst_s);
  for (std::size_t n = 1; n < s.split_s.size(); ++n) {
    s.split_s[n] = largest_part(least_t, static_cast<std::int32_t>(n)).first;
  }
  s.rate.assign(m.time_s.size(), 0.0);
  for (std::size_t c = 0; c < m.time_s.size(); ++c) {
    for (std::int32_t l = 0; l < m.layers(); ++l) {
      const auto ul = static_cast<std::size_t>(l);
      const double least = f.time_s[ul] - f.time_s[ul + 1];
      const double t = m.time_s[c][ul];
      s.rate[c] = std::max(s.rate[c], t > 0.0 ? std::min(1.0, least / t) : 1.0);
    }
  }
  // The period table over the package's count vectors (at most 512 of them).
  std::vector<std::int32_t> total;
  for (std::int32_t c : pkg.chiplet_class) {
    if (total.size() <= static_cast<std::size_t>(c)) total.resize(static_cast<std::size_t>(c) + 1);
    ++total[static_cast<std::size_t>(c)];
  }
  std::size_t states = 1;
  s.radix.assign(total.size(), 1);
  for (std::size_t c = 0; c < total.size(); ++c) {
    s.radix[c] = states;
    states *= static_cast<std::size_t>(total[c]) + 1;
  }
  if (states <= 512 && total.size() <= m.time_s.size()) {
    s.period_on.assign(states, kInf);
    std::vector<std::int32_t> n(total.size());
    for (std::size_t v = 0; v < states; ++v) {
      for (std::size_t c = 0; c < total.size(); ++c) {
        n[c] = static_cast<std::int32_t>(v / s.radix[c] % (static_cast<std::size_t>(total[c]) + 1));
      }
      s.period_on[v] = fluid_period(m, n, s.rate, s.work_s);
    }
  }
  return s;
}

/// The least, over every way to give each model at least one of the chiplets counted in
/// `counts` (per class), of the largest `value(model, rate, chiplets, fluid)`, where rate is Σ
/// over the model's chiplets of its class rate and fluid the model's tabled period bound on
/// them: exact over whole chiplets by a DP over the count vectors
/// left (0, no bound, when there are more than 512 of them; +inf when no such way exists).
template <typename Value>
double least_max(const std::vector<ShareFloor>& models, const std::vector<std::int32_t>& counts,
                 Value value) {
  std::size_t states = 1;
  for (std::int32_t n : counts) states *= static_cast<std::size_t>(n) + 1;
  if (states > 512) return 0.0;
  std::vector<std::size_t> radix(counts.size(), 1);
  for (std::size_t c = 1; c < counts.size(); ++c) {
    radix[c] = radix[c - 1] * (static_cast<std::size_t>(counts[c - 1]) + 1);
  }
  auto digit = [&](std::size_t v, std::size_t c) {
    return static_cast<std::int32_t>(v / radix[c] % (static_cast<std::size_t>(counts[c]) + 1));
  };
  // f[v] = the least largest value of the models from o on, given the chiplets v.
  std::vector<double> f(states, 0.0);
  std::vector<double> g(states);
  for (std::size_t o = models.size(); o-- > 0;) {
    const ShareFloor& m = models[o];
    std::fill(g.begin(), g.end(), kInf);
    for (std::size_t v = 0; v < states; ++v) {
      for (std::size_t n = 1; n <= v; ++n) {  // n <= v digit by digit, n != 0
        bool within = true;
        double rate = 0.0;
        std::size_t chiplets = 0;
        std::size_t tabled = 0;  // n as an index of m.period_on
        for (std::size_t c = 0; c < counts.size() && within; ++c) {
          within = digit(n, c) <= digit(v, c);
          rate += digit(n, c) * m.rate[c];
          chiplets += static_cast<std::size_t>(digit(n, c));
          if (c < m.radix.size()) tabled += static_cast<std::size_t>(digit(n, c)) * m.radix[c];
        }
        if (!within || !(rate > 0.0)) continue;
        const double fluid = m.period_on.empty() ? 0.0 : m.period_on[tabled];
        g[v] = std::min(g[v], std::max(value(m, rate, chiplets, fluid), f[v - n]));
      }
    }
    std::swap(f, g);
  }
  return f[states - 1];
}

/// A model's least period and weighted latency on `chiplets` chiplets of total class rate
/// `rate`: its slowest segment is at least the perfect balance at that rate and the best split
/// of its layers into that many segments.
double least_period(const ShareFloor& o, double rate, std::size_t chiplets, double fluid) {
  return std::max({o.worst_s, o.work_s / rate, o.split(chiplets), fluid});
}
double least_weighted_latency(const ShareFloor& o, double rate, std::size_t chiplets,
                              double fluid) {
  return o.weight * (o.sum_s + (o.batch - 1.0) * least_period(o, rate, chiplets, fluid));
}

/// What a model's option must beat to matter: an incumbent's objective value, the other models'
/// least energy, and their least weighted latency and period given the chiplets left to them.
/// Those come from a relaxation in which each other model takes whole chiplets from those left
/// (at least one) and runs at the sum of their class rates, perfectly balanced.
class Pruning {
 public:
  Pruning(const SchedulePackage& pkg, const std::vector<ShareFloor>& floors, std::size_t model,
          ScheduleObjective objective, double incumbent)
      : objective_(objective), incumbent_(incumbent), class_of_(pkg.chiplet_class) {
    for (std::size_t o = 0; o < floors.size(); ++o) {
      if (o == model) continue;
      others_.push_back(floors[o]);
      others_e_ += floors[o].batch * floors[o].energy_j;
    }
    own_rate_ = floors[model].rate;
  }

  /// True when no schedule in which this model uses at least the chiplets in `mask`, with at
  /// least keys `k`, beats the incumbent (by more than rounding: ties are kept for the
  /// tie-break).
  [[nodiscard]] bool hopeless(const Keys& k, std::uint64_t mask) {
    const double limit = incumbent_ * (1.0 + 1e-9);
    if (objective_ == ScheduleObjective::kEnergy) return k.e + others_e_ > limit;
    const Left& left = left_for(mask);
    if (left.count < static_cast<std::int32_t>(others_.size())) return true;
    switch (objective_) {
      case ScheduleObjective::kLatency:
        return std::max(k.wl, left.wl) > limit;
      case ScheduleObjective::kEdp:
        return std::max(k.wl, left.wl) * (k.e + others_e_) > limit;
      case ScheduleObjective::kThroughput:
        return std::max(k.p, left.p) > limit;
      case ScheduleObjective::kEnergy:
        break;
    }
    return false;
  }

  /// The most rate this model can get from the chiplets not in `mask` and one of class `cls`.
  [[nodiscard]] double own_rate(std::uint64_t mask, std::int32_t cls) const {
    double r = own_rate_[static_cast<std::size_t>(cls)];
    for (std::size_t ch = 0; ch < class_of_.size(); ++ch) {
      if ((mask & (std::uint64_t{1} << ch)) == 0) {
        r += own_rate_[static_cast<std::size_t>(class_of_[ch])];
      }
    }
    return r;
  }

 private:
  struct Left {
    std::int32_t count = 0;
    double wl = 0.0;  ///< the others' least max weighted latency on the chiplets left
    double p = 0.0;   ///< their least max period
  };

  const Left& left_for(std::uint64_t mask) {
    const std::uint64_t free_mask =
        ~mask &
        ((class_of_.size() >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << class_of_.size()) - 1));
    auto it = memo_.find(free_mask);
    if (it != memo_.end()) return it->second;
    Left left;
    std::vector<std::int32_t> counts(own_rate_.size(), 0);
    for (std::size_t ch = 0; ch < class_of_.size(); ++ch) {
      if (free_mask & (std::uint64_t{1} << ch)) {
        ++left.count;
        ++counts[static_cast<std::size_t>(class_of_[ch])];
      }
    }
    if (!others_.empty() && left.count >= static_cast<std::int32_t>(others_.size())) {
      left.wl = least_max(others_, counts, least_weighted_latency);
      left.p = least_max(others_, counts, least_period);
    }
    return memo_.emplace(free_mask, left).first->second;
  }

  ScheduleObjective objective_;
  double incumbent_;
  std::vector<std::int32_t> class_of_;
  std::vector<ShareFloor> others_;
  std::vector<double> own_rate_;
  double others_e_ = 0.0;
  std::unordered_map<std::uint64_t, Left> memo_;
};

/// Enumerates the options of model `mi` with at most `kmax` chiplets into per-mask fronts.
/// With a Pruning, partial options whose least completion cannot beat the incumbent, and
/// partial options dominated by another that reached the same state (chiplets used, current
/// and previous chiplet, first layer of the current segment) in time, slowest segment and
/// energy, are not extended: every option they lead to is either hopeless or dominated by one
/// the other leads to, so the fronts keep every option an optimum can use.
class OptionEnumerator {
 public:
  OptionEnumerator(const ScheduleInstance& inst, std::size_t mi, std::int32_t kmax,
                   ScheduleObjective objective, Pruning* pruning = nullptr,
                   double work_limit = kInf)
      : inst_(inst),
        m_(inst.models[mi]),
        p_(make_prefix(m_)),
        kmax_(kmax),
        objective_(objective),
        pruning_(pruning),
        work_limit_(work_limit) {
    if (pruning_ != nullptr) floor_ = model_floor(inst.package, m_);
  }

  /// Empty fronts and `aborted()` when the work limit was reached first.
  std::unordered_map<std::uint64_t, Front<Option>> run(double& evaluations) {
    for (std::int32_t c = 0; c < inst_.package.size() && !aborted_; ++c) {
      chiplets_ = {c};
      lasts_.clear();
      visit(c, 0, -1, std::uint64_t{1} << c, 0.0, 0.0, 0.0);
    }
    evaluations += evaluations_;
    if (aborted_) fronts_.clear();
    return std::move(fronts_);
  }
  [[nodiscard]] bool aborted() const { return aborted_; }

 private:
  /// Least keys of any completion of a partial option whose current segment (on the last
  /// chiplet of mask) starts at layer a.
  [[nodiscard]] Keys least_completion(std::int32_t ch, std::int32_t a, std::int32_t prev,
                                      std::uint64_t mask, double sum_t, double max_t,
                                      double sum_e) const {
    const auto ua = static_cast<std::size_t>(a);
    const auto segments = static_cast<std::int32_t>(chiplets_.size());
    const std::int32_t free_chiplets = inst_.package.size() - std::popcount(mask);
    const std::int32_t left =
        std::max(1, std::min({kmax_ - segments + 1, free_chiplets + 1, m_.layers() - a}));
    const double t = sum_t + floor_.time_s[ua] + floor_.out_s + (prev < 0 ? floor_.in_s : 0.0);
    // The layers left run on this chiplet and chiplets not yet used (at their class rates).
    const double rate =
        pruning_->own_rate(mask, inst_.package.chiplet_class[static_cast<std::size_t>(ch)]);
    const double worst =
        std::max({max_t, floor_.worst_s[ua], floor_.time_s[ua] / left, floor_.time_s[ua] / rate});
    const double e = sum_e + floor_.energy_j[ua] + floor_.out_j + (prev < 0 ? floor_.in_j : 0.0);
    return model_keys(m_, t, worst, e);
  }

  /// Whether an earlier partial option reached this state with no more time, slowest segment
  /// and energy; records this one otherwise.
  bool dominated(std::int32_t ch, std::int32_t a, std::int32_t prev, std::uint64_t mask,
                 double sum_t, double max_t, double sum_e) {
    const std::uint64_t key = (mask << 28) | (static_cast<std::uint64_t>(ch) << 22) |
                              (static_cast<std::uint64_t>(prev + 1) << 16) |
                              static_cast<std::uint64_t>(a);
    auto& labels = seen_[key];
    // Every completion adds the same time x, slowest segment y and energy to both: latency
    // sum + x + (batch - 1) max(slowest, y) is no larger for the recorded label when its sum
    // and its sum + (batch - 1) slowest are no larger (y only hides a larger slowest
    // segment); the period needs its slowest segment no larger.
    const double stretch = static_cast<double>(m_.batch - 1);
    const bool period = objective_ == ScheduleObjective::kThroughput;
    for (const auto& l : labels) {
      if (l[0] <= sum_t && l[2] <= sum_e && l[0] + stretch * l[1] <= sum_t + stretch * max_t &&
          (!period || l[1] <= max_t)) {
        return true;
      }
    }
    if (labels.size() < kMaxLabels) labels.push_back({sum_t, max_t, sum_e});
    return false;
  }

  void visit(std::int32_t ch, std::int32_t a, std::int32_t prev, std::uint64_t mask, double sum_t,
             double max_t, double sum_e) {
    if (aborted_) return;
    std::uint64_t hopeless_next = 0;
    if (pruning_ != nullptr) {
      const Keys least = least_completion(ch, a, prev, mask, sum_t, max_t, sum_e);
      if (least.l > m_.deadline_s * (1.0 + 1e-9) || pruning_->hopeless(least, mask)) return;
      if (memo_ && dominated(ch, a, prev, mask, sum_t, max_t, sum_e)) return;
      if (evaluations_ > work_limit_) {
        aborted_ = true;
        return;
      }
      // Chiplets whose use already leaves the other models too little.
      for (std::int32_t nx = 0; nx < inst_.package.size(); ++nx) {
        const std::uint64_t bit = std::uint64_t{1} << nx;
        if ((mask & bit) == 0 && pruning_->hopeless(least, mask | bit)) hopeless_next |= bit;
      }
    }
    const std::int32_t layers = m_.layers();
    const auto segments = static_cast<std::int32_t>(chiplets_.size());
    const auto cls =
        static_cast<std::size_t>(inst_.package.chiplet_class[static_cast<std::size_t>(ch)]);
    for (std::int32_t b = a; b < layers; ++b) {
      const bool final = b == layers - 1;
      if (!final && segments == kmax_) continue;
      if (!fits(ch, a, b)) break;  // weights only grow with b
      if (pruning_ != nullptr) {
        // Least keys once this segment ends at b: they only grow with b.
        const auto ub = static_cast<std::size_t>(b) + 1;
        const double seg = p_.t[cls][ub] - p_.t[cls][static_cast<std::size_t>(a)];
        const double t =
            sum_t + seg + floor_.time_s[ub] + floor_.out_s + (prev < 0 ? floor_.in_s : 0.0);
        const double e = sum_e + floor_.energy_j[static_cast<std::size_t>(a)] + floor_.out_j +
                         (prev < 0 ? floor_.in_j : 0.0);
        const Keys k = model_keys(m_, t, std::max({max_t, seg, floor_.worst_s[ub]}), e);
        if (k.l > m_.deadline_s * (1.0 + 1e-9) || pruning_->hopeless(k, mask)) break;
        // A next chiplet hopeless at this end stays so at every later end.
        bool live = false;
        for (std::int32_t nx = 0; nx < inst_.package.size() && !final; ++nx) {
          const std::uint64_t bit = std::uint64_t{1} << nx;
          if ((mask | hopeless_next) & bit) continue;
          if (pruning_->hopeless(k, mask | bit)) {
            hopeless_next |= bit;
          } else {
            live = true;
          }
        }
        if (!final && !live) {
          b = layers - 2;  // only the final segment is left to try
          continue;
        }
      }
      if (final) {
        const SegCost s = segment_cost(inst_.package, m_, p_, ch, a, b, prev, -1);
        ++evaluations_;
        const Keys k = model_keys(m_, sum_t + s.t, std::max(max_t, s.t), sum_e + s.e.total());
        if (k.l > m_.deadline_s) continue;
        const auto [ka, kb] = front_keys(k, objective_);
        lasts_.push_back(b);
        fronts_[mask].insert(ka, kb, Option{k, chiplets_, lasts_});
        lasts_.pop_back();
        continue;
      }
      for (std::int32_t nx = 0; nx < inst_.package.size(); ++nx) {
        if ((mask | hopeless_next) & (std::uint64_t{1} << nx)) continue;
        const SegCost s = segment_cost(inst_.package, m_, p_, ch, a, b, prev, nx);
        ++evaluations_;
        chiplets_.push_back(nx);
        lasts_.push_back(b);
        visit(nx, b + 1, ch, mask | (std::uint64_t{1} << nx), sum_t + s.t, std::max(max_t, s.t),
              sum_e + s.e.total());
        chiplets_.pop_back();
        lasts_.pop_back();
      }
    }
  }

  [[nodiscard]] bool fits(std::int32_t ch, std::int32_t a, std::int32_t b) const {
    const auto& mem = inst_.package.chiplet_memory_bytes;
    if (mem.empty()) return true;
    return p_.wb[static_cast<std::size_t>(b) + 1] - p_.wb[static_cast<std::size_t>(a)] <=
           mem[static_cast<std::size_t>(ch)];
  }

  static constexpr std::size_t kMaxLabels = 64;

  const ScheduleInstance& inst_;
  const ScheduleModel& m_;
  Prefix p_;
  std::int32_t kmax_;
  ScheduleObjective objective_;
  Pruning* pruning_;
  double work_limit_;
  ModelFloor floor_;
  /// The dominance memo's key packs the mask above 28 bits and the layer into 16.
  bool memo_ = m_.layers() < (1 << 16) && inst_.package.size() <= 36;
  bool aborted_ = false;
  std::vector<std::int32_t> chiplets_;
  std::vector<std::int32_t> lasts_;
  double evaluations_ = 0.0;
  std::unordered_map<std::uint64_t, Front<Option>> fronts_;
  std::unordered_map<std::uint64_t, std::vector<std::array<double, 3>>> seen_;
};

Schedule schedule_of(const std::vector<const Option*>& chosen) {
  Schedule s;
  for (const Option* o : chosen) {
    std::vector<ScheduleSegment> segs;
    std::int32_t first = 0;
    for (std::size_t j = 0; j < o->chiplets.size(); ++j) {
      segs.push_back({o->chiplets[j], first, o->last_layers[j]});
      first = o->last_layers[j] + 1;
    }
    s.models.push_back(std::move(segs));
  }
  return s;
}

std::string infeasible_models(const ScheduleInstance& inst) {
  if (inst.models.empty()) return "the workload has no models";
  if (inst.models.size() > static_cast<std::size_t>(inst.package.size())) {
    return std::to_string(inst.models.size()) +
           " models need at least as many chiplets; the "
           "package has " +
           std::to_string(inst.package.size());
  }
  return "";
}

}  // namespace

std::string check_schedule(const ScheduleInstance& inst, const Schedule& s) {
  if (s.models.size() != inst.models.size()) return "one segment list per model expected";
  std::vector<bool> used(static_cast<std::size_t>(inst.package.size()), false);
  for (std::size_t m = 0; m < s.models.size(); ++m) {
    std::int32_t next = 0;
    if (s.models[m].empty()) return "model " + inst.models[m].name + " has no segment";
    for (const auto& seg : s.models[m]) {
      if (seg.chiplet < 0 || seg.chiplet >= inst.package.size()) return "unknown chiplet";
      if (used[static_cast<std::size_t>(seg.chiplet)]) {
        return "chiplet " + inst.package.chiplet_names[static_cast<std::size_t>(seg.chiplet)] +
               " holds two segments";
      }
      used[static_cast<std::size_t>(seg.chiplet)] = true;
      if (seg.first_layer != next || seg.last_layer < seg.first_layer) {
        return "model " + inst.models[m].name + ": segments are not contiguous";
      }
      next = seg.last_layer + 1;
    }
    if (next != inst.models[m].layers()) {
      return "model " + inst.models[m].name + ": segments do not cover every layer";
    }
  }
  return "";
}

ScheduleMetrics evaluate_schedule(const ScheduleInstance& inst, const Schedule& s) {
  ScheduleMetrics out;
  double samples = 0.0;
  for (std::size_t mi = 0; mi < inst.models.size(); ++mi) {
    const auto& m = inst.models[mi];
    const Prefix p = make_prefix(m);
    const auto& segs = s.models[mi];
    ModelMetrics mm;
    double sum_t = 0.0;
    double sum_e = 0.0;
    EnergyBreakdown e;
    for (std::size_t j = 0; j < segs.size(); ++j) {
      const std::int32_t prev = j == 0 ? -1 : segs[j - 1].chiplet;
      const std::int32_t next = j + 1 == segs.size() ? -1 : segs[j + 1].chiplet;
      const SegCost c = segment_cost(inst.package, m, p, segs[j].chiplet, segs[j].first_layer,
                                     segs[j].last_layer, prev, next);
      mm.segment_s.push_back(c.t);
      sum_t += c.t;
      sum_e += c.e.total();
      mm.period_s = std::max(mm.period_s, c.t);
      add(e, c.e);
    }
    const Keys k = model_keys(m, sum_t, mm.period_s, sum_e);
    mm.latency_s = k.l;
    mm.energy_j = k.e;
    add(mm.energy, e, static_cast<double>(m.batch));
    out.latency_s = std::max(out.latency_s, k.l);
    out.weighted_latency_s = std::max(out.weighted_latency_s, k.wl);
    out.energy_j += k.e;
    out.period_s = std::max(out.period_s, mm.period_s);
    add(out.energy, mm.energy);
    samples += static_cast<double>(m.batch);
    out.models.push_back(std::move(mm));
  }
  out.edp_j_s = out.weighted_latency_s * out.energy_j;
  out.samples_per_s = out.latency_s > 0.0 ? samples / out.latency_s : 0.0;
  return out;
}

double objective_value(const ScheduleMetrics& m, ScheduleObjective objective) {
  switch (objective) {
    case ScheduleObjective::kLatency:
      return m.weighted_latency_s;
    case ScheduleObjective::kEnergy:
      return m.energy_j;
    case ScheduleObjective::kEdp:
      return m.edp_j_s;
    case ScheduleObjective::kThroughput:
      return m.period_s;
  }
  return m.edp_j_s;
}

namespace {

/// How an exact search ended.
enum class Outcome : std::uint8_t { kSolved, kNothingBetter, kOverWorkLimit };

/// The exact search with at most `max_per_model` chiplets per model. With an incumbent, options
/// that cannot beat its objective value are pruned (kNothingBetter: the incumbent is optimal),
/// and the enumeration stops at `work_limit` evaluations (kOverWorkLimit).
ScheduleResult exact_schedule(const ScheduleInstance& inst, const ScheduleOptions& options,
                              std::int32_t max_per_model, std::optional<double> incumbent,
                              double work_limit, Outcome& outcome) {
  outcome = Outcome::kSolved;
  ScheduleResult r;
  r.max_chiplets_per_model = max_per_model;
  if (auto why = infeasible_models(inst); !why.empty()) {
    r.infeasible = why;
    return r;
  }
  const auto objective = options.objective;
  std::vector<ShareFloor> floors;
  if (incumbent) {
    for (const auto& m : inst.models) floors.push_back(share_floor(inst.package, m));
  }
  std::vector<std::vector<std::pair<std::uint64_t, std::vector<Option>>>> options_by_model;
  std::vector<std::unordered_map<std::uint64_t, std::size_t>> mask_index;
  for (std::size_t mi = 0; mi < inst.models.size(); ++mi) {
    std::optional<Pruning> pruning;
    if (incumbent) {
      pruning.emplace(inst.package, floors, mi, objective, *incumbent);
    }
    OptionEnumerator en(inst, mi, max_per_model, objective, pruning ? &*pruning : nullptr,
                        work_limit - r.evaluations);
    auto fronts = en.run(r.evaluations);
    if (en.aborted()) {
      outcome = Outcome::kOverWorkLimit;
      return r;
    }
    if (fronts.empty() && pruning) {
      outcome = Outcome::kNothingBetter;
      return r;
    }
    if (fronts.empty()) {
      const auto& m = inst.models[mi];
      r.infeasible = std::isfinite(m.deadline_s)
                         ? "model " + m.name + ": no schedule meets its deadline of " +
                               std::to_string(m.deadline_s) + " s"
                         : "model " + m.name + ": a layer's weights exceed every chiplet's memory";
      return r;
    }
    std::vector<std::pair<std::uint64_t, std::vector<Option>>> list;
    std::unordered_map<std::uint64_t, std::size_t> index;
    for (auto& [mask, front] : fronts) {
      std::vector<Option> opts;
      for (const auto& e : front.items()) opts.push_back(e.item);
      index[mask] = list.size();
      list.emplace_back(mask, std::move(opts));
    }
    options_by_model.push_back(std::move(list));
    mask_index.push_back(std::move(index));
  }
  // Combine the models over disjoint chiplet sets, a front per set of used chiplets.
  std::vector<std::unordered_map<std::uint64_t, Front<Combined>>> stages(inst.models.size() + 1);
  stages[0][0].insert(0.0, 0.0, Combined{});
  for (std::size_t mi = 0; mi < inst.models.size(); ++mi) {
    for (const auto& [used, front] : stages[mi]) {
      for (std::size_t li = 0; li < options_by_model[mi].size(); ++li) {
        const auto& [mask, opts] = options_by_model[mi][li];
        if (used & mask) continue;
        for (std::size_t pi = 0; pi < front.items().size(); ++pi) {
          const Keys& a = front.items()[pi].item.keys;
          for (std::size_t oi = 0; oi < opts.size(); ++oi) {
            const Keys& b = opts[oi].keys;
            Combined c;
            c.keys.wl = std::max(a.wl, b.wl);
            c.keys.l = std::max(a.l, b.l);
            c.keys.e = a.e + b.e;
            c.keys.p = std::max(a.p, b.p);
            c.prev_mask = used;
            c.prev_index = static_cast<std::int32_t>(pi);
            c.option = static_cast<std::int32_t>(oi);
            const auto [ka, kb] = front_keys(c.keys, objective);
            // EDP is the product of the two keys: both fronts keep (wl, e).
            stages[mi + 1][used | mask].insert(ka, kb, c);
          }
        }
      }
    }
  }
  // The best final label.
  double best = kInf;
  double best2 = kInf;
  std::uint64_t best_mask = 0;
  std::int32_t best_index = -1;
  for (const auto& [mask, front] : stages.back()) {
    for (std::size_t i = 0; i < front.items().size(); ++i) {
      const Keys& k = front.items()[i].item.keys;
      const double v = combined_objective(k, objective);
      const double v2 = secondary(k, objective);
      if (v < best || (v == best && v2 < best2)) {
        best = v;
        best2 = v2;
        best_mask = mask;
        best_index = static_cast<std::int32_t>(i);
      }
    }
  }
  if (best_index < 0) {
    if (incumbent) {
      outcome = Outcome::kNothingBetter;
      return r;
    }
    r.infeasible = "no set of disjoint chiplets holds every model";
    return r;
  }
  // Walk back.
  std::vector<const Option*> chosen(inst.models.size(), nullptr);
  std::uint64_t mask = best_mask;
  std::int32_t index = best_index;
  for (std::size_t mi = inst.models.size(); mi-- > 0;) {
    const Combined& c = stages[mi + 1].at(mask).items()[static_cast<std::size_t>(index)].item;
    const std::uint64_t own = mask & ~c.prev_mask;
    const auto& opts = options_by_model[mi][mask_index[mi].at(own)].second;
    chosen[mi] = &opts[static_cast<std::size_t>(c.option)];
    mask = c.prev_mask;
    index = c.prev_index;
  }
  r.schedule = schedule_of(chosen);
  r.metrics = evaluate_schedule(inst, r.schedule);
  r.feasible = true;
  r.optimal =
      max_per_model >= inst.package.size() - static_cast<std::int32_t>(inst.models.size()) + 1;
  r.method = r.optimal
                 ? "exact"
                 : "exact with at most " + std::to_string(max_per_model) + " chiplets per model";
  return r;
}

}  // namespace

ScheduleResult solve_schedule_exact(const ScheduleInstance& inst, const ScheduleOptions& options,
                                    std::int32_t max_per_model) {
  Outcome outcome = Outcome::kSolved;
  return exact_schedule(inst, options, max_per_model, std::nullopt, kInf, outcome);
}

namespace {

/// Mean of a layer's time over the package's chiplets (SCAR's E[Lat(l)]).
std::vector<double> expected_times(const ScheduleInstance& inst, const ScheduleModel& m) {
  std::vector<double> out(static_cast<std::size_t>(m.layers()), 0.0);
  const double c = inst.package.size();
  for (std::int32_t ch = 0; ch < inst.package.size(); ++ch) {
    const auto cls =
        static_cast<std::size_t>(inst.package.chiplet_class[static_cast<std::size_t>(ch)]);
    for (std::size_t l = 0; l < out.size(); ++l) out[l] += m.time_s[cls][l] / c;
  }
  return out;
}

/// The `top_k` cuttings of `t` into `n` contiguous segments with the smallest largest segment
/// (exhaustive when small, else the min-max partition alone).
std::vector<std::vector<std::int32_t>> top_segmentations(const std::vector<double>& t,
                                                         std::int32_t n, std::int32_t top_k) {
  const auto layers = static_cast<std::int32_t>(t.size());
  n = std::min(n, layers);
  const std::vector<double> p = prefix(t);
  std::vector<std::pair<double, std::vector<std::int32_t>>> all;
  if (binomial(layers - 1, n - 1) <= 2e5) {
    std::vector<std::int32_t> lasts;
    auto rec = [&](auto&& self, std::int32_t a, double worst) -> void {
      if (static_cast<std::int32_t>(lasts.size()) == n - 1) {
        const double w =
            std::max(worst, p[static_cast<std::size_t>(layers)] - p[static_cast<std::size_t>(a)]);
        auto cuts = lasts;
        cuts.push_back(layers - 1);
        all.emplace_back(w, std::move(cuts));
        return;
      }
      const std::int32_t left = n - 1 - static_cast<std::int32_t>(lasts.size());
      for (std::int32_t b = a; b <= layers - 1 - left; ++b) {
        lasts.push_back(b);
        self(self, b + 1,
             std::max(worst, p[static_cast<std::size_t>(b) + 1] - p[static_cast<std::size_t>(a)]));
        lasts.pop_back();
      }
    };
    rec(rec, 0, 0.0);
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    if (static_cast<std::int32_t>(all.size()) > top_k) all.resize(static_cast<std::size_t>(top_k));
  } else {
    // Min-max partition by binary search over the bottleneck and a greedy fill.
    const double hi = largest_part(t, n).second;
    std::vector<std::int32_t> cuts;
    double acc = 0.0;
    for (std::int32_t l = 0; l < layers; ++l) {
      const std::int32_t left_layers = layers - l;
      const std::int32_t left_segments = n - static_cast<std::int32_t>(cuts.size());
      if (l > 0 && (acc + t[static_cast<std::size_t>(l)] > hi || left_layers < left_segments)) {
        cuts.push_back(l - 1);
        acc = 0.0;
      }
      acc += t[static_cast<std::size_t>(l)];
    }
    cuts.push_back(layers - 1);
    all.emplace_back(hi, std::move(cuts));
  }
  std::vector<std::vector<std::int32_t>> out;
  for (auto& [w, c] : all) out.push_back(std::move(c));
  return out;
}

}  // namespace

ScheduleResult scar_heuristic(const ScheduleInstance& inst, const ScheduleOptions& options,
                              std::int32_t top_k) {
  ScheduleResult r;
  r.method = "SCAR heuristic (proportional provisioning, top-" + std::to_string(top_k) +
             " segmentation, neighbour placement)";
  if (auto why = infeasible_models(inst); !why.empty()) {
    r.infeasible = why;
    return r;
  }
  const auto models = static_cast<std::int32_t>(inst.models.size());
  const std::int32_t chiplets = inst.package.size();
  // PROV: N_i = round(E[P_i] / Σ E[P_j] · |C|), at least 1, trimmed to the package.
  std::vector<std::vector<double>> expected;
  std::vector<double> work;
  for (const auto& m : inst.models) {
    expected.push_back(expected_times(inst, m));
    const double sum = std::accumulate(expected.back().begin(), expected.back().end(), 0.0);
    work.push_back(sum * static_cast<double>(m.batch));
  }
  const double total = std::accumulate(work.begin(), work.end(), 0.0);
  std::vector<std::int32_t> n(static_cast<std::size_t>(models), 1);
  for (std::int32_t i = 0; i < models; ++i) {
    n[static_cast<std::size_t>(i)] = std::max<std::int32_t>(
        1, static_cast<std::int32_t>(
               std::lround(work[static_cast<std::size_t>(i)] / total * chiplets)));
    n[static_cast<std::size_t>(i)] =
        std::min(n[static_cast<std::size_t>(i)], inst.models[static_cast<std::size_t>(i)].layers());
  }
  while (std::accumulate(n.begin(), n.end(), 0) > chiplets) {
    auto it = std::max_element(n.begin(), n.end());
    --*it;
  }
  // SEG: top-k candidates per model; SCHED: DFS placement over neighbours, models in order,
  // each candidate combination evaluated whole.
  std::vector<std::vector<std::vector<std::int32_t>>> cands;
  for (std::int32_t i = 0; i < models; ++i) {
    cands.push_back(top_segmentations(expected[static_cast<std::size_t>(i)],
                                      n[static_cast<std::size_t>(i)], top_k));
  }
  const auto& pkg = inst.package;
  Schedule best;
  double best_v = kInf;
  std::vector<std::size_t> pick(static_cast<std::size_t>(models), 0);
  while (true) {
    // Place models one after another; each model's segments on a path of free neighbours,
    // the best path by its own cost.
    Schedule s;
    std::vector<bool> used(static_cast<std::size_t>(chiplets), false);
    bool ok = true;
    for (std::int32_t i = 0; i < models && ok; ++i) {
      const auto& cuts = cands[static_cast<std::size_t>(i)][pick[static_cast<std::size_t>(i)]];
      const auto k = static_cast<std::int32_t>(cuts.size());
      std::vector<std::int32_t> path;
      std::vector<std::int32_t> best_path;
      double best_model = kInf;
      ScheduleInstance one;
      one.package = pkg;
      one.models = {inst.models[static_cast<std::size_t>(i)]};
      std::int64_t budget = 20000;
      auto dfs = [&](auto&& self) -> void {
        if (budget-- <= 0) return;
        if (static_cast<std::int32_t>(path.size()) == k) {
          Schedule t;
          std::vector<ScheduleSegment> segs;
          std::int32_t first = 0;
          for (std::int32_t j = 0; j < k; ++j) {
            segs.push_back(
                {path[static_cast<std::size_t>(j)], first, cuts[static_cast<std::size_t>(j)]});
            first = cuts[static_cast<std::size_t>(j)] + 1;
          }
          t.models.push_back(segs);
          const double v = objective_value(evaluate_schedule(one, t), options.objective);
          if (v < best_model) {
            best_model = v;
            best_path = path;
          }
          return;
        }
        for (std::int32_t c = 0; c < chiplets; ++c) {
          if (used[static_cast<std::size_t>(c)]) continue;
          if (!path.empty() && pkg.hop(path.back(), c) != 1) continue;
          used[static_cast<std::size_t>(c)] = true;
          path.push_back(c);
          self(self);
          path.pop_back();
          used[static_cast<std::size_t>(c)] = false;
        }
      };
      dfs(dfs);
      if (best_path.empty()) {
        ok = false;
        break;
      }
      std::vector<ScheduleSegment> segs;
      std::int32_t first = 0;
      for (std::int32_t j = 0; j < k; ++j) {
        segs.push_back(
            {best_path[static_cast<std::size_t>(j)], first, cuts[static_cast<std::size_t>(j)]});
        used[static_cast<std::size_t>(best_path[static_cast<std::size_t>(j)])] = true;
        first = cuts[static_cast<std::size_t>(j)] + 1;
      }
      s.models.push_back(std::move(segs));
    }
    if (ok) {
      const auto m = evaluate_schedule(inst, s);
      const bool meets = [&] {
        for (std::size_t i = 0; i < inst.models.size(); ++i) {
          if (m.models[i].latency_s > inst.models[i].deadline_s) return false;
        }
        return true;
      }();
      const double v = objective_value(m, options.objective);
      if (meets && v < best_v) {
        best_v = v;
        best = s;
      }
    }
    // Next combination of candidates.
    std::int32_t i = 0;
    for (; i < models; ++i) {
      if (++pick[static_cast<std::size_t>(i)] < cands[static_cast<std::size_t>(i)].size()) break;
      pick[static_cast<std::size_t>(i)] = 0;
    }
    if (i == models) break;
  }
  if (best.models.empty()) {
    r.infeasible = "the heuristic found no placement of every model on neighbouring chiplets";
    return r;
  }
  r.schedule = best;
  r.metrics = evaluate_schedule(inst, best);
  r.feasible = true;
  return r;
}

namespace {

/// Whether a valid schedule meets every model's deadline and every chiplet's memory.
bool within_limits(const ScheduleInstance& inst, const Schedule& s, const ScheduleMetrics& m) {
  for (std::size_t i = 0; i < inst.models.size(); ++i) {
    if (m.models[i].latency_s > inst.models[i].deadline_s) return false;
  }
  const auto& mem = inst.package.chiplet_memory_bytes;
  if (mem.empty()) return true;
  for (std::size_t i = 0; i < s.models.size(); ++i) {
    for (const auto& seg : s.models[i]) {
      double w = 0.0;
      for (std::int32_t l = seg.first_layer; l <= seg.last_layer; ++l) {
        w += inst.models[i].weight_bytes[static_cast<std::size_t>(l)];
      }
      if (w > mem[static_cast<std::size_t>(seg.chiplet)]) return false;
    }
  }
  return true;
}

}  // namespace

ScheduleResult local_search(const ScheduleInstance& inst, const ScheduleOptions& options,
                            Schedule start) {
  ScheduleResult r;
  r.method = "local search";
  if (const std::string bad = check_schedule(inst, start); !bad.empty()) {
    r.infeasible = "local search needs a valid start: " + bad;
    return r;
  }
  const auto obj = options.objective;
  auto value = [&](const Schedule& s) {
    const auto m = evaluate_schedule(inst, s);
    return within_limits(inst, s, m) ? objective_value(m, obj) : kInf;
  };
  Schedule cur = std::move(start);
  double cur_v = value(cur);
  std::mt19937_64 rng(options.seed);
  const std::int32_t chiplets = inst.package.size();
  std::int64_t tries = 0;
  std::int64_t since_improvement = 0;
  while (tries < options.local_search_moves && since_improvement < 20000) {
    ++tries;
    ++since_improvement;
    Schedule next = cur;
    std::vector<bool> used(static_cast<std::size_t>(chiplets), false);
    for (const auto& m : next.models)
      for (const auto& s : m) used[static_cast<std::size_t>(s.chiplet)] = true;
    std::vector<std::int32_t> free;
    for (std::int32_t c = 0; c < chiplets; ++c)
      if (!used[static_cast<std::size_t>(c)]) free.push_back(c);
    const std::size_t mi = rng() % next.models.size();
    auto& segs = next.models[mi];
    const std::size_t j = rng() % segs.size();
    switch (rng() % 4) {
      case 0: {  // move the cut after segment j by ±1..3
        if (j + 1 >= segs.size()) continue;
        const auto delta = static_cast<std::int32_t>(rng() % 7) - 3;
        const std::int32_t cut = segs[j].last_layer + delta;
        if (delta == 0 || cut < segs[j].first_layer || cut >= segs[j + 1].last_layer) continue;
        segs[j].last_layer = cut;
        segs[j + 1].first_layer = cut + 1;
        break;
      }
      case 1: {  // split segment j onto a free chiplet
        if (free.empty() || segs[j].first_layer == segs[j].last_layer) continue;
        const std::int32_t span = segs[j].last_layer - segs[j].first_layer;
        const std::int32_t cut =
            segs[j].first_layer +
            static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(span));
        const std::int32_t c = free[rng() % free.size()];
        ScheduleSegment tail{c, cut + 1, segs[j].last_layer};
        segs[j].last_layer = cut;
        segs.insert(segs.begin() + static_cast<std::ptrdiff_t>(j) + 1, tail);
        break;
      }
      case 2: {  // merge segment j into its successor
        if (j + 1 >= segs.size()) continue;
        segs[j + 1].first_layer = segs[j].first_layer;
        segs.erase(segs.begin() + static_cast<std::ptrdiff_t>(j));
        break;
      }
      default: {  // move segment j to a free chiplet, or swap with another segment's chiplet
        if (!free.empty() && rng() % 2 == 0) {
          segs[j].chiplet = free[rng() % free.size()];
        } else {
          const std::size_t mo = rng() % next.models.size();
          auto& other = next.models[mo];
          const std::size_t jo = rng() % other.size();
          std::swap(segs[j].chiplet, other[jo].chiplet);
        }
        break;
      }
    }
    const double v = value(next);
    if (v < cur_v) {
      cur = std::move(next);
      cur_v = v;
      since_improvement = 0;
    }
  }
  r.evaluations = static_cast<double>(tries);
  if (!std::isfinite(cur_v)) {
    r.infeasible = "local search found no schedule meeting every deadline and memory";
    return r;
  }
  r.schedule = cur;
  r.metrics = evaluate_schedule(inst, cur);
  r.feasible = true;
  return r;
}

double schedule_lower_bound(const ScheduleInstance& inst, ScheduleObjective objective) {
  // Per model: S = Σ layers at their best class, the slowest such layer, the least energy.
  // Relaxation: any real number n_m >= 1 of chiplets per model with Σ n_m <= C, segments
  // perfectly balanced (the slowest segment >= max(S / n, slowest layer)), no transfers.
  std::vector<ShareFloor> floors;
  double e = 0.0;
  for (const auto& m : inst.models) {
    floors.push_back(share_floor(inst.package, m));
    e += floors.back().batch * floors.back().energy_j;
  }
  const double chiplets = inst.package.size();
  // Chiplets model b needs for weighted latency <= t (kInf: none suffice).
  auto need_latency = [](const ShareFloor& b, double t) {
    const double floor_latency = b.weight * (b.work_s + (b.batch - 1.0) * b.worst_s);
    if (floor_latency > t) return kInf;
    if (b.batch <= 1.0) return 1.0;
    const double slack = t / b.weight - b.work_s;
    return std::max(1.0, (b.batch - 1.0) * b.work_s / slack);
  };
  auto need_period = [](const ShareFloor& b, double p) {
    if (b.worst_s > p) return kInf;
    return std::max(1.0, b.work_s / p);
  };
  auto smallest = [&](auto need, double hi) {
    double lo = 0.0;
    for (int it = 0; it < 200; ++it) {
      const double mid = (lo + hi) / 2.0;
      double total = 0.0;
      for (const auto& b : floors) total += need(b, mid);
      (total <= chiplets ? hi : lo) = mid;
    }
    return lo;
  };
  double wl_hi = 0.0;
  double p_hi = 0.0;
  for (const auto& b : floors) {
    wl_hi = std::max(wl_hi, b.weight * b.batch * b.work_s);
    p_hi = std::max(p_hi, b.work_s);
  }
  // Whole chiplets at their class rates (every model at least one), where the count vectors
  // are few: tighter than the balance over any chiplets above when classes differ in speed.
  std::vector<std::int32_t> counts;
  for (std::int32_t c : inst.package.chiplet_class) {
    if (counts.size() <= static_cast<std::size_t>(c))
      counts.resize(static_cast<std::size_t>(c) + 1);
    ++counts[static_cast<std::size_t>(c)];
  }
  const double wl =
      std::max(smallest(need_latency, wl_hi), least_max(floors, counts, least_weighted_latency));
  switch (objective) {
    case ScheduleObjective::kLatency:
      return wl;
    case ScheduleObjective::kEnergy:
      return e;
    case ScheduleObjective::kEdp:
      return wl * e;
    case ScheduleObjective::kThroughput:
      return std::max(smallest(need_period, p_hi), least_max(floors, counts, least_period));
  }
  return 0.0;
}

ScheduleResult solve_schedule(const ScheduleInstance& inst, const ScheduleOptions& options) {
  const std::int32_t chiplets = inst.package.size();
  const std::int32_t full = chiplets - static_cast<std::int32_t>(inst.models.size()) + 1;
  ScheduleResult r;
  if (auto why = infeasible_models(inst); !why.empty()) {
    r.infeasible = why;
    return r;
  }
  std::int32_t kmax = 0;
  if (chiplets <= options.exact_max_chiplets) {
    kmax = full;
    while (kmax > 1 && exact_work(inst, kmax) > options.work_limit) --kmax;
    if (exact_work(inst, kmax) > options.work_limit) kmax = 0;
  }
  ScheduleResult start;
  if (kmax > 0) {
    start = solve_schedule_exact(inst, options, kmax);
    if (start.optimal || (!start.feasible && kmax == full)) {
      start.lower_bound = schedule_lower_bound(inst, options.objective);
      return start;
    }
  }
  // Beyond the exact space: the better of the restricted exact schedule and SCAR's heuristic,
  // improved by local search.
  ScheduleResult heuristic = scar_heuristic(inst, options);
  const ScheduleResult* seed = nullptr;
  std::string seed_name;
  if (start.feasible) {
    seed = &start;
    seed_name = "exact with at most " + std::to_string(kmax) + " chiplets per model";
  }
  if (heuristic.feasible && within_limits(inst, heuristic.schedule, heuristic.metrics) &&
      (seed == nullptr || objective_value(heuristic.metrics, options.objective) <
                              objective_value(seed->metrics, options.objective))) {
    seed = &heuristic;
    seed_name = "SCAR heuristic";
  }
  ScheduleResult standalone = solve_schedule_exact(inst, options, 1);
  if (standalone.feasible &&
      (seed == nullptr || objective_value(standalone.metrics, options.objective) <
                              objective_value(seed->metrics, options.objective))) {
    seed = &standalone;
    seed_name = "standalone (one chiplet per model, exact)";
  }
  if (seed == nullptr) {
    // Nothing feasible yet (deadlines, memory): the branch and bound with no incumbent settles
    // it within its work limit.
    if (chiplets > options.exact_max_chiplets) return standalone;
    Outcome outcome = Outcome::kSolved;
    ScheduleResult exact =
        exact_schedule(inst, options, full, kInf, options.proof_work_limit, outcome);
    if (outcome == Outcome::kOverWorkLimit) return standalone;
    if (outcome == Outcome::kNothingBetter) {
      exact.infeasible = "no schedule meets every model's deadline and the chiplets' memory";
      return exact;
    }
    if (exact.feasible) {
      exact.optimal = true;
      exact.method = "exact: branch and bound over every provisioning";
      exact.lower_bound = objective_value(exact.metrics, options.objective);
    }
    return exact;
  }
  ScheduleResult improved = local_search(inst, options, seed->schedule);
  if (!improved.feasible) return *seed;
  // Iterated local search: restart from the best schedule with other move sequences.
  for (std::int32_t round = 1; round <= options.restarts; ++round) {
    ScheduleOptions again = options;
    again.seed = options.seed + static_cast<std::uint64_t>(round);
    ScheduleResult next = local_search(inst, again, improved.schedule);
    const double evaluations = improved.evaluations + next.evaluations;
    if (next.feasible && objective_value(next.metrics, options.objective) <
                             objective_value(improved.metrics, options.objective)) {
      improved = std::move(next);
    }
    improved.evaluations = evaluations;
  }
  improved.method =
      seed_name + ", then local search (" + std::to_string(options.restarts) + " restarts)";
  improved.max_chiplets_per_model = kmax;
  improved.evaluations += start.evaluations;
  improved.optimal = false;
  improved.lower_bound = schedule_lower_bound(inst, options.objective);
  const double value = objective_value(improved.metrics, options.objective);
  if (chiplets > options.exact_max_chiplets) return improved;
  // Branch and bound over every provisioning, segmentation and placement: options that cannot
  // beat the local search's schedule are pruned; done within the work limit, the result is
  // exact.
  Outcome outcome = Outcome::kSolved;
  ScheduleResult exact =
      exact_schedule(inst, options, full, value, options.proof_work_limit, outcome);
  const double evaluations = improved.evaluations + exact.evaluations;
  if (outcome == Outcome::kOverWorkLimit) {
    improved.evaluations = evaluations;
    improved.method += "; the branch and bound stopped at its work limit";
    return improved;
  }
  ScheduleResult& best = outcome == Outcome::kSolved ? exact : improved;
  best.optimal = true;
  best.method = "exact: branch and bound over every provisioning, pruned by the " + seed_name +
                " schedule improved by local search";
  best.max_chiplets_per_model = full;
  best.evaluations = evaluations;
  best.lower_bound = objective_value(best.metrics, options.objective);
  return std::move(best);
}

std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> scar_windows(
    const ScheduleInstance& inst, std::int32_t n_splits) {
  const auto windows = static_cast<std::size_t>(std::max(n_splits, 0) + 1);
  std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> ranges(
      windows, std::vector<std::pair<std::int32_t, std::int32_t>>(inst.models.size(), {0, -1}));
  std::vector<std::vector<double>> expected;
  double horizon = 0.0;
  for (const auto& m : inst.models) {
    expected.push_back(expected_times(inst, m));
    double total = 0.0;
    for (double t : expected.back()) total += t * static_cast<double>(m.batch);
    horizon = std::max(horizon, total);
  }
  const double budget = horizon / static_cast<double>(windows);
  for (std::size_t mi = 0; mi < inst.models.size(); ++mi) {
    const auto& m = inst.models[mi];
    std::size_t w = 0;
    double used = 0.0;
    for (std::int32_t l = 0; l < m.layers(); ++l) {
      const double t = expected[mi][static_cast<std::size_t>(l)] * static_cast<double>(m.batch);
      // Close the window when the layer does not fit its slack (the last one has no limit);
      // an empty window takes the layer anyway.
      while (w + 1 < windows && used > 0.0 && t > budget - used) {
        ++w;
        used = 0.0;
      }
      auto& r = ranges[w][mi];
      if (r.first > r.second) r.first = l;
      r.second = l;
      used += t;
    }
  }
  // Windows nobody uses disappear.
  std::erase_if(ranges, [](const auto& window) {
    return std::all_of(window.begin(), window.end(),
                       [](const auto& r) { return r.first > r.second; });
  });
  return ranges;
}

ScheduleInstance window_instance(const ScheduleInstance& inst,
                                 const std::vector<std::pair<std::int32_t, std::int32_t>>& ranges,
                                 std::vector<std::int32_t>& kept) {
  ScheduleInstance out;
  out.package = inst.package;
  kept.clear();
  for (std::size_t mi = 0; mi < inst.models.size(); ++mi) {
    const auto [a, b] = ranges[mi];
    if (a > b) continue;
    const auto& m = inst.models[mi];
    ScheduleModel sub;
    sub.name = m.name;
    sub.batch = m.batch;
    sub.weight = m.weight;
    sub.deadline_s = std::numeric_limits<double>::infinity();  // checked on the sum
    const auto ua = static_cast<std::size_t>(a);
    const auto ub = static_cast<std::size_t>(b) + 1;
    sub.layer_names.assign(m.layer_names.begin() + static_cast<std::ptrdiff_t>(ua),
                           m.layer_names.begin() + static_cast<std::ptrdiff_t>(ub));
    auto slice = [&](const std::vector<std::vector<double>>& v) {
      std::vector<std::vector<double>> r;
      for (const auto& c : v) {
        r.emplace_back(c.begin() + static_cast<std::ptrdiff_t>(ua),
                       c.begin() + static_cast<std::ptrdiff_t>(ub));
      }
      return r;
    };
    sub.time_s = slice(m.time_s);
    sub.compute_j = slice(m.compute_j);
    sub.l2_j = slice(m.l2_j);
    sub.dram_j = slice(m.dram_j);
    sub.weight_bytes.assign(m.weight_bytes.begin() + static_cast<std::ptrdiff_t>(ua),
                            m.weight_bytes.begin() + static_cast<std::ptrdiff_t>(ub));
    sub.cut_bytes.assign(m.cut_bytes.begin() + static_cast<std::ptrdiff_t>(ua),
                         m.cut_bytes.begin() + static_cast<std::ptrdiff_t>(ub) + 1);
    out.models.push_back(std::move(sub));
    kept.push_back(static_cast<std::int32_t>(mi));
  }
  return out;
}

WindowedSchedule solve_windows(
    const ScheduleInstance& inst,
    const std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>>& ranges,
    const ScheduleOptions& options) {
  WindowedSchedule ws;
  ws.ranges = ranges;
  std::vector<double> model_latency(inst.models.size(), 0.0);
  for (const auto& window : ranges) {
    std::vector<std::int32_t> kept;
    const ScheduleInstance sub = window_instance(inst, window, kept);
    ScheduleResult r = solve_schedule(sub, options);
    if (!r.feasible) {
      ws.infeasible = "window " + std::to_string(ws.windows.size()) + ": " + r.infeasible;
      return ws;
    }
    ws.latency_s += r.metrics.latency_s;
    ws.energy_j += r.metrics.energy_j;
    for (std::size_t k = 0; k < kept.size(); ++k) {
      model_latency[static_cast<std::size_t>(kept[k])] += r.metrics.latency_s;
    }
    ws.windows.push_back(std::move(r));
    ws.models.push_back(std::move(kept));
  }
  for (std::size_t mi = 0; mi < inst.models.size(); ++mi) {
    if (model_latency[mi] > inst.models[mi].deadline_s) {
      ws.infeasible = "model " + inst.models[mi].name + ": the windows end after its deadline";
      return ws;
    }
  }
  ws.edp_j_s = ws.latency_s * ws.energy_j;
  ws.feasible = true;
  return ws;
}

}  // namespace tessera::plan
