#pragma once
/// The cost model of `kind: soc` devices: a layer's cost is its optimal output-channel split
/// across the SoC's units (soc_split.hpp) under the device's `split_objective` and per-layer
/// `low_precision_budget`; the operators fused into a layer (batch norm, activations, residual
/// adds, pooling, reshapes) cost nothing, as in ODiMO's models, which count convolutions and
/// fully connected layers only. Memory: the layer's weights at each unit's precision.
#include <string_view>

#include "tessera/cost/cost_model.hpp"

namespace tessera::cost {

class SocModel final : public CostModel {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "soc"; }

 private:
  [[nodiscard]] bool do_supports(const graph::Op& op,
                                 const hw::Device& device) const noexcept override;
  [[nodiscard]] OpCost do_estimate(const graph::Graph& graph, const graph::Op& op,
                                   const hw::Device& device,
                                   std::int64_t fused_bytes_saved) const override;
  [[nodiscard]] Result<OpCost> do_estimate_layer(const graph::Graph& graph,
                                                 const graph::Layer& layer,
                                                 const hw::Device& device) const override;
};

}  // namespace tessera::cost
