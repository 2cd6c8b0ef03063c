#pragma once
/// Builds the CostTable planners read from a layer chain, a platform and cost models.
#include <memory>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_model.hpp"
#include "tessera/cost/cost_table.hpp"

namespace tessera::cost {

/// The cost models in use; for each (layer, device) the first model that supports the layer's
/// operators on that device answers (Stream's "which backend claims the pair").
class CostModelSet {
 public:
  /// The default set: roofline for CPU and GPU, CimModel for CIM devices.
  [[nodiscard]] static CostModelSet defaults();
  void add(std::unique_ptr<CostModel> model) { models_.push_back(std::move(model)); }
  /// The model that claims every operator of `layer` on `device`, or nullptr.
  [[nodiscard]] const CostModel* find(const graph::Graph& graph, const graph::Layer& layer,
                                      const hw::Device& device) const;

 private:
  std::vector<std::unique_ptr<CostModel>> models_;
};

struct CostTableOptions {
  /// Activation buffers per stage for its input and output cuts (double buffering = 2).
  double input_buffers = 1.0;
  double output_buffers = 1.0;
};

/// Fills every (layer, device) entry; a layer no model supports on a device costs +inf there.
[[nodiscard]] Result<CostTable> build_cost_table(const graph::Graph& graph,
                                                 const graph::LayerChain& chain,
                                                 const hw::Platform& platform,
                                                 const CostModelSet& models,
                                                 const CostTableOptions& options = {});

}  // namespace tessera::cost
