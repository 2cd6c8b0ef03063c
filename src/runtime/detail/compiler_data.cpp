// Operators that move or convert data (any element type, row-major): loops of the executor's
// own, parallel with OpenMP. oneDNN has no int64 or bool tensors, which these operators carry.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/detail/compiler.hpp"

namespace tessera::runtime::detail {

namespace {

using graph::OpKind;

std::int64_t normalise_axis(std::int64_t axis, std::size_t rank) {
  return axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis;
}

Dims pad_front(const Dims& shape, std::size_t rank) {
  Dims out(rank - std::min(rank, shape.size()), 1);
  out.insert(out.end(), shape.begin(), shape.end());
  return out;
}

/// Strides of `in` broadcast to `out` (0 where `in` has extent 1 and `out` more).
Dims broadcast_strides(const Dims& in, const Dims& out) {
  const Dims padded = pad_front(in, out.size());
  Dims strides = plain_strides(padded);
  for (std::size_t i = 0; i < out.size(); ++i)
    if (padded[i] == 1 && out[i] != 1) strides[i] = 0;
  return strides;
}

/// Offsets in elements of the start of row `row` (all dims but the last) for each stride set.
template <std::size_t N>
void row_offsets(std::int64_t row, const Dims& shape, const std::array<const Dims*, N>& strides,
                 std::array<std::int64_t, N>& offsets) {
  offsets.fill(0);
  for (std::size_t d = shape.size() - 1; d-- > 0;) {
    const std::int64_t i = row % shape[d];
    row /= shape[d];
    for (std::size_t k = 0; k < N; ++k) offsets[k] += i * (*strides[k])[d];
  }
}

constexpr std::int64_t kParallelElements = 1 << 15;

}  // namespace

void copy_strided(const Dims& shape, std::byte* dst, const Dims& dst_strides, const std::byte* src,
                  const Dims& src_strides, std::size_t element_bytes) {
  if (shape.empty()) {
    std::memcpy(dst, src, element_bytes);
    return;
  }
  const std::int64_t inner = shape.back();
  if (inner == 0) return;
  const std::int64_t rows = graph::element_count(shape) / inner;
  const std::int64_t ds = dst_strides.back(), ss = src_strides.back();
  const auto eb = static_cast<std::int64_t>(element_bytes);
  const std::array<const Dims*, 2> strides = {&dst_strides, &src_strides};
#pragma omp parallel for if (rows * inner > kParallelElements) schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    std::array<std::int64_t, 2> off{};
    row_offsets(r, shape, strides, off);
    std::byte* d = dst + off[0] * eb;
    const std::byte* s = src + off[1] * eb;
    if (ds == 1 && ss == 1) {
      std::memcpy(d, s, static_cast<std::size_t>(inner * eb));
    } else if (element_bytes == 4) {
      for (std::int64_t i = 0; i < inner; ++i) std::memcpy(d + i * ds * 4, s + i * ss * 4, 4);
    } else {
      for (std::int64_t i = 0; i < inner; ++i)
        std::memcpy(d + i * ds * eb, s + i * ss * eb, element_bytes);
    }
  }
}

void Compiler::copy(const graph::Op& op) {
  // Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout: the same row-major bytes.
  const int src = plain(value_of(op.inputs[0]));
  const int dst = define(op.outputs[0]);
  const auto bytes = static_cast<std::size_t>(values()[static_cast<std::size_t>(dst)].bytes);
  if (op.kind == OpKind::kDropout && op.outputs.size() > 1) {
    // Inference: nothing is dropped, the mask is all true.
    const int mask = define(op.outputs[1]);
    const auto mask_bytes =
        static_cast<std::size_t>(values()[static_cast<std::size_t>(mask)].bytes);
    add_loop({src}, {dst, mask}, [src, dst, bytes, mask, mask_bytes](const Buffers& b) {
      std::memcpy(b.at(dst), b.at(src), bytes);
      std::memset(b.at(mask), 1, mask_bytes);
      return std::string();
    });
    return;
  }
  add_loop({src}, {dst}, [src, dst, bytes](const Buffers& b) {
    std::memcpy(b.at(dst), b.at(src), bytes);
    return std::string();
  });
}

void Compiler::transpose(const graph::Op& op) {
  const Dims x = tensor(op.inputs[0]).shape, y = tensor(op.outputs[0]).shape;
  const Dims in_strides = plain_strides(x);
  Dims strides;
  for (std::int64_t p : op.attrs.perm)
    strides.push_back(in_strides[static_cast<std::size_t>(normalise_axis(p, x.size()))]);
  const int src = plain(value_of(op.inputs[0]));
  const int dst = define(op.outputs[0]);
  const auto eb = static_cast<std::size_t>(dtype_bytes(tensor(op.inputs[0]).dtype));
  add_loop({src}, {dst}, [=](const Buffers& b) {
    copy_strided(y, b.at(dst), plain_strides(y), b.at(src), strides, eb);
    return std::string();
  });
}

void Compiler::slice(const graph::Op& op) {
  const Dims x = tensor(op.inputs[0]).shape, y = tensor(op.outputs[0]).shape;
  const auto& extra = op.attrs.extra;
  const Dims starts = extra.at("starts").ints, steps = extra.at("steps").ints;
  const Dims in_strides = plain_strides(x);
  Dims strides = in_strides;
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < op.attrs.axes.size() && i < starts.size(); ++i) {
    const auto axis = static_cast<std::size_t>(normalise_axis(op.attrs.axes[i], x.size()));
    const std::int64_t step = i < steps.size() ? steps[i] : 1;
    const std::int64_t dim = x[axis];
    std::int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    start = step > 0 ? std::clamp<std::int64_t>(start, 0, dim)
                     : std::clamp<std::int64_t>(start, 0, dim - 1);
    offset += start * in_strides[axis];
    strides[axis] = in_strides[axis] * step;
  }
  const int src = plain(value_of(op.inputs[0]));
  const int dst = define(op.outputs[0]);
  const auto eb = static_cast<std::size_t>(dtype_bytes(tensor(op.inputs[0]).dtype));
  add_loop({src}, {dst}, [=](const Buffers& b) {
    if (graph::element_count(y) > 0)
      copy_strided(y, b.at(dst), plain_strides(y),
                   b.at(src) + offset * static_cast<std::int64_t>(eb), strides, eb);
    return std::string();
  });
}

void Compiler::concat(const graph::Op& op) {
  const Dims y = tensor(op.outputs[0]).shape;
  const auto axis = static_cast<std::size_t>(normalise_axis(op.attrs.axis, y.size()));
  const Dims out_strides = plain_strides(y);
  std::vector<int> srcs;
  std::vector<Dims> shapes;
  std::vector<std::int64_t> offsets;
  std::int64_t at = 0;
  for (TensorId t : op.inputs) {
    srcs.push_back(plain(value_of(t)));
    shapes.push_back(tensor(t).shape);
    offsets.push_back(at * out_strides[axis]);
    at += tensor(t).shape[axis];
  }
  const int dst = define(op.outputs[0]);
  const auto eb = static_cast<std::size_t>(dtype_bytes(tensor(op.outputs[0]).dtype));
  add_loop(srcs, {dst}, [=](const Buffers& b) {
    for (std::size_t i = 0; i < srcs.size(); ++i)
      if (graph::element_count(shapes[i]) > 0)
        copy_strided(shapes[i], b.at(dst) + offsets[i] * static_cast<std::int64_t>(eb), out_strides,
                     b.at(srcs[i]), plain_strides(shapes[i]), eb);
    return std::string();
  });
}

void Compiler::split(const graph::Op& op) {
  const Dims x = tensor(op.inputs[0]).shape;
  const auto axis = static_cast<std::size_t>(normalise_axis(op.attrs.axis, x.size()));
  const Dims in_strides = plain_strides(x);
  const int src = plain(value_of(op.inputs[0]));
  std::vector<int> dsts;
  std::vector<Dims> shapes;
  std::vector<std::int64_t> offsets;
  std::int64_t at = 0;
  for (TensorId t : op.outputs) {
    dsts.push_back(define(t));
    shapes.push_back(tensor(t).shape);
    offsets.push_back(at * in_strides[axis]);
    at += tensor(t).shape[axis];
  }
  const auto eb = static_cast<std::size_t>(dtype_bytes(tensor(op.inputs[0]).dtype));
  add_loop({src}, dsts, [=](const Buffers& b) {
    for (std::size_t i = 0; i < dsts.size(); ++i)
      if (graph::element_count(shapes[i]) > 0)
        copy_strided(shapes[i], b.at(dsts[i]), plain_strides(shapes[i]),
                     b.at(src) + offsets[i] * static_cast<std::int64_t>(eb), in_strides, eb);
    return std::string();
  });
}

void Compiler::gather(const graph::Op& op) {
  const Dims x = tensor(op.inputs[0]).shape;
  const auto axis = static_cast<std::size_t>(normalise_axis(op.attrs.axis, x.size()));
  std::int64_t outer = 1, inner = 1;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (i < axis) outer *= x[i];
    if (i > axis) inner *= x[i];
  }
  const std::int64_t extent = x[axis];
  const std::int64_t count = tensor(op.inputs[1]).elements();
  const bool wide = tensor(op.inputs[1]).dtype == DType::kInt64;
  const int src = plain(value_of(op.inputs[0]));
  const int idx = value_of(op.inputs[1]);
  const int dst = define(op.outputs[0]);
  const auto row = static_cast<std::size_t>(inner * dtype_bytes(tensor(op.inputs[0]).dtype));
  const std::string name = op.name;
  add_loop({src, idx}, {dst}, [=](const Buffers& b) {
    for (std::int64_t j = 0; j < count; ++j) {
      std::int64_t k = wide ? b.as<std::int64_t>(idx)[j] : b.as<std::int32_t>(idx)[j];
      if (k < 0) k += extent;
      if (k < 0 || k >= extent)
        return "node '" + name + "' (Gather): index " + std::to_string(k) + " is outside [0, " +
               std::to_string(extent) + ")";
      for (std::int64_t o = 0; o < outer; ++o)
        std::memcpy(b.at(dst) + static_cast<std::size_t>(o * count + j) * row,
                    b.at(src) + static_cast<std::size_t>(o * extent + k) * row, row);
    }
    return std::string();
  });
}

void Compiler::pad(const graph::Op& op) {
  const Dims x = tensor(op.inputs[0]).shape, y = tensor(op.outputs[0]).shape;
  const std::size_t rank = x.size();
  const Dims begin(op.attrs.pads.begin(), op.attrs.pads.begin() + static_cast<long>(rank));
  const DType type = tensor(op.inputs[0]).dtype;
  const auto eb = static_cast<std::size_t>(dtype_bytes(type));
  // The fill value in the tensor's element type.
  double fill = 0.0;
  if (const auto it = op.attrs.extra.find("value");
      it != op.attrs.extra.end() && !it->second.floats.empty())
    fill = it->second.floats[0];
  // A fill value computed at run time is read from its buffer (one element of the data's type).
  const int runtime_fill =
      op.inputs.size() > 2 && !is_constant(op.inputs[2]) ? plain(value_of(op.inputs[2])) : -1;
  if (op.inputs.size() > 2 && runtime_fill < 0) {
    if (type == DType::kFloat32)
      fill = constant_floats(op.inputs[2]).at(0);
    else
      fill = static_cast<double>(constant_ints(op.inputs[2]).at(0));
  }
  std::vector<std::byte> fill_bytes(eb);
  if (type == DType::kFloat32) {
    const auto f = static_cast<float>(fill);
    std::memcpy(fill_bytes.data(), &f, 4);
  } else if (type == DType::kInt64) {
    const auto i = static_cast<std::int64_t>(fill);
    std::memcpy(fill_bytes.data(), &i, 8);
  } else if (type == DType::kInt32) {
    const auto i = static_cast<std::int32_t>(fill);
    std::memcpy(fill_bytes.data(), &i, 4);
  }
  const std::string mode = op.attrs.mode;
  const int src = plain(value_of(op.inputs[0]));
  const int dst = define(op.outputs[0]);
  std::vector<int> reads = {src};
  if (runtime_fill >= 0) reads.push_back(runtime_fill);
  add_loop(reads, {dst}, [=](const Buffers& b) mutable {
    if (runtime_fill >= 0) std::memcpy(fill_bytes.data(), b.at(runtime_fill), eb);
    const Dims in_strides = plain_strides(x);
    const std::int64_t total = graph::element_count(y);
    for (std::int64_t e = 0; e < total; ++e) {
      std::int64_t rest = e, offset = 0;
      bool inside = true;
      for (std::size_t d = rank; d-- > 0;) {
        std::int64_t i = rest % y[d] - begin[d];
        rest /= y[d];
        const std::int64_t n = x[d];
        if (i < 0 || i >= n) {
          if (mode == "constant" || n == 0) {
            inside = false;
            break;
          }
          if (mode == "edge") {
            i = std::clamp<std::int64_t>(i, 0, n - 1);
          } else {  // reflect, repeatedly for pads wider than the input
            const std::int64_t period = n == 1 ? 1 : 2 * (n - 1);
            i = ((i % period) + period) % period;
            if (i >= n) i = period - i;
          }
        }
        offset += i * in_strides[d];
      }
      std::memcpy(b.at(dst) + static_cast<std::size_t>(e) * eb,
                  inside ? b.at(src) + static_cast<std::size_t>(offset) * eb : fill_bytes.data(),
                  eb);
    }
    return std::string();
  });
}

void Compiler::expand(const graph::Op& op) {
  const Dims x = tensor(op.inputs[0]).shape, y = tensor(op.outputs[0]).shape;
  const Dims strides = broadcast_strides(x, y);
  const int src = plain(value_of(op.inputs[0]));
  const int dst = define(op.outputs[0]);
  const auto eb = static_cast<std::size_t>(dtype_bytes(tensor(op.inputs[0]).dtype));
  add_loop({src}, {dst}, [=](const Buffers& b) {
    if (graph::element_count(y) > 0)
      copy_strided(y, b.at(dst), plain_strides(y), b.at(src), strides, eb);
    return std::string();
  });
}

void Compiler::where(const graph::Op& op) {
  const Dims y = tensor(op.outputs[0]).shape;
  const Dims sc = broadcast_strides(tensor(op.inputs[0]).shape, y);
  const Dims sx = broadcast_strides(tensor(op.inputs[1]).shape, y);
  const Dims sy = broadcast_strides(tensor(op.inputs[2]).shape, y);
  const int c = value_of(op.inputs[0]);
  const int a = plain(value_of(op.inputs[1]));
  const int bv = plain(value_of(op.inputs[2]));
  const int dst = define(op.outputs[0]);
  const auto eb = static_cast<std::int64_t>(dtype_bytes(tensor(op.outputs[0]).dtype));
  add_loop({c, a, bv}, {dst}, [=](const Buffers& b) {
    const std::int64_t total = graph::element_count(y);
    const Dims shape = y.empty() ? Dims{1} : y;
    const Dims s0 = y.empty() ? Dims{0} : sc, s1 = y.empty() ? Dims{0} : sx,
               s2 = y.empty() ? Dims{0} : sy;
    const std::int64_t inner = shape.back();
    if (inner == 0) return std::string();
    const std::array<const Dims*, 3> strides = {&s0, &s1, &s2};
#pragma omp parallel for if (total > kParallelElements) schedule(static)
    for (std::int64_t r = 0; r < total / inner; ++r) {
      std::array<std::int64_t, 3> off{};
      row_offsets(r, shape, strides, off);
      for (std::int64_t i = 0; i < inner; ++i) {
        const bool pick = b.as<std::uint8_t>(c)[off[0] + i * s0.back()] != 0;
        const std::byte* from = pick ? b.at(a) + (off[1] + i * s1.back()) * eb
                                     : b.at(bv) + (off[2] + i * s2.back()) * eb;
        std::memcpy(b.at(dst) + (r * inner + i) * eb, from, static_cast<std::size_t>(eb));
      }
    }
    return std::string();
  });
}

void Compiler::cast(const graph::Op& op) {
  const DType from = tensor(op.inputs[0]).dtype, to = tensor(op.outputs[0]).dtype;
  const int src = plain(value_of(op.inputs[0]));
  const int dst = define(op.outputs[0]);
  const std::int64_t n = tensor(op.inputs[0]).elements();
  add_loop({src}, {dst}, [=](const Buffers& b) {
    for (std::int64_t i = 0; i < n; ++i) {
      double real = 0.0;
      std::int64_t integer = 0;
      const bool is_real = from == DType::kFloat32;
      switch (from) {
        case DType::kFloat32:
          real = b.as<float>(src)[i];
          break;
        case DType::kInt64:
          integer = b.as<std::int64_t>(src)[i];
          break;
        case DType::kInt32:
          integer = b.as<std::int32_t>(src)[i];
          break;
        case DType::kInt8:
          integer = b.as<std::int8_t>(src)[i];
          break;
        default:
          integer = b.as<std::uint8_t>(src)[i];
          break;  // uint8, bool
      }
      const auto as_int = [&] { return is_real ? static_cast<std::int64_t>(real) : integer; };
      switch (to) {
        case DType::kFloat32:
          b.as<float>(dst)[i] = is_real ? static_cast<float>(real) : static_cast<float>(integer);
          break;
        case DType::kInt64:
          b.as<std::int64_t>(dst)[i] = as_int();
          break;
        case DType::kInt32:
          b.as<std::int32_t>(dst)[i] = static_cast<std::int32_t>(as_int());
          break;
        case DType::kInt8:
          b.as<std::int8_t>(dst)[i] = static_cast<std::int8_t>(as_int());
          break;
        case DType::kBool:
          b.as<std::uint8_t>(dst)[i] = (is_real ? real != 0.0 : integer != 0) ? 1 : 0;
          break;
        default:
          b.as<std::uint8_t>(dst)[i] = static_cast<std::uint8_t>(as_int());
          break;
      }
    }
    return std::string();
  });
}

void Compiler::erf(const graph::Op& op) {
  // oneDNN has GELU with erf but no erf alone.
  const int src = plain(value_of(op.inputs[0]));
  const int dst = define(op.outputs[0]);
  const std::int64_t n = tensor(op.inputs[0]).elements();
  add_loop({src}, {dst}, [=](const Buffers& b) {
    const float* in = b.as<float>(src);
    float* out = b.as<float>(dst);
#pragma omp parallel for if (n > kParallelElements) schedule(static)
    for (std::int64_t i = 0; i < n; ++i) out[i] = std::erf(in[i]);
    return std::string();
  });
}

void Compiler::pow(const graph::Op& op) {
  const Dims y = tensor(op.outputs[0]).shape;
  if (is_constant(op.inputs[1]) && tensor(op.inputs[1]).elements() == 1) {
    // A constant exponent (x^2 in exported LayerNorms): oneDNN's eltwise pow.
    const float exponent = constant_floats(op.inputs[1]).at(0);
    const int src = value_of(op.inputs[0]);
    const auto md = values()[static_cast<std::size_t>(src)].md;
    const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference,
                                           dnnl::algorithm::eltwise_pow, md, 1.F, exponent);
    const dnnl::eltwise_forward::primitive_desc pd(desc, engine_);
    const int dst = define(op.outputs[0], md, values()[static_cast<std::size_t>(src)].plain);
    Step step;
    add_call(step, dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    add_step(std::move(step));
    return;
  }
  const Dims sa = broadcast_strides(tensor(op.inputs[0]).shape, y);
  const Dims sb = broadcast_strides(tensor(op.inputs[1]).shape, y);
  const int a = plain(value_of(op.inputs[0]));
  const int e = plain(value_of(op.inputs[1]));
  const int dst = define(op.outputs[0]);
  add_loop({a, e}, {dst}, [=](const Buffers& b) {
    const Dims shape = y.empty() ? Dims{1} : y;
    const Dims s0 = y.empty() ? Dims{0} : sa, s1 = y.empty() ? Dims{0} : sb;
    const std::int64_t inner = shape.back();
    if (inner == 0) return std::string();
    const std::array<const Dims*, 2> strides = {&s0, &s1};
    for (std::int64_t r = 0; r < graph::element_count(shape) / inner; ++r) {
      std::array<std::int64_t, 2> off{};
      row_offsets(r, shape, strides, off);
      for (std::int64_t i = 0; i < inner; ++i)
        b.as<float>(dst)[r * inner + i] = std::pow(b.as<float>(a)[off[0] + i * s0.back()],
                                                   b.as<float>(e)[off[1] + i * s1.back()]);
    }
    return std::string();
  });
}

}  // namespace tessera::runtime::detail
