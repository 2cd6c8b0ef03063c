// What the executor runs: one place that says, per operator, what it lacks.
#include <algorithm>
#include <set>
#include <string>

#include "runtime/detail/compiler.hpp"

namespace tessera::runtime::detail {

namespace {

using graph::OpKind;

bool constant(const graph::Graph& g, TensorId t) {
  return g.tensor(t).data.has_value() || g.tensor(t).is_weight;
}

std::int64_t extra_int(const graph::Op& op, const std::string& name, std::int64_t fallback) {
  const auto it = op.attrs.extra.find(name);
  return it == op.attrs.extra.end() || it->second.ints.empty() ? fallback : it->second.ints[0];
}

/// Attributes left in `extra` that the executor reads or that do not change inference.
bool known_extra(OpKind kind, const std::string& name) {
  // consumed_inputs: opset < 6, no effect; input_slots: positions of the inputs given.
  static const std::set<std::string> kAnywhere = {"consumed_inputs", "input_slots"};
  if (kAnywhere.count(name)) return true;
  switch (kind) {
    case OpKind::kConv:
    case OpKind::kAveragePool:
    case OpKind::kMaxPool:
      return name == "auto_pad" || name == "storage_order";
    case OpKind::kBatchNorm:
      return name == "momentum" || name == "spatial" || name == "is_test" ||
             name == "training_mode";
    case OpKind::kLayerNorm:
      return name == "stash_type";
    case OpKind::kSoftmax:
      return name == "coerce_2d";
    case OpKind::kSlice:
      return name == "starts" || name == "ends" || name == "steps";
    case OpKind::kSplit:
      return name == "num_outputs";
    case OpKind::kReduceMean:
      return name == "noop_with_empty_axes";
    case OpKind::kPad:
      return name == "value";
    case OpKind::kCast:
      return name == "to" || name == "saturate";
    case OpKind::kDropout:
      return name == "ratio" || name == "seed";
    case OpKind::kReshape:
      return name == "allowzero";  // the output shape comes from shape inference either way
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
    case OpKind::kGemm:
      return name == "broadcast";  // opset < 7: C or B broadcast (numpy rules give the same)
    default:
      return false;
  }
}

bool is_unary_float(OpKind k) {
  switch (k) {
    case OpKind::kRelu:
    case OpKind::kClip:
    case OpKind::kSigmoid:
    case OpKind::kHardSigmoid:
    case OpKind::kHardSwish:
    case OpKind::kTanh:
    case OpKind::kGelu:
    case OpKind::kErf:
    case OpKind::kSqrt:
      return true;
    default:
      return false;
  }
}

std::string float_only(const graph::Graph& g, const graph::Op& op) {
  for (TensorId t : op.inputs)
    if (g.tensor(t).dtype != DType::kFloat32)
      return "element type " + std::string(dtype_name(g.tensor(t).dtype)) + " of input '" +
             g.tensor(t).name + "' (this operator runs float32 only)";
  for (TensorId t : op.outputs)
    if (g.tensor(t).dtype != DType::kFloat32)
      return "element type " + std::string(dtype_name(g.tensor(t).dtype)) + " of output '" +
             g.tensor(t).name + "' (this operator runs float32 only)";
  return {};
}

std::string window_support(const graph::Graph& g, const graph::Op& op) {
  const auto& x = g.tensor(op.inputs[0]).shape;
  if (x.size() < 3 || x.size() > 5)
    return "input rank " + std::to_string(x.size()) + " (1-D to 3-D windows only)";
  const std::size_t n = x.size() - 2;
  const auto& a = op.attrs;
  if (a.kernel_shape.size() != n || a.strides.size() != n || a.pads.size() != 2 * n ||
      (!a.dilations.empty() && a.dilations.size() != n))
    return "window attributes (kernel_shape, strides, pads, dilations) that do not match the "
           "input rank";
  return {};
}

}  // namespace

int input_at(const graph::Op& op, int slot) {
  const auto it = op.attrs.extra.find("input_slots");
  if (it == op.attrs.extra.end()) return slot < static_cast<int>(op.inputs.size()) ? slot : -1;
  const auto& slots = it->second.ints;
  const auto pos = std::find(slots.begin(), slots.end(), slot);
  return pos == slots.end() ? -1 : static_cast<int>(pos - slots.begin());
}

std::string op_type(const graph::Op& op) {
  if ((op.kind == OpKind::kGeneric || op.kind == OpKind::kConstant) && !op.attrs.mode.empty())
    return op.attrs.mode;
  return std::string(graph::op_kind_name(op.kind));
}

std::string missing_support(const graph::Graph& g, const graph::Op& op) {
  for (const auto& [name, value] : op.attrs.extra)
    if (!known_extra(op.kind, name)) return "attribute '" + name + "'";
  const auto& a = op.attrs;
  auto input_constant = [&](std::size_t i) {
    return i < op.inputs.size() && constant(g, op.inputs[i]);
  };
  switch (op.kind) {
    case OpKind::kConv: {
      if (auto s = float_only(g, op); !s.empty()) return s;
      return window_support(g, op);
    }
    case OpKind::kGemm:
    case OpKind::kMatMul:
      return float_only(g, op);
    case OpKind::kBatchNorm:
      if (op.outputs.size() > 1) return "training outputs (running mean and variance)";
      if (extra_int(op, "training_mode", 0) != 0) return "training_mode = 1";
      if (extra_int(op, "spatial", 1) != 1) return "spatial = 0";
      if (g.tensor(op.inputs[0]).shape.size() < 2) return "input of rank below 2";
      if (op.inputs.size() != 5 && op.inputs.size() != 3)
        return "inputs other than (X, scale, B, mean, var) or (X, scale, B)";
      return float_only(g, op);
    case OpKind::kLayerNorm: {
      if (auto s = float_only(g, op); !s.empty()) return s;
      const auto rank = static_cast<std::int64_t>(g.tensor(op.inputs[0]).shape.size());
      const std::int64_t axis = a.axis < 0 ? a.axis + rank : a.axis;
      Dims norm(g.tensor(op.inputs[0]).shape.begin() + axis, g.tensor(op.inputs[0]).shape.end());
      for (std::size_t i = 1; i < op.inputs.size(); ++i)
        if (graph::element_count(g.tensor(op.inputs[i]).shape) != graph::element_count(norm))
          return "scale or bias '" + g.tensor(op.inputs[i]).name +
                 "' broadcast over the normalised axes (its shape must be theirs)";
      return {};
    }
    case OpKind::kSoftmax:
      return float_only(g, op);
    case OpKind::kPow:
      return float_only(g, op);
    case OpKind::kClip:
      for (std::size_t i = 1; i < op.inputs.size(); ++i)
        if (g.tensor(op.inputs[i]).elements() != 1) return "a min or max that is not a scalar";
      return float_only(g, op);
    case OpKind::kGelu:
      if (a.mode != "none" && a.mode != "tanh") return "approximate = '" + a.mode + "'";
      return float_only(g, op);
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      if (op.inputs.size() != 2) return "more than two inputs";
      return float_only(g, op);
    case OpKind::kMaxPool:
    case OpKind::kAveragePool: {
      if (op.outputs.size() > 1) return "output Indices";
      if (auto s = float_only(g, op); !s.empty()) return s;
      if (auto s = window_support(g, op); !s.empty()) return s;
      if (op.kind == OpKind::kAveragePool && a.count_include_pad && a.ceil_mode)
        return "ceil_mode with count_include_pad";
      return {};
    }
    case OpKind::kGlobalAveragePool:
    case OpKind::kReduceMean:
      if (op.kind == OpKind::kReduceMean && op.inputs.size() > 1 && !input_constant(1))
        return "non-constant axes";
      if (extra_int(op, "noop_with_empty_axes", 0) != 0 && a.axes.empty())
        return "noop_with_empty_axes = 1";
      if (g.tensor(op.inputs[0]).shape.empty()) return "a scalar input";
      return float_only(g, op);
    case OpKind::kSlice:
      for (std::size_t i = 1; i < op.inputs.size(); ++i)
        if (!input_constant(i)) return "non-constant starts, ends, axes or steps";
      return {};
    case OpKind::kPad:
      if (op.inputs.size() > 1 && !input_constant(1)) return "non-constant pads";
      if (op.inputs.size() > 3) return "input axes";
      if (a.mode != "constant" && a.mode != "reflect" && a.mode != "edge")
        return "mode '" + a.mode + "'";
      if (a.pads.size() != 2 * g.tensor(op.inputs[0]).shape.size()) return "pads of another rank";
      return {};
    case OpKind::kGather:
    case OpKind::kEmbedding: {
      const DType t = g.tensor(op.inputs[1]).dtype;
      if (t != DType::kInt64 && t != DType::kInt32)
        return "indices of element type " + std::string(dtype_name(t));
      return {};
    }
    case OpKind::kWhere:
      if (g.tensor(op.inputs[0]).dtype != DType::kBool) return "a condition that is not bool";
      return {};
    case OpKind::kCast: {
      for (TensorId t : {op.inputs[0], op.outputs[0]}) {
        const DType d = g.tensor(t).dtype;
        if (d != DType::kFloat32 && d != DType::kInt64 && d != DType::kInt32 && d != DType::kBool &&
            d != DType::kInt8 && d != DType::kUInt8)
          return "element type " + std::string(dtype_name(d)) +
                 " (casts between float32, int64, int32, int8, uint8 and bool)";
      }
      return {};
    }
    case OpKind::kDropout:
      if (const auto i = input_at(op, 2); i >= 0) {
        const auto& mode = g.tensor(op.inputs[static_cast<std::size_t>(i)]);
        if (!mode.data || mode.data->empty() || (*mode.data)[0] != std::byte{0})
          return "input training_mode that is not a constant false (inference only)";
      }
      return {};
    case OpKind::kSplit:
    case OpKind::kConcat:
    case OpKind::kFlatten:
    case OpKind::kReshape:
    case OpKind::kTranspose:
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
    case OpKind::kExpand:
    case OpKind::kIdentity:
      return {};
    case OpKind::kShape:
    case OpKind::kConstant:
    case OpKind::kConstantOfShape:
      return "a value that depends on run-time data (the importer folds only shape and constant "
             "chains)";
    default:
      break;
  }
  if (is_unary_float(op.kind)) return float_only(g, op);
  return "operator type " + op_type(op);
}

}  // namespace tessera::runtime::detail
