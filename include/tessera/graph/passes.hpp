#pragma once
/// Graph passes that turn a model DAG into the layer chain planners consume.
#include "tessera/core/result.hpp"
#include "tessera/graph/graph.hpp"
#include "tessera/graph/layer_chain.hpp"

namespace tessera::graph {

/// Fuses every operator that is not a compute anchor (elementwise, normalisation, pooling,
/// data movement) into the layer of the producer of its latest-produced input, orders the
/// layers topologically, and measures every cut.
///
/// Why "latest-produced input": an operator with inputs from several layers (a residual Add)
/// joins the layer that finishes last in a topological order; all other inputs come from
/// earlier layers, so no cycle can appear between layers. Operators that read only graph inputs
/// and weights join the first layer that reads their output (or start a layer when none does).
/// Shape-only operators (Shape, Constant) move no activation data and are dropped from cuts.
///
/// Fails when the graph has a cycle or an operator reads a tensor nothing produces.
[[nodiscard]] Result<LayerChain> build_layer_chain(const Graph& graph);

/// A topological order of the graph's operators (Kahn's algorithm, ties by insertion order).
[[nodiscard]] Result<std::vector<OpId>> topological_order(const Graph& graph);

}  // namespace tessera::graph
