#pragma once
/// Exact least-cost plan over the start sets one ReachDp run recorded, stored sparsely: the
/// tie-break of the throughput search, where the plans within the optimal period touch few
/// states even when the count vectors number 2^24.
#include <array>
#include <cstdint>
#include <vector>

#include "plan/detail/cost_dp.hpp"
#include "plan/detail/instance.hpp"
#include "plan/detail/reach_dp.hpp"

namespace tessera::plan::detail {

/// G(c, k, p) = the least (cost, stages) of the stage on class k from cut p and every later
/// stage, given the devices counted by c are used (k's included), over the states
/// ReachDp::run(limit, record = true) kept; the answer is the same optimum as CostDp::run
/// with that ReachDp as its mask (the mask holds every state of every plan within the
/// limit). Stage ends are scanned one by one, so a start costs O(stage length × K); values
/// are the same floating-point expressions as CostDp's (Costs::through), and the plan is
/// rebuilt with CostDp's rule: from the first stage on, the smallest cut, then the smallest
/// device id, among the optimal continuations.
class BandDp {
 public:
  explicit BandDp(const Instance& instance) : in_(instance) {}

  /// Transitions the run would scan over the recorded states: Σ over recorded starts of
  /// (stage ends within the limit) × (K + 1).
  [[nodiscard]] static std::int64_t work(const Instance& in, const ReachDp& reach, double limit_s);
  /// `spec.mask` must be `reach`'s; upper_bound and count_first are honoured as in CostDp.
  [[nodiscard]] CostAnswer run(const CostSpec& spec, const ReachDp& reach);
  /// Recorded (count vector, class) states the last run solved.
  [[nodiscard]] std::int64_t states() const { return states_; }

 private:
  [[nodiscard]] bool less(const Val& a, const Val& b) const { return val_less(a, b, count_first_); }
  /// Value of the recorded state (vector, k, q), or none.
  [[nodiscard]] Val get(const ReachDp& reach, std::int64_t vector, std::int32_t k,
                        std::int32_t q) const;
  /// Best continuation of a stage on k from p given the used count vector idx (next classes
  /// in order_);
  /// `choice` receives its end and next class (-1 for the sink).
  [[nodiscard]] Val best_from(const ReachDp& reach, std::int64_t idx, std::int32_t k,
                              std::int32_t p, std::int32_t& end, std::int32_t& next) const;

  const Instance& in_;
  CostSpec spec_;
  Costs costs_;
  bool count_first_ = false;
  bool coupled_ = false;
  std::vector<std::int64_t> offset_;  ///< (slot, k): first value of the row in vals_
  std::vector<Val> vals_;             ///< one per recorded start, in bit order
  std::vector<std::array<std::int32_t, 2>> order_;
  std::int64_t states_ = 0;
};

}  // namespace tessera::plan::detail
