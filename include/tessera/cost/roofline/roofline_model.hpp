#pragma once
/// Roofline cost model for CPUs and GPUs.
#include <string>
#include <vector>

#include "tessera/cost/cost_model.hpp"

namespace tessera::cost {

/// time = max(FLOPs / (peak[dtype] · efficiency[op class]),
///            bytes moved / (memory bandwidth · memory efficiency))
/// per operator, summed over a layer, plus the device's fixed per-layer overhead.
/// energy = FLOPs · energy_per_flop + bytes moved · energy_per_byte.
///
/// Assumptions (docs/architecture.md, "Cost models"): weights are read once per inference;
/// inside a fused layer intermediate tensors stay in cache, so only tensors entering or leaving
/// the layer and the weights touch memory; peak is the device's for the operator's element type
/// (float32 when the device lists no other); efficiencies are per operator class (direct
/// convolution, depthwise convolution, GEMM with weights, activation-by-activation products,
/// memory-bound rest) and come from the platform file.
class RooflineModel final : public CostModel {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "roofline"; }

 private:
  [[nodiscard]] bool do_supports(const graph::Op& op,
                                 const hw::Device& device) const noexcept override;
  [[nodiscard]] OpCost do_estimate(const graph::Graph& graph, const graph::Op& op,
                                   const hw::Device& device,
                                   std::int64_t fused_bytes_saved) const override;
};

/// The device kind names the roofline kind serves.
[[nodiscard]] std::vector<std::string> roofline_kind_names();

/// Efficiency of `op` on `device` (the roofline's per-class factor).
[[nodiscard]] double roofline_efficiency(const graph::Graph& graph, const graph::Op& op,
                                         const hw::Device& device);

}  // namespace tessera::cost
