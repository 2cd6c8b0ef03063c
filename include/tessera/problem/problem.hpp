#pragma once
/// One planning problem, assembled in one place from what a user names: the model (zoo, ONNX or
/// a problem file, or PipeEdge's inputs), its layer chain, the platform, the cost table planners
/// read and the network its transfers cross. The CLI's plan, pareto, simulate and estimate
/// commands, the benchmarks and the runtime all start here.
#include <optional>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_table.hpp"
#include "tessera/cost/device_kind.hpp"
#include "tessera/graph/graph.hpp"
#include "tessera/graph/layer_chain.hpp"
#include "tessera/hw/platform.hpp"
#include "tessera/io/problem_inputs.hpp"

namespace tessera::problem {

struct Problem {
  /// What it was made from, with the batch resolved (a plan file records this).
  io::ProblemInputs inputs;
  /// The model and its layer chain; absent for problem files and PipeEdge inputs, whose
  /// costs are given as numbers.
  std::optional<graph::Graph> graph;
  std::optional<graph::LayerChain> chain;
  /// The platform; absent for problem files and PipeEdge inputs.
  std::optional<hw::Platform> platform;
  /// What planners read: per-(layer, device) costs, capacities and the links between endpoints.
  cost::CostTable table;
  /// PipeEdge inputs: planned without source and sink transfers, as PipeEdge does.
  bool pipeedge = false;
  /// What the model import could not represent exactly (unsupported ONNX operators, ...).
  std::vector<Diagnostic> warnings;

  /// The platform's topology; full mesh for problem files and PipeEdge inputs (their tables
  /// give a link per pair).
  [[nodiscard]] hw::Topology topology() const;
  /// The shared channels behind the table's links (the simulator's routes); dedicated links
  /// for problem files and PipeEdge inputs.
  [[nodiscard]] hw::Network network() const;
};

struct AssembleOptions {
  /// How the device kinds count work (`tessera estimate --neurosim-conventions`).
  cost::CostOptions cost;
  /// Copy ONNX weight values into the graph (the runtime needs them; planning needs shapes).
  bool read_weight_data = false;
};

/// Assembles the problem `inputs` name, collecting every problem of the model and the platform
/// before failing: the model is loaded (zoo name, .onnx file) and fused into a layer chain, the
/// platform read (preset or YAML, every device's params checked by its kind), the cost table
/// built, and NeuroSim reports (`inputs.neurosim`) applied; a problem file or PipeEdge's three
/// files give the table directly. A batch of 0 means the default: 1, or 8 for PipeEdge inputs.
[[nodiscard]] Result<Problem> assemble(const io::ProblemInputs& inputs,
                                       const AssembleOptions& options = {});

/// Gives a problem made from a problem file (measured costs, no model: `tessera profile`'s
/// output) its model, so its plans can run: loads `model` (zoo name or ONNX file, at the table's
/// batch) and its layer chain, and checks that the chain has the table's layers, by count and
/// name. Fails naming both when they differ; does nothing when the problem has a model.
[[nodiscard]] Status attach_model(Problem& problem, const std::string& model,
                                  const AssembleOptions& options = {});

}  // namespace tessera::problem
