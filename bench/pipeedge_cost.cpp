// Costs a schedule printed by PipeEdge's sched-pipeline under PipeEdge's own cost model (as
// Tessera reads its inputs) and prints the bottleneck in seconds: the side-by-side comparison
// in docs/benchmarks.md reports PipeEdge's answers with the same arithmetic as Tessera's.
//
//   pipeedge_cost MODELS.yml DEVICE_TYPES.yml DEVICES.yml MODEL BATCH SCHEDULE.yml
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "tessera/plan/evaluate_plan.hpp"
#include "tessera/problem/problem.hpp"

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: pipeedge_cost MODELS DEVICE_TYPES DEVICES MODEL BATCH SCHEDULE\n";
    return 2;
  }
  tessera::io::ProblemInputs inputs;
  inputs.pipeedge = {argv[1], argv[2], argv[3]};
  inputs.model = argv[4];
  inputs.batch = std::stoll(argv[5]);
  auto problem = tessera::problem::assemble(inputs);
  if (!problem.ok()) {
    std::cerr << problem.error_text() << '\n';
    return 2;
  }
  std::vector<tessera::plan::StageAssignment> stages;
  try {
    const YAML::Node schedule = YAML::LoadFile(argv[6]);
    for (const auto& entry : schedule) {
      for (const auto& kv : entry) {
        const auto host = kv.first.as<std::string>();
        std::int32_t device = -1;
        const auto& hosts = problem->table.device_names;  // PipeEdge's hosts, in its order
        for (std::size_t d = 0; d < hosts.size(); ++d)
          if (hosts[d] == host) device = static_cast<std::int32_t>(d);
        if (device < 0) {
          std::cerr << argv[6] << ": unknown host '" << host << "'\n";
          return 2;
        }
        stages.push_back({tessera::DeviceId(device), tessera::LayerId(kv.second[0].as<int>() - 1),
                          tessera::LayerId(kv.second[1].as<int>() - 1)});
      }
    }
  } catch (const YAML::Exception& e) {
    std::cerr << argv[6] << ": " << e.what() << '\n';
    return 2;
  }
  tessera::plan::PlanOptions options;
  options.include_source_sink = false;
  const auto plan = tessera::plan::evaluate_plan(problem->table, stages, options);
  std::printf("%.6f%s\n", plan.period_s, plan.feasible() ? "" : " (violates memory)");
  return 0;
}
