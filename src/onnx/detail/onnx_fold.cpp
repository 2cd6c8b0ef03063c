#include "onnx/detail/onnx_fold.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

namespace tessera::onnx::detail {

namespace {

using ::onnx::TensorProto;
using Dims = std::vector<std::int64_t>;

/// Elements of `dims`, or -1 when negative or above kMaxFoldElements.
std::int64_t bounded_count(const Dims& dims) {
  std::int64_t n = 1;
  for (auto d : dims) {
    if (d < 0) return -1;
    if (d == 0) return 0;
    if (n > kMaxFoldElements / d) return -1;
    n *= d;
  }
  return n;
}

bool real_type(std::int32_t t) {
  return t == TensorProto::FLOAT || t == TensorProto::DOUBLE;
}

/// Wraps an integer to the range of the element type, as a cast in C++ does.
std::int64_t normalize(std::int32_t elem_type, std::int64_t v) {
  switch (elem_type) {
    case TensorProto::BOOL:
      return v != 0 ? 1 : 0;
    case TensorProto::INT8:
      return static_cast<std::int8_t>(v);
    case TensorProto::UINT8:
      return static_cast<std::uint8_t>(v);
    case TensorProto::INT16:
      return static_cast<std::int16_t>(v);
    case TensorProto::UINT16:
      return static_cast<std::uint16_t>(v);
    case TensorProto::INT32:
      return static_cast<std::int32_t>(v);
    case TensorProto::UINT32:
      return static_cast<std::uint32_t>(v);
    default:
      return v;
  }
}

/// Truncates a double toward zero into int64, saturating (NaN gives 0).
std::int64_t to_int64(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9.2233720368547758e18) return std::numeric_limits<std::int64_t>::max();
  if (v <= -9.2233720368547758e18) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(v);
}

FoldedTensor make(std::int32_t elem_type, Dims dims) {
  FoldedTensor t;
  t.elem_type = elem_type;
  t.dims = std::move(dims);
  return t;
}

void push(FoldedTensor& t, const FoldedTensor& from, std::int64_t i) {
  if (t.is_real())
    t.reals.push_back(from.real(i));
  else
    t.ints.push_back(normalize(t.elem_type, from.integer(i)));
}

/// Bytes per element of the raw_data of a foldable type.
std::size_t raw_width(std::int32_t t) {
  switch (t) {
    case TensorProto::DOUBLE:
    case TensorProto::INT64:
    case TensorProto::UINT64:
      return 8;
    case TensorProto::FLOAT:
    case TensorProto::INT32:
    case TensorProto::UINT32:
      return 4;
    case TensorProto::INT16:
    case TensorProto::UINT16:
      return 2;
    default:
      return 1;
  }
}

/// Element `i` of little-endian raw bytes of type `t`.
void push_raw(FoldedTensor& out, const std::string& raw, std::size_t i) {
  const char* p = raw.data() + i * raw_width(out.elem_type);
  switch (out.elem_type) {
    case TensorProto::FLOAT: {
      float v;
      std::memcpy(&v, p, sizeof v);
      out.reals.push_back(v);
      return;
    }
    case TensorProto::DOUBLE: {
      double v;
      std::memcpy(&v, p, sizeof v);
      out.reals.push_back(v);
      return;
    }
    case TensorProto::INT64:
    case TensorProto::UINT64: {
      std::int64_t v;
      std::memcpy(&v, p, sizeof v);
      out.ints.push_back(v);
      return;
    }
    case TensorProto::INT32: {
      std::int32_t v;
      std::memcpy(&v, p, sizeof v);
      out.ints.push_back(v);
      return;
    }
    case TensorProto::UINT32: {
      std::uint32_t v;
      std::memcpy(&v, p, sizeof v);
      out.ints.push_back(v);
      return;
    }
    case TensorProto::INT16: {
      std::int16_t v;
      std::memcpy(&v, p, sizeof v);
      out.ints.push_back(v);
      return;
    }
    case TensorProto::UINT16: {
      std::uint16_t v;
      std::memcpy(&v, p, sizeof v);
      out.ints.push_back(v);
      return;
    }
    case TensorProto::INT8:
      out.ints.push_back(static_cast<std::int8_t>(*p));
      return;
    default:  // UINT8, BOOL
      out.ints.push_back(normalize(out.elem_type, static_cast<unsigned char>(*p)));
      return;
  }
}

const ::onnx::AttributeProto* attribute(const ::onnx::NodeProto& node, std::string_view name) {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::int64_t int_attr(const ::onnx::NodeProto& node, std::string_view name, std::int64_t fallback) {
  const auto* a = attribute(node, name);
  return a != nullptr ? a->i() : fallback;
}

std::optional<Dims> ints_attr(const ::onnx::NodeProto& node, std::string_view name) {
  const auto* a = attribute(node, name);
  if (a == nullptr) return std::nullopt;
  return Dims(a->ints().begin(), a->ints().end());
}

/// Multi-index walk: flat index of `in_dims` (right-aligned, size-1 axes broadcast) for each flat
/// index of `out_dims`.
std::vector<std::int64_t> broadcast_map(const Dims& out_dims, const Dims& in_dims) {
  const std::int64_t n = bounded_count(out_dims);
  std::vector<std::int64_t> map(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)));
  const std::size_t rank = out_dims.size();
  const std::size_t offset = rank - in_dims.size();
  for (std::int64_t flat = 0; flat < n; ++flat) {
    std::int64_t rest = flat;
    std::int64_t in_flat = 0;
    std::int64_t in_stride = 1;
    for (std::size_t k = rank; k-- > 0;) {
      const std::int64_t idx = rest % out_dims[k];
      rest /= out_dims[k];
      if (k >= offset) {
        const std::int64_t d = in_dims[k - offset];
        in_flat += (d == 1 ? 0 : idx) * in_stride;
        in_stride *= d;
      }
    }
    map[static_cast<std::size_t>(flat)] = in_flat;
  }
  return map;
}

/// NumPy broadcast of several shapes.
std::optional<Dims> broadcast_dims(const std::vector<const Dims*>& shapes) {
  std::size_t rank = 0;
  for (const auto* s : shapes) rank = std::max(rank, s->size());
  Dims out(rank, 1);
  for (const auto* s : shapes) {
    const std::size_t offset = rank - s->size();
    for (std::size_t k = 0; k < s->size(); ++k) {
      const std::int64_t d = (*s)[k];
      std::int64_t& o = out[offset + k];
      if (d == o || d == 1) continue;
      if (o != 1) return std::nullopt;
      o = d;
    }
  }
  return out;
}

using Outputs = std::optional<std::vector<FoldedTensor>>;

Outputs one(FoldedTensor t) {
  if (bounded_count(t.dims) < 0) return std::nullopt;
  return std::vector<FoldedTensor>{std::move(t)};
}

/// Binary operators the folder evaluates; from kEqual on, the result is bool.
enum class Binary {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPow,
  kMod,   ///< the sign of the divisor's (Python's %): ONNX Mod with fmod = 0
  kFmod,  ///< the sign of the dividend's (C's fmod): ONNX Mod with fmod = 1
  kMin,
  kMax,
  kEqual,
  kLess,
  kGreater,
  kLessOrEqual,
  kGreaterOrEqual,
  kAnd,
  kOr,
  kXor,
};

std::optional<Binary> binary_op(std::string_view op) {
  static const std::unordered_map<std::string_view, Binary> kOps = {
      {"Add", Binary::kAdd},
      {"Sub", Binary::kSub},
      {"Mul", Binary::kMul},
      {"Div", Binary::kDiv},
      {"Pow", Binary::kPow},
      {"Mod", Binary::kMod},
      {"Min", Binary::kMin},
      {"Max", Binary::kMax},
      {"Equal", Binary::kEqual},
      {"Less", Binary::kLess},
      {"Greater", Binary::kGreater},
      {"LessOrEqual", Binary::kLessOrEqual},
      {"GreaterOrEqual", Binary::kGreaterOrEqual},
      {"And", Binary::kAnd},
      {"Or", Binary::kOr},
      {"Xor", Binary::kXor}};
  const auto it = kOps.find(op);
  if (it == kOps.end()) return std::nullopt;
  return it->second;
}

bool bool_result(Binary op) {
  return op >= Binary::kEqual;
}

/// One element of a binary operator; bool results as 0/1; nothing for an integer division by
/// zero. T is double for floating point operands and int64 otherwise.
template <typename T>
std::optional<T> apply(Binary op, T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    // Integer results that overflow are not folded (the shape stays unknown).
    T r{};
    switch (op) {
      case Binary::kAdd:
        if (__builtin_add_overflow(x, y, &r)) return std::nullopt;
        return r;
      case Binary::kSub:
        if (__builtin_sub_overflow(x, y, &r)) return std::nullopt;
        return r;
      case Binary::kMul:
        if (__builtin_mul_overflow(x, y, &r)) return std::nullopt;
        return r;
      case Binary::kDiv:
      case Binary::kMod:
      case Binary::kFmod:
        if (y == 0 || (y == -1 && x == std::numeric_limits<T>::min())) return std::nullopt;
        if (op == Binary::kDiv) return x / y;  // truncates, as in onnxruntime
        r = x % y;
        if (op == Binary::kMod && r != 0 && ((r < 0) != (y < 0))) r += y;
        return r;
      default:
        break;
    }
  }
  switch (op) {
    case Binary::kAdd:
      return x + y;
    case Binary::kSub:
      return x - y;
    case Binary::kMul:
      return x * y;
    case Binary::kDiv:
      return x / y;
    case Binary::kMod:
      if constexpr (std::is_floating_point_v<T>) {
        const T r = std::fmod(x, y);
        return r != 0 && ((r < 0) != (y < 0)) ? r + y : r;
      }
      return std::nullopt;
    case Binary::kFmod:
      if constexpr (std::is_floating_point_v<T>) return std::fmod(x, y);
      return std::nullopt;
    case Binary::kPow:
      return static_cast<T>(std::pow(static_cast<double>(x), static_cast<double>(y)));
    case Binary::kMin:
      return std::min(x, y);
    case Binary::kMax:
      return std::max(x, y);
    case Binary::kEqual:
      return static_cast<T>(x == y);
    case Binary::kLess:
      return static_cast<T>(x < y);
    case Binary::kGreater:
      return static_cast<T>(x > y);
    case Binary::kLessOrEqual:
      return static_cast<T>(x <= y);
    case Binary::kGreaterOrEqual:
      return static_cast<T>(x >= y);
    case Binary::kAnd:
      return static_cast<T>(x != 0 && y != 0);
    case Binary::kOr:
      return static_cast<T>(x != 0 || y != 0);
    case Binary::kXor:
      return static_cast<T>((x != 0) != (y != 0));
  }
  return std::nullopt;
}

Outputs fold_binary(std::string_view name, const FoldedTensor& a, const FoldedTensor& b,
                    bool fmod = false) {
  auto op = binary_op(name);
  if (!op) return std::nullopt;
  if (*op == Binary::kMod && fmod) op = Binary::kFmod;
  const auto dims = broadcast_dims({&a.dims, &b.dims});
  if (!dims || bounded_count(*dims) < 0) return std::nullopt;
  FoldedTensor out = make(bool_result(*op) ? TensorProto::BOOL : a.elem_type, *dims);
  const auto ma = broadcast_map(*dims, a.dims);
  const auto mb = broadcast_map(*dims, b.dims);
  const bool real = a.is_real() || b.is_real();
  for (std::size_t i = 0; i < ma.size(); ++i) {
    if (real) {
      const auto r = apply<double>(*op, a.real(ma[i]), b.real(mb[i]));
      if (!r) return std::nullopt;
      if (out.is_real())
        out.reals.push_back(*r);
      else
        out.ints.push_back(normalize(out.elem_type, to_int64(*r)));
    } else {
      const auto r = apply<std::int64_t>(*op, a.integer(ma[i]), b.integer(mb[i]));
      if (!r) return std::nullopt;
      out.ints.push_back(normalize(out.elem_type, *r));
    }
  }
  return one(std::move(out));
}

/// One element of a unary operator; nothing for an operator the folder does not evaluate.
std::optional<double> apply_unary(std::string_view op, double x) {
  if (op == "Neg") return -x;
  if (op == "Abs") return std::fabs(x);
  if (op == "Sqrt") return std::sqrt(x);
  if (op == "Floor") return std::floor(x);
  if (op == "Ceil") return std::ceil(x);
  if (op == "Reciprocal") return 1.0 / x;
  if (op == "Relu") return std::max(x, 0.0);
  if (op == "Not") return x == 0.0 ? 1.0 : 0.0;
  if (op == "Sign") return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0);
  return std::nullopt;
}

Outputs fold_unary(std::string_view op, const FoldedTensor& a) {
  if (!apply_unary(op, 0.0)) return std::nullopt;
  if (!a.is_real() && (op == "Sqrt" || op == "Reciprocal")) return std::nullopt;
  FoldedTensor out = make(a.elem_type, a.dims);
  for (std::int64_t i = 0; i < a.size(); ++i) {
    if (a.is_real()) {
      out.reals.push_back(*apply_unary(op, a.real(i)));
    } else {
      // Integer operands stay exact: Neg, Abs, Relu, Not, Floor and Ceil of an integer.
      const std::int64_t x = a.integer(i);
      if ((op == "Neg" || op == "Abs") && x == std::numeric_limits<std::int64_t>::min())
        return std::nullopt;  // -INT64_MIN overflows: not folded
      std::int64_t r = x;
      if (op == "Neg") r = -x;
      if (op == "Abs") r = x < 0 ? -x : x;
      if (op == "Relu") r = std::max<std::int64_t>(x, 0);
      if (op == "Not") r = x == 0 ? 1 : 0;
      if (op == "Sign") r = x > 0 ? 1 : (x < 0 ? -1 : 0);
      out.ints.push_back(normalize(out.elem_type, r));
    }
  }
  return one(std::move(out));
}

Outputs fold_gather(const ::onnx::NodeProto& node, const FoldedTensor& data,
                    const FoldedTensor& indices) {
  const auto rank = static_cast<std::int64_t>(data.dims.size());
  if (rank == 0) return std::nullopt;
  std::int64_t axis = int_attr(node, "axis", 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return std::nullopt;
  Dims dims(data.dims.begin(), data.dims.begin() + axis);
  dims.insert(dims.end(), indices.dims.begin(), indices.dims.end());
  dims.insert(dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  if (bounded_count(dims) < 0) return std::nullopt;
  std::int64_t outer = 1;
  for (std::int64_t k = 0; k < axis; ++k) outer *= data.dims[static_cast<std::size_t>(k)];
  std::int64_t inner = 1;
  for (std::int64_t k = axis + 1; k < rank; ++k) inner *= data.dims[static_cast<std::size_t>(k)];
  const std::int64_t n = data.dims[static_cast<std::size_t>(axis)];
  FoldedTensor out = make(data.elem_type, dims);
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t k = 0; k < indices.size(); ++k) {
      std::int64_t i = indices.integer(k);
      if (i < 0) i += n;
      if (i < 0 || i >= n) return std::nullopt;
      for (std::int64_t in = 0; in < inner; ++in) push(out, data, (o * n + i) * inner + in);
    }
  }
  return one(std::move(out));
}

Outputs fold_concat(const ::onnx::NodeProto& node, const std::vector<const FoldedTensor*>& xs) {
  if (xs.empty()) return std::nullopt;
  const auto rank = static_cast<std::int64_t>(xs[0]->dims.size());
  std::int64_t axis = int_attr(node, "axis", 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return std::nullopt;
  const auto ax = static_cast<std::size_t>(axis);
  Dims dims = xs[0]->dims;
  dims[ax] = 0;
  for (const auto* x : xs) {
    if (x->dims.size() != dims.size()) return std::nullopt;
    for (std::size_t k = 0; k < dims.size(); ++k)
      if (k != ax && x->dims[k] != dims[k]) return std::nullopt;
    dims[ax] += x->dims[ax];
  }
  if (bounded_count(dims) < 0) return std::nullopt;
  std::int64_t outer = 1;
  for (std::size_t k = 0; k < ax; ++k) outer *= dims[k];
  std::int64_t inner = 1;
  for (std::size_t k = ax + 1; k < dims.size(); ++k) inner *= dims[k];
  FoldedTensor out = make(xs[0]->elem_type, dims);
  for (std::int64_t o = 0; o < outer; ++o)
    for (const auto* x : xs) {
      const std::int64_t chunk = x->dims[ax] * inner;
      for (std::int64_t i = 0; i < chunk; ++i) push(out, *x, o * chunk + i);
    }
  return one(std::move(out));
}

/// ONNX Slice (opset 10+: starts, ends, axes, steps as inputs; before: attributes).
Outputs fold_slice(const ::onnx::NodeProto& node, std::int64_t opset, const FoldInputs& in) {
  const FoldedTensor& data = *in.values[0];
  Dims starts, ends, axes, steps;
  auto read = [&](std::size_t slot, Dims& to) {
    if (in.values.size() <= slot || in.values[slot] == nullptr) return false;
    const auto& v = *in.values[slot];
    for (std::int64_t i = 0; i < v.size(); ++i) to.push_back(v.integer(i));
    return true;
  };
  if (opset >= 10) {
    if (!read(1, starts) || !read(2, ends)) return std::nullopt;
    const bool has_axes = in.values.size() > 3 && !node.input(3).empty();
    const bool has_steps = in.values.size() > 4 && !node.input(4).empty();
    if (has_axes && !read(3, axes)) return std::nullopt;
    if (has_steps && !read(4, steps)) return std::nullopt;
  } else {
    auto s = ints_attr(node, "starts");
    auto e = ints_attr(node, "ends");
    if (!s || !e) return std::nullopt;
    starts = *s;
    ends = *e;
    if (auto a = ints_attr(node, "axes")) axes = *a;
  }
  const auto rank = static_cast<std::int64_t>(data.dims.size());
  if (axes.empty())
    for (std::int64_t k = 0; k < static_cast<std::int64_t>(starts.size()); ++k) axes.push_back(k);
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return std::nullopt;
  Dims first(static_cast<std::size_t>(rank), 0);
  Dims step(static_cast<std::size_t>(rank), 1);
  Dims dims = data.dims;
  for (std::size_t k = 0; k < starts.size(); ++k) {
    std::int64_t axis = axes[k];
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank || steps[k] == 0) return std::nullopt;
    const auto a = static_cast<std::size_t>(axis);
    const std::int64_t dim = data.dims[a];
    std::int64_t s = starts[k];
    std::int64_t e = ends[k];
    if (s < 0) s = s < -dim ? 0 : s + dim;
    if (e < 0) e = e < -dim ? -1 : e + dim;
    std::int64_t count = 0;
    if (steps[k] > 0) {
      s = std::clamp<std::int64_t>(s, 0, dim);
      e = std::clamp<std::int64_t>(e, 0, dim);
      count = e > s ? (e - s + steps[k] - 1) / steps[k] : 0;
    } else {
      s = std::clamp<std::int64_t>(s, 0, dim - 1);
      e = std::clamp<std::int64_t>(e, -1, dim - 1);
      count = s > e ? (s - e - steps[k] - 1) / -steps[k] : 0;
    }
    first[a] = s;
    step[a] = steps[k];
    dims[a] = count;
  }
  const std::int64_t n = bounded_count(dims);
  if (n < 0) return std::nullopt;
  FoldedTensor out = make(data.elem_type, dims);
  for (std::int64_t flat = 0; flat < n; ++flat) {
    std::int64_t rest = flat;
    std::int64_t src = 0;
    std::int64_t stride = 1;
    for (std::size_t k = dims.size(); k-- > 0;) {
      const std::int64_t idx = rest % dims[k];
      rest /= dims[k];
      src += (first[k] + idx * step[k]) * stride;
      stride *= data.dims[k];
    }
    push(out, data, src);
  }
  return one(std::move(out));
}

Outputs fold_cast(const ::onnx::NodeProto& node, const FoldedTensor& x) {
  const auto to = static_cast<std::int32_t>(int_attr(node, "to", TensorProto::UNDEFINED));
  if (!foldable_type(to)) return std::nullopt;
  FoldedTensor out = make(to, x.dims);
  for (std::int64_t i = 0; i < x.size(); ++i) {
    if (out.is_real())
      out.reals.push_back(x.real(i));
    else if (to == TensorProto::BOOL)
      out.ints.push_back(x.real(i) != 0.0 ? 1 : 0);
    else
      out.ints.push_back(normalize(to, x.integer(i)));
  }
  return one(std::move(out));
}

Outputs fold_range(const FoldedTensor& start, const FoldedTensor& limit,
                   const FoldedTensor& delta) {
  if (start.size() != 1 || limit.size() != 1 || delta.size() != 1) return std::nullopt;
  FoldedTensor out = make(start.elem_type, {});
  if (start.is_real()) {
    const double s = start.real(0), l = limit.real(0), d = delta.real(0);
    if (d == 0.0) return std::nullopt;
    const double count = std::max(std::ceil((l - s) / d), 0.0);
    if (count > static_cast<double>(kMaxFoldElements)) return std::nullopt;
    const auto n = static_cast<std::int64_t>(count);
    for (std::int64_t i = 0; i < n; ++i) out.reals.push_back(s + static_cast<double>(i) * d);
    out.dims = {n};
  } else {
    const std::int64_t s = start.integer(0), l = limit.integer(0), d = delta.integer(0);
    if (d == 0) return std::nullopt;
    const double count = std::max(
        std::ceil((static_cast<double>(l) - static_cast<double>(s)) / static_cast<double>(d)), 0.0);
    if (count > static_cast<double>(kMaxFoldElements)) return std::nullopt;
    const auto n = static_cast<std::int64_t>(count);
    for (std::int64_t i = 0; i < n; ++i) out.ints.push_back(normalize(out.elem_type, s + i * d));
    out.dims = {n};
  }
  return one(std::move(out));
}

Outputs fold_constant(const ::onnx::NodeProto& node) {
  for (const auto& a : node.attribute()) {
    if (a.name() == "value") {
      auto v = fold_tensor_proto(a.t());
      if (!v) return std::nullopt;
      return one(std::move(*v));
    }
    if (a.name() == "value_int") {
      FoldedTensor t = make(TensorProto::INT64, {});
      t.ints = {a.i()};
      return one(std::move(t));
    }
    if (a.name() == "value_ints") {
      FoldedTensor t = make(TensorProto::INT64, {a.ints_size()});
      t.ints.assign(a.ints().begin(), a.ints().end());
      return one(std::move(t));
    }
    if (a.name() == "value_float") {
      FoldedTensor t = make(TensorProto::FLOAT, {});
      t.reals = {a.f()};
      return one(std::move(t));
    }
    if (a.name() == "value_floats") {
      FoldedTensor t = make(TensorProto::FLOAT, {a.floats_size()});
      t.reals.assign(a.floats().begin(), a.floats().end());
      return one(std::move(t));
    }
  }
  return std::nullopt;
}

/// Same values, new dims (Reshape, Squeeze, Unsqueeze, Flatten, Identity): the output shape
/// comes from ONNX's shape inference, which read the (folded) shape arguments.
Outputs fold_relabel(const FoldedTensor& x, const Dims* out_dims) {
  if (out_dims == nullptr || bounded_count(*out_dims) != x.size()) return std::nullopt;
  FoldedTensor out = x;
  out.dims = *out_dims;
  return one(std::move(out));
}

Outputs fold_expand(const FoldedTensor& x, const Dims* out_dims) {
  if (out_dims == nullptr || bounded_count(*out_dims) < 0) return std::nullopt;
  FoldedTensor out = make(x.elem_type, *out_dims);
  for (auto i : broadcast_map(*out_dims, x.dims)) push(out, x, i);
  return one(std::move(out));
}

Outputs fold_where(const FoldedTensor& c, const FoldedTensor& x, const FoldedTensor& y) {
  const auto dims = broadcast_dims({&c.dims, &x.dims, &y.dims});
  if (!dims || bounded_count(*dims) < 0) return std::nullopt;
  FoldedTensor out = make(x.elem_type, *dims);
  const auto mc = broadcast_map(*dims, c.dims);
  const auto mx = broadcast_map(*dims, x.dims);
  const auto my = broadcast_map(*dims, y.dims);
  for (std::size_t i = 0; i < mc.size(); ++i) {
    if (c.integer(mc[i]) != 0)
      push(out, x, mx[i]);
    else
      push(out, y, my[i]);
  }
  return one(std::move(out));
}

/// Transpose: output axis i is input axis perm[i] (default: the axes reversed).
Outputs fold_transpose(const ::onnx::NodeProto& node, const FoldedTensor& x) {
  const auto rank = x.dims.size();
  Dims perm(rank);
  for (std::size_t i = 0; i < rank; ++i) perm[i] = static_cast<std::int64_t>(rank - 1 - i);
  if (auto p = ints_attr(node, "perm")) perm = *p;
  if (perm.size() != rank) return std::nullopt;
  std::vector<char> seen(rank, 0);
  for (auto a : perm) {
    if (a < 0 || a >= static_cast<std::int64_t>(rank) || seen[static_cast<std::size_t>(a)])
      return std::nullopt;
    seen[static_cast<std::size_t>(a)] = 1;
  }
  Dims out_dims(rank);
  Dims in_strides(rank, 1);
  for (std::size_t k = rank; k-- > 1;) in_strides[k - 1] = in_strides[k] * x.dims[k];
  for (std::size_t i = 0; i < rank; ++i) out_dims[i] = x.dims[static_cast<std::size_t>(perm[i])];
  FoldedTensor out = make(x.elem_type, out_dims);
  const std::int64_t n = bounded_count(out_dims);
  for (std::int64_t flat = 0; flat < n; ++flat) {
    std::int64_t rest = flat;
    std::int64_t in_flat = 0;
    for (std::size_t i = rank; i-- > 0;) {
      const std::int64_t idx = rest % out_dims[i];
      rest /= out_dims[i];
      in_flat += idx * in_strides[static_cast<std::size_t>(perm[i])];
    }
    push(out, x, in_flat);
  }
  return one(std::move(out));
}

/// Tile: each axis repeated `repeats[i]` times.
Outputs fold_tile(const FoldedTensor& x, const FoldedTensor& repeats) {
  const auto rank = x.dims.size();
  if (repeats.size() != static_cast<std::int64_t>(rank)) return std::nullopt;
  Dims out_dims(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t r = repeats.integer(static_cast<std::int64_t>(i));
    if (r < 0 || (x.dims[i] > 0 && r > kMaxFoldElements / x.dims[i])) return std::nullopt;
    out_dims[i] = x.dims[i] * r;
  }
  const std::int64_t n = bounded_count(out_dims);
  if (n < 0) return std::nullopt;
  FoldedTensor out = make(x.elem_type, out_dims);
  for (std::int64_t flat = 0; flat < n; ++flat) {
    std::int64_t rest = flat;
    std::int64_t in_flat = 0;
    std::int64_t stride = 1;
    for (std::size_t i = rank; i-- > 0;) {
      const std::int64_t idx = rest % out_dims[i];
      rest /= out_dims[i];
      in_flat += (idx % x.dims[i]) * stride;
      stride *= x.dims[i];
    }
    push(out, x, in_flat);
  }
  return one(std::move(out));
}

/// ReduceSum, ReduceProd, ReduceMin, ReduceMax over `axes` (an attribute before opset 13 for
/// ReduceSum and 18 for the others, then an optional input; none = every axis unless
/// noop_with_empty_axes), keeping the reduced axes as 1 when keepdims (default 1).
Outputs fold_reduce(const ::onnx::NodeProto& node, std::int64_t opset, const FoldInputs& in) {
  if (in.values.empty() || in.values[0] == nullptr) return std::nullopt;
  const std::string& op = node.op_type();
  const FoldedTensor& x = *in.values[0];
  const auto rank = static_cast<std::int64_t>(x.dims.size());
  const bool axes_input = opset >= (op == "ReduceSum" ? 13 : 18);
  std::optional<Dims> axes;
  if (axes_input) {
    if (node.input_size() > 1 && !node.input(1).empty()) {
      if (in.values.size() < 2 || in.values[1] == nullptr) return std::nullopt;
      Dims a;
      for (std::int64_t i = 0; i < in.values[1]->size(); ++i) a.push_back(in.values[1]->integer(i));
      axes = std::move(a);
    }
  } else {
    axes = ints_attr(node, "axes");
  }
  std::vector<char> reduced(static_cast<std::size_t>(rank), 0);
  if (!axes || axes->empty()) {
    if (axes_input && int_attr(node, "noop_with_empty_axes", 0) != 0) return one(x);
    std::fill(reduced.begin(), reduced.end(), 1);
  } else {
    for (auto a : *axes) {
      if (a < 0) a += rank;
      if (a < 0 || a >= rank) return std::nullopt;
      reduced[static_cast<std::size_t>(a)] = 1;
    }
  }
  const bool keepdims = int_attr(node, "keepdims", 1) != 0;
  Dims kept(x.dims);  // the output with reduced axes as 1
  Dims out_dims;
  for (std::size_t k = 0; k < kept.size(); ++k) {
    if (reduced[k]) kept[k] = 1;
    if (!reduced[k] || keepdims) out_dims.push_back(kept[k]);
  }
  const std::int64_t n_out = bounded_count(kept);
  if (n_out <= 0 || x.size() == 0) return std::nullopt;  // an empty reduction: not folded
  const bool real = x.is_real();
  std::vector<double> racc(static_cast<std::size_t>(n_out));
  std::vector<std::int64_t> iacc(static_cast<std::size_t>(n_out));
  std::vector<char> seen(static_cast<std::size_t>(n_out), 0);
  for (std::int64_t flat = 0; flat < x.size(); ++flat) {
    std::int64_t rest = flat, out_flat = 0, stride = 1;
    for (std::size_t k = x.dims.size(); k-- > 0;) {
      const std::int64_t idx = rest % x.dims[k];
      rest /= x.dims[k];
      if (!reduced[k]) out_flat += idx * stride;
      stride *= kept[k];
    }
    const auto o = static_cast<std::size_t>(out_flat);
    if (real) {
      const double v = x.real(flat);
      double& acc = racc[o];
      if (!seen[o])
        acc = v;
      else if (op == "ReduceSum")
        acc += v;
      else if (op == "ReduceProd")
        acc *= v;
      else if (op == "ReduceMin")
        acc = std::min(acc, v);
      else
        acc = std::max(acc, v);
    } else {
      const std::int64_t v = x.integer(flat);
      std::int64_t& acc = iacc[o];
      if (!seen[o]) {
        acc = v;
      } else if (op == "ReduceSum") {
        if (__builtin_add_overflow(acc, v, &acc)) return std::nullopt;
      } else if (op == "ReduceProd") {
        if (__builtin_mul_overflow(acc, v, &acc)) return std::nullopt;
      } else {
        acc = op == "ReduceMin" ? std::min(acc, v) : std::max(acc, v);
      }
    }
    seen[o] = 1;
  }
  FoldedTensor out = make(x.elem_type, out_dims);
  for (std::size_t o = 0; o < static_cast<std::size_t>(n_out); ++o) {
    if (real)
      out.reals.push_back(racc[o]);
    else
      out.ints.push_back(normalize(out.elem_type, iacc[o]));
  }
  return one(std::move(out));
}

/// Clip(x, min, max): bounds as optional inputs from opset 11, attributes before.
Outputs fold_clip(const ::onnx::NodeProto& node, std::int64_t opset, const FoldInputs& in) {
  if (in.values.empty() || in.values[0] == nullptr) return std::nullopt;
  const FoldedTensor& x = *in.values[0];
  std::optional<double> lo, hi;
  if (opset >= 11) {
    for (int slot = 1; slot <= 2; ++slot) {
      if (node.input_size() <= slot || node.input(slot).empty()) continue;
      const auto k = static_cast<std::size_t>(slot);
      if (in.values.size() <= k || in.values[k] == nullptr || in.values[k]->size() != 1)
        return std::nullopt;
      (slot == 1 ? lo : hi) = in.values[k]->real(0);
    }
  } else {
    for (const char* name : {"min", "max"})
      if (const auto* a = attribute(node, name)) (name[1] == 'i' ? lo : hi) = a->f();
  }
  FoldedTensor out = make(x.elem_type, x.dims);
  for (std::int64_t i = 0; i < x.size(); ++i) {
    if (x.is_real()) {
      double v = x.real(i);
      if (lo) v = std::max(v, *lo);
      if (hi) v = std::min(v, *hi);
      out.reals.push_back(v);
    } else {
      std::int64_t v = x.integer(i);
      if (lo) v = std::max(v, to_int64(*lo));
      if (hi) v = std::min(v, to_int64(*hi));
      out.ints.push_back(normalize(out.elem_type, v));
    }
  }
  return one(std::move(out));
}

/// Split: `axis` cut into pieces of the sizes given (input 1 from opset 13, attribute `split`
/// before), else into as many equal pieces as the node has outputs.
Outputs fold_split(const ::onnx::NodeProto& node, std::int64_t opset, const FoldInputs& in) {
  if (in.values.empty() || in.values[0] == nullptr) return std::nullopt;
  const FoldedTensor& x = *in.values[0];
  const auto rank = static_cast<std::int64_t>(x.dims.size());
  std::int64_t axis = int_attr(node, "axis", 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return std::nullopt;
  const auto ax = static_cast<std::size_t>(axis);
  const std::int64_t n = x.dims[ax];
  const auto pieces = static_cast<std::int64_t>(node.output_size());
  if (pieces < 1) return std::nullopt;
  Dims sizes;
  if (opset >= 13 && in.values.size() > 1 && in.values[1] != nullptr) {
    for (std::int64_t i = 0; i < in.values[1]->size(); ++i)
      sizes.push_back(in.values[1]->integer(i));
  } else if (auto attr = ints_attr(node, "split"); attr && opset < 13) {
    sizes = *attr;
  } else {
    if (n % pieces != 0) return std::nullopt;
    sizes.assign(static_cast<std::size_t>(pieces), n / pieces);
  }
  if (static_cast<std::int64_t>(sizes.size()) != pieces) return std::nullopt;
  std::int64_t total = 0;
  for (auto s : sizes) {
    if (s < 0 || s > n - total) return std::nullopt;
    total += s;
  }
  if (total != n) return std::nullopt;
  std::int64_t outer = 1;
  for (std::size_t k = 0; k < ax; ++k) outer *= x.dims[k];
  std::int64_t inner = 1;
  for (std::size_t k = ax + 1; k < x.dims.size(); ++k) inner *= x.dims[k];
  std::vector<FoldedTensor> outs;
  std::int64_t first = 0;
  for (auto s : sizes) {
    Dims dims = x.dims;
    dims[ax] = s;
    FoldedTensor out = make(x.elem_type, dims);
    for (std::int64_t o = 0; o < outer; ++o)
      for (std::int64_t i = 0; i < s * inner; ++i) push(out, x, (o * n + first) * inner + i);
    outs.push_back(std::move(out));
    first += s;
  }
  return outs;
}

/// CumSum along the axis given as input 1, with the `exclusive` and `reverse` attributes.
Outputs fold_cumsum(const ::onnx::NodeProto& node, const FoldedTensor& x,
                    const FoldedTensor& axis_value) {
  const auto rank = static_cast<std::int64_t>(x.dims.size());
  if (axis_value.size() != 1 || rank == 0) return std::nullopt;
  std::int64_t axis = axis_value.integer(0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return std::nullopt;
  const auto ax = static_cast<std::size_t>(axis);
  const bool exclusive = int_attr(node, "exclusive", 0) != 0;
  const bool reverse = int_attr(node, "reverse", 0) != 0;
  const std::int64_t n = x.dims[ax];
  std::int64_t outer = 1;
  for (std::size_t k = 0; k < ax; ++k) outer *= x.dims[k];
  std::int64_t inner = 1;
  for (std::size_t k = ax + 1; k < x.dims.size(); ++k) inner *= x.dims[k];
  FoldedTensor out = make(x.elem_type, x.dims);
  if (out.is_real())
    out.reals.assign(static_cast<std::size_t>(x.size()), 0.0);
  else
    out.ints.assign(static_cast<std::size_t>(x.size()), 0);
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t in = 0; in < inner; ++in) {
      double real_sum = 0.0;
      std::int64_t int_sum = 0;
      for (std::int64_t step = 0; step < n; ++step) {
        const std::int64_t k = reverse ? n - 1 - step : step;
        const auto at = static_cast<std::size_t>((o * n + k) * inner + in);
        if (out.is_real()) {
          if (exclusive) out.reals[at] = real_sum;
          real_sum += x.real(static_cast<std::int64_t>(at));
          if (!exclusive) out.reals[at] = real_sum;
        } else {
          const std::int64_t v = x.integer(static_cast<std::int64_t>(at));
          if (exclusive) out.ints[at] = int_sum;
          if (__builtin_add_overflow(int_sum, v, &int_sum)) return std::nullopt;
          if (!exclusive) out.ints[at] = normalize(out.elem_type, int_sum);
        }
      }
    }
  return one(std::move(out));
}

/// NonZero: the indices of the non-zero elements, one row per axis ([rank, count], int64).
Outputs fold_nonzero(const FoldedTensor& x) {
  const auto rank = x.dims.size();
  std::vector<std::int64_t> hits;
  for (std::int64_t i = 0; i < x.size(); ++i)
    if (x.is_real() ? x.real(i) != 0.0 : x.integer(i) != 0) hits.push_back(i);
  const auto count = static_cast<std::int64_t>(hits.size());
  FoldedTensor out = make(TensorProto::INT64, {static_cast<std::int64_t>(rank), count});
  if (bounded_count(out.dims) < 0) return std::nullopt;
  out.ints.assign(rank * hits.size(), 0);
  for (std::size_t h = 0; h < hits.size(); ++h) {
    std::int64_t rest = hits[h];
    for (std::size_t k = rank; k-- > 0;) {
      out.ints[k * hits.size() + h] = rest % x.dims[k];
      rest /= x.dims[k];
    }
  }
  return one(std::move(out));
}

Outputs fold_constant_of_shape(const ::onnx::NodeProto& node, const FoldedTensor& shape) {
  Dims dims;
  for (std::int64_t i = 0; i < shape.size(); ++i) dims.push_back(shape.integer(i));
  if (bounded_count(dims) < 0) return std::nullopt;
  FoldedTensor fill = make(TensorProto::FLOAT, {});
  fill.reals = {0.0};
  if (const auto* a = attribute(node, "value")) {
    auto v = fold_tensor_proto(a->t());
    if (!v || v->size() != 1) return std::nullopt;
    fill = std::move(*v);
  }
  FoldedTensor out = make(fill.elem_type, dims);
  const std::int64_t n = bounded_count(dims);
  for (std::int64_t i = 0; i < n; ++i) push(out, fill, 0);
  return one(std::move(out));
}

}  // namespace

bool FoldedTensor::is_real() const {
  return real_type(elem_type);
}

std::int64_t FoldedTensor::size() const {
  return static_cast<std::int64_t>(is_real() ? reals.size() : ints.size());
}

double FoldedTensor::real(std::int64_t i) const {
  return is_real() ? reals[static_cast<std::size_t>(i)]
                   : static_cast<double>(ints[static_cast<std::size_t>(i)]);
}

std::int64_t FoldedTensor::integer(std::int64_t i) const {
  return is_real() ? to_int64(reals[static_cast<std::size_t>(i)])
                   : ints[static_cast<std::size_t>(i)];
}

bool foldable_type(std::int32_t t) {
  switch (t) {
    case TensorProto::FLOAT:
    case TensorProto::DOUBLE:
    case TensorProto::INT8:
    case TensorProto::INT16:
    case TensorProto::INT32:
    case TensorProto::INT64:
    case TensorProto::UINT8:
    case TensorProto::UINT16:
    case TensorProto::UINT32:
    case TensorProto::UINT64:
    case TensorProto::BOOL:
      return true;
    default:
      return false;
  }
}

std::optional<FoldedTensor> fold_tensor_proto(const TensorProto& tensor) {
  if (!foldable_type(tensor.data_type())) return std::nullopt;
  if (tensor.data_location() == TensorProto::EXTERNAL) return std::nullopt;
  Dims dims(tensor.dims().begin(), tensor.dims().end());
  const std::int64_t n = bounded_count(dims);
  if (n < 0) return std::nullopt;
  FoldedTensor out = make(tensor.data_type(), std::move(dims));
  const auto count = static_cast<std::size_t>(n);
  if (tensor.has_raw_data()) {
    if (tensor.raw_data().size() != count * raw_width(out.elem_type)) return std::nullopt;
    for (std::size_t i = 0; i < count; ++i) push_raw(out, tensor.raw_data(), i);
    return out;
  }
  switch (out.elem_type) {
    case TensorProto::FLOAT:
      if (static_cast<std::size_t>(tensor.float_data_size()) != count) return std::nullopt;
      out.reals.assign(tensor.float_data().begin(), tensor.float_data().end());
      return out;
    case TensorProto::DOUBLE:
      if (static_cast<std::size_t>(tensor.double_data_size()) != count) return std::nullopt;
      out.reals.assign(tensor.double_data().begin(), tensor.double_data().end());
      return out;
    case TensorProto::INT64:
      if (static_cast<std::size_t>(tensor.int64_data_size()) != count) return std::nullopt;
      out.ints.assign(tensor.int64_data().begin(), tensor.int64_data().end());
      return out;
    case TensorProto::UINT32:
    case TensorProto::UINT64:
      if (static_cast<std::size_t>(tensor.uint64_data_size()) != count) return std::nullopt;
      for (auto v : tensor.uint64_data()) out.ints.push_back(static_cast<std::int64_t>(v));
      return out;
    default:  // int32_data holds INT32, INT16, INT8, UINT16, UINT8 and BOOL
      if (static_cast<std::size_t>(tensor.int32_data_size()) != count) return std::nullopt;
      for (auto v : tensor.int32_data()) out.ints.push_back(normalize(out.elem_type, v));
      return out;
  }
}

TensorProto to_tensor_proto(const FoldedTensor& value) {
  TensorProto t;
  t.set_data_type(value.elem_type);
  for (auto d : value.dims) t.add_dims(d);
  switch (value.elem_type) {
    case TensorProto::FLOAT:
      for (double v : value.reals) t.add_float_data(static_cast<float>(v));
      break;
    case TensorProto::DOUBLE:
      for (double v : value.reals) t.add_double_data(v);
      break;
    case TensorProto::INT64:
      for (auto v : value.ints) t.add_int64_data(v);
      break;
    case TensorProto::UINT32:
    case TensorProto::UINT64:
      for (auto v : value.ints) t.add_uint64_data(static_cast<std::uint64_t>(v));
      break;
    default:
      for (auto v : value.ints) t.add_int32_data(static_cast<std::int32_t>(v));
      break;
  }
  return t;
}

std::optional<std::vector<FoldedTensor>> fold_node(const ::onnx::NodeProto& node,
                                                   std::int64_t opset, const FoldInputs& in) {
  const std::string& op = node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx") return std::nullopt;
  if (op == "Constant") return fold_constant(node);
  if (op == "Shape" || op == "Size") {
    if (in.shapes.empty() || in.shapes[0] == nullptr) return std::nullopt;
    const Dims& s = *in.shapes[0];
    if (op == "Size") {
      std::int64_t n = 1;
      for (auto d : s) n *= d;
      FoldedTensor t = make(TensorProto::INT64, {});
      t.ints = {n};
      return one(std::move(t));
    }
    const auto rank = static_cast<std::int64_t>(s.size());
    std::int64_t start = int_attr(node, "start", 0);
    std::int64_t end = int_attr(node, "end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = std::clamp<std::int64_t>(start, 0, rank);
    end = std::clamp<std::int64_t>(end, 0, rank);
    FoldedTensor t = make(TensorProto::INT64, {std::max<std::int64_t>(end - start, 0)});
    for (std::int64_t k = start; k < end; ++k) t.ints.push_back(s[static_cast<std::size_t>(k)]);
    return one(std::move(t));
  }

  // Every other operator needs the values of its (present) inputs.
  std::vector<const FoldedTensor*> xs;
  for (int i = 0; i < node.input_size(); ++i) {
    if (node.input(i).empty()) continue;
    const auto k = static_cast<std::size_t>(i);
    if (k >= in.values.size() || in.values[k] == nullptr) return std::nullopt;
    xs.push_back(in.values[k]);
  }
  if (xs.empty()) return std::nullopt;
  const Dims* out0 = in.output_shapes.empty() ? nullptr : in.output_shapes[0];
  if (op == "Identity" || op == "Reshape" || op == "Squeeze" || op == "Unsqueeze" ||
      op == "Flatten" || (op == "Dropout" && node.output_size() == 1))
    return fold_relabel(*xs[0], out0);
  if (op == "Expand") return fold_expand(*xs[0], out0);
  if (op == "Gather" && xs.size() == 2) return fold_gather(node, *xs[0], *xs[1]);
  if (op == "Concat") return fold_concat(node, xs);
  if (op == "Slice") return fold_slice(node, opset, in);
  if (op == "Cast") return fold_cast(node, *xs[0]);
  if (op == "Range" && xs.size() == 3) return fold_range(*xs[0], *xs[1], *xs[2]);
  if (op == "Where" && xs.size() == 3) return fold_where(*xs[0], *xs[1], *xs[2]);
  if (op == "ConstantOfShape") return fold_constant_of_shape(node, *xs[0]);
  if (op == "Transpose" && xs.size() == 1) return fold_transpose(node, *xs[0]);
  if (op == "Tile" && xs.size() == 2) return fold_tile(*xs[0], *xs[1]);
  if (op == "ReduceSum" || op == "ReduceProd" || op == "ReduceMin" || op == "ReduceMax")
    return fold_reduce(node, opset, in);
  if (op == "Clip") return fold_clip(node, opset, in);
  if (op == "Split") return fold_split(node, opset, in);
  if (op == "CumSum" && xs.size() == 2) return fold_cumsum(node, *xs[0], *xs[1]);
  if (op == "NonZero" && xs.size() == 1) return fold_nonzero(*xs[0]);
  if ((op == "Min" || op == "Max" || op == "Sum") && !xs.empty()) {
    FoldedTensor acc = *xs[0];
    for (std::size_t i = 1; i < xs.size(); ++i) {
      auto r = fold_binary(op == "Sum" ? "Add" : op, acc, *xs[i]);
      if (!r) return std::nullopt;
      acc = std::move((*r)[0]);
    }
    return one(std::move(acc));
  }
  if (xs.size() == 2) return fold_binary(op, *xs[0], *xs[1], int_attr(node, "fmod", 0) != 0);
  if (xs.size() == 1) return fold_unary(op, *xs[0]);
  return std::nullopt;
}

}  // namespace tessera::onnx::detail
