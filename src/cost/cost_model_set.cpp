#include "tessera/cost/cost_model_set.hpp"

#include "tessera/cost/kind_registry.hpp"

namespace tessera::cost {

CostModelSet CostModelSet::defaults() {
  return KindRegistry::builtin().models();
}

const CostModel* CostModelSet::find(const graph::Graph& graph, const graph::Layer& layer,
                                    const hw::Device& device) const {
  for (const auto& model : models_) {
    bool all = true;
    for (auto id : layer.ops) {
      if (!model->supports(graph, graph.op(id), device)) {
        all = false;
        break;
      }
    }
    if (all) return model.get();
  }
  return nullptr;
}

}  // namespace tessera::cost
