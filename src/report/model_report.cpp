#include "tessera/report/model_report.hpp"

#include <nlohmann/json.hpp>

#include "tessera/report/text_table.hpp"

namespace tessera::report {

namespace {

std::int64_t batch_of(const graph::Graph& g) {
  if (g.inputs().empty()) return 1;
  const auto& s = g.tensor(g.inputs().front()).shape;
  return s.empty() ? 1 : s.front();
}

}  // namespace

std::string model_table(const graph::Graph& graph, const graph::LayerChain& chain) {
  using A = TextTable::Align;
  TextTable table(
      {"#", "layer", "op", "output", "MACs", "weights", "output", "cut after"},
      {A::kRight, A::kLeft, A::kLeft, A::kLeft, A::kRight, A::kRight, A::kRight, A::kRight});
  std::int64_t flops = 0;
  for (const auto& layer : chain.layers) {
    flops += layer.flops;
    const auto l = static_cast<std::size_t>(layer.id.value());
    table.add_row(
        {std::to_string(l), layer.name, std::string(graph::op_kind_name(layer.anchor_kind)),
         graph::shape_to_string(layer.output_shape), human_count(static_cast<double>(layer.macs)),
         human_bytes(static_cast<double>(layer.weight_bytes)),
         human_bytes(static_cast<double>(layer.output_bytes)),
         human_bytes(static_cast<double>(chain.cut_bytes[l + 1]))});
  }
  std::string out = "model " + graph.name + ", batch " + std::to_string(batch_of(graph)) + ", " +
                    count_of(static_cast<std::int64_t>(chain.size()), "layer") + " (" +
                    count_of(static_cast<std::int64_t>(graph.ops().size()), "operator") +
                    " fused), input " + human_bytes(static_cast<double>(chain.cut_bytes.front())) +
                    "\n\n";
  out += table.render();
  out += "\nparameters   " + group_digits(graph.parameter_count()) + "\n";
  out += "MACs         " + group_digits(graph.total_macs()) + " (" +
         human_count(static_cast<double>(graph.total_macs())) + ")\n";
  out += "FLOPs        " + group_digits(flops) + "\n";
  out += "weight bytes " + group_digits(graph.weight_bytes()) + " (" +
         human_bytes(static_cast<double>(graph.weight_bytes())) + ")\n";
  return out;
}

std::string model_json(const graph::Graph& graph, const graph::LayerChain& chain) {
  nlohmann::ordered_json doc;
  doc["format"] = "tessera.model/1";
  doc["name"] = graph.name;
  doc["batch"] = batch_of(graph);
  auto& layers = doc["layers"] = nlohmann::ordered_json::array();
  std::int64_t flops = 0;
  for (const auto& layer : chain.layers) {
    flops += layer.flops;
    nlohmann::ordered_json ops = nlohmann::ordered_json::array();
    for (auto id : layer.ops) {
      const auto& op = graph.op(id);
      ops.push_back({{"name", op.name}, {"op", graph::op_kind_name(op.kind)}});
    }
    const auto l = static_cast<std::size_t>(layer.id.value());
    layers.push_back({{"index", layer.id.value()},
                      {"name", layer.name},
                      {"op", graph::op_kind_name(layer.anchor_kind)},
                      {"output_shape", layer.output_shape},
                      {"macs", layer.macs},
                      {"flops", layer.flops},
                      {"parameters", layer.parameters},
                      {"weight_bytes", layer.weight_bytes},
                      {"output_bytes", layer.output_bytes},
                      {"workspace_bytes", layer.workspace_bytes},
                      {"cut_after_bytes", chain.cut_bytes[l + 1]},
                      {"operators", std::move(ops)}});
  }
  auto& cuts = doc["cuts"] = nlohmann::ordered_json::array();
  for (std::size_t k = 0; k < chain.cut_bytes.size(); ++k) {
    nlohmann::ordered_json names = nlohmann::ordered_json::array();
    for (auto t : chain.cut_tensors[k]) names.push_back(graph.tensor(t).name);
    cuts.push_back({{"before_layer", k}, {"bytes", chain.cut_bytes[k]}, {"tensors", names}});
  }
  doc["totals"] = {{"parameters", graph.parameter_count()},
                   {"macs", graph.total_macs()},
                   {"flops", flops},
                   {"weight_bytes", graph.weight_bytes()},
                   {"layers", chain.size()},
                   {"operators", graph.ops().size()}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace tessera::report
