#pragma once
/// `tessera inspect` output: a readable per-layer table and the tessera.model/1 JSON document.
#include <string>

#include "tessera/graph/graph.hpp"
#include "tessera/graph/layer_chain.hpp"

namespace tessera::report {

/// One row per layer: name, op, output shape, MACs, weight bytes, output bytes, bytes crossing
/// the cut after it; then totals.
[[nodiscard]] std::string model_table(const graph::Graph& graph, const graph::LayerChain& chain);

/// {"format": "tessera.model/1", "name", "batch", "layers": [...], "cuts": [...],
///  "totals": {"parameters", "macs", "flops", "weight_bytes", "layers", "operators"}}.
[[nodiscard]] std::string model_json(const graph::Graph& graph, const graph::LayerChain& chain);

}  // namespace tessera::report
