#include "onnx/detail/onnx_ops.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

namespace tessera::onnx::detail {

namespace {

using graph::OpKind;
using Dims = std::vector<std::int64_t>;

bool default_domain(const ::onnx::NodeProto& node) {
  return node.domain().empty() || node.domain() == "ai.onnx";
}

/// Reads a node's attributes and remembers which ones a named field took, so that the others
/// go to `extra`.
class AttributeReader {
 public:
  explicit AttributeReader(const ::onnx::NodeProto& node) : node_(node) {}

  const ::onnx::AttributeProto* find(std::string_view name) {
    for (const auto& a : node_.attribute())
      if (a.name() == name) {
        used_.insert(a.name());
        return &a;
      }
    return nullptr;
  }
  std::int64_t get_int(std::string_view name, std::int64_t fallback) {
    const auto* a = find(name);
    return a != nullptr ? a->i() : fallback;
  }
  double get_float(std::string_view name, double fallback) {
    const auto* a = find(name);
    return a != nullptr ? a->f() : fallback;
  }
  std::string get_string(std::string_view name, const std::string& fallback) {
    const auto* a = find(name);
    return a != nullptr ? a->s() : fallback;
  }
  /// A string attribute, left for `extra`.
  std::string peek_string(std::string_view name, std::string fallback) const {
    for (const auto& a : node_.attribute())
      if (a.name() == name) return a.s();
    return fallback;
  }
  std::optional<Dims> get_ints(std::string_view name) {
    const auto* a = find(name);
    if (a == nullptr) return std::nullopt;
    return Dims(a->ints().begin(), a->ints().end());
  }
  /// Attributes no named field took.
  std::map<std::string, graph::ExtraAttribute> rest() const {
    std::map<std::string, graph::ExtraAttribute> out;
    for (const auto& a : node_.attribute())
      if (!used_.count(a.name())) out[a.name()] = to_extra(a);
    return out;
  }

 private:
  static graph::ExtraAttribute to_extra(const ::onnx::AttributeProto& a) {
    graph::ExtraAttribute e;
    switch (a.type()) {
      case ::onnx::AttributeProto::INT:
        e.ints = {a.i()};
        break;
      case ::onnx::AttributeProto::INTS:
        e.ints.assign(a.ints().begin(), a.ints().end());
        break;
      case ::onnx::AttributeProto::FLOAT:
        e.floats = {a.f()};
        break;
      case ::onnx::AttributeProto::FLOATS:
        e.floats.assign(a.floats().begin(), a.floats().end());
        break;
      case ::onnx::AttributeProto::STRING:
        e.text = a.s();
        break;
      case ::onnx::AttributeProto::STRINGS:
        for (const auto& s : a.strings()) e.text += (e.text.empty() ? "" : ",") + s;
        break;
      case ::onnx::AttributeProto::TENSOR: {
        if (auto v = fold_tensor_proto(a.t())) {
          if (v->is_real())
            e.floats = v->reals;
          else
            e.ints = v->ints;
        }
        e.text = "tensor";
        break;
      }
      case ::onnx::AttributeProto::GRAPH:
        e.text = "graph '" + a.g().name() + "' of " + std::to_string(a.g().node_size()) + " nodes";
        break;
      default:
        e.text = ::onnx::AttributeProto_AttributeType_Name(a.type());
        break;
    }
    return e;
  }

  const ::onnx::NodeProto& node_;
  std::set<std::string> used_;
};

const FoldedTensor* value_at(const NodeOperands& ops, std::size_t slot) {
  return slot < ops.input_values.size() ? ops.input_values[slot] : nullptr;
}
const Dims* shape_at(const std::vector<const Dims*>& shapes, std::size_t slot) {
  return slot < shapes.size() ? shapes[slot] : nullptr;
}

Dims integers(const FoldedTensor& v) {
  Dims out;
  for (std::int64_t i = 0; i < v.size(); ++i) out.push_back(v.integer(i));
  return out;
}

/// Explicit [begin..., end...] pads for ONNX auto_pad (SAME_UPPER puts the odd pixel at the end,
/// SAME_LOWER at the beginning; ONNX operator spec, Conv and pooling operators).
Dims same_pads(const std::string& auto_pad, const Dims& in_spatial, const Dims& out_spatial,
               const Dims& kernel, const Dims& strides, const Dims& dilations, bool transpose,
               const Dims& output_padding) {
  const std::size_t n = in_spatial.size();
  Dims pads(2 * n, 0);
  if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER") return pads;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
    std::int64_t total = 0;
    if (transpose) {
      const std::int64_t out_padding = i < output_padding.size() ? output_padding[i] : 0;
      total = strides[i] * (in_spatial[i] - 1) + out_padding + extent - out_spatial[i];
    } else {
      total = (out_spatial[i] - 1) * strides[i] + extent - in_spatial[i];
    }
    total = std::max<std::int64_t>(total, 0);
    const std::int64_t small = total / 2;
    pads[i] = auto_pad == "SAME_UPPER" ? small : total - small;
    pads[i + n] = total - pads[i];
  }
  return pads;
}

/// Conv, ConvTranspose and pooling windows.
void window_attributes(AttributeReader& r, OpKind kind, const NodeOperands& ops,
                       graph::OpAttributes& a) {
  const Dims* x = shape_at(ops.input_shapes, 0);
  const Dims* y = shape_at(ops.output_shapes, 0);
  const std::size_t spatial = x != nullptr && x->size() >= 2 ? x->size() - 2 : 0;
  const bool conv = kind == OpKind::kConv || kind == OpKind::kConvTranspose;
  if (auto k = r.get_ints("kernel_shape")) {
    a.kernel_shape = *k;
  } else if (const Dims* w = shape_at(ops.input_shapes, 1); conv && w != nullptr && w->size() > 2) {
    a.kernel_shape.assign(w->begin() + 2, w->end());
  }
  a.strides = r.get_ints("strides").value_or(Dims(spatial, 1));
  a.dilations = r.get_ints("dilations").value_or(Dims(spatial, 1));
  if (kind == OpKind::kConvTranspose)
    a.output_padding = r.get_ints("output_padding").value_or(Dims(spatial, 0));
  if (conv) a.groups = r.get_int("group", 1);
  if (kind == OpKind::kMaxPool || kind == OpKind::kAveragePool)
    a.ceil_mode = r.get_int("ceil_mode", 0) != 0;
  if (kind == OpKind::kAveragePool) a.count_include_pad = r.get_int("count_include_pad", 0) != 0;
  // auto_pad is read without taking it, so it stays in `extra` next to the explicit pads.
  const std::string auto_pad = r.peek_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET" || auto_pad.empty()) {
    a.pads = r.get_ints("pads").value_or(Dims(2 * spatial, 0));
  } else if (auto_pad == "VALID") {
    r.find("pads");
    a.pads = Dims(2 * spatial, 0);
  } else if (x != nullptr && y != nullptr && y->size() == x->size() &&
             a.kernel_shape.size() == spatial && a.strides.size() == spatial &&
             a.dilations.size() == spatial) {
    r.find("pads");
    a.pads = same_pads(auto_pad, Dims(x->begin() + 2, x->end()), Dims(y->begin() + 2, y->end()),
                       a.kernel_shape, a.strides, a.dilations, kind == OpKind::kConvTranspose,
                       a.output_padding);
  } else {
    a.pads = Dims(2 * spatial, 0);
  }
}

}  // namespace

std::optional<OpKind> onnx_op_kind(const ::onnx::NodeProto& node) {
  const std::string& t = node.op_type();
  if (node.domain() == "com.microsoft") {
    if (t == "Gelu" || t == "FastGelu") return OpKind::kGelu;
    return std::nullopt;
  }
  if (!default_domain(node)) return std::nullopt;
  static const std::unordered_map<std::string, OpKind> kKinds = {
      {"Conv", OpKind::kConv},
      {"ConvTranspose", OpKind::kConvTranspose},
      {"Gemm", OpKind::kGemm},
      {"MatMul", OpKind::kMatMul},
      {"BatchNormalization", OpKind::kBatchNorm},
      {"LayerNormalization", OpKind::kLayerNorm},
      {"Softmax", OpKind::kSoftmax},
      {"Relu", OpKind::kRelu},
      {"Clip", OpKind::kClip},
      {"Sigmoid", OpKind::kSigmoid},
      {"HardSigmoid", OpKind::kHardSigmoid},
      {"HardSwish", OpKind::kHardSwish},
      {"Tanh", OpKind::kTanh},
      {"Gelu", OpKind::kGelu},
      {"Erf", OpKind::kErf},
      {"Sqrt", OpKind::kSqrt},
      {"Pow", OpKind::kPow},
      {"Cast", OpKind::kCast},
      {"Identity", OpKind::kIdentity},
      {"Dropout", OpKind::kDropout},
      {"Add", OpKind::kAdd},
      {"Sub", OpKind::kSub},
      {"Mul", OpKind::kMul},
      {"Div", OpKind::kDiv},
      {"Where", OpKind::kWhere},
      {"MaxPool", OpKind::kMaxPool},
      {"AveragePool", OpKind::kAveragePool},
      {"GlobalAveragePool", OpKind::kGlobalAveragePool},
      {"ReduceMean", OpKind::kReduceMean},
      {"Concat", OpKind::kConcat},
      {"Split", OpKind::kSplit},
      {"Slice", OpKind::kSlice},
      {"Gather", OpKind::kGather},
      {"Flatten", OpKind::kFlatten},
      {"Reshape", OpKind::kReshape},
      {"Transpose", OpKind::kTranspose},
      {"Squeeze", OpKind::kSqueeze},
      {"Unsqueeze", OpKind::kUnsqueeze},
      {"Expand", OpKind::kExpand},
      {"Pad", OpKind::kPad},
      {"Resize", OpKind::kResize},
      {"Upsample", OpKind::kResize},
      {"Shape", OpKind::kShape},
      {"Constant", OpKind::kConstant},
      {"ConstantOfShape", OpKind::kConstantOfShape},
  };
  const auto it = kKinds.find(t);
  if (it == kKinds.end()) return std::nullopt;
  return it->second;
}

bool is_data_input(std::string_view op, int slot) {
  if (op == "Shape" || op == "Size" || op == "ConstantOfShape" || op == "Range") return false;
  if (slot == 0) return true;
  static const std::set<std::string_view> kArgumentsAfterFirst = {
      "Reshape",   "Expand",    "Tile",           "Slice",      "Pad",
      "Resize",    "Upsample",  "Clip",           "Pow",        "Squeeze",
      "Unsqueeze", "Split",     "TopK",           "ReduceMean", "ReduceSum",
      "ReduceMax", "ReduceMin", "ReduceProd",     "OneHot",     "Dropout",
      "CumSum",    "ReduceL2",  "ReduceLogSumExp"};
  return !kArgumentsAfterFirst.count(op);
}

graph::OpAttributes onnx_op_attributes(const ::onnx::NodeProto& node, OpKind kind,
                                       const NodeOperands& ops) {
  graph::OpAttributes a;
  AttributeReader r(node);
  const Dims* x = shape_at(ops.input_shapes, 0);
  const auto rank = static_cast<std::int64_t>(x != nullptr ? x->size() : 0);
  switch (kind) {
    case OpKind::kConv:
    case OpKind::kConvTranspose:
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
      window_attributes(r, kind, ops, a);
      break;
    case OpKind::kGemm:
      a.trans_a = r.get_int("transA", 0) != 0;
      a.trans_b = r.get_int("transB", 0) != 0;
      a.alpha = r.get_float("alpha", 1.0);
      a.beta = r.get_float("beta", 1.0);
      break;
    case OpKind::kBatchNorm:
      a.epsilon = r.get_float("epsilon", 1e-5);
      break;
    case OpKind::kLayerNorm:
      a.axis = r.get_int("axis", -1);
      a.epsilon = r.get_float("epsilon", 1e-5);
      break;
    case OpKind::kSoftmax:
      a.axis = r.get_int("axis", ops.opset >= 13 ? -1 : 1);
      // Before opset 13 Softmax flattens its input to 2-D at `axis` (rows normalised as one).
      if (ops.opset < 13) a.extra["coerce_2d"].ints = {1};
      break;
    case OpKind::kClip: {
      a.alpha = std::numeric_limits<float>::lowest();
      a.beta = std::numeric_limits<float>::max();
      if (ops.opset < 11) {
        a.alpha = r.get_float("min", a.alpha);
        a.beta = r.get_float("max", a.beta);
      } else {
        if (const auto* lo = value_at(ops, 1); lo != nullptr && lo->size() == 1)
          a.alpha = lo->real(0);
        if (const auto* hi = value_at(ops, 2); hi != nullptr && hi->size() == 1)
          a.beta = hi->real(0);
      }
      break;
    }
    case OpKind::kHardSigmoid:
      a.alpha = r.get_float("alpha", 0.2);
      a.beta = r.get_float("beta", 0.5);
      break;
    case OpKind::kGelu:
      if (node.domain() == "com.microsoft")
        a.mode = node.op_type() == "FastGelu" ? "tanh" : "none";
      else
        a.mode = r.get_string("approximate", "none");
      break;
    case OpKind::kConcat:
    case OpKind::kGather:
      a.axis = r.get_int("axis", 0);
      break;
    case OpKind::kFlatten:
      a.axis = r.get_int("axis", 1);
      break;
    case OpKind::kSplit: {
      a.axis = r.get_int("axis", 0);
      r.find("split");
      const std::int64_t axis = a.axis < 0 ? a.axis + rank : a.axis;
      for (const Dims* out : ops.output_shapes)
        if (out != nullptr && axis >= 0 && axis < static_cast<std::int64_t>(out->size()))
          a.split.push_back((*out)[static_cast<std::size_t>(axis)]);
      break;
    }
    case OpKind::kSlice: {
      Dims starts, ends, steps;
      if (ops.opset < 10) {
        starts = r.get_ints("starts").value_or(Dims{});
        ends = r.get_ints("ends").value_or(Dims{});
        if (auto ax = r.get_ints("axes")) a.axes = *ax;
      } else {
        if (const auto* v = value_at(ops, 1)) starts = integers(*v);
        if (const auto* v = value_at(ops, 2)) ends = integers(*v);
        if (const auto* v = value_at(ops, 3)) a.axes = integers(*v);
        if (const auto* v = value_at(ops, 4)) steps = integers(*v);
      }
      if (a.axes.empty())
        for (std::size_t i = 0; i < starts.size(); ++i)
          a.axes.push_back(static_cast<std::int64_t>(i));
      if (steps.empty()) steps.assign(starts.size(), 1);
      a.extra["starts"].ints = starts;
      a.extra["ends"].ints = ends;
      a.extra["steps"].ints = steps;
      break;
    }
    case OpKind::kReshape:
    case OpKind::kExpand:
      if (const Dims* y = shape_at(ops.output_shapes, 0)) a.target_shape = *y;
      break;
    case OpKind::kTranspose:
      if (auto perm = r.get_ints("perm")) {
        a.perm = *perm;
      } else {
        for (std::int64_t i = rank - 1; i >= 0; --i) a.perm.push_back(i);
      }
      break;
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
      if (auto axes = r.get_ints("axes")) {
        a.axes = *axes;
      } else if (const auto* v = value_at(ops, 1)) {
        a.axes = integers(*v);
      } else if (kind == OpKind::kSqueeze && x != nullptr) {
        for (std::int64_t i = 0; i < rank; ++i)
          if ((*x)[static_cast<std::size_t>(i)] == 1) a.axes.push_back(i);
      }
      break;
    case OpKind::kReduceMean:
      if (auto axes = r.get_ints("axes")) {
        a.axes = *axes;
      } else if (const auto* v = value_at(ops, 1)) {
        a.axes = integers(*v);
      }
      a.keepdims = r.get_int("keepdims", 1) != 0;
      break;
    case OpKind::kPad:
      a.mode = r.get_string("mode", "constant");
      if (ops.opset < 11) {
        a.pads = r.get_ints("pads").value_or(Dims{});
        a.extra["value"].floats = {r.get_float("value", 0.0)};
      } else {
        if (const auto* v = value_at(ops, 1)) a.pads = integers(*v);
        if (const auto* v = value_at(ops, 2); v != nullptr && v->size() == 1)
          a.extra["value"].floats = {v->real(0)};
      }
      break;
    case OpKind::kResize:
      a.mode = r.get_string("mode", "nearest");
      if (node.op_type() == "Upsample") {  // scales: an attribute before opset 9, then input 1
        if (const auto* scales = r.find("scales"))
          a.extra["scales"].floats.assign(scales->floats().begin(), scales->floats().end());
        if (const auto* v = value_at(ops, 1))
          for (std::int64_t i = 0; i < v->size(); ++i)
            a.extra["scales"].floats.push_back(v->real(i));
      } else {
        if (const auto* v = value_at(ops, 2); v != nullptr && v->size() > 0)
          for (std::int64_t i = 0; i < v->size(); ++i)
            a.extra["scales"].floats.push_back(v->real(i));
        if (const auto* v = value_at(ops, 3); v != nullptr && v->size() > 0)
          a.extra["sizes"].ints = integers(*v);
      }
      break;
    case OpKind::kConstant:
      if (default_domain(node) && node.op_type() == "Constant") {
        for (const auto& attr : node.attribute()) r.find(attr.name());  // the value is the data
      } else {
        a.mode = node.op_type();
      }
      break;
    case OpKind::kConstantOfShape:
      if (const auto* v = r.find("value")) {
        if (auto t = fold_tensor_proto(v->t())) {
          if (t->is_real())
            a.extra["value"].floats = t->reals;
          else
            a.extra["value"].ints = t->ints;
        }
      } else {
        a.extra["value"].floats = {0.0};
      }
      break;
    case OpKind::kGeneric:
      a.mode = default_domain(node) ? node.op_type() : node.domain() + "." + node.op_type();
      break;
    default:
      break;
  }
  for (auto& [name, value] : r.rest()) a.extra.emplace(name, std::move(value));
  return a;
}

}  // namespace tessera::onnx::detail
