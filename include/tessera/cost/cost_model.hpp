#pragma once
/// The interface every per-device cost model implements.
#include <map>
#include <string>

#include "tessera/core/result.hpp"
#include "tessera/core/units.hpp"
#include "tessera/graph/graph.hpp"
#include "tessera/graph/layer_chain.hpp"
#include "tessera/hw/platform.hpp"

namespace tessera::cost {

/// Cost of one operator or one fused layer on one device, for one inference of the graph's
/// batch.
struct OpCost {
  Seconds time;
  Joules energy;  ///< dynamic energy only; static power is accounted per plan
  /// What the layer holds for as long as its stage runs, in the device kind's capacity unit
  /// (DeviceKind::capacity): weight bytes on a CPU or GPU, tiles on a CIM chip.
  ResourceAmount memory;
  Bytes workspace;  ///< transient activation bytes
  bool compute_bound = false;
  /// Named parts of time and energy (e.g. "compute_s", "memory_s", "adc_j"), for reports.
  std::map<std::string, double> parts;
};

/// A cost model answers for the (operator, device) pairs it claims. The public functions
/// validate and are not virtual; each model overrides the private hooks (STYLE.md).
class CostModel {
 public:
  virtual ~CostModel() = default;
  CostModel() = default;
  CostModel(const CostModel&) = delete;
  CostModel& operator=(const CostModel&) = delete;

  /// Short name for reports ("roofline", "cim").
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;

  [[nodiscard]] bool supports(const graph::Op& op, const hw::Device& device) const noexcept {
    return do_supports(op, device);
  }
  /// Whether the model runs `op` of `graph` on `device`, where the answer may depend on the op's
  /// tensors (a CIM chip holds a MatMul only when one operand is a weight matrix). Implies
  /// supports(op, device).
  [[nodiscard]] bool supports(const graph::Graph& graph, const graph::Op& op,
                              const hw::Device& device) const noexcept {
    return do_supports(op, device) && do_supports_in(graph, op, device);
  }
  /// Cost of `op` run alone: every input read from and every output written to device memory.
  [[nodiscard]] Result<OpCost> estimate(const graph::Graph& graph, const graph::Op& op,
                                        const hw::Device& device) const;
  /// Cost of a fused layer: tensors produced and consumed inside the layer are assumed to stay
  /// on chip; the device's per-layer overhead is added once.
  [[nodiscard]] Result<OpCost> estimate_layer(const graph::Graph& graph, const graph::Layer& layer,
                                              const hw::Device& device) const;

 private:
  [[nodiscard]] virtual bool do_supports(const graph::Op& op,
                                         const hw::Device& device) const noexcept = 0;
  /// The tensor-dependent part of supports(graph, op, device), asked only for ops that
  /// do_supports claims; the default adds no condition.
  [[nodiscard]] virtual bool do_supports_in(const graph::Graph& /*graph*/, const graph::Op& /*op*/,
                                            const hw::Device& /*device*/) const noexcept {
    return true;
  }
  /// `fused_bytes_saved`: bytes of this op's inputs and outputs that stay on chip.
  [[nodiscard]] virtual OpCost do_estimate(const graph::Graph& graph, const graph::Op& op,
                                           const hw::Device& device,
                                           std::int64_t fused_bytes_saved) const = 0;
  /// Layer-level hook; the default sums the operators and adds `device.layer_overhead`.
  [[nodiscard]] virtual Result<OpCost> do_estimate_layer(const graph::Graph& graph,
                                                         const graph::Layer& layer,
                                                         const hw::Device& device) const;
};

}  // namespace tessera::cost
