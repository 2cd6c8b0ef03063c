// Operators that run as oneDNN primitives: convolution (with BatchNorm folded in and
// activations fused), matrix products, normalisations, softmax, eltwise, binary, pooling and
// mean reductions.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/detail/compiler.hpp"

namespace tessera::runtime::detail {

namespace {

using dnnl::algorithm;
using dnnl::memory;
using graph::OpKind;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

memory::desc any_md(const Dims& dims) {
  return {dims, dt::f32, tag::any};
}

std::int64_t normalise_axis(std::int64_t axis, std::size_t rank) {
  return axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis;
}

Dims pad_front(const Dims& shape, std::size_t rank) {
  Dims out(rank - std::min(rank, shape.size()), 1);
  out.insert(out.end(), shape.begin(), shape.end());
  return out;
}

std::vector<std::byte> float_bytes(const std::vector<float>& v) {
  std::vector<std::byte> out(v.size() * sizeof(float));
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

/// The oneDNN eltwise algorithm(s) of an activation: (algorithm, alpha, beta) in order.
std::vector<std::tuple<algorithm, float, float>> activation_algorithms(const graph::Op& op) {
  const auto& a = op.attrs;
  switch (op.kind) {
    case OpKind::kRelu:
      return {{algorithm::eltwise_relu, 0.F, 0.F}};
    case OpKind::kClip:
      return {
          {algorithm::eltwise_clip_v2, static_cast<float>(a.alpha), static_cast<float>(a.beta)}};
    case OpKind::kSigmoid:
      return {{algorithm::eltwise_logistic, 0.F, 0.F}};
    case OpKind::kTanh:
      return {{algorithm::eltwise_tanh, 0.F, 0.F}};
    case OpKind::kHardSwish:
      return {{algorithm::eltwise_hardswish, 0.F, 0.F}};
    case OpKind::kHardSigmoid:  // max(0, min(1, alpha*x + beta))
      return {{algorithm::eltwise_linear, static_cast<float>(a.alpha), static_cast<float>(a.beta)},
              {algorithm::eltwise_clip_v2, 0.F, 1.F}};
    case OpKind::kGelu:
      return {{a.mode == "tanh" ? algorithm::eltwise_gelu_tanh : algorithm::eltwise_gelu_erf, 0.F,
               0.F}};
    case OpKind::kSqrt:
      return {{algorithm::eltwise_sqrt, 0.F, 0.F}};
    default:
      return {};
  }
}

}  // namespace

void Compiler::fuse_activations(TensorId& out, dnnl::post_ops& po) {
  for (;;) {
    const graph::Op* r = sole_reader(out);
    if (r == nullptr || r->inputs.empty() || r->inputs[0] != out || r->outputs.size() != 1 ||
        r->kind == OpKind::kSqrt || !missing_support(g_, *r).empty())
      return;
    const auto algs = activation_algorithms(*r);
    if (algs.empty()) return;
    for (const auto& [alg, alpha, beta] : algs) po.append_eltwise(1.F, alg, alpha, beta);
    fused_.insert(r->id.value());
    current_ops_.push_back(r->id);
    out = r->outputs[0];
  }
}

void Compiler::conv(const graph::Op& op) {
  const auto& a = op.attrs;
  const Dims x = tensor(op.inputs[0]).shape;
  const Dims w = tensor(op.inputs[1]).shape;
  const std::size_t n = x.size() - 2;
  const std::int64_t oc = w[0];
  const bool has_bias = op.inputs.size() > 2;
  bool constant_weights = is_constant(op.inputs[1]) && (!has_bias || is_constant(op.inputs[2]));

  // BatchNormalization reading only this convolution's output folds into its weights:
  // W' = W * gamma / sqrt(var + eps) per output channel, b' = (b - mean) * that + beta.
  TensorId out = op.outputs[0];
  const graph::Op* bn = nullptr;
  if (constant_weights)
    if (const auto* r = sole_reader(out); r != nullptr && r->kind == OpKind::kBatchNorm &&
                                          r->inputs[0] == out && r->outputs.size() == 1 &&
                                          missing_support(g_, *r).empty()) {
      bool params_constant = true;
      for (std::size_t i = 1; i < r->inputs.size(); ++i)
        params_constant &= is_constant(r->inputs[i]);
      if (params_constant) {
        bn = r;
        fused_.insert(r->id.value());
        current_ops_.push_back(r->id);
        out = r->outputs[0];
      }
    }
  dnnl::post_ops po;
  fuse_activations(out, po);
  dnnl::primitive_attr attr;
  attr.set_post_ops(po);

  Dims wdims = w;
  if (a.groups > 1) {
    wdims = {a.groups, w[0] / a.groups};
    wdims.insert(wdims.end(), w.begin() + 1, w.end());
  }
  Dims strides = a.strides, dil, pl(a.pads.begin(), a.pads.begin() + static_cast<long>(n)),
       pr(a.pads.begin() + static_cast<long>(n), a.pads.end());
  for (std::size_t i = 0; i < n; ++i) dil.push_back(a.dilations.empty() ? 0 : a.dilations[i] - 1);
  const Dims y = tensor(op.outputs[0]).shape;
  const bool bias = has_bias || bn != nullptr;
  const memory::desc wmd = constant_weights ? any_md(wdims) : plain_md(wdims);
  const memory::desc bmd = plain_md({oc});
  auto desc = bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                     algorithm::convolution_direct, any_md(x), wmd,
                                                     bmd, any_md(y), strides, dil, pl, pr)
                   : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                     algorithm::convolution_direct, any_md(x), wmd,
                                                     any_md(y), strides, dil, pl, pr);
  const dnnl::convolution_forward::primitive_desc pd(desc, attr, engine_);

  const int src = in_layout(value_of(op.inputs[0]), pd.src_desc());
  int wv = -1, bv = -1;
  if (constant_weights) {
    std::vector<float> weights = constant_floats(op.inputs[1]);
    std::vector<float> b = has_bias ? constant_floats(op.inputs[2])
                                    : std::vector<float>(static_cast<std::size_t>(oc), 0.F);
    if (bn != nullptr) {
      // A BatchNorm with scale and shift only (the zoo's form) has mean 0 and variance 1.
      const bool stats = bn->inputs.size() > 3;
      const auto gamma = constant_floats(bn->inputs[1]), beta = constant_floats(bn->inputs[2]);
      const auto mean =
          stats ? constant_floats(bn->inputs[3]) : std::vector<float>(gamma.size(), 0.F);
      const auto var =
          stats ? constant_floats(bn->inputs[4]) : std::vector<float>(gamma.size(), 1.F);
      const std::size_t per_oc = weights.size() / static_cast<std::size_t>(oc);
      for (std::size_t c = 0; c < static_cast<std::size_t>(oc); ++c) {
        const float s = gamma[c] / std::sqrt(var[c] + static_cast<float>(bn->attrs.epsilon));
        for (std::size_t k = 0; k < per_oc; ++k) weights[c * per_oc + k] *= s;
        b[c] = (b[c] - mean[c]) * s + beta[c];
      }
    }
    wv = layout_constant(tensor(op.inputs[1]).name, wdims, float_bytes(weights), plain_md(wdims),
                         pd.weights_desc());
    if (bias)
      bv = store_constant(tensor(op.inputs[1]).name + "#bias", {oc}, DType::kFloat32,
                          float_bytes(b));
  } else {
    wv = plain(value_of(op.inputs[1]));
    if (has_bias) bv = plain(value_of(op.inputs[2]));
  }
  const memory::desc dst_md = pd.dst_desc();
  const int dst = define(out, dst_md, dst_md == plain_md(y));
  Step step;
  std::vector<Arg> args = {{DNNL_ARG_SRC, src},
                           {DNNL_ARG_WEIGHTS, wv, constant_weights ? memory::desc() : wmd},
                           {DNNL_ARG_DST, dst}};
  if (bias) args.push_back({DNNL_ARG_BIAS, bv, bmd});
  add_call(step, dnnl::convolution_forward(pd), args);
  add_step(std::move(step));
}

void Compiler::gemm(const graph::Op& op) {
  const auto& a = op.attrs;
  const Dims A = tensor(op.inputs[0]).shape, B = tensor(op.inputs[1]).shape;
  const std::int64_t M = a.trans_a ? A[1] : A[0], K = a.trans_a ? A[0] : A[1];
  const std::int64_t N = a.trans_b ? B[0] : B[1];
  const memory::desc amd({M, K}, dt::f32, a.trans_a ? Dims{1, M} : Dims{K, 1});
  const memory::desc bplain({K, N}, dt::f32, a.trans_b ? Dims{1, K} : Dims{N, 1});
  const bool constant_b = is_constant(op.inputs[1]);
  const bool has_c = op.inputs.size() > 2 && a.beta != 0.0;
  TensorId out = op.outputs[0];
  dnnl::post_ops po;
  dnnl::primitive_attr attr;
  float scale = static_cast<float>(a.alpha);
  int cv = -1;
  memory::desc cmd;
  if (has_c) {
    const Dims C = tensor(op.inputs[2]).shape;
    const Dims c2 = C.empty() ? Dims{1, 1} : C.size() == 1 ? Dims{1, C[0]} : C;
    cmd = plain_md(c2);
    if (is_constant(op.inputs[2])) {
      auto c = constant_floats(op.inputs[2]);
      for (float& v : c) v *= static_cast<float>(a.beta);
      cv = store_constant(tensor(op.inputs[2]).name, c2, DType::kFloat32, float_bytes(c));
      po.append_binary(algorithm::binary_add, cmd);
    } else {
      cv = plain(value_of(op.inputs[2]));
      scale = static_cast<float>(a.alpha / a.beta);
      po.append_binary(algorithm::binary_add, cmd);
      if (a.beta != 1.0)
        po.append_eltwise(1.F, algorithm::eltwise_linear, static_cast<float>(a.beta), 0.F);
    }
  }
  const int binary_index = 0;
  fuse_activations(out, po);
  if (scale != 1.F) attr.set_output_scales(0, {scale});
  attr.set_post_ops(po);
  const memory::desc dmd = plain_md({M, N});
  const dnnl::matmul::desc desc(amd, constant_b ? any_md({K, N}) : bplain, dmd);
  const dnnl::matmul::primitive_desc pd(desc, attr, engine_);
  const int av = plain(value_of(op.inputs[0]));
  int bv = -1;
  if (constant_b) {
    const auto& bt = tensor(op.inputs[1]);
    bv = layout_constant(bt.name, {K, N}, constant_bytes(op.inputs[1]), bplain, pd.weights_desc());
  } else {
    bv = plain(value_of(op.inputs[1]));
  }
  const int dst = define(out);
  Step step;
  std::vector<Arg> args = {{DNNL_ARG_SRC, av, amd},
                           {DNNL_ARG_WEIGHTS, bv, constant_b ? memory::desc() : bplain},
                           {DNNL_ARG_DST, dst, dmd}};
  if (has_c)
    args.push_back({DNNL_ARG_ATTR_MULTIPLE_POST_OP(binary_index) | DNNL_ARG_SRC_1, cv, cmd});
  add_call(step, dnnl::matmul(pd), args);
  add_step(std::move(step));
}

void Compiler::matmul(const graph::Op& op) {
  const Dims A = tensor(op.inputs[0]).shape, B = tensor(op.inputs[1]).shape;
  const Dims a2 = A.size() == 1 ? Dims{1, A[0]} : A;
  const Dims b2 = B.size() == 1 ? Dims{B[0], 1} : B;
  const std::size_t rank = std::max(a2.size(), b2.size());
  const Dims ap = pad_front(a2, rank), bp = pad_front(b2, rank);
  Dims dp(rank);
  for (std::size_t i = 0; i + 2 < rank; ++i) dp[i] = std::max(ap[i], bp[i]);
  dp[rank - 2] = ap[rank - 2];
  dp[rank - 1] = bp[rank - 1];
  const bool constant_b = is_constant(op.inputs[1]) && B.size() >= 2;
  TensorId out = op.outputs[0];

  // A bias added to the product (a linear layer as transformers export it) joins as a post-op.
  dnnl::post_ops po;
  int bias_value = -1;
  memory::desc bias_md;
  if (const auto* r = sole_reader(out); r != nullptr && r->kind == OpKind::kAdd &&
                                        r->inputs.size() == 2 && missing_support(g_, *r).empty()) {
    const TensorId other = r->inputs[0] == out ? r->inputs[1] : r->inputs[0];
    const Dims& os = tensor(other).shape;
    if (r->inputs[0] != r->inputs[1] && is_constant(other) && os.size() <= rank &&
        tensor(r->outputs[0]).shape == tensor(out).shape) {
      bias_md = plain_md(pad_front(os, rank));
      bias_value = value_of(other);
      po.append_binary(algorithm::binary_add, bias_md);
      fused_.insert(r->id.value());
      current_ops_.push_back(r->id);
      out = r->outputs[0];
    }
  }
  fuse_activations(out, po);
  dnnl::primitive_attr attr;
  attr.set_post_ops(po);
  const memory::desc amd = plain_md(ap), bmd = plain_md(bp), dmd = plain_md(dp);
  const dnnl::matmul::desc desc(amd, constant_b ? any_md(bp) : bmd, dmd);
  const dnnl::matmul::primitive_desc pd(desc, attr, engine_);
  const int av = plain(value_of(op.inputs[0]));
  int bv = -1;
  if (constant_b) {
    bv = layout_constant(tensor(op.inputs[1]).name, bp, constant_bytes(op.inputs[1]), plain_md(bp),
                         pd.weights_desc());
  } else {
    bv = plain(value_of(op.inputs[1]));
  }
  const int dst = define(out);
  Step step;
  std::vector<Arg> args = {{DNNL_ARG_SRC, av, amd},
                           {DNNL_ARG_WEIGHTS, bv, constant_b ? memory::desc() : bmd},
                           {DNNL_ARG_DST, dst, dmd}};
  if (bias_value >= 0)
    args.push_back({DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, bias_value, bias_md});
  add_call(step, dnnl::matmul(pd), args);
  add_step(std::move(step));
}

void Compiler::batchnorm(const graph::Op& op) {
  const Dims x = tensor(op.inputs[0]).shape;
  const int src = value_of(op.inputs[0]);
  const memory::desc src_md = values()[static_cast<std::size_t>(src)].md;
  const auto flags = dnnl::normalization_flags::use_global_stats |
                     dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
  const dnnl::batch_normalization_forward::desc desc(dnnl::prop_kind::forward_inference, src_md,
                                                     static_cast<float>(op.attrs.epsilon), flags);
  const dnnl::batch_normalization_forward::primitive_desc pd(desc, engine_);
  const memory::desc cmd = plain_md({x[1]});
  const bool is_plain = values()[static_cast<std::size_t>(src)].plain;
  // A BatchNorm with scale and shift only (the zoo's form) has mean 0 and variance 1.
  const std::size_t channels = static_cast<std::size_t>(x[1]);
  const int mean = op.inputs.size() > 3
                       ? plain(value_of(op.inputs[3]))
                       : store_constant(op.name + "#mean", {x[1]}, DType::kFloat32,
                                        float_bytes(std::vector<float>(channels, 0.F)));
  const int var = op.inputs.size() > 4
                      ? plain(value_of(op.inputs[4]))
                      : store_constant(op.name + "#var", {x[1]}, DType::kFloat32,
                                       float_bytes(std::vector<float>(channels, 1.F)));
  const int dst = define(op.outputs[0], pd.dst_desc(), is_plain);
  Step step;
  add_call(step, dnnl::batch_normalization_forward(pd),
           {{DNNL_ARG_SRC, src},
            {DNNL_ARG_SCALE, plain(value_of(op.inputs[1])), cmd},
            {DNNL_ARG_SHIFT, plain(value_of(op.inputs[2])), cmd},
            {DNNL_ARG_MEAN, mean, cmd},
            {DNNL_ARG_VARIANCE, var, cmd},
            {DNNL_ARG_DST, dst}});
  // MEAN and VARIANCE are inputs here, not outputs.
  step.writes = {dst};
  step.reads.clear();
  for (const auto& arg : step.calls[0].args)
    if (arg.arg != DNNL_ARG_DST) step.reads.push_back(arg.value);
  add_step(std::move(step));
}

void Compiler::layernorm(const graph::Op& op) {
  const Dims x = tensor(op.inputs[0]).shape;
  const auto axis = normalise_axis(op.attrs.axis, x.size());
  std::int64_t outer = 1, inner = 1;
  for (std::size_t i = 0; i < x.size(); ++i)
    (static_cast<std::int64_t>(i) < axis ? outer : inner) *= x[i];
  const memory::desc md = plain_md({outer, inner}), cmd = plain_md({inner}),
                     smd = plain_md({outer});
  auto flags = dnnl::normalization_flags::none;
  if (op.inputs.size() > 1) flags |= dnnl::normalization_flags::use_scale;
  if (op.inputs.size() > 2) flags |= dnnl::normalization_flags::use_shift;
  const bool stats = op.outputs.size() > 1;
  const dnnl::layer_normalization_forward::desc desc(
      stats ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference, md,
      static_cast<float>(op.attrs.epsilon), flags);
  const dnnl::layer_normalization_forward::primitive_desc pd(desc, engine_);
  const int src = plain(value_of(op.inputs[0]));
  const int dst = define(op.outputs[0]);
  Step step;
  std::vector<Arg> args = {{DNNL_ARG_SRC, src, md}, {DNNL_ARG_DST, dst, md}};
  if (op.inputs.size() > 1) args.push_back({DNNL_ARG_SCALE, plain(value_of(op.inputs[1])), cmd});
  if (op.inputs.size() > 2) args.push_back({DNNL_ARG_SHIFT, plain(value_of(op.inputs[2])), cmd});
  int var = -1;
  if (stats) {
    const int mean = define(op.outputs[1]);
    var = new_value(tensor(op.outputs[0]).name + "#variance", {outer}, DType::kFloat32);
    args.push_back({DNNL_ARG_MEAN, mean, smd});
    args.push_back({DNNL_ARG_VARIANCE, var, smd});
  }
  add_call(step, dnnl::layer_normalization_forward(pd), args);
  if (op.outputs.size() > 2) {
    // InvStdDev = 1 / sqrt(variance + epsilon).
    const int inv = define(op.outputs[2]);
    step.writes.push_back(inv);
    const auto eps = static_cast<float>(op.attrs.epsilon);
    step.loop = [var, inv, outer, eps](const Buffers& b) {
      const float* v = b.as<float>(var);
      float* o = b.as<float>(inv);
      for (std::int64_t i = 0; i < outer; ++i) o[i] = 1.F / std::sqrt(v[i] + eps);
      return std::string();
    };
  }
  add_step(std::move(step));
}

void Compiler::softmax(const graph::Op& op) {
  const Dims x = tensor(op.inputs[0]).shape;
  const auto axis = static_cast<int>(normalise_axis(op.attrs.axis, x.size()));
  memory::desc md = plain_md(x);
  int dnnl_axis = x.empty() ? 0 : axis;
  if (op.attrs.extra.count("coerce_2d")) {
    // Before opset 13, Softmax flattens the input to 2-D at `axis` and normalises each row.
    std::int64_t outer = 1, inner = 1;
    for (std::size_t i = 0; i < x.size(); ++i) (static_cast<int>(i) < axis ? outer : inner) *= x[i];
    md = plain_md({outer, inner});
    dnnl_axis = 1;
  }
  const dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, md, dnnl_axis);
  const dnnl::softmax_forward::primitive_desc pd(desc, engine_);
  const int src = plain(value_of(op.inputs[0]));
  const int dst = define(op.outputs[0]);
  Step step;
  add_call(step, dnnl::softmax_forward(pd), {{DNNL_ARG_SRC, src, md}, {DNNL_ARG_DST, dst, md}});
  add_step(std::move(step));
}

void Compiler::clip_runtime(const graph::Op& op) {
  // Clip with min or max computed at run time: max(x, min) then min(., max), broadcasting the
  // scalar bounds.
  const Dims x = tensor(op.inputs[0]).shape;
  const Dims shape = x.empty() ? Dims{1} : x;
  const memory::desc md = plain_md(shape), scalar = plain_md(Dims(shape.size(), 1));
  const int src = plain(value_of(op.inputs[0]));
  const int dst = define(op.outputs[0]);
  Step step;
  int from = src;
  const std::pair<int, algorithm> bounds[] = {{input_at(op, 1), algorithm::binary_max},
                                              {input_at(op, 2), algorithm::binary_min}};
  for (const auto& [at, alg] : bounds) {
    if (at < 0) continue;
    const auto slot = static_cast<std::size_t>(at);
    const dnnl::binary::primitive_desc pd(dnnl::binary::desc(alg, md, scalar, md), engine_);
    add_call(step, dnnl::binary(pd),
             {{DNNL_ARG_SRC_0, from, md},
              {DNNL_ARG_SRC_1, plain(value_of(op.inputs[slot])), scalar},
              {DNNL_ARG_DST, dst, md}});
    from = dst;
  }
  if (step.calls.empty()) {
    const auto bytes = static_cast<std::size_t>(values()[static_cast<std::size_t>(dst)].bytes);
    step.reads = {src};
    step.writes = {dst};
    step.loop = [src, dst, bytes](const Buffers& b) {
      std::memcpy(b.at(dst), b.at(src), bytes);
      return std::string();
    };
  }
  add_step(std::move(step));
}

void Compiler::eltwise(const graph::Op& op) {
  if (op.kind == OpKind::kClip && op.inputs.size() > 1 &&
      !std::all_of(op.inputs.begin() + 1, op.inputs.end(),
                   [&](TensorId t) { return is_constant(t); }))
    return clip_runtime(op);
  int src = value_of(op.inputs[0]);
  const memory::desc md = values()[static_cast<std::size_t>(src)].md;
  const bool is_plain = values()[static_cast<std::size_t>(src)].plain;
  TensorId out = op.outputs[0];
  const auto algs = activation_algorithms(op);
  dnnl::post_ops po;
  fuse_activations(out, po);
  dnnl::primitive_attr attr;
  attr.set_post_ops(po);
  const int dst = define(out, md, is_plain);
  Step step;
  for (std::size_t i = 0; i < algs.size(); ++i) {
    const auto& [alg, alpha, beta] = algs[i];
    const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, alg, md, alpha,
                                           beta);
    const dnnl::eltwise_forward::primitive_desc pd =
        i + 1 == algs.size() ? dnnl::eltwise_forward::primitive_desc(desc, attr, engine_)
                             : dnnl::eltwise_forward::primitive_desc(desc, engine_);
    add_call(step, dnnl::eltwise_forward(pd),
             {{DNNL_ARG_SRC, i == 0 ? src : dst}, {DNNL_ARG_DST, dst}});
  }
  add_step(std::move(step));
}

void Compiler::binary(const graph::Op& op) {
  const Dims out_shape = tensor(op.outputs[0]).shape;
  const std::size_t rank = std::max<std::size_t>(out_shape.size(), 1);
  const Dims o = pad_front(out_shape, rank);
  TensorId t0 = op.inputs[0], t1 = op.inputs[1];
  const bool commutative = op.kind == OpKind::kAdd || op.kind == OpKind::kMul;
  if (pad_front(tensor(t0).shape, rank) != o && commutative &&
      pad_front(tensor(t1).shape, rank) == o)
    std::swap(t0, t1);
  int v0 = value_of(t0);
  if (pad_front(tensor(t0).shape, rank) != o) {
    // src0 broadcast too: expand it first (oneDNN broadcasts only the second operand).
    const int expanded = new_value(tensor(t0).name + "#expanded", out_shape, DType::kFloat32);
    const int from = plain(v0);
    const Dims in = pad_front(tensor(t0).shape, rank);
    Dims strides = plain_strides(in);
    for (std::size_t i = 0; i < rank; ++i)
      if (in[i] == 1) strides[i] = 0;
    add_loop({from}, {expanded}, [from, expanded, o, strides](const Buffers& b) {
      copy_strided(o, b.at(expanded), plain_strides(o), b.at(from), strides, 4);
      return std::string();
    });
    v0 = expanded;
  }
  const algorithm alg = op.kind == OpKind::kAdd   ? algorithm::binary_add
                        : op.kind == OpKind::kSub ? algorithm::binary_sub
                        : op.kind == OpKind::kMul ? algorithm::binary_mul
                                                  : algorithm::binary_div;
  TensorId out = op.outputs[0];
  dnnl::post_ops po;
  fuse_activations(out, po);
  dnnl::primitive_attr attr;
  attr.set_post_ops(po);
  int v1 = value_of(t1);
  const Value& a0 = values()[static_cast<std::size_t>(v0)];
  const Value& a1 = values()[static_cast<std::size_t>(v1)];
  // Blocked operands of the same shape stay blocked; otherwise both are read plain.
  std::optional<dnnl::binary::primitive_desc> pd;
  memory::desc md0, md1;
  if (!a0.plain && a0.shape == out_shape && a1.shape == out_shape) {
    try {
      md0 = a0.md;
      md1 = a1.md;
      pd = dnnl::binary::primitive_desc(dnnl::binary::desc(alg, md0, md1, md0), attr, engine_);
    } catch (const dnnl::error&) {
      pd.reset();
    }
  }
  if (!pd) {
    v0 = plain(v0);
    v1 = plain(v1);
    md0 = plain_md(o);
    md1 = plain_md(pad_front(tensor(t1).shape, rank));
    pd = dnnl::binary::primitive_desc(dnnl::binary::desc(alg, md0, md1, md0), attr, engine_);
  }
  const memory::desc dmd = pd->dst_desc();
  const bool is_plain = dmd == plain_md(o);
  const int dst = define(out, is_plain ? memory::desc() : dmd, is_plain);
  Step step;
  add_call(step, dnnl::binary(*pd),
           {{DNNL_ARG_SRC_0, v0, md0}, {DNNL_ARG_SRC_1, v1, md1}, {DNNL_ARG_DST, dst, dmd}});
  add_step(std::move(step));
}

void Compiler::pool(const graph::Op& op) {
  const auto& a = op.attrs;
  const Dims x = tensor(op.inputs[0]).shape, y = tensor(op.outputs[0]).shape;
  const std::size_t n = x.size() - 2;
  Dims dil, pl(a.pads.begin(), a.pads.begin() + static_cast<long>(n)),
      pr(a.pads.begin() + static_cast<long>(n), a.pads.end());
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t d = a.dilations.empty() ? 1 : a.dilations[i];
    dil.push_back(d - 1);
    // ceil_mode: the right padding that gives the graph's output size (windows that start
    // inside the input or left padding are kept).
    const std::int64_t extent = (a.kernel_shape[i] - 1) * d + 1;
    const std::int64_t in = x[i + 2], s = a.strides[i];
    if ((in + pl[i] + pr[i] - extent) / s + 1 != y[i + 2])
      pr[i] = (y[i + 2] - 1) * s + extent - in - pl[i];
  }
  const algorithm alg = op.kind == OpKind::kMaxPool ? algorithm::pooling_max
                        : a.count_include_pad       ? algorithm::pooling_avg_include_padding
                                                    : algorithm::pooling_avg_exclude_padding;
  int src = value_of(op.inputs[0]);
  const dnnl::pooling_v2_forward::desc desc(dnnl::prop_kind::forward_inference, alg,
                                            values()[static_cast<std::size_t>(src)].md, any_md(y),
                                            a.strides, a.kernel_shape, dil, pl, pr);
  const dnnl::pooling_v2_forward::primitive_desc pd(desc, engine_);
  src = in_layout(src, pd.src_desc());
  const int dst = define(op.outputs[0], pd.dst_desc(), pd.dst_desc() == plain_md(y));
  Step step;
  add_call(step, dnnl::pooling_v2_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  add_step(std::move(step));
}

void Compiler::reduce_mean(const graph::Op& op) {
  const Dims x = tensor(op.inputs[0]).shape;
  Dims kept = x;
  if (op.kind == OpKind::kGlobalAveragePool) {
    for (std::size_t i = 2; i < x.size(); ++i) kept[i] = 1;
  } else if (op.attrs.axes.empty()) {
    std::fill(kept.begin(), kept.end(), 1);
  } else {
    for (std::int64_t axis : op.attrs.axes)
      kept[static_cast<std::size_t>(normalise_axis(axis, x.size()))] = 1;
  }
  int src = value_of(op.inputs[0]);
  const Dims y = tensor(op.outputs[0]).shape;
  const bool same_rank = y == kept;
  Step step;
  if (kept == x) {  // nothing to reduce: a copy
    src = plain(src);
    const int dst = define(op.outputs[0]);
    const auto bytes = static_cast<std::size_t>(values()[static_cast<std::size_t>(dst)].bytes);
    step.reads = {src};
    step.writes = {dst};
    step.loop = [src, dst, bytes](const Buffers& b) {
      std::memcpy(b.at(dst), b.at(src), bytes);
      return std::string();
    };
    add_step(std::move(step));
    return;
  }
  if (!same_rank) src = plain(src);
  const memory::desc dmd = same_rank ? any_md(kept) : plain_md(kept);
  const dnnl::reduction::desc desc(algorithm::reduction_mean,
                                   values()[static_cast<std::size_t>(src)].md, dmd, 0.F, 0.F);
  const dnnl::reduction::primitive_desc pd(desc, engine_);
  const memory::desc out_md = pd.dst_desc();
  const bool is_plain = out_md == plain_md(kept);
  const int dst = same_rank ? define(op.outputs[0], out_md, is_plain) : define(op.outputs[0]);
  add_call(step, dnnl::reduction(pd),
           {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst, same_rank ? memory::desc() : out_md}});
  add_step(std::move(step));
}

}  // namespace tessera::runtime::detail
