#pragma once
/// Every layer of a model costed on one device, with the parts its kind shows
/// (`tessera estimate`).
#include <string>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/device_kind.hpp"
#include "tessera/cost/kind_registry.hpp"
#include "tessera/graph/graph.hpp"
#include "tessera/graph/layer_chain.hpp"
#include "tessera/hw/platform.hpp"

namespace tessera::cost {

struct DeviceEstimate {
  std::string model;
  std::string device;
  std::string kind;     ///< the device's kind name ("gpu", "cim")
  Capacity capacity;    ///< its capacity resource; each layer's memory is in its unit
  CostOptions options;  ///< how the layers were counted
  /// The device streams inferences through its layers (DeviceKind::pipelines_layers): its
  /// period is the slowest layer; otherwise one inference's whole latency.
  bool pipelined = false;
  std::vector<LayerEstimate> layers;
  EstimateReport report;  ///< the kind's columns, totals and device constants
};

/// Costs every layer of `chain` on `device` with its kind's model. Fails naming the device
/// when its kind or params are invalid, and the layer when no model of the kind runs it.
[[nodiscard]] Result<DeviceEstimate> estimate_device(
    const graph::Graph& graph, const graph::LayerChain& chain, const hw::Device& given,
    const CostOptions& options = {}, const KindRegistry& kinds = KindRegistry::builtin());

}  // namespace tessera::cost
