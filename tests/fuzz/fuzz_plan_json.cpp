// libFuzzer harness: the plan reader (JSON -> checked plan file), its stages resolved against a
// three-device table and evaluated (out-of-range layers and devices must be reported, not
// read).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "tessera/io/plan_file.hpp"
#include "tessera/io/problem_json.hpp"
#include "tessera/plan/evaluate_plan.hpp"

namespace {

/// Four layers on two CPUs and a CIM chip, read like a user's problem file.
tessera::cost::CostTable three_devices() {
  constexpr std::string_view kProblem = R"({
    "format": "tessera.problem/1", "layers": ["a", "b", "c", "d"],
    "cut_bytes": [100, 200, 300, 400, 50],
    "devices": [
      {"name": "a", "capacity_bytes": 1e9, "static_power_w": 1,
       "layer_time_s": [0.01, 0.02, 0.01, 0.03], "layer_memory_bytes": [10, 10, 10, 10]},
      {"name": "b", "capacity_bytes": 20, "layer_time_s": [0.02, 0.01, null, 0.01]},
      {"name": "c", "kind": "cim", "capacity_tiles": 100, "pipelined_layers": true,
       "activation_buffer_scale": 0, "layer_time_s": [0.001, 0.001, 0.001, 0.001],
       "layer_memory_tiles": [30, 40, 50, 60]}],
    "links": {"latency_s": 1e-4, "bandwidth_bytes_per_s": 1e8}})";
  return tessera::io::parse_problem_json(kProblem, "three.problem.json").value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tessera::cost::CostTable table = three_devices();
  auto file = tessera::io::parse_plan_json(std::string(reinterpret_cast<const char*>(data), size),
                                           "fuzz.plan.json");
  if (!file.ok()) return 0;
  auto stages = tessera::io::resolve_stages(file.value(), table);
  if (!stages.ok()) return 0;
  tessera::plan::PlanOptions options;
  options.overlap = file->overlap;
  options.include_source_sink = file->include_source_sink;
  (void)tessera::plan::evaluate_plan(table, stages.value(), options);
  return 0;
}
