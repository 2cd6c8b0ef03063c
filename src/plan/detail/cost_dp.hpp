#pragma once
/// Exact minimisation of an additive plan cost over (count vector, class, cut) states.
#include <cstdint>
#include <limits>
#include <vector>

#include "plan/detail/instance.hpp"
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

/// The cost of a plan is Σ over its time terms (source transfer, computes, sends) ×
/// time_weight + Σ over its energy terms (layer and link energies, static_power ×
/// charge_s per used device) × energy_weight. Latency: time_weight 1. Energy of plans whose
/// period is charge_s: energy_weight 1.
struct CostSpec {
  double time_weight = 0.0;
  double energy_weight = 0.0;
  double charge_s = 0.0;
  /// Charge static power on max(stage compute, charge_s) instead of charge_s: a lower bound
  /// on static_power × period for plans whose period is at least charge_s, since the period
  /// is at least every stage's compute.
  bool floor_charge = false;
  /// Only plans whose stage times and source transfer are <= limit_s (and finite).
  double limit_s = kInf;
  /// Order values by (stages, cost) instead of (cost, stages).
  bool count_first = false;
  /// Partial plans that provably cost more than this are dropped (a plan costing exactly
  /// this is still found).
  double upper_bound = kInf;
  /// Starts recorded by ReachDp::run(limit_s, true) (and, when it has them, finishes of
  /// ReachDp::run_backward(limit_s)): only states on some feasible plan are solved. Optional.
  const ReachDp* mask = nullptr;
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
  std::vector<double> a;  ///< (k, q): weighted time + energy prefix
  std::vector<double> b;  ///< (k, q): a + energy_weight · static power · time prefix
  std::vector<double> stage_const;  ///< per class: energy_weight · static power · charge
  std::vector<double> tr;           ///< (k, f, q): weighted transfer; +inf when impossible
  std::vector<double> src_val, sink_val;
  std::vector<std::int32_t> hi;          ///< (k, p): largest end within the limit
  std::vector<std::int32_t> charge_end;  ///< (k, p): largest end with compute <= charge
};

struct CostAnswer {
  bool found = false;
  Val value;
  /// Latency of the plan in the label DP's arithmetic (LabelDp only).
  double latency_s = 0.0;
  std::vector<StageAssignment> stages;
};

/// Backward DP: G[c][k][p] = best cost of the stage on class k starting at cut p and every
/// later stage, given the devices counted by c are used. Stage ends from a start are scanned
/// with a monotone stack (suffix minima) and a sparse table, so a row costs O(L log L). Rows
/// are stored only over their finite span. States are pruned with a lower bound on the cost
/// before them (a relaxed forward DP that tracks the number of earlier stages but lets a
/// device be reused) against `upper_bound`. The plan is rebuilt forwards, taking at each step
/// the smallest cut, then the smallest device id, among the optimal choices: the
/// lexicographically smallest optimal (device, cut) sequence.
class CostDp {
 public:
  explicit CostDp(const Instance& instance);
  [[nodiscard]] CostAnswer run(const CostSpec& spec);
  /// Finite states (count vector, class, cut) stored by the last run.
  [[nodiscard]] std::int64_t states() const { return states_; }

 private:
  struct Row {
    std::int64_t offset = 0;
    std::int32_t begin = 0;
    std::int32_t end = 0;  ///< exclusive; begin == end: no finite entry
  };
  [[nodiscard]] bool less(const Val& a, const Val& b) const {
    if (count_first_) return a.n < b.n || (a.n == b.n && a.v < b.v);
    return a.v < b.v || (a.v == b.v && a.n < b.n);
  }
  [[nodiscard]] Val get(std::int64_t vector, std::int32_t k, std::int32_t q) const {
    const Row& r = rows_[static_cast<std::size_t>(vector * classes_ + k)];
    if (q < r.begin || q >= r.end) return {};
    const auto i = static_cast<std::size_t>(r.offset + (q - r.begin));
    return {pool_v_[i], pool_n_[i]};
  }
  void solve_row(std::int64_t idx, std::int32_t k, const std::vector<std::int32_t>& c,
                 std::int32_t total);
  [[nodiscard]] std::vector<StageAssignment> rebuild(std::int32_t first_class) const;

  const Instance& in_;
  std::int32_t classes_;
  CostSpec spec_;
  Costs costs_;
  bool count_first_ = false;
  bool coupled_ = false;  ///< overlap = false with a finite limit: send joins the stage time
  double bound_ = kInf;
  std::int32_t layers_bound_ = 0;  ///< J of the stage-counting forward bound
  std::vector<Row> rows_;
  std::vector<double> pool_v_;
  std::vector<std::int32_t> pool_n_;
  std::vector<double> fwd_;  ///< (j, k, p): lower bound on the cost before the state
  std::vector<std::uint64_t> mask_row_;
  std::vector<double> end_v_;
  std::vector<std::int32_t> end_n_;
  std::vector<double> out_v_;
  std::vector<std::int32_t> out_n_;
  std::vector<std::int32_t> stack_q_;
  std::vector<Val> stack_key_;
  std::vector<Val> table_;  ///< sparse table of keys for charge-floored ends
  std::int64_t states_ = 0;
};

/// Relaxed forward DP that counts earlier stages but lets a device be reused: for every
/// (j, k, p), j in [0, J] (J meaning "J or more"), a lower bound on the cost of any partial
/// plan with j stages before "a stage on k starts at p", the send into k included. Indexed
/// [(j * K + k) * (L + 1) + p].
void relaxed_forward(const Instance& in, const Costs& costs, const CostSpec& spec,
                     std::int32_t layers_bound, std::vector<double>& start);

}  // namespace tessera::plan::detail
