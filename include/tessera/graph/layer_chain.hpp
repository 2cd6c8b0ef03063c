#pragma once
/// The graph after fusion and linearisation: what planners consume.
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/ids.hpp"
#include "tessera/graph/graph.hpp"

namespace tessera::graph {

/// A fused group of operators executed as one unit: one compute anchor (convolution, matrix
/// product...) with the elementwise, normalisation, pooling and data-movement operators fused
/// into it.
struct Layer {
  LayerId id;
  std::string name;
  OpKind anchor_kind = OpKind::kGeneric;
  std::vector<OpId> ops;  ///< in a valid execution order
  std::int64_t macs = 0;
  std::int64_t flops = 0;
  std::int64_t parameters = 0;
  std::int64_t weight_bytes = 0;
  /// Bytes of the tensors this layer produces that are read after it (or are model outputs).
  std::int64_t output_bytes = 0;
  /// Peak bytes of activations live while the layer runs (inputs + intermediates + outputs).
  std::int64_t workspace_bytes = 0;
  Shape output_shape;  ///< shape of its main (last) output
  /// Activation tensors read from outside the layer (model inputs or earlier layers).
  std::vector<TensorId> inputs;
  /// Tensors produced here and read by a later layer or returned by the model.
  std::vector<TensorId> outputs;
};

struct LayerChain {
  std::string model_name;
  std::vector<Layer> layers;
  /// cut_bytes[k] = bytes of every tensor that crosses the boundary before layer k:
  /// cut_bytes[0] = model inputs, cut_bytes[L] = model outputs; for 0 < k < L, every tensor
  /// produced at or before layer k-1 and read at or after layer k (skip connections included).
  std::vector<std::int64_t> cut_bytes;
  /// The tensors behind each cut (same indexing as cut_bytes).
  std::vector<std::vector<TensorId>> cut_tensors;

  [[nodiscard]] std::int32_t size() const { return static_cast<std::int32_t>(layers.size()); }
};

}  // namespace tessera::graph
