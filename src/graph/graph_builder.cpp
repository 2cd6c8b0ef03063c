#include "tessera/graph/graph_builder.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <utility>

namespace tessera::graph {

namespace {

/// A diagnostic about a value built in code (no file or line).
Diagnostic problem(std::string field, std::string message) {
  Diagnostic d;
  d.field = std::move(field);
  d.message = std::move(message);
  return d;
}

/// The axis `axis` of a rank-`rank` tensor, negative values counting from the end; -1 when out
/// of range.
std::int64_t normalise_axis(std::int64_t axis, std::size_t rank) {
  const auto r = static_cast<std::int64_t>(rank);
  const std::int64_t a = axis < 0 ? axis + r : axis;
  return a >= 0 && a < r ? a : -1;
}

/// NumPy broadcasting of two shapes; empty optional when they are incompatible.
std::optional<Shape> broadcast(const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool is_integer(DType t) {
  return t == DType::kInt8 || t == DType::kUInt8 || t == DType::kInt32 || t == DType::kInt64;
}

/// Output length of a sliding window along one axis (PyTorch's Conv2d / MaxPool2d formula):
/// floor_or_ceil((in + 2*pad - dilation*(kernel-1) - 1) / stride) + 1, where with ceil mode a
/// last window starting inside the right padding is dropped.
std::int64_t window_output(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                           std::int64_t pad, std::int64_t dilation, bool ceil_mode) {
  const std::int64_t span = in + 2 * pad - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  std::int64_t out = (ceil_mode ? span + stride - 1 : span) / stride + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

std::vector<std::byte> float_bytes(float value) {
  // Little-endian IEEE 754 binary32, independent of the host's byte order.
  std::uint32_t bits = 0;
  static_assert(sizeof bits == sizeof value);
  std::memcpy(&bits, &value, sizeof bits);
  std::vector<std::byte> out(4);
  for (std::size_t i = 0; i < 4; ++i) out[i] = static_cast<std::byte>((bits >> (8 * i)) & 0xFFU);
  return out;
}

std::vector<std::byte> int64_bytes(std::int64_t value) {
  const auto bits = static_cast<std::uint64_t>(value);
  std::vector<std::byte> out(8);
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::byte>((bits >> (8 * i)) & 0xFFU);
  return out;
}

}  // namespace

GraphBuilder::GraphBuilder(std::string graph_name) {
  graph_.name = std::move(graph_name);
}

std::string GraphBuilder::unique_name(std::string_view name) {
  std::string candidate(name);
  for (int k = 1; names_.contains(candidate); ++k)
    candidate = std::string(name) + "_" + std::to_string(k);
  names_.insert(candidate);
  return candidate;
}

TensorId GraphBuilder::new_tensor(std::string name, Shape shape, DType dtype, bool is_weight) {
  Tensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.dtype = dtype;
  t.is_weight = is_weight;
  const TensorId id = graph_.add_tensor(std::move(t));
  failed_.push_back(0);
  return id;
}

bool GraphBuilder::any_failed(const std::vector<TensorId>& tensors) const {
  return std::any_of(tensors.begin(), tensors.end(), [&](TensorId t) { return failed(t); });
}

bool GraphBuilder::known(std::string_view op_name, const std::vector<TensorId>& inputs) {
  bool ok = true;
  for (auto t : inputs) {
    if (!t.valid() || t.index() >= graph_.tensors().size()) {
      diagnostics_.push_back(problem(
          std::string(op_name),
          "input tensor id " + std::to_string(t.value()) + " was not made by this builder"));
      ok = false;
    }
  }
  return ok;
}

TensorId GraphBuilder::failed_output(std::string op_name) {
  const TensorId t = new_tensor(std::move(op_name), {}, DType::kFloat32, false);
  failed_[t.index()] = 1;
  return t;
}

TensorId GraphBuilder::append(std::string op_name, OpKind kind, std::vector<TensorId> inputs,
                              Shape shape, OpAttributes attrs, std::string error,
                              std::optional<DType> dtype) {
  const bool inherited = any_failed(inputs);
  const bool own_error = !error.empty();
  if (own_error && !inherited) {
    diagnostics_.push_back(problem(op_name, std::move(error)));
  }
  const DType out_dtype =
      dtype.value_or(inputs.empty() ? DType::kFloat32 : graph_.tensor(inputs.front()).dtype);
  const TensorId out = new_tensor(op_name, std::move(shape), out_dtype, false);
  if (inherited || own_error) failed_[out.index()] = 1;
  Op op;
  op.name = std::move(op_name);
  op.kind = kind;
  op.inputs = std::move(inputs);
  op.outputs = {out};
  op.attrs = std::move(attrs);
  graph_.add_op(std::move(op));
  return out;
}

TensorId GraphBuilder::input(std::string_view name, Shape shape, DType dtype) {
  std::string error;
  for (auto d : shape)
    if (d < 1) error = "input shape " + shape_to_string(shape) + " has a dimension below 1";
  const std::string tensor_name = unique_name(name);
  if (!error.empty()) diagnostics_.push_back(problem(tensor_name, error));
  const TensorId t = new_tensor(tensor_name, std::move(shape), dtype, false);
  if (!error.empty()) failed_[t.index()] = 1;
  graph_.mark_input(t);
  return t;
}

TensorId GraphBuilder::weight(std::string_view name, Shape shape, DType dtype) {
  return new_tensor(unique_name(name), std::move(shape), dtype, true);
}

TensorId GraphBuilder::constant(std::string_view name, Shape shape, DType dtype,
                                std::vector<std::byte> data) {
  std::string op = unique_name(name);
  const auto expected = static_cast<std::size_t>(element_count(shape) * dtype_bytes(dtype));
  std::string error;
  if (data.size() != expected) {
    error = "constant of shape " + shape_to_string(shape) + " needs " + std::to_string(expected) +
            " bytes, got " + std::to_string(data.size());
  }
  const TensorId out = append(op, OpKind::kConstant, {}, std::move(shape), {}, error, dtype);
  graph_.tensor(out).data = std::move(data);
  return out;
}

TensorId GraphBuilder::scalar(std::string_view name, float value) {
  return constant(name, {}, DType::kFloat32, float_bytes(value));
}

void GraphBuilder::output(TensorId tensor) {
  if (known("output", {tensor})) graph_.mark_output(tensor);
}

const Shape& GraphBuilder::shape(TensorId tensor) const {
  if (!tensor.valid() || tensor.index() >= graph_.tensors().size()) return empty_shape_;
  return graph_.tensor(tensor).shape;
}

TensorId GraphBuilder::conv2d(std::string_view name, TensorId x, const Conv2dOptions& o) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  const Shape in = shape(x);
  std::string error;
  Shape out;
  const std::int64_t groups = std::max<std::int64_t>(o.groups, 1);
  const std::int64_t cin = in.size() == 4 ? in[1] : 0;
  if (in.size() != 4) {
    error = "conv2d needs an NCHW input, got " + shape_to_string(in);
  } else if (o.out_channels < 1 || o.kernel < 1 || o.stride < 1 || o.padding < 0 || o.groups < 1 ||
             o.dilation < 1) {
    error = "conv2d needs out_channels, kernel, stride, groups, dilation >= 1 and padding >= 0";
  } else if (cin % groups != 0 || o.out_channels % groups != 0) {
    error = "groups " + std::to_string(groups) + " must divide input channels " +
            std::to_string(cin) + " and output channels " + std::to_string(o.out_channels);
  } else {
    const std::int64_t h = window_output(in[2], o.kernel, o.stride, o.padding, o.dilation, false);
    const std::int64_t w = window_output(in[3], o.kernel, o.stride, o.padding, o.dilation, false);
    out = {in[0], o.out_channels, h, w};
    if (h < 1 || w < 1) error = "input " + shape_to_string(in) + " is smaller than the kernel";
  }
  std::vector<TensorId> inputs = {x};
  inputs.push_back(new_tensor(unique_name(op + ".weight"),
                              {o.out_channels, cin / groups, o.kernel, o.kernel}, DType::kFloat32,
                              true));
  if (o.bias) {
    inputs.push_back(
        new_tensor(unique_name(op + ".bias"), {o.out_channels}, DType::kFloat32, true));
  }
  OpAttributes attrs;
  attrs.kernel_shape = {o.kernel, o.kernel};
  attrs.strides = {o.stride, o.stride};
  attrs.pads = {o.padding, o.padding, o.padding, o.padding};
  attrs.dilations = {o.dilation, o.dilation};
  attrs.groups = groups;
  return append(std::move(op), OpKind::kConv, std::move(inputs), std::move(out), std::move(attrs),
                std::move(error));
}

TensorId GraphBuilder::batch_norm(std::string_view name, TensorId x, double epsilon) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  const Shape in = shape(x);
  std::string error;
  if (in.size() < 2) error = "batch_norm needs a channel axis 1, got " + shape_to_string(in);
  const std::int64_t c = in.size() < 2 ? 0 : in[1];
  const TensorId scale = new_tensor(unique_name(op + ".weight"), {c}, DType::kFloat32, true);
  const TensorId bias = new_tensor(unique_name(op + ".bias"), {c}, DType::kFloat32, true);
  OpAttributes attrs;
  attrs.epsilon = epsilon;
  attrs.axis = 1;
  return append(std::move(op), OpKind::kBatchNorm, {x, scale, bias}, in, std::move(attrs),
                std::move(error));
}

TensorId GraphBuilder::layer_norm(std::string_view name, TensorId x, double epsilon) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  const Shape in = shape(x);
  std::string error;
  if (in.empty()) error = "layer_norm needs at least one axis";
  const std::int64_t d = in.empty() ? 0 : in.back();
  const TensorId scale = new_tensor(unique_name(op + ".weight"), {d}, DType::kFloat32, true);
  const TensorId bias = new_tensor(unique_name(op + ".bias"), {d}, DType::kFloat32, true);
  OpAttributes attrs;
  attrs.epsilon = epsilon;
  attrs.axis = -1;
  return append(std::move(op), OpKind::kLayerNorm, {x, scale, bias}, in, std::move(attrs),
                std::move(error));
}

TensorId GraphBuilder::unary(std::string_view name, OpKind kind, TensorId x, OpAttributes attrs) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  return append(std::move(op), kind, {x}, shape(x), std::move(attrs), {});
}

TensorId GraphBuilder::relu(std::string_view name, TensorId x) {
  return unary(name, OpKind::kRelu, x);
}

TensorId GraphBuilder::relu6(std::string_view name, TensorId x) {
  OpAttributes attrs;
  attrs.alpha = 0.0;  // Clip min
  attrs.beta = 6.0;   // Clip max
  return unary(name, OpKind::kClip, x, std::move(attrs));
}

TensorId GraphBuilder::gelu(std::string_view name, TensorId x, std::string_view approximation) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  std::string error;
  if (approximation != "none" && approximation != "tanh") {
    error = "gelu approximation must be \"none\" or \"tanh\", got \"" + std::string(approximation) +
            "\"";
  }
  OpAttributes attrs;
  attrs.mode = std::string(approximation);
  return append(std::move(op), OpKind::kGelu, {x}, shape(x), std::move(attrs), std::move(error));
}

TensorId GraphBuilder::tanh(std::string_view name, TensorId x) {
  return unary(name, OpKind::kTanh, x);
}

TensorId GraphBuilder::softmax(std::string_view name, TensorId x, std::int64_t axis) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  std::string error;
  if (normalise_axis(axis, shape(x).size()) < 0) {
    error = "softmax axis " + std::to_string(axis) + " is out of range for " +
            shape_to_string(shape(x));
  }
  OpAttributes attrs;
  attrs.axis = axis;
  return append(std::move(op), OpKind::kSoftmax, {x}, shape(x), std::move(attrs), std::move(error));
}

TensorId GraphBuilder::pool(std::string_view name, OpKind kind, TensorId x,
                            const Pool2dOptions& o) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  const Shape in = shape(x);
  std::string error;
  Shape out;
  if (in.size() != 4) {
    error = "pooling needs an NCHW input, got " + shape_to_string(in);
  } else if (o.kernel < 1 || o.stride < 1 || o.padding < 0 || 2 * o.padding > o.kernel) {
    error = "pooling needs kernel, stride >= 1 and 0 <= padding <= kernel / 2";
  } else {
    const std::int64_t h = window_output(in[2], o.kernel, o.stride, o.padding, 1, o.ceil_mode);
    const std::int64_t w = window_output(in[3], o.kernel, o.stride, o.padding, 1, o.ceil_mode);
    out = {in[0], in[1], h, w};
    if (h < 1 || w < 1) error = "input " + shape_to_string(in) + " is smaller than the window";
  }
  OpAttributes attrs;
  attrs.kernel_shape = {o.kernel, o.kernel};
  attrs.strides = {o.stride, o.stride};
  attrs.pads = {o.padding, o.padding, o.padding, o.padding};
  attrs.ceil_mode = o.ceil_mode;
  return append(std::move(op), kind, {x}, std::move(out), std::move(attrs), std::move(error));
}

TensorId GraphBuilder::max_pool(std::string_view name, TensorId x, const Pool2dOptions& options) {
  return pool(name, OpKind::kMaxPool, x, options);
}

TensorId GraphBuilder::avg_pool(std::string_view name, TensorId x, const Pool2dOptions& options) {
  return pool(name, OpKind::kAveragePool, x, options);
}

TensorId GraphBuilder::global_avg_pool(std::string_view name, TensorId x) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  const Shape in = shape(x);
  std::string error;
  Shape out = in;
  if (in.size() < 3) {
    error = "global_avg_pool needs [N, C, spatial...], got " + shape_to_string(in);
  } else {
    std::fill(out.begin() + 2, out.end(), 1);
  }
  return append(std::move(op), OpKind::kGlobalAveragePool, {x}, std::move(out), {},
                std::move(error));
}

TensorId GraphBuilder::linear(std::string_view name, TensorId x, std::int64_t out_features,
                              bool bias) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  const Shape in = shape(x);
  std::string error;
  if (in.size() < 2) error = "linear needs an input of rank >= 2, got " + shape_to_string(in);
  if (out_features < 1) error = "linear needs out_features >= 1";
  const std::int64_t k = in.empty() ? 0 : in.back();
  Shape out = in;
  if (!out.empty()) out.back() = out_features;
  if (in.size() <= 2) {
    std::vector<TensorId> inputs = {x};
    inputs.push_back(
        new_tensor(unique_name(op + ".weight"), {out_features, k}, DType::kFloat32, true));
    if (bias) {
      inputs.push_back(
          new_tensor(unique_name(op + ".bias"), {out_features}, DType::kFloat32, true));
    }
    OpAttributes attrs;
    attrs.trans_b = true;
    return append(std::move(op), OpKind::kGemm, std::move(inputs), std::move(out), std::move(attrs),
                  std::move(error));
  }
  const TensorId w =
      new_tensor(unique_name(op + ".weight"), {k, out_features}, DType::kFloat32, true);
  const std::string bias_name = op + ".bias";
  const TensorId y = append(std::move(op), OpKind::kMatMul, {x, w}, out, {}, std::move(error));
  if (!bias) return y;
  const TensorId b = new_tensor(unique_name(bias_name), {out_features}, DType::kFloat32, true);
  return append(unique_name(bias_name + "_add"), OpKind::kAdd, {y, b}, std::move(out), {}, {});
}

TensorId GraphBuilder::linear_with_weight(std::string_view name, TensorId x, TensorId weight) {
  std::string op = unique_name(name);
  if (!known(op, {x, weight})) return failed_output(op);
  const Shape in = shape(x);
  const Shape w = shape(weight);
  std::string error;
  Shape out;
  if (in.size() != 2 || w.size() != 2) {
    error = "linear_with_weight needs [M, K] and [out, K], got " + shape_to_string(in) + " and " +
            shape_to_string(w);
  } else if (in[1] != w[1]) {
    error = "input features " + std::to_string(in[1]) + " differ from weight features " +
            std::to_string(w[1]);
  } else {
    out = {in[0], w[0]};
  }
  OpAttributes attrs;
  attrs.trans_b = true;
  return append(std::move(op), OpKind::kGemm, {x, weight}, std::move(out), std::move(attrs),
                std::move(error));
}

TensorId GraphBuilder::matmul(std::string_view name, TensorId a, TensorId b) {
  std::string op = unique_name(name);
  if (!known(op, {a, b})) return failed_output(op);
  const Shape sa = shape(a);
  const Shape sb = shape(b);
  std::string error;
  Shape out;
  if (sa.size() < 2 || sb.size() < 2) {
    error = "matmul needs operands of rank >= 2, got " + shape_to_string(sa) + " and " +
            shape_to_string(sb);
  } else if (sa.back() != sb[sb.size() - 2]) {
    error =
        "matmul inner dimensions differ: " + shape_to_string(sa) + " and " + shape_to_string(sb);
  } else {
    const auto batch = broadcast(Shape(sa.begin(), sa.end() - 2), Shape(sb.begin(), sb.end() - 2));
    if (!batch) {
      error = "matmul batch axes of " + shape_to_string(sa) + " and " + shape_to_string(sb) +
              " do not broadcast";
    } else {
      out = *batch;
      out.push_back(sa[sa.size() - 2]);
      out.push_back(sb.back());
    }
  }
  return append(std::move(op), OpKind::kMatMul, {a, b}, std::move(out), {}, std::move(error),
                DType::kFloat32);
}

TensorId GraphBuilder::embedding(std::string_view name, TensorId ids, std::int64_t vocab,
                                 std::int64_t dim) {
  const TensorId w = weight(std::string(name) + ".weight", {vocab, dim});
  return embedding_with_weight(name, ids, w);
}

TensorId GraphBuilder::embedding_with_weight(std::string_view name, TensorId ids, TensorId weight) {
  std::string op = unique_name(name);
  if (!known(op, {weight, ids})) return failed_output(op);
  const Shape w = shape(weight);
  std::string error;
  Shape out = shape(ids);
  if (!is_integer(graph_.tensor(ids).dtype)) {
    error =
        "embedding ids must be integers, got " + std::string(dtype_name(graph_.tensor(ids).dtype));
  } else if (w.size() != 2 || w[0] < 1 || w[1] < 1) {
    error = "embedding weight must be [vocab, dim], got " + shape_to_string(w);
  }
  out.push_back(w.size() == 2 ? w[1] : 0);
  OpAttributes attrs;
  attrs.axis = 0;
  return append(std::move(op), OpKind::kEmbedding, {weight, ids}, std::move(out), std::move(attrs),
                std::move(error), graph_.tensor(weight).dtype);
}

TensorId GraphBuilder::binary(std::string_view name, OpKind kind, TensorId a, TensorId b) {
  std::string op = unique_name(name);
  if (!known(op, {a, b})) return failed_output(op);
  std::string error;
  auto out = broadcast(shape(a), shape(b));
  if (!out) {
    error = "shapes " + shape_to_string(shape(a)) + " and " + shape_to_string(shape(b)) +
            " do not broadcast";
  }
  return append(std::move(op), kind, {a, b}, out.value_or(Shape{}), {}, std::move(error));
}

TensorId GraphBuilder::add(std::string_view name, TensorId a, TensorId b) {
  return binary(name, OpKind::kAdd, a, b);
}

TensorId GraphBuilder::sub(std::string_view name, TensorId a, TensorId b) {
  return binary(name, OpKind::kSub, a, b);
}

TensorId GraphBuilder::mul(std::string_view name, TensorId a, TensorId b) {
  return binary(name, OpKind::kMul, a, b);
}

TensorId GraphBuilder::div(std::string_view name, TensorId a, TensorId b) {
  return binary(name, OpKind::kDiv, a, b);
}

TensorId GraphBuilder::where(std::string_view name, TensorId condition, TensorId x, TensorId y) {
  std::string op = unique_name(name);
  if (!known(op, {condition, x, y})) return failed_output(op);
  std::string error;
  std::optional<Shape> out = broadcast(shape(condition), shape(x));
  if (out) out = broadcast(*out, shape(y));
  if (graph_.tensor(condition).dtype != DType::kBool) {
    error = "where needs a bool condition";
  } else if (!out) {
    error = "shapes " + shape_to_string(shape(condition)) + ", " + shape_to_string(shape(x)) +
            " and " + shape_to_string(shape(y)) + " do not broadcast";
  }
  return append(std::move(op), OpKind::kWhere, {condition, x, y}, out.value_or(Shape{}), {},
                std::move(error), graph_.tensor(x).dtype);
}

TensorId GraphBuilder::flatten(std::string_view name, TensorId x, std::int64_t axis) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  const Shape in = shape(x);
  std::string error;
  Shape out;
  if (axis < 0 || axis > static_cast<std::int64_t>(in.size())) {
    error = "flatten axis " + std::to_string(axis) + " is out of range for " + shape_to_string(in);
  } else {
    const auto mid = in.begin() + axis;
    out = {element_count(Shape(in.begin(), mid)), element_count(Shape(mid, in.end()))};
  }
  OpAttributes attrs;
  attrs.axis = axis;
  return append(std::move(op), OpKind::kFlatten, {x}, std::move(out), std::move(attrs),
                std::move(error));
}

TensorId GraphBuilder::reshape(std::string_view name, TensorId x, Shape target) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  const std::int64_t elements = element_count(shape(x));
  std::string error;
  Shape out = target;
  const auto unknowns = std::count(target.begin(), target.end(), std::int64_t{-1});
  const bool dims_ok =
      std::all_of(target.begin(), target.end(), [](std::int64_t d) { return d >= 1 || d == -1; });
  if (!dims_ok || unknowns > 1) {
    error = "reshape target must have dimensions >= 1 and at most one -1";
  } else {
    std::int64_t known_elements = 1;
    for (auto d : target)
      if (d != -1) known_elements *= d;
    if (unknowns == 1) {
      if (known_elements == 0 || elements % known_elements != 0) {
        error = "cannot reshape " + shape_to_string(shape(x)) + " to a shape with " +
                std::to_string(known_elements) + " elements times -1";
      } else {
        std::replace(out.begin(), out.end(), std::int64_t{-1}, elements / known_elements);
      }
    } else if (known_elements != elements) {
      error = "cannot reshape " + shape_to_string(shape(x)) + " (" + std::to_string(elements) +
              " elements) to " + shape_to_string(target);
    }
  }
  OpAttributes attrs;
  attrs.target_shape = std::move(target);
  return append(std::move(op), OpKind::kReshape, {x}, std::move(out), std::move(attrs),
                std::move(error));
}

TensorId GraphBuilder::transpose(std::string_view name, TensorId x,
                                 std::vector<std::int64_t> perm) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  const Shape in = shape(x);
  std::string error;
  Shape out;
  std::vector<std::int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::int64_t> identity(in.size());
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity) {
    error = "transpose perm is not a permutation of the " + std::to_string(in.size()) + " axes";
  } else {
    for (auto p : perm) out.push_back(in[static_cast<std::size_t>(p)]);
  }
  OpAttributes attrs;
  attrs.perm = std::move(perm);
  return append(std::move(op), OpKind::kTranspose, {x}, std::move(out), std::move(attrs),
                std::move(error));
}

std::vector<TensorId> GraphBuilder::split(std::string_view name, TensorId x, std::int64_t axis,
                                          std::vector<std::int64_t> sizes) {
  std::string op_name = unique_name(name);
  if (!known(op_name, {x})) {
    std::vector<TensorId> outs;
    for (std::size_t i = 0; i < sizes.size(); ++i)
      outs.push_back(failed_output(op_name + ":" + std::to_string(i)));
    return outs;
  }
  const Shape in = shape(x);
  const std::int64_t a = normalise_axis(axis, in.size());
  std::string error;
  const bool sizes_ok = !sizes.empty() && std::all_of(sizes.begin(), sizes.end(),
                                                      [](std::int64_t s) { return s >= 1; });
  if (a < 0) {
    error = "split axis " + std::to_string(axis) + " is out of range for " + shape_to_string(in);
  } else if (!sizes_ok || std::accumulate(sizes.begin(), sizes.end(), std::int64_t{0}) !=
                              in[static_cast<std::size_t>(a)]) {
    error =
        "split sizes must be >= 1 and add up to " + std::to_string(in[static_cast<std::size_t>(a)]);
  }
  const bool failure = any_failed({x}) || !error.empty();
  if (!error.empty() && !any_failed({x})) {
    diagnostics_.push_back(problem(op_name, std::move(error)));
  }
  Op op;
  op.name = op_name;
  op.kind = OpKind::kSplit;
  op.inputs = {x};
  op.attrs.axis = axis;
  op.attrs.split = sizes;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    Shape piece = in;
    if (a >= 0) piece[static_cast<std::size_t>(a)] = sizes[i];
    const TensorId t = new_tensor(op_name + ":" + std::to_string(i), std::move(piece),
                                  graph_.tensor(x).dtype, false);
    if (failure) failed_[t.index()] = 1;
    op.outputs.push_back(t);
  }
  graph_.add_op(std::move(op));
  return graph_.ops().back().outputs;
}

TensorId GraphBuilder::concat(std::string_view name, const std::vector<TensorId>& xs,
                              std::int64_t axis) {
  std::string op = unique_name(name);
  if (!known(op, xs)) return failed_output(op);
  std::string error;
  Shape out;
  if (xs.empty()) {
    error = "concat needs at least one input";
  } else {
    out = shape(xs.front());
    const std::int64_t a = normalise_axis(axis, out.size());
    if (a < 0) {
      error =
          "concat axis " + std::to_string(axis) + " is out of range for " + shape_to_string(out);
    } else {
      const auto ai = static_cast<std::size_t>(a);
      for (std::size_t i = 1; i < xs.size() && error.empty(); ++i) {
        Shape s = shape(xs[i]);
        if (s.size() != out.size()) {
          error = "concat inputs differ in rank";
          break;
        }
        out[ai] += s[ai];
        s[ai] = out[ai];
        if (s != out) {
          error = "concat inputs differ outside axis " + std::to_string(axis) + ": " +
                  shape_to_string(shape(xs.front())) + " and " + shape_to_string(shape(xs[i]));
        }
      }
    }
  }
  OpAttributes attrs;
  attrs.axis = axis;
  return append(std::move(op), OpKind::kConcat, xs, std::move(out), std::move(attrs),
                std::move(error));
}

TensorId GraphBuilder::expand(std::string_view name, TensorId x, Shape target) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  std::string error;
  auto out = broadcast(shape(x), target);
  if (!out) {
    error = "cannot expand " + shape_to_string(shape(x)) + " to " + shape_to_string(target);
  }
  OpAttributes attrs;
  attrs.target_shape = std::move(target);
  return append(std::move(op), OpKind::kExpand, {x}, out.value_or(Shape{}), std::move(attrs),
                std::move(error));
}

TensorId GraphBuilder::select(std::string_view name, TensorId x, std::int64_t axis,
                              std::int64_t index) {
  std::string op = unique_name(name);
  if (!known(op, {x})) return failed_output(op);
  const Shape in = shape(x);
  const std::int64_t a = normalise_axis(axis, in.size());
  std::string error;
  Shape out = in;
  if (a < 0) {
    error = "select axis " + std::to_string(axis) + " is out of range for " + shape_to_string(in);
  } else {
    const auto ai = static_cast<std::size_t>(a);
    if (index < 0 || index >= in[ai]) {
      error = "select index " + std::to_string(index) + " is out of range for axis length " +
              std::to_string(in[ai]);
    }
    out.erase(out.begin() + a);
  }
  const TensorId idx = constant(op + ".index", {}, DType::kInt64, int64_bytes(index));
  OpAttributes attrs;
  attrs.axis = axis;
  return append(std::move(op), OpKind::kGather, {x, idx}, std::move(out), std::move(attrs),
                std::move(error));
}

Result<Graph> GraphBuilder::finish() && {
  if (!diagnostics_.empty()) return std::move(diagnostics_);
  return std::move(graph_);
}

}  // namespace tessera::graph
