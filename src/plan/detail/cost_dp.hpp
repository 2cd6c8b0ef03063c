#pragma once
/// Exact minimisation of an additive plan cost over (count vector, class, cut) states.
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "plan/detail/instance.hpp"
#include "plan/detail/lane_pool.hpp"
#include "plan/detail/reach_dp.hpp"
#include "tessera/plan/plan.hpp"

namespace tessera::plan::detail {

/// A DP value: cost `v` and number of stages `n`, ordered by (v, n) or by (n, v).
struct Val {
  static constexpr std::int32_t kNone = std::numeric_limits<std::int32_t>::max() / 2;
  double v = kInf;
  std::int32_t n = kNone;
  [[nodiscard]] bool finite() const { return v < kInf; }
  friend bool operator==(const Val&, const Val&) = default;
};

/// The cost of a plan is Σ over its time terms (source transfer, latency computes, sends) ×
/// time_weight + Σ over its energy terms (layer and link energies, static_power ×
/// charge_s per used device) × energy_weight. Latency: time_weight 1. Energy of plans whose
/// period is charge_s: energy_weight 1.
struct CostSpec {
  double time_weight = 0.0;
  double energy_weight = 0.0;
  double charge_s = 0.0;
  /// Charge static power on max(stage compute, charge_s) instead of charge_s: a lower bound
  /// on static_power × period for plans whose period is at least charge_s, since the period
  /// is at least every stage's compute. Stages on pipelined classes are charged on charge_s.
  bool floor_charge = false;
  /// Only plans whose stage times and source transfer are <= limit_s (and finite).
  double limit_s = kInf;
  /// Order values by (stages, cost) instead of (cost, stages).
  bool count_first = false;
  /// Partial plans that provably cost more than this are dropped (a plan costing exactly
  /// this is still found).
  double upper_bound = kInf;
  /// The optimum is known to be at least this (say, from a DP over more plans with smaller
  /// charges): the forward passes' growing bound starts there. Only speed depends on it.
  double lower_bound = -kInf;
  /// Starts recorded by ReachDp::run(limit_s, true) (and, when it has them, finishes of
  /// ReachDp::run_backward(limit_s)): only states on some feasible plan are solved. Optional.
  const ReachDp* mask = nullptr;
  /// A ReachDp whose relaxed completion bound was computed at limit_s (ReachDp::bound):
  /// starts below its min_start() complete no plan within the limit and are skipped. Their
  /// values would be +inf, so the answer is unchanged. Optional.
  const ReachDp* reach_bound = nullptr;
};

/// The per-stage arithmetic of a CostSpec, shared by the DPs so that a value rebuilt during
/// plan reconstruction is bit-identical to the one the DP stored.
struct Costs {
  void build(const Instance& in, const CostSpec& spec);
  /// Value of a stage on k over [p, q) followed by continuation value `e`.
  [[nodiscard]] double through(const Instance& in, std::int32_t k, std::int32_t p, std::int32_t q,
                               double e) const {
    if (q <= charge_end[in.kp(k, p)]) {
      return ((e + a[in.at(k, q)]) - a[in.at(k, p)]) + stage_const[static_cast<std::size_t>(k)];
    }
    return (e + b[in.at(k, q)]) - b[in.at(k, p)];
  }
  std::vector<double> a;            ///< (k, q): weighted time + energy prefix
  std::vector<double> b;            ///< (k, q): a + energy_weight · static power · time prefix
  std::vector<double> stage_const;  ///< per class: energy_weight · static power · charge
  std::vector<double> tr;           ///< (k, f, q): weighted transfer; +inf when impossible
  std::vector<double> src_val, sink_val;
  std::vector<std::int32_t> hi;  ///< (k, p): largest end within the limit
  std::vector<std::int32_t>
      charge_end;                ///< (k, p): largest end with compute <= charge (L: pipelined)
  std::vector<std::int32_t> lo;  ///< (k, q): smallest start within the limit
  std::vector<std::int32_t>
      charge_lo;  ///< (k, q): smallest start with compute <= charge (0: pipelined)
};

/// a before b: by (cost, stages), or by (stages, cost) with `count_first`.
[[nodiscard]] inline bool val_less(const Val& a, const Val& b, bool count_first) {
  if (count_first) return a.n < b.n || (a.n == b.n && a.v < b.v);
  return a.v < b.v || (a.v == b.v && a.n < b.n);
}

/// The best continuation of a stage on class k from cut p, the devices counted by count vector
/// `idx` used (k's included): every end q the stage may reach, to the sink or to each next class
/// of `order` ((device id, class), ascending), whose state value `get(vector, f, q)` gives. The
/// first best in that scan wins (smallest end, then smallest device id): the rule every DP
/// rebuilds its plan with. `end` and `next` (-1: the sink) receive it; none: `end` is -1.
/// `coupled`: a stage's compute and send add up (no overlap) under a finite limit.
template <typename Get>
[[nodiscard]] Val best_continuation(const Instance& in, const Costs& costs, const CostSpec& spec,
                                    bool coupled,
                                    const std::vector<std::array<std::int32_t, 2>>& order,
                                    std::int64_t idx, std::int32_t k, std::int32_t p, Get&& get,
                                    std::int32_t& end, std::int32_t& next) {
  const double limit = spec.limit_s;
  const auto ku = static_cast<std::size_t>(k);
  auto fits = [&](double comp, double s) {
    return coupled ? (s < kInf && comp + s <= limit) : within(s, limit);
  };
  Val best;
  end = -1;
  next = -1;
  const std::int32_t h = costs.hi[in.kp(k, p)];
  for (std::int32_t q = p + 1; q <= h; ++q) {
    if (!in.mem_ok(k, p, q)) continue;
    const double comp = in.period_compute(k, p, q);
    if (q == in.layers) {
      if (!fits(comp, in.sink_s[ku])) continue;
      const Val cand{costs.through(in, k, p, q, costs.sink_val[ku]), 1};
      if (val_less(cand, best, spec.count_first)) {
        best = cand;
        end = q;
        next = -1;
      }
      continue;
    }
    for (const auto& [id, f] : order) {
      if (!fits(comp, in.send_s[in.link(k, f, q)])) continue;
      const Val after = get(idx + in.stride[static_cast<std::size_t>(f)], f, q);
      if (!after.finite()) continue;
      const Val cand{costs.through(in, k, p, q, after.v + costs.tr[in.link(k, f, q)]), after.n + 1};
      if (val_less(cand, best, spec.count_first)) {
        best = cand;
        end = q;
        next = f;
      }
    }
  }
  return best;
}

struct CostAnswer {
  bool found = false;
  Val value;
  /// Latency of the plan in the label DP's arithmetic (LabelDp only).
  double latency_s = 0.0;
  std::vector<StageAssignment> stages;
};

/// First the relaxation without device counts (try_relaxed), whose optimum is very often
/// already a valid plan; otherwise the backward DP: G[c][k][p] = best cost of the stage on class k
/// starting at cut p and every later stage, given the devices counted by c are used. Stage ends
/// from a start are scanned with a monotone stack (suffix minima) and a sparse table, so a row
/// costs O(L log L). Rows are stored only over their finite span. States are pruned with a lower
/// bound on the cost before them (a relaxed forward DP that tracks the number of earlier stages but
/// lets a device be reused) against `upper_bound`. The plan is rebuilt forwards, taking at each
/// step the smallest cut, then the smallest device id, among the optimal choices: the
/// lexicographically smallest optimal (device, cut) sequence.
class CostDp {
 public:
  explicit CostDp(const Instance& instance);
  /// `alongside` (say, computing spec.reach_bound) runs before the forward passes, on another
  /// lane than the Lagrangian bound when there are several.
  [[nodiscard]] CostAnswer run(const CostSpec& spec, const std::function<void()>& alongside = {});
  /// Only the relaxation without device counts: `exact` tells whether its best plan respects
  /// the counts (then the answer equals run()'s); otherwise the answer's value is a lower
  /// bound on run()'s and it has no stages. Ignores `upper_bound`.
  [[nodiscard]] CostAnswer relax(const CostSpec& spec, bool& exact);
  /// Lanes (threads) for the forward pass; its results do not depend on them.
  void set_threads(std::int32_t threads, std::int64_t min_level);
  /// Finite states (count vector, class, cut) stored by the last run.
  [[nodiscard]] std::int64_t states() const { return states_; }

 private:
  struct Row {
    std::int64_t offset = 0;
    std::int32_t begin = 0;
    std::int32_t end = 0;  ///< exclusive; begin == end: no finite entry
  };
  [[nodiscard]] bool less(const Val& a, const Val& b) const { return val_less(a, b, count_first_); }
  [[nodiscard]] Val get(std::int64_t vector, std::int32_t k, std::int32_t q) const {
    const Row& r = rows_[static_cast<std::size_t>(vector * classes_ + k)];
    if (q < r.begin || q >= r.end) return {};
    const auto i = static_cast<std::size_t>(r.offset + (q - r.begin));
    return {pool_v_[i], pool_n_[i]};
  }
  /// Scratch and output of one lane of the backward pass: the rows it writes go to its
  /// pools (offsets relative to them until merged into pool_v_ / pool_n_).
  struct BackLane {
    std::vector<std::uint64_t> mask_row;
    std::vector<double> end_v;
    std::vector<std::int32_t> end_n;
    std::vector<double> out_v;
    std::vector<std::int32_t> out_n;
    std::vector<std::int32_t> stack_q;
    std::vector<Val> stack_key;
    std::vector<Val> table;  ///< sparse table of keys for charge-floored ends
    std::vector<std::int32_t> c;
    std::vector<double> pool_v;
    std::vector<std::int32_t> pool_n;
    std::vector<std::int64_t> rows;
    std::int64_t states = 0;
  };
  void solve_row(std::int64_t idx, std::int32_t k, const std::vector<std::int32_t>& c,
                 std::int32_t total, BackLane& lane);
  /// Appends the rows of lanes [0, used) to the pools, in lane order.
  void merge_back_lanes(std::size_t used);
  /// Fills `c` with the counts of count vector `idx`; returns their sum.
  std::int32_t decode(std::int64_t idx, std::vector<std::int32_t>& c) const;
  /// Sizes both passes' lanes and their scratch for threads_ lanes.
  void size_lanes();
  /// job(t) for t in [0, used), on the lane threads when there are several.
  void run_lanes(std::size_t used, const std::function<void(std::size_t)>& job);
  [[nodiscard]] std::vector<StageAssignment> rebuild(std::int32_t first_class) const;
  /// The same DP over (class, cut) only, letting a class be used more often than it has
  /// devices: a lower bound, and the exact answer when its best plan happens to respect the
  /// device counts. Returns true when that settles the run (`answer` is then final).
  bool try_relaxed(CostAnswer& answer);
  /// Forward pass over the same states with exact costs so far, dropping every state whose
  /// cost so far plus the relaxed cost to go exceeds `upper_bound`; the survivors (a superset
  /// of the states of every optimal plan) restrict the backward pass. Returns false when no
  /// complete plan is within the bound.
  bool forward_pass();
  /// Relaxation with a price lambda_f per stage on class f (device counts otherwise
  /// ignored): fills `start` (k, p) and `end` (k, q) with penalised costs to go, `uses` with
  /// the stages per class of one optimal path, and returns the penalised optimum.
  /// The penalised passes' transfer array for the current spec.
  void prepare_penalised();
  double penalised_pass(const std::vector<double>& lambda, std::vector<double>& start,
                        std::vector<double>& end, std::vector<std::int32_t>& uses);
  /// Lagrangian dual of "class f is used at most count_f times", maximised by subgradient
  /// steps: for a state that has used c, G_lambda(k, p) - Σ_f lambda_f · (count_f - c_f + [f
  /// = k]) is a lower bound on its cost to go, usually far tighter than the plain relaxation.
  /// Returns the dual bound on the optimum.
  double lagrangian();

  const Instance& in_;
  std::int32_t classes_;
  CostSpec spec_;
  Costs costs_;
  bool count_first_ = false;
  bool coupled_ = false;  ///< overlap = false with a finite limit: send joins the stage time
  double bound_ = kInf;
  std::int32_t layers_bound_ = 0;  ///< J of the stage-counting forward bound
  std::vector<Row> rows_;
  std::vector<std::int64_t> dirty_rows_;  ///< rows the last backward pass wrote
  std::vector<double> pool_v_;
  std::vector<std::int32_t> pool_n_;
  std::vector<double> fwd_;        ///< (j, k, p): lower bound on the cost before the state
  std::vector<Val> relaxed_;       ///< (k, p): relaxed best cost from a stage on k at p
  std::vector<Val> relaxed_end_;   ///< (k, q): relaxed best continuation after a stage ends at q
  Val relaxed_root_;               ///< the relaxation's optimum (a lower bound)
  std::vector<double> lambda_;     ///< per class: best Lagrange multipliers found
  std::vector<double> lag_start_;  ///< (k, p): penalised cost to go at lambda_
  std::vector<double> lag_end_;    ///< (k, q): penalised continuation at lambda_
  /// Penalised pass: the allowed transfers at [(q * K + k) * K + f] (prepare_penalised), the
  /// start values at the current cut over f, and the keys of stage ends in both charge forms.
  std::vector<double> pen_tr_;
  std::vector<double> pen_column_;
  std::vector<double> pen_key_a_;
  std::vector<double> pen_key_b_;
  bool use_survivors_ = false;
  std::vector<std::uint64_t> survivors_;  ///< (c, k): starts kept by the forward pass
  std::vector<Row> fwd_rows_;             ///< (c, k): cost up to a stage end at q
  std::vector<std::uint8_t> active_;      ///< per count vector: worth visiting forwards
  std::vector<std::uint64_t> row_mask_;   ///< per count vector: classes with a row in fwd_rows_
  std::vector<std::int64_t> touched_;     ///< count vectors the last forward pass wrote
  std::vector<double> fwd_pool_;
  /// Scratch and output of one lane of the forward pass: the rows it writes go to `pool`
  /// (offsets relative to it until the level is merged), `next` lists the count vectors
  /// they activate.
  struct Lane {
    std::vector<double> st, en;
    std::vector<std::int32_t> stack_p;
    std::vector<double> stack_key;
    std::vector<double> table;
    std::vector<std::int32_t> c;
    std::vector<double> pool;
    std::vector<std::int64_t> rows;
    std::vector<std::int64_t> next;
    std::int64_t states = 0;
    bool complete = false;
  };
  /// The forward pass over the states of one count vector (its predecessors' rows merged).
  void forward_vector(std::int64_t idx, Lane& lane);
  std::vector<Lane> lanes_;
  std::vector<BackLane> back_lanes_;
  std::size_t table_size_ = 0;  ///< entries of a sparse table over positions
  bool distinct_ = false;       ///< every class has one device: count vectors are bit masks
  /// Worker threads of the lanes (none with one thread).
  std::unique_ptr<LanePool> pool_;
  /// touched_ lists the count vectors level by level (devices used); level l ends here.
  std::vector<std::size_t> level_ends_;
  std::int32_t threads_ = 1;
  std::int32_t last_step_ = 0;  ///< growth step at which the last forward passes completed
  /// Levels with fewer count vectors stay on one lane (a thread start costs more).
  std::size_t min_parallel_level_ = 32;
  std::int64_t states_ = 0;
  /// States of the relaxation and of the penalised passes, added to states_ by their caller
  /// (the two may run at once).
  std::int64_t relaxed_states_ = 0;
  std::int64_t lagrangian_states_ = 0;
};

/// Relaxed forward DP that counts earlier stages but lets a device be reused: for every
/// (j, k, p), j in [0, J] (J meaning "J or more"), a lower bound on the cost of any partial
/// plan with j stages before "a stage on k starts at p", the send into k included. Indexed
/// [(j * K + k) * (L + 1) + p].
void relaxed_forward(const Instance& in, const Costs& costs, const CostSpec& spec,
                     std::int32_t layers_bound, std::vector<double>& start);

}  // namespace tessera::plan::detail
