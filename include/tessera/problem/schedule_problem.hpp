#pragma once
/// The input of `tessera schedule` assembled in one place: a workload's models (zoo or ONNX, at
/// batch 1 with their sequence lengths), their layer chains, a package of dataflow chiplets, and
/// the ScheduleInstance the scheduler reads (per model, per chiplet class, per layer costs from
/// the dataflow kind's cost model; hops, NoP and DRAM constants from the platform).
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/graph/layer_chain.hpp"
#include "tessera/hw/platform.hpp"
#include "tessera/io/workload_yaml.hpp"
#include "tessera/plan/schedule.hpp"

namespace tessera::problem {

struct ScheduleProblem {
  io::Workload workload;
  hw::Platform platform;
  std::vector<graph::LayerChain> chains;  ///< per workload model
  plan::ScheduleInstance instance;
};

/// Loads every model and the platform and costs every layer on every chiplet class. Bad input
/// (exit 2): a model that cannot be loaded (naming the workload file, line and field), a
/// platform device that is not a dataflow chiplet, a mesh without uniform hop constants.
[[nodiscard]] Result<ScheduleProblem> assemble_schedule(const io::Workload& workload,
                                                        std::string_view platform);

/// The same workload on the same package with every chiplet of `dataflow`
/// ("weight_stationary" or "output_stationary"): SCAR's homogeneous baselines.
[[nodiscard]] Result<plan::ScheduleInstance> homogeneous_instance(const ScheduleProblem& problem,
                                                                  std::string_view dataflow);

}  // namespace tessera::problem
