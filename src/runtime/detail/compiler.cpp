// The compiler's frame: which operators run, values and constants, layout changes, dispatch.
#include "runtime/detail/compiler.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "tessera/core/format.hpp"

namespace tessera::runtime::detail {

namespace {

using graph::OpKind;

std::string node_field(const graph::Op& op) {
  return "node '" + op.name + "' (" + op_type(op) + ")";
}

/// A 64-bit FNV-1a hash, to give each weight its own random stream from one seed.
std::uint64_t name_hash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace

Dims plain_strides(const Dims& shape) {
  Dims strides(shape.size(), 1);
  for (std::size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

dnnl::memory::data_type dnnl_type(DType t) {
  using dt = dnnl::memory::data_type;
  switch (t) {
    case DType::kFloat32:
      return dt::f32;
    case DType::kFloat16:
      return dt::f16;
    case DType::kBFloat16:
      return dt::bf16;
    case DType::kInt8:
      return dt::s8;
    case DType::kUInt8:
      return dt::u8;
    case DType::kInt32:
      return dt::s32;
    default:
      return dt::undef;
  }
}

dnnl::memory::desc plain_md(const Dims& shape, DType t) {
  const Dims dims = shape.empty() ? Dims{1} : shape;
  return {dims, dnnl_type(t), plain_strides(dims)};
}

Compiler::Compiler(const graph::Graph& g, const ExecutorOptions& options,
                   const dnnl::engine& engine)
    : g_(g), options_(options), engine_(engine) {
  select();
}

bool Compiler::folded(const graph::Op& op) const {
  if (op.kind == OpKind::kConstant && !op.outputs.empty()) return true;
  if (op.outputs.empty()) return false;
  return std::all_of(op.outputs.begin(), op.outputs.end(),
                     [&](TensorId t) { return tensor(t).data.has_value(); });
}

bool Compiler::is_constant(TensorId t) const {
  return tensor(t).data.has_value() || tensor(t).is_weight || initializers_.count(t.value()) > 0;
}

void Compiler::select() {
  readers_.assign(g_.tensors().size(), {});
  for (const auto& op : g_.ops())
    if (op.kind == OpKind::kConstant)
      for (TensorId t : op.outputs) initializers_.insert(t.value());
  for (const auto& op : g_.ops())
    for (TensorId t : op.inputs) readers_[t.index()].push_back(op.id);
  const std::vector<OpId> chosen = [&] {
    if (!options_.ops.empty()) return options_.ops;
    std::vector<OpId> all;
    for (const auto& op : g_.ops()) all.push_back(op.id);
    return all;
  }();
  for (OpId id : chosen)
    if (!folded(g_.op(id))) {
      order_.push_back(id);
      selected_.insert(id.value());
    }
  std::vector<bool> produced(g_.tensors().size(), false);
  for (OpId id : chosen)
    for (TensorId t : g_.op(id).outputs) produced[t.index()] = true;

  std::vector<TensorId> inputs = options_.inputs, outputs = options_.outputs;
  if (inputs.empty()) {
    if (options_.ops.empty()) {
      inputs = g_.inputs();
    } else {
      std::set<std::int32_t> seen;
      for (OpId id : order_)
        for (TensorId t : g_.op(id).inputs)
          if (!produced[t.index()] && !is_constant(t) && seen.insert(t.value()).second)
            inputs.push_back(t);
    }
  }
  if (outputs.empty()) {
    if (options_.ops.empty()) {
      outputs = g_.outputs();
    } else {
      std::set<std::int32_t> graph_outputs;
      for (TensorId t : g_.outputs()) graph_outputs.insert(t.value());
      for (OpId id : chosen)
        for (TensorId t : g_.op(id).outputs) {
          bool needed = graph_outputs.count(t.value()) > 0;
          for (OpId r : readers_[t.index()])
            needed = needed || std::find(chosen.begin(), chosen.end(), r) == chosen.end();
          if (needed && !is_constant(t)) outputs.push_back(t);
        }
    }
  }
  options_.inputs = inputs;
  options_.outputs = outputs;
  for (TensorId t : outputs) returned_.insert(t.value());
}

std::vector<Diagnostic> Compiler::check() const {
  std::vector<Diagnostic> problems;
  int missing_weights = 0;
  std::string first_missing;
  for (OpId id : order_) {
    const auto& op = g_.op(id);
    if (auto missing = missing_support(g_, op); !missing.empty())
      problems.push_back(
          {g_.name, 0, 0, node_field(op), "not supported by the executor: " + missing});
    for (TensorId t : op.inputs)
      if (is_constant(t) && !tensor(t).data && !options_.random_weights_seed) {
        if (missing_weights++ == 0) first_missing = "'" + tensor(t).name + "' of " + node_field(op);
      }
  }
  if (missing_weights > 0)
    problems.push_back({g_.name, 0, 0, "weights",
                        count_of(missing_weights, "weight") +
                            (missing_weights == 1 ? " has" : " have") +
                            " no values (a graph-only model), the first " + first_missing +
                            ": give a random-weights seed to fill them"});
  std::vector<bool> available(g_.tensors().size(), false);
  for (TensorId t : options_.inputs) available[t.index()] = true;
  for (const auto& t : g_.tensors())
    if (is_constant(t.id)) available[t.id.index()] = true;
  for (OpId id : order_) {
    const auto& op = g_.op(id);
    for (TensorId t : op.inputs)
      if (!available[t.index()])
        problems.push_back({g_.name, 0, 0, node_field(op),
                            "reads '" + tensor(t).name +
                                "', which no operator before it produces and no input feeds"});
    for (TensorId t : op.outputs) available[t.index()] = true;
  }
  for (TensorId t : options_.outputs)
    if (!available[t.index()])
      problems.push_back({g_.name, 0, 0, "output '" + tensor(t).name + "'",
                          "is produced by none of the operators run"});
  return problems;
}

int Compiler::new_value(const std::string& name, const Dims& shape, DType dtype) {
  Value v;
  v.name = name;
  v.shape = shape;
  v.dtype = dtype;
  if (dnnl_type(dtype) != dnnl::memory::data_type::undef) v.md = plain_md(shape, dtype);
  v.bytes = graph::element_count(shape) * dtype_bytes(dtype);
  program_.values.push_back(std::move(v));
  return static_cast<int>(program_.values.size()) - 1;
}

int Compiler::store_constant(const std::string& name, const Dims& shape, DType dtype,
                             std::vector<std::byte> bytes, const dnnl::memory::desc& md) {
  const int v = new_value(name, shape, dtype);
  auto& value = values()[static_cast<std::size_t>(v)];
  if (md) {
    value.md = md;
    value.plain = md == plain_md(shape, dtype);
  }
  value.bytes = static_cast<std::int64_t>(bytes.size());
  program_.constants.push_back(std::move(bytes));
  value.constant = program_.constants.back().data();
  return v;
}

std::vector<std::byte> Compiler::constant_bytes(TensorId t) const {
  const auto& x = tensor(t);
  if (x.data) return *x.data;
  // A weight without values: deterministic values from the seed and the weight's name, scaled
  // like a trained layer's (uniform with variance 1/fan-in keeps activations of deep models
  // finite); variances and scales of normalisations stay near 1.
  std::mt19937_64 rng(*options_.random_weights_seed ^ name_hash(x.name));
  bool near_one = false;
  for (OpId r : readers_[t.index()]) {
    const auto& op = g_.op(r);
    if ((op.kind == OpKind::kBatchNorm &&
         (op.inputs[1] == t || (op.inputs.size() > 4 && op.inputs[4] == t))) ||
        (op.kind == OpKind::kLayerNorm && op.inputs[1] == t))
      near_one = true;
  }
  std::int64_t fan_in = 1;
  for (std::size_t i = 1; i < x.shape.size(); ++i) fan_in *= x.shape[i];
  if (x.shape.size() == 2) fan_in = std::min(x.shape[0], x.shape[1]);
  const float bound = x.shape.size() <= 1 ? 0.1F : std::sqrt(3.0F / static_cast<float>(fan_in));
  std::uniform_real_distribution<float> dist(near_one ? 0.5F : -bound, near_one ? 1.5F : bound);
  std::vector<std::byte> bytes(static_cast<std::size_t>(x.bytes()));
  // Constants other than float (masks, indices) whose values the file does not hold: true for
  // booleans (a mask that keeps everything), zero otherwise.
  if (x.dtype == DType::kBool) std::fill(bytes.begin(), bytes.end(), std::byte{1});
  if (x.dtype != DType::kFloat32) return bytes;
  auto* f = reinterpret_cast<float*>(bytes.data());
  for (std::int64_t i = 0; i < x.elements(); ++i) f[i] = dist(rng);
  return bytes;
}

std::vector<float> Compiler::constant_floats(TensorId t) const {
  const auto bytes = constant_bytes(t);
  std::vector<float> out(static_cast<std::size_t>(tensor(t).elements()));
  if (tensor(t).dtype == DType::kFloat32) std::memcpy(out.data(), bytes.data(), out.size() * 4);
  return out;
}

std::vector<std::int64_t> Compiler::constant_ints(TensorId t) const {
  const auto bytes = constant_bytes(t);
  std::vector<std::int64_t> out(static_cast<std::size_t>(tensor(t).elements()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (tensor(t).dtype == DType::kInt64) {
      std::memcpy(&out[i], bytes.data() + i * 8, 8);
    } else if (tensor(t).dtype == DType::kInt32) {
      std::int32_t v = 0;
      std::memcpy(&v, bytes.data() + i * 4, 4);
      out[i] = v;
    }
  }
  return out;
}

int Compiler::constant_value(TensorId t) {
  const auto& x = tensor(t);
  return store_constant(x.name, x.shape, x.dtype, constant_bytes(t));
}

int Compiler::value_of(TensorId t) {
  int& v = program_.tensor_value[t.index()];
  if (v < 0 && is_constant(t)) v = constant_value(t);
  return v;
}

int Compiler::define(TensorId t, const dnnl::memory::desc& md, bool is_plain) {
  const auto& x = tensor(t);
  const int v = new_value(x.name, x.shape, x.dtype);
  auto& value = values()[static_cast<std::size_t>(v)];
  if (md) {
    value.md = md;
    value.plain = is_plain;
    value.bytes = std::max<std::int64_t>(value.bytes, static_cast<std::int64_t>(md.get_size()));
  }
  program_.tensor_value[t.index()] = v;
  return v;
}

int Compiler::layout_constant(const std::string& name, const Dims& shape,
                              std::vector<std::byte> bytes, const dnnl::memory::desc& from_md,
                              const dnnl::memory::desc& md) {
  if (from_md == md) return store_constant(name, shape, DType::kFloat32, std::move(bytes), md);
  std::vector<std::byte> laid(md.get_size());
  dnnl::stream stream(engine_);
  dnnl::memory from(from_md, engine_, bytes.data());
  dnnl::memory to(md, engine_, laid.data());
  dnnl::reorder(from, to).execute(stream, from, to);
  stream.wait();
  return store_constant(name, shape, DType::kFloat32, std::move(laid), md);
}

int Compiler::in_layout(int v, const dnnl::memory::desc& md) {
  if (values()[static_cast<std::size_t>(v)].md == md) return v;
  for (const auto& [layout, copy] : layouts_[v])
    if (layout == md) return copy;
  const Value source = values()[static_cast<std::size_t>(v)];
  int copy = -1;
  if (source.constant != nullptr) {
    // Constants are laid out once, now.
    std::vector<std::byte> bytes(md.get_size());
    dnnl::stream stream(engine_);
    dnnl::memory from(source.md, engine_, const_cast<std::byte*>(source.constant));
    dnnl::memory to(md, engine_, bytes.data());
    dnnl::reorder(from, to).execute(stream, from, to);
    stream.wait();
    copy = store_constant(source.name, source.shape, source.dtype, std::move(bytes), md);
  } else {
    copy = new_value(source.name + "#layout", source.shape, source.dtype);
    auto& value = values()[static_cast<std::size_t>(copy)];
    value.md = md;
    value.plain = md == plain_md(source.shape, source.dtype);
    value.bytes = static_cast<std::int64_t>(md.get_size());
    Step step;
    step.reorder = true;
    add_call(step, dnnl::reorder(dnnl::reorder::primitive_desc(engine_, source.md, engine_, md)),
             {{DNNL_ARG_FROM, v}, {DNNL_ARG_TO, copy}});
    program_.steps.push_back(std::move(step));
  }
  layouts_[v].push_back({md, copy});
  return copy;
}

void Compiler::add_step(Step step) {
  step.ops = current_ops_;
  program_.steps.push_back(std::move(step));
}

void Compiler::add_loop(std::vector<int> reads, std::vector<int> writes,
                        std::function<std::string(const Buffers&)> loop) {
  Step step;
  step.reads = std::move(reads);
  step.writes = std::move(writes);
  step.loop = std::move(loop);
  add_step(std::move(step));
}

void Compiler::add_call(Step& step, const dnnl::primitive& p, std::vector<Arg> args) {
  PrimitiveCall call;
  call.primitive = p;
  for (const auto& a : args) {
    const int arg = a.arg, v = a.value;
    call.args.push_back(a);
    if (std::find(step.reads.begin(), step.reads.end(), v) == step.reads.end() &&
        std::find(step.writes.begin(), step.writes.end(), v) == step.writes.end()) {
      const bool output = arg == DNNL_ARG_DST || arg == DNNL_ARG_TO || arg == DNNL_ARG_MEAN ||
                          arg == DNNL_ARG_VARIANCE;
      (output ? step.writes : step.reads).push_back(v);
    }
  }
  step.calls.push_back(std::move(call));
}

const graph::Op* Compiler::sole_reader(TensorId t) const {
  if (returned_.count(t.value())) return nullptr;
  const auto& readers = readers_[t.index()];
  if (readers.size() != 1 || !selected_.count(readers[0].value())) return nullptr;
  return &g_.op(readers[0]);
}

Result<Program> Compiler::compile() {
  program_.tensor_value.assign(g_.tensors().size(), -1);
  for (TensorId t : options_.inputs) {
    const int v = new_value(tensor(t).name, tensor(t).shape, tensor(t).dtype);
    program_.tensor_value[t.index()] = v;
    program_.inputs.push_back(v);
  }
  for (OpId id : order_) {
    if (fused_.count(id.value())) continue;
    const auto& op = g_.op(id);
    current_ops_ = {id};
    try {
      compile_op(op);
    } catch (const dnnl::error& e) {
      return Diagnostic{g_.name, 0, 0, node_field(op),
                        std::string("oneDNN has no implementation for this case: ") + e.what()};
    }
  }
  for (TensorId t : options_.outputs) {
    int v = value_of(t);
    if (v < 0)
      return Diagnostic{g_.name, 0, 0, "output '" + tensor(t).name + "'", "never produced"};
    if (values()[static_cast<std::size_t>(v)].md && !values()[static_cast<std::size_t>(v)].plain)
      v = plain(v);
    if (values()[static_cast<std::size_t>(v)].constant != nullptr ||
        std::find(program_.inputs.begin(), program_.inputs.end(), v) != program_.inputs.end() ||
        std::find(program_.outputs.begin(), program_.outputs.end(), v) != program_.outputs.end()) {
      // A returned tensor that is an input, a constant or returned twice: copy it.
      const int copy = new_value(tensor(t).name, tensor(t).shape, tensor(t).dtype);
      Step step;
      step.reads = {v};
      step.writes = {copy};
      const auto bytes = static_cast<std::size_t>(values()[static_cast<std::size_t>(v)].bytes);
      step.loop = [v, copy, bytes](const Buffers& b) {
        std::memcpy(b.at(copy), b.at(v), bytes);
        return std::string();
      };
      program_.steps.push_back(std::move(step));
      v = copy;
    }
    program_.outputs.push_back(v);
  }
  return std::move(program_);
}

void Compiler::compile_op(const graph::Op& op) {
  switch (op.kind) {
    case OpKind::kConv:
      return conv(op);
    case OpKind::kGemm:
      return gemm(op);
    case OpKind::kMatMul:
      return matmul(op);
    case OpKind::kBatchNorm:
      return batchnorm(op);
    case OpKind::kLayerNorm:
      return layernorm(op);
    case OpKind::kSoftmax:
      return softmax(op);
    case OpKind::kRelu:
    case OpKind::kClip:
    case OpKind::kSigmoid:
    case OpKind::kHardSigmoid:
    case OpKind::kHardSwish:
    case OpKind::kTanh:
    case OpKind::kGelu:
    case OpKind::kSqrt:
      return eltwise(op);
    case OpKind::kErf:
      return erf(op);
    case OpKind::kPow:
      return pow(op);
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      return binary(op);
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
      return pool(op);
    case OpKind::kGlobalAveragePool:
    case OpKind::kReduceMean:
      return reduce_mean(op);
    case OpKind::kTranspose:
      return transpose(op);
    case OpKind::kSlice:
      return slice(op);
    case OpKind::kConcat:
      return concat(op);
    case OpKind::kSplit:
      return split(op);
    case OpKind::kGather:
    case OpKind::kEmbedding:
      return gather(op);
    case OpKind::kPad:
      return pad(op);
    case OpKind::kExpand:
      return expand(op);
    case OpKind::kWhere:
      return where(op);
    case OpKind::kCast:
      return cast(op);
    default:
      return copy(op);  // Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout
  }
}

}  // namespace tessera::runtime::detail
