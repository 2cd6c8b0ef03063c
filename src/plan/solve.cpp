#include "tessera/plan/solve.hpp"

#include "plan/detail/solver.hpp"

namespace tessera::plan {

PlanResult solve(const cost::CostTable& table, const PlanOptions& options) {
  detail::Solver solver(table, options);
  return solver.solve();
}

}  // namespace tessera::plan
