#include "tessera/graph/graph.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_set>

namespace tessera::graph {

std::int64_t saturating_mul(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return std::numeric_limits<std::int64_t>::max();
  return out;
}

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) return std::numeric_limits<std::int64_t>::max();
  return out;
}

std::int64_t element_count(const Shape& shape) {
  std::int64_t n = 1;
  for (auto d : shape) {
    if (d <= 0) return 0;
    n = saturating_mul(n, d);
  }
  return n;
}

std::string shape_to_string(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string out;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += 'x';
    out += std::to_string(shape[i]);
  }
  return out;
}

std::string_view op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::kConv:
      return "Conv";
    case OpKind::kConvTranspose:
      return "ConvTranspose";
    case OpKind::kGemm:
      return "Gemm";
    case OpKind::kMatMul:
      return "MatMul";
    case OpKind::kEmbedding:
      return "Embedding";
    case OpKind::kBatchNorm:
      return "BatchNormalization";
    case OpKind::kLayerNorm:
      return "LayerNormalization";
    case OpKind::kSoftmax:
      return "Softmax";
    case OpKind::kRelu:
      return "Relu";
    case OpKind::kClip:
      return "Clip";
    case OpKind::kSigmoid:
      return "Sigmoid";
    case OpKind::kHardSigmoid:
      return "HardSigmoid";
    case OpKind::kHardSwish:
      return "HardSwish";
    case OpKind::kTanh:
      return "Tanh";
    case OpKind::kGelu:
      return "Gelu";
    case OpKind::kErf:
      return "Erf";
    case OpKind::kSqrt:
      return "Sqrt";
    case OpKind::kPow:
      return "Pow";
    case OpKind::kCast:
      return "Cast";
    case OpKind::kIdentity:
      return "Identity";
    case OpKind::kDropout:
      return "Dropout";
    case OpKind::kAdd:
      return "Add";
    case OpKind::kSub:
      return "Sub";
    case OpKind::kMul:
      return "Mul";
    case OpKind::kDiv:
      return "Div";
    case OpKind::kWhere:
      return "Where";
    case OpKind::kMaxPool:
      return "MaxPool";
    case OpKind::kAveragePool:
      return "AveragePool";
    case OpKind::kGlobalAveragePool:
      return "GlobalAveragePool";
    case OpKind::kReduceMean:
      return "ReduceMean";
    case OpKind::kConcat:
      return "Concat";
    case OpKind::kSplit:
      return "Split";
    case OpKind::kSlice:
      return "Slice";
    case OpKind::kGather:
      return "Gather";
    case OpKind::kFlatten:
      return "Flatten";
    case OpKind::kReshape:
      return "Reshape";
    case OpKind::kTranspose:
      return "Transpose";
    case OpKind::kSqueeze:
      return "Squeeze";
    case OpKind::kUnsqueeze:
      return "Unsqueeze";
    case OpKind::kExpand:
      return "Expand";
    case OpKind::kPad:
      return "Pad";
    case OpKind::kResize:
      return "Resize";
    case OpKind::kShape:
      return "Shape";
    case OpKind::kConstant:
      return "Constant";
    case OpKind::kConstantOfShape:
      return "ConstantOfShape";
    case OpKind::kGeneric:
      return "Generic";
  }
  return "Generic";
}

bool is_compute_anchor(OpKind kind) {
  switch (kind) {
    case OpKind::kConv:
    case OpKind::kConvTranspose:
    case OpKind::kGemm:
    case OpKind::kMatMul:
    case OpKind::kEmbedding:
    case OpKind::kGeneric:
      return true;
    default:
      return false;
  }
}

bool is_shape_only(OpKind kind) {
  return kind == OpKind::kShape || kind == OpKind::kConstant || kind == OpKind::kConstantOfShape;
}

TensorId Graph::add_tensor(Tensor t) {
  t.id = TensorId(static_cast<std::int32_t>(tensors_.size()));
  tensors_.push_back(std::move(t));
  return tensors_.back().id;
}

OpId Graph::add_op(Op op) {
  op.id = OpId(static_cast<std::int32_t>(ops_.size()));
  ops_.push_back(std::move(op));
  return ops_.back().id;
}

std::vector<OpId> Graph::producers() const {
  std::vector<OpId> out(tensors_.size());
  for (const auto& op : ops_)
    for (auto t : op.outputs) out[t.index()] = op.id;
  return out;
}

std::vector<std::vector<OpId>> Graph::consumers() const {
  std::vector<std::vector<OpId>> out(tensors_.size());
  for (const auto& op : ops_)
    for (auto t : op.inputs)
      if (out[t.index()].empty() || out[t.index()].back() != op.id) out[t.index()].push_back(op.id);
  return out;
}

namespace {

/// Arithmetic operations per output element of the non-MAC operators. Rough but documented:
/// these operators are memory-bound on every device Tessera models, so their FLOPs only decide
/// energy, never the roofline's compute bound.
std::int64_t flops_per_element(OpKind kind) {
  switch (kind) {
    case OpKind::kGeneric:  // an operator Tessera does not model: costed as elementwise
    case OpKind::kRelu:
    case OpKind::kClip:
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
    case OpKind::kWhere:
    case OpKind::kSqrt:
    case OpKind::kPow:
      return 1;
    case OpKind::kBatchNorm:  // folded to one multiply-add per element at inference
    case OpKind::kHardSigmoid:
      return 2;
    case OpKind::kHardSwish:
      return 4;
    case OpKind::kSigmoid:
    case OpKind::kTanh:
    case OpKind::kErf:
      return 4;
    case OpKind::kSoftmax:  // max, subtract, exp, sum, divide
      return 5;
    case OpKind::kLayerNorm:  // mean, variance, normalise, scale, shift
      return 8;
    case OpKind::kGelu:
      return 8;
    default:
      return 0;
  }
}

}  // namespace

OpWork Graph::work(const Op& op) const {
  OpWork w;
  std::unordered_set<std::int32_t> seen_weights;
  for (auto t : op.inputs) {
    const auto& tensor = tensors_[t.index()];
    if (tensor.is_weight) {
      if (seen_weights.insert(t.value()).second)
        w.weight_bytes = saturating_add(w.weight_bytes, tensor.bytes());
    } else {
      w.input_bytes = saturating_add(w.input_bytes, tensor.bytes());
    }
  }
  std::int64_t out_elements = 0;
  for (auto t : op.outputs) {
    w.output_bytes = saturating_add(w.output_bytes, tensors_[t.index()].bytes());
    out_elements = saturating_add(out_elements, tensors_[t.index()].elements());
  }
  auto in_shape = [&](std::size_t i) -> const Shape& {
    return tensors_[op.inputs[i].index()].shape;
  };
  switch (op.kind) {
    case OpKind::kConv: {
      // Each output element reads Cin/groups * prod(kernel) inputs: weight elements / Cout.
      const auto& wshape = in_shape(1);
      const std::int64_t per_out =
          wshape.empty() || wshape[0] == 0 ? 0 : element_count(wshape) / wshape[0];
      w.macs = saturating_mul(out_elements, per_out);
      w.flops = saturating_add(saturating_mul(2, w.macs), op.inputs.size() > 2 ? out_elements : 0);
      break;
    }
    case OpKind::kConvTranspose: {
      // Each input element scatters into Cout/groups * prod(kernel) outputs: weight elements / Cin.
      const auto& wshape = in_shape(1);
      const std::int64_t per_in =
          wshape.empty() || wshape[0] == 0 ? 0 : element_count(wshape) / wshape[0];
      w.macs = saturating_mul(element_count(in_shape(0)), per_in);
      w.flops = saturating_add(saturating_mul(2, w.macs), op.inputs.size() > 2 ? out_elements : 0);
      break;
    }
    case OpKind::kGemm: {
      const auto& a = in_shape(0);
      const std::int64_t k = a.size() < 2 ? 1 : (op.attrs.trans_a ? a[0] : a[1]);
      w.macs = saturating_mul(out_elements, std::max<std::int64_t>(k, 0));
      w.flops = saturating_add(saturating_mul(2, w.macs), op.inputs.size() > 2 ? out_elements : 0);
      break;
    }
    case OpKind::kMatMul: {
      const auto& a = in_shape(0);
      const std::int64_t k = a.empty() ? 1 : a.back();
      w.macs = saturating_mul(out_elements, std::max<std::int64_t>(k, 0));
      w.flops = saturating_mul(2, w.macs);
      break;
    }
    case OpKind::kMaxPool:
    case OpKind::kAveragePool: {
      w.flops = saturating_mul(out_elements,
                               std::max<std::int64_t>(element_count(op.attrs.kernel_shape), 1));
      break;
    }
    case OpKind::kGlobalAveragePool:
    case OpKind::kReduceMean: {
      w.flops = op.inputs.empty() ? 0 : element_count(in_shape(0));
      break;
    }
    default:
      w.flops = saturating_mul(out_elements, flops_per_element(op.kind));
      break;
  }
  return w;
}

std::int64_t Graph::parameter_count() const {
  std::vector<char> used(tensors_.size(), 0);
  for (const auto& op : ops_)
    for (auto t : op.inputs) used[t.index()] = 1;
  std::int64_t n = 0;
  for (const auto& t : tensors_)
    if (t.is_weight && used[t.id.index()]) n = saturating_add(n, t.elements());
  return n;
}

std::int64_t Graph::weight_bytes() const {
  std::vector<char> used(tensors_.size(), 0);
  for (const auto& op : ops_)
    for (auto t : op.inputs) used[t.index()] = 1;
  std::int64_t n = 0;
  for (const auto& t : tensors_)
    if (t.is_weight && used[t.id.index()]) n = saturating_add(n, t.bytes());
  return n;
}

std::int64_t Graph::total_macs() const {
  std::int64_t n = 0;
  for (const auto& op : ops_) n = saturating_add(n, work(op).macs);
  return n;
}

}  // namespace tessera::graph
