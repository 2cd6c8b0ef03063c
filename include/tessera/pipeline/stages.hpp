#pragma once
/// A plan's stages as pieces of the model: which operators each stage runs, which tensors it
/// receives (everything crossing the cut before its first layer, skip connections included, as
/// the planner counts them) and which it sends (everything crossing the cut after its last).
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/ids.hpp"
#include "tessera/core/result.hpp"
#include "tessera/graph/graph.hpp"
#include "tessera/graph/layer_chain.hpp"
#include "tessera/plan/plan.hpp"

namespace tessera::pipeline {

struct PipelineStage {
  std::int32_t index = 0;
  std::string device;          ///< the planned device's name
  std::int32_t device_id = 0;  ///< its id in the platform and cost table
  std::int32_t first_layer = 0;
  std::int32_t last_layer = 0;    ///< inclusive
  std::vector<OpId> ops;          ///< the operators of its layers, in execution order
  std::vector<TensorId> inputs;   ///< received, in this order (cut before first_layer)
  std::vector<TensorId> outputs;  ///< sent, in this order (cut after last_layer)
  std::int64_t input_bytes = 0;
  std::int64_t output_bytes = 0;
  double planned_compute_s = 0.0;  ///< the plan's period compute time on its device
  double planned_send_s = 0.0;     ///< the plan's time to send its outputs
};

/// The stages of `plan` over `chain` (layer ranges in order, covering every layer; `device_names`
/// gives the name of each device id). Fails, naming the stage, when the plan does not match the
/// model: a layer range outside the chain, gaps or overlaps, no stages.
[[nodiscard]] Result<std::vector<PipelineStage>> pipeline_stages(
    const graph::Graph& graph, const graph::LayerChain& chain, const plan::Plan& plan,
    const std::vector<std::string>& device_names);

/// Bytes of `tensors` laid end to end (the message format between stages: the tensors' raw
/// data in the listed order, each dense in its own shape and dtype).
[[nodiscard]] std::int64_t message_bytes(const graph::Graph& graph,
                                         const std::vector<TensorId>& tensors);

}  // namespace tessera::pipeline
