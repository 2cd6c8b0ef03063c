#pragma once
/// The exact solvers behind solve() and pareto_front(), sharing one prepared instance.
#include <chrono>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "plan/detail/candidate_set.hpp"
#include "plan/detail/cost_dp.hpp"
#include "plan/detail/instance.hpp"
#include "plan/detail/label_dp.hpp"
#include "plan/detail/reach_dp.hpp"
#include "tessera/cost/cost_table.hpp"
#include "tessera/plan/pareto_front.hpp"
#include "tessera/plan/plan_options.hpp"
#include "tessera/plan/plan_result.hpp"

namespace tessera::plan::detail {

class EnergySearch;

class Solver {
 public:
  Solver(const cost::CostTable& table, const PlanOptions& options);

  [[nodiscard]] PlanResult solve();
  [[nodiscard]] ParetoFront front();

  struct Found {
    Plan plan;
    double dp_period = 0.0;  ///< the plan's period in the DPs' arithmetic (a candidate value)
  };

 private:
  friend class EnergySearch;

  /// Infeasible before any search, or nullopt.
  [[nodiscard]] std::optional<Infeasible> precheck() const;
  /// Why no plan exists at all (caps ignored).
  [[nodiscard]] Infeasible diagnose_structure();
  /// Why no plan meets the caps, given that plans exist.
  [[nodiscard]] Infeasible diagnose_caps();
  [[nodiscard]] bool too_large() const;
  /// The dense DPs (CostDp, LabelDp, backward reach) would exceed max_state_vectors.
  [[nodiscard]] bool dense_too_large() const;
  /// The cost DP, built on first use (its arrays are dense over every state).
  CostDp& cost();
  [[nodiscard]] PlanResult fallback(const std::string& why) const;
  /// PlanOptions asks for anytime mode and it applies (throughput without a latency cap).
  [[nodiscard]] bool anytime_requested() const;
  /// Anytime mode: the best plan found within the limits and a proven lower bound.
  [[nodiscard]] PlanResult anytime();

  [[nodiscard]] Found finish(const std::vector<StageAssignment>& stages) const;
  [[nodiscard]] double dp_period(const std::vector<StageAssignment>& stages) const;

  /// Smallest period (a candidate <= cap) of a plan within the latency cap, or nullopt.
  [[nodiscard]] std::optional<double> min_period(double cap);
  bool feasible(double limit_s);
  /// Fewest devices, then least energy, among plans with period <= period_s.
  [[nodiscard]] std::optional<Found> best_at_period(double period_s);
  [[nodiscard]] std::optional<Found> min_latency();
  /// Least energy among plans with period <= cap (and within the latency cap).
  [[nodiscard]] std::optional<Found> min_energy(double cap, double latency_cap);
  /// The cost DP; `alongside` as in CostDp::run.
  CostAnswer run_cost(const CostSpec& spec, const std::function<void()>& alongside = {});
  /// One energy node: the label DP under a latency cap, else the full cost DP (`full`) or
  /// only its relaxation (`exact` tells whether that was already exact).
  CostAnswer run_energy(const CostSpec& spec, double latency_cap, bool full, bool& exact);
  const CandidateSet& candidates();
  /// Feasible plans of the baseline planners (latency and energy flavours): upper bounds.
  const std::vector<Found>& baselines();

  [[nodiscard]] PlanResult plan_result(std::optional<Found> found, const char* method);
  [[nodiscard]] std::vector<ParetoPoint> period_front();
  /// The ε-constraint sweep over caps from `top` down while the cap is >= `stop`: the
  /// least-energy plan at each cap, the next cap being the candidate below its period.
  [[nodiscard]] std::vector<Found> sweep(EnergySearch& search, const CandidateSet& set, double top,
                                         double stop);
  /// The Pareto sweep has done more work than
  /// PlanOptions::max_front_work.
  [[nodiscard]] bool over_work_limit() const { return work_ > options_.max_front_work; }
  [[nodiscard]] std::vector<ParetoPoint> latency_front();

  const cost::CostTable& table_;
  PlanOptions options_;
  /// When solving started (read only when PlanOptions::time_limit_s is set): the anytime
  /// mode's time limit counts from here.
  std::chrono::steady_clock::time_point start_;
  std::string malformed_;
  Instance in_;
  std::unique_ptr<ReachDp> reach_;
  /// Feasibility DPs of the second and later threads of the candidate-period search.
  std::vector<std::unique_ptr<ReachDp>> extra_reach_;
  static constexpr int kMaxThreads = 64;
  /// Relaxed reach bounds for the energy search's cost DPs (ReachDp::bound).
  std::unique_ptr<ReachDp> bound_reach_;
  double bound_limit_ = std::numeric_limits<double>::quiet_NaN();  ///< its last bound()
  std::unique_ptr<CostDp> cost_;
  std::unique_ptr<LabelDp> label_;
  std::unique_ptr<CandidateSet> candidates_;
  std::optional<std::vector<Found>> baselines_;
  SolverStats stats_;
  /// Adds DP states to the statistics and their work (states x layers, the most transitions
  /// each can have) to work_.
  void count_states(std::int64_t states) {
    stats_.states_explored += states;
    work_ += states * std::max<std::int64_t>(in_.layers, 1);
  }
  std::int64_t work_ = 0;
  /// Set when a front sweep stopped at PlanOptions::max_front_work.
  bool truncated_ = false;
};

}  // namespace tessera::plan::detail
