#pragma once
/// A pipeline stage's compute on this machine: the executor (runtime) for the stage's operators,
/// fed from and packed into the messages that cross its cuts.
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/graph/graph.hpp"
#include "tessera/pipeline/mpi_pipeline.hpp"
#include "tessera/pipeline/stages.hpp"
#include "tessera/runtime/executor.hpp"
#include "tessera/runtime/host_tensor.hpp"

namespace tessera::pipeline {

/// The tensors in a message, in `tensors`' order, with the graph's shapes and types.
[[nodiscard]] std::vector<runtime::HostTensor> unpack_message(const graph::Graph& graph,
                                                              const std::vector<TensorId>& tensors,
                                                              const Message& message);
/// The tensors' data end to end.
[[nodiscard]] Message pack_message(const std::vector<runtime::HostTensor>& tensors);

/// The stage's compute: an executor for its operators (created once, here, so unsupported
/// operators fail before the run starts), fed with the tensors of its input cut that its
/// operators read; tensors of the input cut that also cross its output cut (skip connections
/// passing through) are forwarded unchanged. `base` gives threads and the random-weights seed.
[[nodiscard]] Result<StageCompute> make_stage_compute(const graph::Graph& graph,
                                                      const PipelineStage& stage,
                                                      const runtime::ExecutorOptions& base);

}  // namespace tessera::pipeline
