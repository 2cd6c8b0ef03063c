#pragma once
/// Anytime throughput search for instances beyond the exact search's reach (docs/planner.md,
/// "Anytime mode"): plans from a beam search over (devices used, class, cut), lower bounds from
/// a Lagrangian relaxation of "each device at most once", both tested at candidate periods.
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "plan/detail/candidate_set.hpp"
#include "plan/detail/instance.hpp"

namespace tessera::plan::detail {

/// A stage at class level: a device of class k runs layers [p, q).
struct ClassStage {
  std::int32_t k = 0;
  std::int32_t p = 0;
  std::int32_t q = 0;
};

struct AnytimeLimits {
  /// Stop at this time (none: run until the gap is reached or the plan is proven optimal).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// Stop once (upper − lower) / lower <= gap.
  double gap = 0.0;
};

class AnytimeSearch {
 public:
  AnytimeSearch(const Instance& instance, const CandidateSet& set);

  /// Improves on a known plan whose period (in the DPs' arithmetic) is `upper_s` (+inf when
  /// there is none) and raises the proven lower bound, until the limits.
  void run(double upper_s, const AnytimeLimits& limits);

  /// The best plan the search found itself; empty when it found none better than `upper_s`.
  [[nodiscard]] const std::vector<ClassStage>& plan() const { return plan_; }
  /// Period of the best plan known (the one given or plan()), in the DPs' arithmetic.
  [[nodiscard]] double upper_s() const { return upper_; }
  /// Every feasible plan has a period of at least this (a candidate period; +inf when no plan
  /// exists).
  [[nodiscard]] double lower_s() const { return set_.next_above(refuted_); }
  [[nodiscard]] std::int64_t states() const { return states_; }
  [[nodiscard]] std::int32_t tests() const { return tests_; }
  [[nodiscard]] std::int32_t rounds() const { return rounds_; }

  /// The period of a class-level plan, formed exactly as the exact solvers form it.
  [[nodiscard]] double period_of(const std::vector<ClassStage>& stages) const;

 private:
  enum class Outcome { kFeasible, kInfeasible, kUnknown };

  [[nodiscard]] bool done();
  /// Reads the clock every kClockEvery calls; true once the deadline has passed.
  [[nodiscard]] bool expired(bool now);
  /// hi_, lo_ and the beam's coverage rates for a period limit.
  void prepare(double limit_s);
  [[nodiscard]] bool stage_ok(std::int32_t k, std::int32_t q, std::int32_t f, double comp) const;
  /// A plan within limit_s in which every class is used at most as often as it has devices,
  /// by the Lagrangian relaxation of that rule: kInfeasible is a proof.
  Outcome lagrange(double limit_s, std::int32_t iterations);
  /// The cheapest relaxed path (classes reused freely) with price_[k] per stage on k;
  /// +inf when none. Fills path_.
  double priced_path(double limit_s);
  /// A plan within limit_s by a beam search keeping `width` states per cut and trying the
  /// `ends` furthest stage ends of each; kInfeasible (a proof) only when nothing was cut.
  Outcome beam(double limit_s, std::int64_t width, std::int32_t ends, std::uint64_t seed);
  void offer(const std::vector<ClassStage>& stages);

  struct Entry {  ///< a state waiting at a cut: parent node, its new class, rank
    std::int32_t parent;
    std::int32_t f;
    double score;
    std::uint64_t key;
  };
  struct Node {
    std::int32_t k;
    std::int32_t p;
    std::int32_t parent;
    double potential;  ///< Σ rate over the devices not yet used
    std::uint64_t hash;
  };
  void compact(std::vector<Entry>& bucket, std::int64_t width, bool& cut);
  [[nodiscard]] bool same_child(const Entry& a, const Entry& b) const;

  const Instance& in_;
  const CandidateSet& set_;
  AnytimeLimits limits_;
  double limit_ = 0.0;  ///< the period limit of the current test
  double upper_ = kInf;
  double refuted_ = -kInf;  ///< largest candidate proven infeasible
  std::vector<ClassStage> plan_;
  std::int64_t states_ = 0;
  std::int32_t tests_ = 0;
  std::int32_t rounds_ = 0;
  std::int64_t clock_calls_ = 0;
  bool clock_expired_ = false;

  std::vector<std::int32_t> hi_;  ///< (k, p) -> largest end with compute <= limit
  std::vector<std::int32_t> lo_;  ///< (k, q) -> smallest start with compute <= limit
  std::vector<double> rate_;      ///< per class: mean layers one stage covers within the limit
  std::vector<double> price_;     ///< Lagrange prices per class
  std::vector<double> best_;      ///< priced path: (k, p) cost to start a stage on k at p
  std::vector<std::int64_t> pred_;
  std::vector<double> suffix_;
  std::vector<std::int32_t> suffix_at_;
  std::vector<ClassStage> path_;
  std::vector<std::uint64_t> mix_;  ///< per class: a random word, hashes of count vectors
  std::vector<Node> nodes_;
  std::vector<std::uint8_t> used_;  ///< per node: class counts
  std::vector<std::vector<Entry>> pending_;
  bool counts_fit_ = true;  ///< every class count fits the beam's uint8 counters
};

}  // namespace tessera::plan::detail
