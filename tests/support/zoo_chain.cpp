#include "support/zoo_chain.hpp"

#include <stdexcept>

#include "tessera/graph/zoo.hpp"

namespace tessera::testing {

ZooChain zoo_chain(const std::string& name) {
  auto g = graph::build_zoo_model(name);
  if (!g.ok()) throw std::runtime_error("zoo model " + name + ": " + g.error_text());
  auto chain = graph::build_layer_chain(g.value());
  if (!chain.ok()) throw std::runtime_error("layer chain of " + name + ": " + chain.error_text());
  return {std::move(g.value()), std::move(chain.value())};
}

}  // namespace tessera::testing
