#pragma once
/// Builds the CostTable planners read from a layer chain, a platform and cost models.
#include <memory>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_model_set.hpp"
#include "tessera/cost/cost_table.hpp"
#include "tessera/cost/kind_registry.hpp"

namespace tessera::cost {

struct CostTableOptions {
  /// Activation buffers per stage for its input and output cuts (double buffering = 2).
  double input_buffers = 1.0;
  double output_buffers = 1.0;
};

/// Fills every (layer, device) entry; a layer no model supports on a device costs +inf there.
/// Each device's kind (from `kinds`) checks its params once and gives its capacity resource and
/// unit and whether it pipelines its layers; activation buffers count against capacities in
/// bytes only. Fails with every problem: unknown kinds, invalid params, models that fail.
[[nodiscard]] Result<CostTable> build_cost_table(
    const graph::Graph& graph, const graph::LayerChain& chain, const hw::Platform& platform,
    const CostModelSet& models, const CostTableOptions& options = {},
    const KindRegistry& kinds = KindRegistry::builtin());

}  // namespace tessera::cost
