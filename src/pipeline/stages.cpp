#include "tessera/pipeline/stages.hpp"

namespace tessera::pipeline {

std::int64_t message_bytes(const graph::Graph& graph, const std::vector<TensorId>& tensors) {
  std::int64_t total = 0;
  for (TensorId t : tensors) total += graph.tensor(t).bytes();
  return total;
}

Result<std::vector<PipelineStage>> pipeline_stages(const graph::Graph& graph,
                                                   const graph::LayerChain& chain,
                                                   const plan::Plan& plan,
                                                   const std::vector<std::string>& device_names) {
  std::vector<Diagnostic> problems;
  auto fail = [&](const std::string& field, const std::string& message) {
    problems.push_back(Diagnostic{"", 0, 0, field, message});
  };
  const std::int32_t layers = chain.size();
  if (plan.stages.empty()) fail("stages", "the plan has no stages");
  if (static_cast<std::int32_t>(chain.cut_tensors.size()) != layers + 1)
    fail("model", "the layer chain has no cut tensors");
  std::vector<PipelineStage> out;
  std::int32_t next = 0;
  for (std::size_t i = 0; i < plan.stages.size() && problems.empty(); ++i) {
    const plan::Stage& s = plan.stages[i];
    const std::string field = "stages[" + std::to_string(i) + "]";
    const std::int32_t first = s.first_layer.value();
    const std::int32_t last = s.last_layer.value();
    if (first != next || last < first || last >= layers) {
      fail(field, "layers " + std::to_string(first) + ".." + std::to_string(last) +
                      " do not continue the plan at layer " + std::to_string(next) + " of " +
                      std::to_string(layers) + " (the plan was made for another model?)");
      break;
    }
    const auto d = static_cast<std::size_t>(s.device.value());
    if (d >= device_names.size()) {
      fail(field, "device id " + std::to_string(d) + " is not on the platform");
      break;
    }
    PipelineStage p;
    p.index = static_cast<std::int32_t>(i);
    p.device = device_names[d];
    p.device_id = static_cast<std::int32_t>(d);
    p.first_layer = first;
    p.last_layer = last;
    for (std::int32_t l = first; l <= last; ++l) {
      const auto& ops = chain.layers[static_cast<std::size_t>(l)].ops;
      p.ops.insert(p.ops.end(), ops.begin(), ops.end());
    }
    p.inputs = chain.cut_tensors[static_cast<std::size_t>(first)];
    p.outputs = chain.cut_tensors[static_cast<std::size_t>(last) + 1];
    p.input_bytes = message_bytes(graph, p.inputs);
    p.output_bytes = message_bytes(graph, p.outputs);
    p.planned_compute_s = s.compute_s;
    p.planned_send_s = s.send_s;
    out.push_back(std::move(p));
    next = last + 1;
  }
  if (problems.empty() && next != layers)
    fail("stages", "the stages end at layer " + std::to_string(next) + " but the model has " +
                       std::to_string(layers) + " layers (the plan was made for another model?)");
  if (!problems.empty()) return problems;
  return out;
}

}  // namespace tessera::pipeline
