#pragma once
/// The one place plan metrics are computed: solvers, baselines and test oracles all call it.
#include <optional>
#include <vector>

#include "tessera/cost/cost_table.hpp"
#include "tessera/plan/plan.hpp"
#include "tessera/plan/plan_options.hpp"

namespace tessera::plan {

/// Caps are met within this relative tolerance (value <= cap · (1 + kCapTolerance)), so that a
/// cap copied from a reported period or latency admits that plan despite rounding.
inline constexpr double kCapTolerance = 1e-9;

/// cap · (1 + kCapTolerance), or +inf when there is no cap.
[[nodiscard]] double cap_with_tolerance(const std::optional<double>& cap);

/// Metrics of `stages` (in pipeline order) under `options` (overlap, include_source_sink,
/// caps), per docs/formats.md "Plan semantics". Never fails: broken rules (coverage, memory,
/// a device used twice, out-of-range ids, infinite times, caps) are listed in
/// `Plan::violations`; out-of-range stages are reported and left out of the metrics.
[[nodiscard]] Plan evaluate_plan(const cost::CostTable& table,
                                 const std::vector<StageAssignment>& stages,
                                 const PlanOptions& options);

}  // namespace tessera::plan
