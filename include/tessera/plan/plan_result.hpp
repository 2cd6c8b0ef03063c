#pragma once
/// A solver's answer: a plan or the reason there is none, plus how it was found.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "tessera/plan/infeasible.hpp"
#include "tessera/plan/plan.hpp"

namespace tessera::plan {

struct SolverStats {
  /// The plan is proven optimal for the objective (false for baselines and heuristic
  /// fallbacks).
  bool optimal = false;
  /// DP states (count vector, last device class, cut position) visited, summed over runs.
  std::int64_t states_explored = 0;
  std::int32_t dp_runs = 0;  ///< feasibility and cost DP passes
  std::string method;        ///< which algorithm produced the answer
  /// Anytime mode (PlanOptions::time_limit_s or gap set, throughput): every feasible plan has
  /// a period of at least this many seconds. Equal to the plan's period when it is optimal.
  std::optional<double> period_lower_bound_s;
  /// Anytime mode: (period_s − period_lower_bound_s) / period_lower_bound_s, a fraction
  /// (0.01 = 1 %): the plan's period exceeds the optimum by at most this share. 0 when proven
  /// optimal; +inf when the bound is 0.
  std::optional<double> gap;
};

class PlanResult {
 public:
  PlanResult(Plan plan, SolverStats stats) : value_(std::move(plan)), stats_(std::move(stats)) {}
  PlanResult(Infeasible why, SolverStats stats)
      : value_(std::move(why)), stats_(std::move(stats)) {}

  [[nodiscard]] bool has_plan() const { return std::holds_alternative<Plan>(value_); }
  explicit operator bool() const { return has_plan(); }
  [[nodiscard]] const Plan& plan() const { return std::get<Plan>(value_); }
  [[nodiscard]] const Infeasible& infeasible() const { return std::get<Infeasible>(value_); }
  [[nodiscard]] const SolverStats& stats() const { return stats_; }

 private:
  std::variant<Plan, Infeasible> value_;
  SolverStats stats_;
};

}  // namespace tessera::plan
