#include "tessera/cost/roofline/roofline_model.hpp"

#include <algorithm>

namespace tessera::cost {

double roofline_efficiency(const graph::Graph& graph, const graph::Op& op,
                           const hw::Device& device) {
  const auto& e = device.efficiency;
  switch (op.kind) {
    case graph::OpKind::kConv:
    case graph::OpKind::kConvTranspose: {
      // Depthwise: one input channel per group (MobileNet); reaches far less of peak.
      const auto& w = graph.tensor(op.inputs.at(1)).shape;
      const bool depthwise = op.attrs.groups > 1 && w.size() > 1 && w[1] == 1;
      return depthwise ? e.depthwise_conv : e.conv;
    }
    case graph::OpKind::kGemm:
      return e.gemm;
    case graph::OpKind::kMatMul: {
      const bool has_weight = std::any_of(op.inputs.begin(), op.inputs.end(),
                                          [&](TensorId t) { return graph.tensor(t).is_weight; });
      return has_weight ? e.gemm : e.matmul;
    }
    default:
      return e.other;
  }
}

std::vector<std::string> roofline_kind_names() {
  return {"cpu", "gpu"};
}

bool RooflineModel::do_supports(const graph::Op& /*op*/, const hw::Device& device) const noexcept {
  return device.kind == "cpu" || device.kind == "gpu";  // roofline_kind_names()
}

OpCost RooflineModel::do_estimate(const graph::Graph& graph, const graph::Op& op,
                                  const hw::Device& device, std::int64_t fused_bytes_saved) const {
  const auto work = graph.work(op);
  graph::DType dtype = graph::DType::kFloat32;
  if (!op.outputs.empty()) dtype = graph.tensor(op.outputs.front()).dtype;
  auto peak_it = device.peak.find(dtype);
  if (peak_it == device.peak.end()) peak_it = device.peak.find(graph::DType::kFloat32);
  const double peak = peak_it == device.peak.end() ? 0.0 : peak_it->second.value();
  const double efficiency = roofline_efficiency(graph, op, device);

  const double bytes = static_cast<double>(std::max<std::int64_t>(
      work.weight_bytes + work.input_bytes + work.output_bytes - fused_bytes_saved, 0));
  const double compute_s =
      work.flops == 0 ? 0.0 : static_cast<double>(work.flops) / (peak * efficiency);
  const double memory_s =
      bytes == 0.0 ? 0.0 : bytes / (device.memory_bandwidth.value() * device.efficiency.memory);

  OpCost c;
  c.time = Seconds(std::max(compute_s, memory_s));
  c.compute_bound = compute_s >= memory_s;
  const double compute_j = static_cast<double>(work.flops) * device.energy_per_flop.value();
  const double memory_j = bytes * device.energy_per_byte.value();
  c.energy = Joules(compute_j + memory_j);
  c.memory = ResourceAmount(static_cast<double>(work.weight_bytes));  // capacity unit: bytes
  c.workspace = Bytes(static_cast<double>(work.input_bytes + work.output_bytes));
  c.parts["compute_s"] = compute_s;
  c.parts["memory_s"] = memory_s;
  c.parts["compute_j"] = compute_j;
  c.parts["memory_j"] = memory_j;
  return c;
}

}  // namespace tessera::cost
