#pragma once
/// A built-in model and its layer chain, for tests that cost a whole network.
#include <string>

#include "tessera/graph/graph.hpp"
#include "tessera/graph/passes.hpp"

namespace tessera::testing {

struct ZooChain {
  graph::Graph graph;
  graph::LayerChain chain;
};

/// Builds zoo model `name` and its layer chain; throws std::runtime_error naming the model if
/// either step fails (a broken zoo is a test failure, not a skipped test).
[[nodiscard]] ZooChain zoo_chain(const std::string& name);

}  // namespace tessera::testing
