#include "tessera/plan/pareto_front.hpp"

#include "plan/detail/solver.hpp"

namespace tessera::plan {

ParetoFront pareto_front(const cost::CostTable& table, const PlanOptions& options) {
  detail::Solver solver(table, options);
  return solver.front();
}

}  // namespace tessera::plan
