#pragma once
/// Feasibility of "period <= limit" as bitset reachability over (count vector, class, cut).
#include <cstdint>
#include <vector>

#include "plan/detail/instance.hpp"

namespace tessera::plan::detail {

/// Forward: Start[c][k] is the set of cuts p at which a stage on a device of class k can
/// begin after earlier stages that used exactly the devices counted by c (c includes this
/// stage's device), every earlier stage time within the limit and fitting in memory.
/// Backward: Finish[r][k] is the set of cuts p from which a stage on class k and later stages
/// using at most the devices counted by r (k included) complete the plan within the limit.
/// Stage ends reachable from a set of starts are unions of precomputed intervals, so a state
/// costs a few word operations; count vectors are processed in index order, a topological
/// order (c + e_f has a larger index than c).
class ReachDp {
 public:
  explicit ReachDp(const Instance& instance);

  /// True when some plan has every stage time and the source transfer <= limit_s (and
  /// finite). `record` keeps every start set for `starts()` (no dominance pruning, no early
  /// exit); otherwise a start already reached with one device fewer is dropped (any
  /// completion of it completes the other) and the search stops at the first complete plan.
  /// `prune` drops starts that the relaxed bound (below) shows cannot complete a plan; the
  /// structural diagnosis turns it off to report how far chains of stages reach.
  bool run(double limit_s, bool record, bool prune = true);
  /// Fills the finish sets for `finishes()` at `limit_s`.
  void run_backward(double limit_s);
  /// Computes the relaxed completion bound at `limit_s` alone (no search) for min_start();
  /// the start sets are left as they were.
  void bound(double limit_s);
  /// Smallest cut from which a stage on class k, the devices counted by `vector` used (k's
  /// included), can still complete a plan in the relaxed model of the last bound() or
  /// pruned run(): any start below it completes no plan within that limit (0 when unknown).
  [[nodiscard]] std::int32_t min_start(std::int64_t vector, std::int32_t k) const {
    if (need_.size() != static_cast<std::size_t>(in_.vectors)) return 0;
    return jump(k, need_[static_cast<std::size_t>(in_.vectors - 1 - vector)]);
  }

  /// Start set of (count vector, class) from the last recorded run (empty when the run
  /// reached no start of that vector).
  [[nodiscard]] const std::uint64_t* starts(std::int64_t vector, std::int32_t k) const {
    const std::int32_t slot = slot_of_[static_cast<std::size_t>(vector)];
    if (slot < 0) return zero_.data();
    return block(slot) + static_cast<std::size_t>(k) * static_cast<std::size_t>(words_);
  }
  /// Block of the count vector in the last run's storage (0 .. vectors_reached().size() - 1),
  /// or -1 when the run reached no start of it.
  [[nodiscard]] std::int32_t slot(std::int64_t vector) const {
    return slot_of_[static_cast<std::size_t>(vector)];
  }
  /// Count vectors that hold a start set after the last run, in the order their slots were
  /// given.
  [[nodiscard]] const std::vector<std::int64_t>& vectors_reached() const { return used_; }
  /// Finish set of (remaining count vector, class) from the last backward run.
  [[nodiscard]] const std::uint64_t* finishes(std::int64_t vector, std::int32_t k) const {
    return finish_.data() + offset(vector, k);
  }
  [[nodiscard]] bool has_finishes() const { return !finish_.empty(); }
  /// States (count vector, class) expanded by the last run.
  [[nodiscard]] std::int64_t states() const { return states_; }
  /// Largest stage end reached by the last forward run (L when feasible).
  [[nodiscard]] std::int32_t furthest_end() const { return furthest_; }

 private:
  [[nodiscard]] std::size_t offset(std::int64_t vector, std::int32_t k) const {
    return (static_cast<std::size_t>(vector) * static_cast<std::size_t>(classes_) +
            static_cast<std::size_t>(k)) *
           static_cast<std::size_t>(words_);
  }
  void prepare(double limit_s);
  /// Fills reach_, jump_ and need_ for the limit of the last prepare().
  void relaxed_bound();
  void relaxed_bound_distinct();
  /// Depth-first search for one plan within the limit from a stage on k at p, the devices
  /// counted by idx used (k's included): stage ends from the furthest down, next classes in
  /// order, every start checked against the relaxed bound. Finds real plans only; gives up
  /// (false) when `budget` stages have been tried.
  bool dive(std::int64_t idx, std::int32_t k, std::int32_t p, std::int64_t& budget);
  bool quick_plan(std::int64_t budget);
  static constexpr std::int64_t kDiveBudget = 20000;
  [[nodiscard]] std::int32_t jump(std::int32_t k, std::int32_t v) const {
    return jump_[static_cast<std::size_t>(k) * static_cast<std::size_t>(in_.layers + 1) +
                 static_cast<std::size_t>(v)];
  }
  void expand_max(std::int32_t k, const std::uint64_t* starts, std::uint64_t* ends) const;
  /// For overlap = false: smallest compute time of a fitting stage ending at each q.
  void best_compute(std::int32_t k, const std::uint64_t* starts, std::int32_t& first,
                    std::int32_t& last);
  /// Starts p of a fitting stage on k, within the limit, that ends in `ends`.
  void expand_back(std::int32_t k, const std::uint64_t* ends, std::uint64_t* starts) const;
  /// Overlap = false: starts of a stage on k ending at q whose compute + slack[q] fits.
  void expand_back_coupled(std::int32_t k, const std::uint64_t* ends, std::uint64_t* starts) const;

  [[nodiscard]] const std::uint64_t* block(std::int32_t slot) const {
    return pool_.data() + static_cast<std::size_t>(slot) * static_cast<std::size_t>(classes_) *
                              static_cast<std::size_t>(words_);
  }
  [[nodiscard]] std::uint64_t* block(std::int32_t slot) {
    return pool_.data() + static_cast<std::size_t>(slot) * static_cast<std::size_t>(classes_) *
                              static_cast<std::size_t>(words_);
  }
  /// The start rows of a count vector, allocated (empty) on first use. Moves the pool.
  std::uint64_t* claim(std::int64_t vector);

  const Instance& in_;
  std::int32_t classes_;
  std::int32_t words_;
  double limit_ = 0.0;
  /// Start sets are stored only for count vectors a run reaches: slot_of_ (per count vector,
  /// -1 when none) indexes blocks of K rows in pool_; used_ lists those vectors.
  std::vector<std::int32_t> slot_of_;
  std::vector<std::uint64_t> pool_;
  std::vector<std::int64_t> used_;
  std::vector<std::uint64_t> zero_;
  std::vector<std::uint64_t> current_;  ///< the start rows of the vector being expanded
  std::vector<std::uint64_t> finish_;
  std::vector<std::uint64_t> send_ok_;  ///< (k, f) -> cuts where the send fits the limit
  std::vector<std::uint64_t> ends_;
  std::vector<std::uint64_t> acc_;  ///< next start rows of one count vector, per class
  std::vector<std::int32_t> hi_;    ///< (k, p) -> largest end with compute <= limit
  std::vector<std::int32_t> lo_;    ///< (k, q) -> smallest start with compute <= limit
  /// Relaxed completion bound (docs/planner.md, "Relaxed reach bound"): reach_ (k, p) =
  /// max over p' <= p of the furthest end of a fitting stage on k from p' within the limit
  /// (non-decreasing, at least every real stage end from p); jump_ (k, v) = smallest p with
  /// reach_ >= v (v when none is smaller); need_[r] = smallest cut from which the devices
  /// counted by r can cover the rest in the relaxed model (L for none). A start p on k with
  /// r devices left after it can complete only if p >= jump_(k, need_[r]).
  std::vector<std::int32_t> reach_;
  std::vector<std::int32_t> jump_;
  std::vector<std::uint16_t> need_;
  bool distinct_ = true;  ///< every class has one device: count vectors are bit masks
  std::vector<std::int32_t> starts_list_;
  std::vector<double> min_compute_;
  std::vector<double> min_send_;  ///< overlap = false, backward: cheapest send after q
  std::int64_t states_ = 0;
  std::int32_t furthest_ = 0;
};

/// (k, p) -> largest q with period_compute(k, p, q) <= limit_s and finite (p when none); it is
/// non-decreasing in p.
void stage_ends(const Instance& in, double limit_s, std::vector<std::int32_t>& hi);

}  // namespace tessera::plan::detail
