// libFuzzer harness: the problem reader (JSON -> checked cost table), and on the small tables
// it accepts, the planner: the exact solver, the baselines and the evaluation of their plans.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tessera/io/problem_json.hpp"
#include "tessera/plan/baselines.hpp"
#include "tessera/plan/evaluate_plan.hpp"
#include "tessera/plan/solve.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto table = tessera::io::parse_problem_json(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.problem.json");
  if (!table.ok()) return 0;
  const auto& t = table.value();
  (void)tessera::io::problem_json(t);
  // Keep each run fast: the planner's own limits are exercised by its tests.
  if (t.num_layers > 12 || t.num_devices > 4) return 0;
  tessera::plan::PlanOptions options;
  for (const auto objective :
       {tessera::plan::Objective::kThroughput, tessera::plan::Objective::kLatency}) {
    options.objective = objective;
    const auto result = tessera::plan::solve(t, options);
    if (result.has_plan())
      (void)tessera::plan::evaluate_plan(t, result.plan().assignment(), options);
  }
  const auto greedy = tessera::plan::greedy(t, options);
  if (greedy.has_plan()) (void)tessera::plan::evaluate_plan(t, greedy.plan().assignment(), options);
  return 0;
}
