#include "plan/detail/solver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <queue>
#include <thread>

#include "plan/detail/anytime.hpp"
#include "plan/detail/band_dp.hpp"
#include "plan/detail/bits.hpp"
#include "plan/detail/compare.hpp"
#include "plan/detail/format.hpp"
#include "tessera/core/format.hpp"
#include "tessera/plan/baselines.hpp"
#include "tessera/plan/evaluate_plan.hpp"

namespace tessera::plan::detail {

namespace {

/// Largest double <= x among the candidates: next_below of the next double up.
double at_most(const CandidateSet& set, double x) {
  return set.next_below(std::nextafter(x, kInf));
}

std::string layer_label(const cost::CostTable& t, std::int32_t l) {
  return "layer '" + t.layer_names[static_cast<std::size_t>(l)] + "' (index " + std::to_string(l) +
         ")";
}

}  // namespace

Solver::Solver(const cost::CostTable& table, const PlanOptions& options)
    : table_(table), options_(options), malformed_(check_table(table)) {
  if (options.time_limit_s) start_ = std::chrono::steady_clock::now();
  if (malformed_.empty() && table.num_layers > 0 && table.num_devices > 0) {
    in_ = build_instance(table, options);
  }
}

bool Solver::dense_too_large() const {
  return in_.vectors == INT64_MAX || in_.states() > options_.max_state_vectors;
}

bool Solver::too_large() const {
  // Throughput without a latency cap stores only the states its searches reach (the
  // relaxed reach bound keeps them few) plus one int32 per count vector, twice.
  if (options_.objective == Objective::kThroughput && !options_.latency_cap_s) {
    return in_.vectors == INT64_MAX || in_.vectors > options_.max_state_vectors;
  }
  return dense_too_large();
}

CostDp& Solver::cost() {
  if (!cost_) cost_ = std::make_unique<CostDp>(in_);
  return *cost_;
}

std::optional<Infeasible> Solver::precheck() const {
  const cost::CostTable& t = table_;
  if (!malformed_.empty()) {
    return Infeasible{InfeasibleReason::kMalformedTable,
                      "malformed cost table: " + malformed_,
                      std::nullopt,
                      std::nullopt,
                      0.0,
                      0.0};
  }
  if (t.num_layers == 0 || t.num_devices == 0) {
    return Infeasible{InfeasibleReason::kEmpty,
                      "nothing to plan: the cost table has " + count_of(t.num_layers, "layer") +
                          " and " + count_of(t.num_devices, "device"),
                      std::nullopt,
                      std::nullopt,
                      0.0,
                      0.0};
  }
  const std::int32_t num_layers = t.num_layers;
  const std::int32_t num_devices = t.num_devices;
  for (std::int32_t l = 0; l < num_layers; ++l) {
    bool runs = false;
    for (std::int32_t d = 0; d < num_devices && !runs; ++d)
      runs = std::isfinite(t.time_s[t.at(d, l)]);
    if (!runs) {
      return Infeasible{InfeasibleReason::kLayerRunsNowhere,
                        layer_label(t, l) + " cannot run on any device: its time_s is +inf on " +
                            (num_devices == 1 ? std::string("the only device")
                                              : "all " + std::to_string(num_devices) + " devices"),
                        LayerId(l),
                        std::nullopt,
                        0.0,
                        0.0};
    }
  }
  // Layers that no fitting, finite stage on any class covers.
  std::vector<bool> covered(static_cast<std::size_t>(num_layers), false);
  for (std::int32_t k = 0; k < in_.classes; ++k) {
    for (std::int32_t p = 0; p < num_layers; ++p) {
      std::int32_t q = std::min(in_.mem_any[in_.kp(k, p)], num_layers);
      while (q > p && (!in_.mem_ok(k, p, q) || in_.last_inf[in_.at(k, q)] >= p)) --q;
      for (std::int32_t l = p; l < q; ++l) covered[static_cast<std::size_t>(l)] = true;
    }
  }
  bool one_unit = true;
  for (std::int32_t d = 1; d < num_devices; ++d) one_unit = one_unit && t.unit(d) == t.unit(0);
  for (std::int32_t l = 0; l < num_layers; ++l) {
    if (covered[static_cast<std::size_t>(l)]) continue;
    // Explain with the layer alone on the device where it falls shortest.
    const double in_buffers = (l == 0 && t.first_stage_input_buffers >= 0.0)
                                  ? t.first_stage_input_buffers
                                  : t.input_buffers;
    // "Shortest" is by how much the need exceeds the capacity; across devices that count
    // different resources (bytes, tiles) by the ratio of need to capacity instead.
    std::int32_t best = -1;
    double best_need = 0.0;
    double best_short = kInf;
    for (std::int32_t d = 0; d < num_devices; ++d) {
      const auto du = static_cast<std::size_t>(d);
      if (!std::isfinite(t.time_s[t.at(d, l)])) continue;
      const double need =
          t.memory[t.at(d, l)] + t.workspace_bytes[t.at(d, l)] +
          t.buffer_scale(d) * (in_buffers * t.cut_bytes[static_cast<std::size_t>(l)] +
                               t.output_buffers * t.cut_bytes[static_cast<std::size_t>(l + 1)]);
      const double shortfall = one_unit ? need - t.capacity[du] : need / t.capacity[du];
      if (shortfall < best_short) {
        best_short = shortfall;
        best = d;
        best_need = need;
      }
    }
    double largest = 0.0;
    std::int32_t largest_device = best;
    for (std::int32_t d = 0; d < num_devices; ++d) {
      if (t.unit(d) == t.unit(best) && t.capacity[static_cast<std::size_t>(d)] > largest) {
        largest = t.capacity[static_cast<std::size_t>(d)];
        largest_device = d;
      }
    }
    const auto bu = static_cast<std::size_t>(best);
    const std::size_t a = t.at(best, l);
    // In the closest device's capacity unit; workspace and activation buffers are bytes and
    // count only against a capacity in bytes (they are 0 otherwise).
    const std::string_view unit = t.unit(best);
    std::string text = layer_label(t, l) + " fits on no device: on its own it needs " +
                       format_amount(best_need, unit);
    if (unit == kBytesUnit) {
      text += " (layer memory " + format_bytes(t.memory[a]) + ", workspace " +
              format_bytes(t.workspace_bytes[a]) + ", activation buffers " +
              format_bytes(best_need - t.memory[a] - t.workspace_bytes[a]) + ")";
    }
    text += "; the closest is '" + t.device_names[bu] + "' with " +
            format_amount(t.capacity[bu], unit) + ", short by " +
            format_amount(best_need - t.capacity[bu], unit);
    if (largest_device != best) {
      text += "; the largest device is '" +
              t.device_names[static_cast<std::size_t>(largest_device)] + "' with " +
              format_amount(largest, unit);
    }
    return Infeasible{InfeasibleReason::kLayerFitsNowhere,
                      text,
                      LayerId(l),
                      DeviceId(best),
                      best_need,
                      t.capacity[bu],
                      std::string(unit)};
  }
  if (in_.io) {
    bool source = false;
    bool sink = false;
    for (std::int32_t k = 0; k < in_.classes; ++k) {
      source = source || std::isfinite(in_.src_s[static_cast<std::size_t>(k)]);
      sink = sink || std::isfinite(in_.sink_s[static_cast<std::size_t>(k)]);
    }
    if (!source || !sink) {
      return Infeasible{InfeasibleReason::kSourceUnreachable,
                        std::string(source ? "no device can send the output (cut " +
                                                 std::to_string(num_layers) + ") to the sink '"
                                           : "the source '") +
                            t.source_name +
                            (source ? "': every link to it has zero bandwidth"
                                    : "' cannot send the input to any device: every link from "
                                      "it has zero bandwidth"),
                        std::nullopt,
                        std::nullopt,
                        0.0,
                        0.0};
    }
  }
  // Total memory: a necessary condition that only makes sense when every device counts the
  // same resource (adding tiles to bytes says nothing).
  if (!one_unit || num_devices == 0) return std::nullopt;
  double need = 0.0;
  for (std::int32_t l = 0; l < num_layers; ++l) {
    double smallest = kInf;
    for (std::int32_t d = 0; d < num_devices; ++d) {
      if (std::isfinite(t.time_s[t.at(d, l)])) smallest = std::min(smallest, t.memory[t.at(d, l)]);
    }
    need += smallest;
  }
  double capacity = 0.0;
  for (const double c : t.capacity) capacity += c;
  if (need > capacity) {
    const std::string_view unit = t.unit(0);
    return Infeasible{
        InfeasibleReason::kTotalMemory,
        "the layers need at least " + format_amount(need, unit) +
            " of memory together (each on its smallest-footprint device) but " +
            (num_devices == 1 ? std::string("the only device has ")
                              : "all " + std::to_string(num_devices) + " devices together have ") +
            format_amount(capacity, unit) + ", short by " + format_amount(need - capacity, unit),
        std::nullopt,
        std::nullopt,
        need,
        capacity,
        std::string(unit)};
  }
  return std::nullopt;
}

Infeasible Solver::diagnose_structure() {
  const cost::CostTable& t = table_;
  std::string text = "no plan exists: the " + std::to_string(t.num_layers) +
                     " layers cannot be split into contiguous stages on distinct devices that "
                     "each fit in memory";
  if (dense_too_large()) {
    // Recording every reachable start without the relaxed bound could need count vectors ×
    // classes rows: say no more than that.
    return Infeasible{InfeasibleReason::kNoAssignment, text, std::nullopt, std::nullopt, 0.0, 0.0};
  }
  reach_->run(kInf, true, false);
  const std::int32_t reached = reach_->furthest_end();
  if (reached == 0) {
    text += "; no device can hold a first stage starting at " + layer_label(t, 0);
  } else if (reached >= t.num_layers) {
    // Every layer is covered, but no chain's last device can send the output to the sink.
    text +=
        "; chains of stages reach the last layer, but no device that ends one has a link to "
        "the sink (zero bandwidth costs +inf)";
  } else {
    text += "; chains of stages reach at most " + layer_label(t, reached - 1) + ", and " +
            layer_label(t, reached) + " can be added to none of them";
  }
  Infeasible why{InfeasibleReason::kNoAssignment, text, std::nullopt, std::nullopt, 0.0, 0.0};
  if (reached < t.num_layers) why.layer = LayerId(reached);
  return why;
}

Infeasible Solver::diagnose_caps() {
  Infeasible why;
  const PlanOptions saved = options_;
  const double period_cap = options_.period_cap_s.value_or(kInf);
  options_.latency_cap_s.reset();
  options_.period_cap_s.reset();
  const std::optional<double> best_period = min_period(kInf);
  std::optional<Found> best_latency;
  if (saved.latency_cap_s) {
    options_.period_cap_s = saved.period_cap_s;
    best_latency = min_latency();
  }
  options_ = saved;
  if (best_period && *best_period > cap_with_tolerance(saved.period_cap_s)) {
    why.reason = InfeasibleReason::kPeriodCap;
    why.constraint = "period_cap_s = " + format_number(period_cap) +
                     " s cannot be met: the smallest achievable period is " +
                     format_number(*best_period) + " s";
    return why;
  }
  why.reason = InfeasibleReason::kLatencyCap;
  why.constraint = "latency_cap_s = " + format_number(options_.latency_cap_s.value_or(kInf)) +
                   " s cannot be met";
  if (best_latency) {
    why.constraint += ": the smallest achievable latency is " +
                      format_number(best_latency->plan.latency_s) + " s";
    if (options_.period_cap_s) {
      why.constraint += " with period_cap_s = " + format_number(period_cap) + " s";
    }
  } else if (options_.period_cap_s) {
    why.constraint += " together with period_cap_s = " + format_number(period_cap) + " s";
  }
  return why;
}

double Solver::dp_period(const std::vector<StageAssignment>& stages) const {
  if (stages.empty()) return kInf;
  double period = in_.src_s[static_cast<std::size_t>(in_.class_of[stages.front().device.index()])];
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const std::int32_t k = in_.class_of[stages[i].device.index()];
    const std::int32_t p = stages[i].first_layer.value();
    const std::int32_t q = stages[i].last_layer.value() + 1;
    const double comp = in_.period_compute(k, p, q);
    const double send = i + 1 < stages.size()
                            ? in_.send_s[in_.link(k, in_.class_of[stages[i + 1].device.index()], q)]
                            : in_.sink_s[static_cast<std::size_t>(k)];
    period = std::max(period, in_.overlap ? std::max(comp, send) : comp + send);
  }
  return period;
}

Solver::Found Solver::finish(const std::vector<StageAssignment>& stages) const {
  return Found{evaluate_plan(table_, stages, options_), dp_period(stages)};
}

CostAnswer Solver::run_cost(const CostSpec& spec, const std::function<void()>& alongside) {
  ++stats_.dp_runs;
  CostAnswer answer = cost().run(spec, alongside);
  count_states(cost().states());
  return answer;
}

const std::vector<Solver::Found>& Solver::baselines() {
  if (!baselines_) {
    baselines_.emplace();
    for (const Objective o : {Objective::kLatency, Objective::kEnergy}) {
      PlanOptions opts = options_;
      opts.objective = o;
      for (const PlanResult& r :
           {best_single_device(table_, opts), even_split(table_, opts), greedy(table_, opts)}) {
        if (r.has_plan() && r.plan().feasible())
          baselines_->push_back(finish(r.plan().assignment()));
      }
    }
  }
  return *baselines_;
}

bool Solver::feasible(double limit_s) {
  ++stats_.dp_runs;
  bool ok = reach_->run(limit_s, false);
  count_states(reach_->states());
  if (ok && options_.latency_cap_s) {
    CostSpec spec;
    spec.time_weight = 1.0;
    spec.limit_s = limit_s;
    spec.upper_bound = cap_with_tolerance(options_.latency_cap_s);
    const CostAnswer a = run_cost(spec);
    ok = a.found && a.value.v <= spec.upper_bound;
  }
  return ok;
}

std::optional<double> Solver::min_period(double cap) {
  CandidateSet set(in_, cap);
  if (set.empty()) return std::nullopt;
  double hi = set.largest();
  if (!feasible(hi)) return std::nullopt;
  double lo = -kInf;
  // Several threads test several candidates per round (each with its own ReachDp); the
  // latency cap's cost DP is shared, so that case stays on one thread. Feasibility is
  // monotone in the period, so the answer, the smallest feasible candidate, does not depend
  // on the number of threads; only the tested candidates (and the statistics) do.
  const auto threads = static_cast<std::size_t>(
      options_.latency_cap_s ? 1 : std::clamp(options_.threads, 1, kMaxThreads));
  while (extra_reach_.size() + 1 < threads) extra_reach_.push_back(std::make_unique<ReachDp>(in_));
  // Invariant: every candidate <= lo is infeasible, hi is feasible.
  while (set.count_between(lo, hi) > 0) {
    if (threads == 1) {
      const double mid = set.split(lo, hi);
      if (feasible(mid)) {
        hi = mid;
      } else {
        lo = mid;
      }
      continue;
    }
    // Split (lo, hi) into up to `threads` + 1 parts: the median, then the median of the part
    // holding most candidates, and so on.
    std::vector<double> points{set.split(lo, hi)};
    while (points.size() < threads) {
      double from = lo;
      double widest_lo = lo;
      double widest_hi = lo;
      std::int64_t widest = 0;
      for (std::size_t i = 0; i <= points.size(); ++i) {
        const double to = i < points.size() ? points[i] : hi;
        const std::int64_t n = set.count_between(from, to);
        if (n > widest) {
          widest = n;
          widest_lo = from;
          widest_hi = to;
        }
        from = to;
      }
      if (widest == 0) break;
      points.push_back(set.split(widest_lo, widest_hi));
      std::sort(points.begin(), points.end());
    }
    std::vector<char> ok(points.size(), 0);
    std::vector<std::int64_t> states(points.size(), 0);
    const auto test = [&](std::size_t i) {
      ReachDp& reach = i == 0 ? *reach_ : *extra_reach_[i - 1];
      ok[i] = reach.run(points[i], false) ? 1 : 0;
      states[i] = reach.states();
    };
    std::vector<std::thread> workers;
    for (std::size_t i = 1; i < points.size(); ++i) workers.emplace_back(test, i);
    test(0);
    for (std::thread& w : workers) w.join();
    for (std::size_t i = 0; i < points.size(); ++i) {
      ++stats_.dp_runs;
      count_states(states[i]);
      if (ok[i] != 0) {
        hi = std::min(hi, points[i]);
      } else {
        lo = std::max(lo, points[i]);
      }
    }
  }
  return hi;
}

std::optional<Solver::Found> Solver::best_at_period(double period_s) {
  ++stats_.dp_runs;
  reach_->run(period_s, true);
  count_states(reach_->states());
  CostSpec spec;
  spec.energy_weight = 1.0;
  spec.charge_s = period_s;
  spec.limit_s = period_s;
  spec.count_first = false;  // least energy at this period, fewest devices on ties
  spec.mask = reach_.get();
  CostAnswer a;
  if (options_.latency_cap_s) {
    if (!label_) label_ = std::make_unique<LabelDp>(in_);
    ++stats_.dp_runs;
    a = label_->run(spec, cap_with_tolerance(options_.latency_cap_s));
    count_states(label_->states());
  } else if (dense_too_large() ||
             BandDp::work(in_, *reach_, period_s) <= options_.max_sparse_tie_break_work) {
    // The plans within the optimal period usually touch few states: solve over those alone.
    BandDp band(in_);
    ++stats_.dp_runs;
    a = band.run(spec, *reach_);
    count_states(band.states());
  } else {
    a = run_cost(spec);
  }
  if (!a.found) return std::nullopt;
  return finish(a.stages);
}

std::optional<Solver::Found> Solver::min_latency() {
  CostSpec spec;
  spec.time_weight = 1.0;
  spec.limit_s = cap_with_tolerance(options_.period_cap_s);
  for (const Found& f : baselines())
    spec.upper_bound = std::min(spec.upper_bound, f.plan.latency_s);
  if (spec.limit_s < kInf) {
    stats_.dp_runs += 2;
    reach_->run(spec.limit_s, true);
    reach_->run_backward(spec.limit_s);
    count_states(reach_->states());
    spec.mask = reach_.get();
  }
  const CostAnswer a = run_cost(spec);
  if (!a.found) return std::nullopt;
  Found f = finish(a.stages);
  if (options_.latency_cap_s && !f.plan.feasible()) return std::nullopt;
  return f;
}

// Least energy over plans with period <= cap, by branch and bound over candidate periods.
// E = dynamic + Σ_used static_power × period. For plans whose period lies in (a, b], the DP
// that allows stage times up to b and charges each used device's static power on
// max(its stage compute, the smallest candidate above a) is a lower bound on their energy,
// since the period is at least both; the plan it returns is a real plan, so its energy is an
// upper bound. For a one-candidate interval the bound is the exact least energy F(b) over
// plans with period <= b charged at b, and the plan that attains it has energy <= F(b).
// Intervals are split at the median candidate until every open interval's bound reaches the
// best plan found: that plan is then optimal. Node bounds come first from the DP's relaxation
// without device counts (cheap, exact whenever its plan respects the counts), and from the
// full DP only when the relaxation reuses a device.
//
// The search is persistent: for the Pareto sweep the cap only decreases, open intervals
// keep valid bounds when truncated to the new cap, and every plan seen stays an incumbent
// candidate while its period is within the cap.
class EnergySearch {
 public:
  EnergySearch(Solver& solver, const CandidateSet& set, double latency_cap, bool persistent)
      : solver_(&solver), set_(&set), latency_cap_(latency_cap), persistent_(persistent) {}

  void add_plan(const Solver::Found& f) {
    if (f.plan.latency_s <= latency_cap_ || latency_cap_ == kInf) seen_.push_back(f);
  }

  /// No plan has a DP period below `fastest` (the least period, a candidate): intervals start
  /// at the candidate below it, so no node is spent proving that smaller periods are empty,
  /// and every node charges static power on at least `fastest`.
  void set_fastest(double fastest) { fastest_ = fastest; }

  /// The least-energy plan with DP period <= top (a candidate), fewest devices on ties.
  std::optional<Solver::Found> solve(double top) {
    if (!(top > -kInf) || top < fastest_) return std::nullopt;
    top_ = top;
    if (!started_) {
      started_ = true;
      evaluate(fastest_ > -kInf ? set_->next_below(fastest_) : -kInf, top, false, -kInf);
    }
    while (!open_.empty()) {
      // A Pareto sweep over its work limit returns its best plan so far (not proven least).
      if (persistent_ && solver_->over_work_limit()) {
        solver_->truncated_ = true;
        break;
      }
      std::pop_heap(open_.begin(), open_.end(), std::greater<>());
      Node node = open_.back();
      open_.pop_back();
      if (node.a >= top) continue;  // above the cap: never needed again
      if (node.b > top) {
        node.b = top;  // the bound stays valid for the smaller interval
        node.exact = false;
        node.plan_period = -kInf;
      }
      const std::optional<Solver::Found>& best = incumbent(top);
      const double best_energy = best ? best->plan.energy_per_inference_j : kInf;
      if (node.bound >= best_energy - 1e-12 * std::fabs(best_energy)) {
        push(node);
        break;
      }
      const bool single = set_->count_between(node.a, node.b) == 0;
      if (!node.exact && (single || (best && searched_))) {
        evaluate(node.a, node.b, true, node.bound);
        continue;
      }
      if (single) continue;  // resolved: its plan is among the seen ones
      // Pareto sweeps split where the node's own plan sits when it is inside: the bound is
      // tight at that period, so the upper part often closes at once and the next, smaller
      // cap starts just below it. A single solve splits at the median (fewer nodes there).
      double mid = set_->split(node.a, node.b);
      if (persistent_ && node.plan_period > node.a && node.plan_period <= node.b) {
        const double below = set_->next_below(node.plan_period);
        if (below > node.a) mid = below;
      }
      evaluate(node.a, mid, false, node.bound);
      evaluate(mid, node.b, false, node.bound);
    }
    return incumbent(top);
  }

 private:
  struct Node {
    double bound;
    double a;  ///< interval (a, b] of candidate periods
    double b;
    bool exact;                  ///< bound from the full DP on exactly this interval
    double plan_period = -kInf;  ///< DP period of the plan the bound came with
    bool operator>(const Node& o) const { return bound > o.bound; }
  };

  void push(const Node& n) {
    open_.push_back(n);
    std::push_heap(open_.begin(), open_.end(), std::greater<>());
  }

  const std::optional<Solver::Found>& incumbent(double top) {
    current_.reset();
    for (const Solver::Found& f : seen_) {
      if (f.dp_period > top) continue;
      if (!current_) {
        current_ = f;
        continue;
      }
      const double e = f.plan.energy_per_inference_j;
      const double b = current_->plan.energy_per_inference_j;
      const bool tie = std::fabs(e - b) <= 1e-12 * std::fabs(b);
      if ((e < b && !tie) || (tie && f.plan.devices_used < current_->plan.devices_used)) {
        current_ = f;
      }
    }
    return current_;
  }

  /// Bounds the interval (a, b]; `inherited` is a lower bound already known for it (from an
  /// interval containing it, whose DP allows more plans and charges them no more).
  void evaluate(double a, double b, bool full, double inherited) {
    CostSpec spec;
    spec.energy_weight = 1.0;
    spec.charge_s = set_->next_above(a);
    spec.floor_charge = true;
    spec.limit_s = b;
    spec.lower_bound = inherited;
    // Anything costlier than the best plan within the whole cap is of no use to this solve;
    // a persistent (Pareto) search solves nodes exactly instead, so that later, smaller caps
    // need not solve them again.
    const std::optional<Solver::Found>& best = incumbent(top_);
    spec.upper_bound = best && !persistent_ ? best->plan.energy_per_inference_j : kInf;
    // Every plan already seen with its period <= b is a plan of the node's DP, which charges
    // each stage max(its compute, charge_s): no more than its energy plus its static power ×
    // (charge_s − period) when the period is below charge_s. So the node's optimum is within
    // the least such value, and the forward passes' growing bound stops there instead of
    // overshooting (each pass costs more the looser its bound). The optimum and its plan do
    // not depend on this bound.
    const bool own_bound = persistent_ && latency_cap_ == kInf;
    if (own_bound) {
      for (const Solver::Found& f : seen_) {
        if (f.dp_period > b) continue;
        const Plan& plan = f.plan;
        const double below = spec.charge_s - plan.period_s;
        const double charged =
            plan.energy_per_inference_j + (below > 0.0 && plan.period_s > 0.0
                                               ? plan.static_energy_j * below / plan.period_s
                                               : 0.0);
        spec.upper_bound = std::min(spec.upper_bound, charged * (1.0 + 1e-9));
      }
    }
    bool exact = true;
    CostAnswer ans = solver_->run_energy(spec, latency_cap_, full, exact);
    if (!ans.found && own_bound && spec.upper_bound < kInf) {
      // Rounding beyond the margin: solve without the bound rather than lose exactness.
      spec.upper_bound = kInf;
      ans = solver_->run_energy(spec, latency_cap_, full, exact);
    }

    if (!ans.found) {
      // none within the bound: the bound itself bounds the interval (a later, smaller cap
      // has costlier incumbents, so the interval may matter again); none at all: drop it
      if (spec.upper_bound < kInf)
        push(Node{std::max(spec.upper_bound, inherited), a, b, false, -kInf});
      return;
    }
    double plan_period = -kInf;
    if (!ans.stages.empty()) {
      Solver::Found f = solver_->finish(ans.stages);
      plan_period = f.dp_period;
      add_plan(f);
      searched_ = true;
    }
    push(Node{std::max(ans.value.v, inherited), a, b, exact, plan_period});
  }

  Solver* solver_;
  const CandidateSet* set_;
  double latency_cap_;
  bool persistent_;
  bool started_ = false;
  bool searched_ = false;  ///< a DP has produced a plan (baseline incumbents are loose)
  double top_ = kInf;      ///< the cap of the current solve
  double fastest_ = -kInf;
  std::vector<Node> open_;
  std::vector<Solver::Found> seen_;
  std::optional<Solver::Found> current_;
};

CostAnswer Solver::run_energy(const CostSpec& spec, double latency_cap, bool full, bool& exact) {
  exact = true;
  if (latency_cap < kInf) {
    if (!label_) label_ = std::make_unique<LabelDp>(in_);
    ++stats_.dp_runs;
    CostAnswer ans = label_->run(spec, latency_cap);
    count_states(label_->states());
    return ans;
  }
  if (full) {
    // The relaxed reach bound at the node's limit skips states that cannot complete a plan:
    // near the least period they are most of the count vectors.
    // It is computed alongside the DP's relaxation (on another thread when there are several).
    if (!bound_reach_) bound_reach_ = std::make_unique<ReachDp>(in_);
    CostSpec bounded = spec;
    bounded.reach_bound = bound_reach_.get();
    return run_cost(bounded, [&] {
      if (bound_limit_ != spec.limit_s) {  // the bound depends on the limit alone
        bound_reach_->bound(spec.limit_s);
        bound_limit_ = spec.limit_s;
      }
    });
  }
  ++stats_.dp_runs;
  CostAnswer ans = cost().relax(spec, exact);
  count_states(cost().states());
  return ans;
}

const CandidateSet& Solver::candidates() {
  if (!candidates_) {
    candidates_ = std::make_unique<CandidateSet>(in_, cap_with_tolerance(options_.period_cap_s));
  }
  return *candidates_;
}

std::optional<Solver::Found> Solver::min_energy(double cap, double latency_cap) {
  const CandidateSet& set = candidates();
  EnergySearch search(*this, set, latency_cap, false);
  for (const Found& f : baselines()) search.add_plan(f);
  return search.solve(at_most(set, cap));
}

PlanResult Solver::fallback(const std::string& why) const {
  SolverStats stats;
  stats.method = "baseline: " + why;
  std::optional<Plan> best;
  const Weights w{options_.alpha, 1.0, 1.0};
  for (const PlanResult& r : {best_single_device(table_, options_), even_split(table_, options_),
                              greedy(table_, options_)}) {
    if (!r.has_plan() || !r.plan().feasible()) continue;
    if (!best || better(r.plan(), *best, options_.objective, w)) best = r.plan();
  }
  if (!best) {
    return PlanResult(Infeasible{InfeasibleReason::kNoAssignment,
                                 why + "; none of the baseline planners found a feasible plan",
                                 std::nullopt, std::nullopt, 0.0, 0.0},
                      stats);
  }
  return PlanResult(*best, stats);
}

bool Solver::anytime_requested() const {
  return options_.objective == Objective::kThroughput && !options_.latency_cap_s &&
         (options_.time_limit_s || options_.gap);
}

PlanResult Solver::anytime() {
  AnytimeLimits limits;
  if (options_.time_limit_s) {
    const double seconds = std::max(0.0, *options_.time_limit_s);
    limits.deadline = start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                   std::chrono::duration<double>(std::min(seconds, 1e9)));
  }
  limits.gap = std::max(0.0, options_.gap.value_or(0.0));
  const CandidateSet& set = candidates();
  // The baselines seed the search: their best period is the first upper bound.
  std::optional<Found> best;
  for (const Found& f : baselines()) {
    if (f.plan.feasible() && (!best || f.dp_period < best->dp_period)) best = f;
  }
  AnytimeSearch search(in_, set);
  search.run(best ? best->dp_period : kInf, limits);
  if (!search.plan().empty()) {
    // Interchangeable devices are taken in increasing id order.
    std::vector<std::size_t> next(static_cast<std::size_t>(in_.classes), 0);
    std::vector<StageAssignment> stages;
    for (const ClassStage& s : search.plan()) {
      std::size_t& n = next[static_cast<std::size_t>(s.k)];
      stages.push_back({DeviceId(in_.members[static_cast<std::size_t>(s.k)][n++]), LayerId(s.p),
                        LayerId(s.q - 1)});
    }
    best = finish(stages);
  }
  stats_.dp_runs += search.tests();
  count_states(search.states());
  const double lower = search.lower_s();
  stats_.method =
      "anytime: beam search over (devices used, class, cut) and a Lagrangian lower "
      "bound over candidate periods, " +
      count_of(search.rounds(), "round") + ", " + count_of(search.tests(), "test");
  if (!best) {
    if (lower == kInf) {
      // Every candidate period refuted: no plan exists (within the period cap).
      return PlanResult(Infeasible{options_.period_cap_s ? InfeasibleReason::kPeriodCap
                                                         : InfeasibleReason::kNoAssignment,
                                   options_.period_cap_s
                                       ? "no plan has a period within period_cap_s = " +
                                             format_number(*options_.period_cap_s) + " s"
                                       : std::string("no plan exists: no split of the layers "
                                                     "into contiguous stages on distinct devices "
                                                     "fits in memory and time"),
                                   std::nullopt, std::nullopt, 0.0, 0.0},
                        stats_);
    }
    return PlanResult(
        Infeasible{InfeasibleReason::kNoAssignment,
                   "the anytime search found no plan before its limit (not proven infeasible; "
                   "every plan's period is at least " +
                       format_number(lower) + " s)",
                   std::nullopt, std::nullopt, 0.0, 0.0},
        stats_);
  }
  stats_.optimal = lower >= best->dp_period;
  stats_.period_lower_bound_s = stats_.optimal ? best->plan.period_s : lower;
  const double period = best->plan.period_s;
  stats_.gap = stats_.optimal ? 0.0
               : lower > 0.0  ? std::max(0.0, (period - lower) / lower)
               : period > 0.0 ? kInf
                              : 0.0;
  return PlanResult(std::move(best->plan), stats_);
}

PlanResult Solver::plan_result(std::optional<Found> found, const char* method) {
  stats_.method = method;
  if (!found) return PlanResult(diagnose_caps(), stats_);
  stats_.optimal = true;
  return PlanResult(std::move(found->plan), stats_);
}

PlanResult Solver::solve() {
  if (auto bad = precheck()) return PlanResult(*bad, stats_);
  if (too_large()) {
    if (anytime_requested()) return anytime();
    return fallback("exact search skipped: " + std::to_string(in_.classes) +
                    " device classes give more than max_state_vectors = " +
                    std::to_string(options_.max_state_vectors) + " states");
  }
  reach_ = std::make_unique<ReachDp>(in_);
  ++stats_.dp_runs;
  if (!reach_->run(kInf, false)) return PlanResult(diagnose_structure(), stats_);
  switch (options_.objective) {
    case Objective::kThroughput: {
      const std::optional<double> period = min_period(cap_with_tolerance(options_.period_cap_s));
      if (!period) return plan_result(std::nullopt, "throughput");
      std::optional<Found> found = best_at_period(*period);
      if (found && anytime_requested()) {  // the exact search finished: nothing left to close
        stats_.period_lower_bound_s = found->plan.period_s;
        stats_.gap = 0.0;
      }
      return plan_result(std::move(found),
                         "throughput: candidate-period search with bitset feasibility DP, then "
                         "least energy and fewest devices at that period");
    }
    case Objective::kLatency: {
      std::optional<Found> fastest = min_latency();
      if (fastest) {
        // Among the plans of least latency (within 1e-12), the least energy; the energy
        // search breaks its own ties by fewest devices.
        const double tied_latency = fastest->plan.latency_s * (1.0 + 1e-12);
        std::optional<Found> frugal =
            min_energy(cap_with_tolerance(options_.period_cap_s),
                       std::min(tied_latency, cap_with_tolerance(options_.latency_cap_s)));
        const Weights w{options_.alpha, 1.0, 1.0};
        if (frugal && frugal->plan.feasible() && frugal->plan.latency_s <= tied_latency &&
            better(frugal->plan, fastest->plan, Objective::kLatency, w))
          fastest = std::move(frugal);
      }
      return plan_result(std::move(fastest),
                         "latency: cost DP, then least energy and fewest devices at that latency");
    }
    case Objective::kEnergy:
      return plan_result(min_energy(cap_with_tolerance(options_.period_cap_s),
                                    cap_with_tolerance(options_.latency_cap_s)),
                         "energy: branch and bound over candidate periods, one cost DP per node");
    case Objective::kWeighted: {
      const std::vector<ParetoPoint> points = period_front();
      stats_.method = "weighted: best point of the exact (period, energy) Pareto front";
      if (points.empty()) return PlanResult(diagnose_caps(), stats_);
      Weights w{options_.alpha, points.front().period_s, points.front().energy_per_inference_j};
      for (const ParetoPoint& p : points) {
        w.period_s = std::min(w.period_s, p.period_s);
        w.energy_j = std::min(w.energy_j, p.energy_per_inference_j);
      }
      const Plan* best = &points.front().plan;
      for (const ParetoPoint& p : points) {
        if (better(p.plan, *best, Objective::kWeighted, w)) best = &p.plan;
      }
      stats_.optimal = !truncated_;
      return PlanResult(*best, stats_);
    }
  }
  return plan_result(std::nullopt, "none");
}

std::vector<Solver::Found> Solver::sweep(EnergySearch& search, const CandidateSet& set, double top,
                                         double stop) {
  std::vector<Found> raw;
  while (top >= stop && top > -kInf) {
    std::optional<Found> f = search.solve(top);
    if (!f) break;
    top = set.next_below(f->dp_period);
    raw.push_back(std::move(*f));
    if ((truncated_ || over_work_limit()) && top > -kInf) {
      truncated_ = true;
      break;
    }
  }
  return raw;
}

std::vector<ParetoPoint> Solver::period_front() {
  const CandidateSet& set = candidates();
  const double cap = cap_with_tolerance(options_.period_cap_s);
  // The least period first (the throughput search settles it in milliseconds): below it the
  // cost DP would have to exhaust its states to prove that no plan exists.
  const std::optional<double> fastest = min_period(cap);
  if (!fastest) return {};
  const double top = at_most(set, cap);
  // The least-energy plans at the caps of the sweep, from the largest cap down: each cap is
  // the candidate below the previous plan's period.
  // Threads split the forward passes of the energy search's cost DPs (count vectors with
  // the same number of devices are independent); the values, hence the points, are the same.
  if (!options_.latency_cap_s) {
    cost().set_threads(std::clamp(options_.threads, 1, kMaxThreads), options_.min_parallel_vectors);
  }
  EnergySearch search(*this, set, cap_with_tolerance(options_.latency_cap_s), true);
  for (const Found& f : baselines()) search.add_plan(f);
  search.set_fastest(*fastest);
  const std::vector<Found> raw = sweep(search, set, top, -kInf);
  std::vector<ParetoPoint> points;  // built from the least-energy end
  for (const Found& f : raw) {
    const double e = f.plan.energy_per_inference_j;
    // A smaller period at no more energy dominates the previous point.
    while (!points.empty() && e <= points.back().energy_per_inference_j +
                                       1e-12 * std::fabs(points.back().energy_per_inference_j)) {
      points.pop_back();
    }
    points.push_back({f.plan.period_s, e, f.plan.latency_s, f.plan});
  }
  std::reverse(points.begin(), points.end());
  return points;
}

std::vector<ParetoPoint> Solver::latency_front() {
  std::vector<ParetoPoint> points;
  double latency_cap = cap_with_tolerance(options_.latency_cap_s);
  const double period_cap = cap_with_tolerance(options_.period_cap_s);
  while (true) {
    std::optional<Found> f = min_energy(period_cap, latency_cap);
    if (!f) break;
    const double e = f->plan.energy_per_inference_j;
    while (!points.empty() && e <= points.back().energy_per_inference_j +
                                       1e-12 * std::fabs(points.back().energy_per_inference_j)) {
      points.pop_back();
    }
    points.push_back({f->plan.period_s, e, f->plan.latency_s, f->plan});
    // Latencies within 1e-12 relative are one point.
    const double next = f->plan.latency_s * (1.0 - 1e-12);
    if (!(next < latency_cap)) break;
    latency_cap = next;
    if (work_ > options_.max_front_work) {
      truncated_ = true;
      break;
    }
  }
  std::reverse(points.begin(), points.end());
  return points;
}

ParetoFront Solver::front() {
  ParetoFront out;
  if (auto bad = precheck()) {
    out.infeasible = *bad;
    return out;
  }
  if (too_large()) {
    out.infeasible = Infeasible{InfeasibleReason::kNoAssignment,
                                "exact Pareto front skipped: " + std::to_string(in_.classes) +
                                    " device classes give more than max_state_vectors = " +
                                    std::to_string(options_.max_state_vectors) + " states",
                                std::nullopt,
                                std::nullopt,
                                0.0,
                                0.0};
    return out;
  }
  reach_ = std::make_unique<ReachDp>(in_);
  ++stats_.dp_runs;
  if (!reach_->run(kInf, false)) {
    out.infeasible = diagnose_structure();
    out.stats = stats_;
    return out;
  }
  out.points = period_front();
  if (out.points.empty()) {
    out.infeasible = diagnose_caps();
  } else if (options_.latency_energy_front) {
    out.latency_points = latency_front();
  }
  stats_.optimal = !out.infeasible && !truncated_;
  if (truncated_) {
    out.truncated = "the Pareto sweep stopped at its work limit (" +
                    std::to_string(options_.max_front_work) + " DP state-layer steps) after " +
                    std::to_string(out.points.size()) +
                    " points: the points are real plans, but the front is not proven (plans "
                    "with smaller periods or latencies, or less energy, may be missing)";
  }
  stats_.method = "epsilon-constraint sweep of exact energy solves";
  out.stats = stats_;
  return out;
}

}  // namespace tessera::plan::detail
