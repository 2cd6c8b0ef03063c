#pragma once
/// The cost models a cost table is built with.
#include <memory>
#include <vector>

#include "tessera/cost/cost_model.hpp"

namespace tessera::cost {

/// The cost models in use; for each (layer, device) the first model that supports the layer's
/// operators on that device answers (Stream's "which backend claims the pair").
class CostModelSet {
 public:
  /// One model per built-in device kind (KindRegistry::builtin().models()).
  [[nodiscard]] static CostModelSet defaults();
  void add(std::unique_ptr<CostModel> model) { models_.push_back(std::move(model)); }
  /// The model that claims every operator of `layer` on `device`, or nullptr.
  [[nodiscard]] const CostModel* find(const graph::Graph& graph, const graph::Layer& layer,
                                      const hw::Device& device) const;

 private:
  std::vector<std::unique_ptr<CostModel>> models_;
};

}  // namespace tessera::cost
