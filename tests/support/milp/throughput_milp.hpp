#pragma once
/// The throughput problem as a mixed-integer program solved by CBC (COIN-OR), written from the
/// rules in docs/formats.md "Plan semantics" without any of the planner's code: an independent
/// check of the exact solver. Test-only (CBC is a test dependency).
#include <cstdint>
#include <vector>

#include "tessera/cost/cost_table.hpp"
#include "tessera/plan/plan.hpp"
#include "tessera/plan/plan_options.hpp"

namespace tessera::testing {

struct MilpAnswer {
  bool solved = false;       ///< CBC proved the optimum or infeasibility
  bool feasible = false;     ///< a plan exists
  double objective_s = 0.0;  ///< CBC's optimal T, in seconds (within CBC's tolerances)
  /// The plan read from the chosen arcs, and its period recomputed from the table.
  std::vector<plan::StageAssignment> stages;
  double period_s = 0.0;
  std::int32_t arcs = 0;  ///< binary arc variables in the model
};

/// Least period over plans of `table` under options.overlap and options.include_source_sink
/// (no caps). Variables: T >= 0; y[d] = the source hands cut 0 to device d; x[d][p][q][e] =
/// device d runs layers [p, q) and hands cut q to device e (e = the sink when q = L). Arcs whose
/// stage does not fit in memory or has an infinite time are left out. Constraints: one source
/// arc; flow conservation at every (device, start cut); one sink arc; each device starts at
/// most one stage; T >= source time · y[d] and T >= stage time · x for every arc, where the
/// stage time is max(compute, send) with overlap and compute + send without. Minimise T.
[[nodiscard]] MilpAnswer solve_throughput_milp(const cost::CostTable& table,
                                               const plan::PlanOptions& options);

}  // namespace tessera::testing
