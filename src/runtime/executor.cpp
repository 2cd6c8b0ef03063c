#include "tessera/runtime/executor.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>

#include "runtime/detail/compiler.hpp"
#include "tessera/core/format.hpp"

namespace tessera::runtime {

namespace {

using detail::Buffers;
using detail::Program;

struct FreeDeleter {
  void operator()(std::byte* p) const { std::free(p); }
};
using Block = std::unique_ptr<std::byte[], FreeDeleter>;

/// Places every non-constant value in a buffer: a value's buffer is reused by later values once
/// its last reader has run (returned values keep theirs). Returns the buffer of each value
/// (-1 for constants) and the size of each buffer.
std::pair<std::vector<int>, std::vector<std::size_t>> place_values(const Program& p) {
  const std::size_t n = p.values.size();
  std::vector<int> last_use(n, -1);
  for (std::size_t s = 0; s < p.steps.size(); ++s) {
    for (int v : p.steps[s].reads) last_use[static_cast<std::size_t>(v)] = static_cast<int>(s);
    for (int v : p.steps[s].writes)
      last_use[static_cast<std::size_t>(v)] =
          std::max(last_use[static_cast<std::size_t>(v)], static_cast<int>(s));
  }
  std::vector<bool> pinned(n, false);
  for (int v : p.outputs) pinned[static_cast<std::size_t>(v)] = true;
  std::vector<int> slot(n, -1);
  std::vector<std::size_t> sizes;
  std::multimap<std::size_t, int> free_slots;  // size -> slot
  auto take = [&](int v) {
    const auto need = static_cast<std::size_t>(
        std::max<std::int64_t>(p.values[static_cast<std::size_t>(v)].bytes, 1));
    auto it = free_slots.lower_bound(need);  // the smallest that fits, else the largest
    if (it == free_slots.end() && !free_slots.empty()) it = std::prev(free_slots.end());
    if (it != free_slots.end()) {
      const int s = it->second;
      free_slots.erase(it);
      sizes[static_cast<std::size_t>(s)] = std::max(sizes[static_cast<std::size_t>(s)], need);
      return s;
    }
    sizes.push_back(need);
    return static_cast<int>(sizes.size()) - 1;
  };
  for (int v : p.inputs) slot[static_cast<std::size_t>(v)] = take(v);
  for (std::size_t s = 0; s < p.steps.size(); ++s) {
    for (int v : p.steps[s].writes)
      if (slot[static_cast<std::size_t>(v)] < 0 &&
          p.values[static_cast<std::size_t>(v)].constant == nullptr)
        slot[static_cast<std::size_t>(v)] = take(v);
    auto release = [&](int v) {
      const auto i = static_cast<std::size_t>(v);
      if (last_use[i] == static_cast<int>(s) && !pinned[i] && slot[i] >= 0 &&
          p.values[i].constant == nullptr) {
        free_slots.insert({sizes[static_cast<std::size_t>(slot[i])], slot[i]});
        last_use[i] = -2;  // released
      }
    };
    for (int v : p.steps[s].reads) release(v);
    for (int v : p.steps[s].writes) release(v);
  }
  return {slot, sizes};
}

HostTensor spec_of(const detail::Value& v) {
  HostTensor t;
  t.name = v.name;
  t.shape = v.shape;
  t.dtype = v.dtype;
  return t;
}

}  // namespace

HostTensor make_host_tensor(std::string name, graph::Shape shape, DType dtype) {
  HostTensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.dtype = dtype;
  t.data.assign(static_cast<std::size_t>(t.bytes()), std::byte{0});
  return t;
}

HostTensor random_input(const HostTensor& spec, std::uint64_t seed) {
  HostTensor t = make_host_tensor(spec.name, spec.shape, spec.dtype);
  if (t.dtype == DType::kFloat32) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> dist(-1.F, 1.F);
    for (std::int64_t i = 0; i < t.elements(); ++i) t.as<float>()[i] = dist(rng);
  }
  return t;
}

const std::vector<std::string>& supported_onnx_ops() {
  static const std::vector<std::string> kOps = [] {
    std::vector<std::string> ops = {"Add",
                                    "AveragePool",
                                    "BatchNormalization",
                                    "Cast",
                                    "Clip",
                                    "Concat",
                                    "Constant",
                                    "Conv",
                                    "Div",
                                    "Dropout",
                                    "Erf",
                                    "Expand",
                                    "Flatten",
                                    "Gather",
                                    "Gelu",
                                    "Gemm",
                                    "GlobalAveragePool",
                                    "HardSigmoid",
                                    "HardSwish",
                                    "Identity",
                                    "LayerNormalization",
                                    "MatMul",
                                    "MaxPool",
                                    "Mul",
                                    "Pad",
                                    "Pow",
                                    "ReduceMean",
                                    "Relu",
                                    "Reshape",
                                    "Shape",
                                    "Sigmoid",
                                    "Slice",
                                    "Softmax",
                                    "Split",
                                    "Sqrt",
                                    "Squeeze",
                                    "Sub",
                                    "Tanh",
                                    "Transpose",
                                    "Unsqueeze",
                                    "Where"};
    std::sort(ops.begin(), ops.end());
    return ops;
  }();
  return kOps;
}

struct Executor::Impl {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  Program program;
  std::vector<Block> blocks;
  std::int64_t block_bytes = 0;
  Buffers buffers;
  std::vector<HostTensor> input_specs, output_specs;
  int threads = 0;

  void bind() {
    auto [slot, sizes] = place_values(program);
    for (std::size_t size : sizes) block_bytes += static_cast<std::int64_t>((size + 63) / 64 * 64);
    for (std::size_t size : sizes)
      blocks.emplace_back(static_cast<std::byte*>(std::aligned_alloc(64, (size + 63) / 64 * 64)));
    buffers.ptr.assign(program.values.size(), nullptr);
    for (std::size_t v = 0; v < program.values.size(); ++v) {
      const auto& value = program.values[v];
      buffers.ptr[v] = value.constant != nullptr ? const_cast<std::byte*>(value.constant)
                       : slot[v] >= 0            ? blocks[static_cast<std::size_t>(slot[v])].get()
                                                 : nullptr;
    }
    for (auto& step : program.steps)
      for (auto& call : step.calls)
        for (const auto& a : call.args) {
          const auto& md = a.md ? a.md : program.values[static_cast<std::size_t>(a.value)].md;
          call.bound[a.arg] = dnnl::memory(md, engine, buffers.at(a.value));
        }
    for (int v : program.inputs)
      input_specs.push_back(spec_of(program.values[static_cast<std::size_t>(v)]));
    for (int v : program.outputs)
      output_specs.push_back(spec_of(program.values[static_cast<std::size_t>(v)]));
  }

  Result<std::vector<HostTensor>> run(const std::vector<HostTensor>& inputs,
                                      std::vector<StepTiming>* timings) {
    if (inputs.size() != input_specs.size())
      return Diagnostic{"", 0, 0, "inputs",
                        "expected " +
                            count_of(static_cast<std::int64_t>(input_specs.size()), "tensor") +
                            ", got " + std::to_string(inputs.size())};
    std::vector<Diagnostic> problems;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const auto& want = input_specs[i];
      if (inputs[i].shape != want.shape || inputs[i].dtype != want.dtype ||
          static_cast<std::int64_t>(inputs[i].data.size()) != want.bytes())
        problems.push_back({"", 0, 0, "input '" + want.name + "'",
                            "expected " + std::string(dtype_name(want.dtype)) + " " +
                                graph::shape_to_string(want.shape) + ", got " +
                                std::string(dtype_name(inputs[i].dtype)) + " " +
                                graph::shape_to_string(inputs[i].shape) + " (" +
                                std::to_string(inputs[i].data.size()) + " bytes)"});
    }
    if (!problems.empty()) return problems;
    if (threads > 0) omp_set_num_threads(threads);
    for (std::size_t i = 0; i < inputs.size(); ++i)
      if (!inputs[i].data.empty())
        std::memcpy(buffers.at(program.inputs[i]), inputs[i].data.data(), inputs[i].data.size());
    if (timings != nullptr) timings->clear();
    for (auto& step : program.steps) {
      const auto start = std::chrono::steady_clock::now();
      for (auto& call : step.calls) call.primitive.execute(stream, call.bound);
      if (!step.calls.empty()) stream.wait();
      if (step.loop)
        if (std::string error = step.loop(buffers); !error.empty())
          return Diagnostic{"", 0, 0, "run", error};
      if (timings != nullptr)
        timings->push_back(
            {step.ops,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
    }
    std::vector<HostTensor> out;
    for (std::size_t i = 0; i < program.outputs.size(); ++i) {
      HostTensor t = output_specs[i];
      t.data.resize(static_cast<std::size_t>(t.bytes()));
      if (!t.data.empty())
        std::memcpy(t.data.data(), buffers.at(program.outputs[i]), t.data.size());
      out.push_back(std::move(t));
    }
    return out;
  }
};

Executor::Executor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Executor::Executor(Executor&&) noexcept = default;
Executor& Executor::operator=(Executor&&) noexcept = default;
Executor::~Executor() = default;

Status Executor::check(const graph::Graph& graph, const ExecutorOptions& options) {
  const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  const detail::Compiler compiler(graph, options, engine);
  return compiler.check();
}

Result<Executor> Executor::create(const graph::Graph& graph, const ExecutorOptions& options) {
  if (options.threads < 0 || options.threads > kMaxThreads)
    return Diagnostic{"", 0, 0, "threads",
                      "must be from 0 (default) to " + std::to_string(kMaxThreads) + ", got " +
                          std::to_string(options.threads)};
  if (options.threads > 0) omp_set_num_threads(options.threads);
  auto impl = std::make_unique<Impl>();
  impl->threads = options.threads;
  detail::Compiler compiler(graph, options, impl->engine);
  if (auto problems = compiler.check(); !problems.empty()) return problems;
  auto program = compiler.compile();
  if (!program.ok()) return program.diagnostics();
  impl->program = std::move(program).value();
  impl->bind();
  return Executor(std::move(impl));
}

const std::vector<HostTensor>& Executor::input_specs() const {
  return impl_->input_specs;
}
const std::vector<HostTensor>& Executor::output_specs() const {
  return impl_->output_specs;
}
std::size_t Executor::step_count() const {
  return impl_->program.steps.size();
}
std::size_t Executor::reorder_count() const {
  return static_cast<std::size_t>(std::count_if(impl_->program.steps.begin(),
                                                impl_->program.steps.end(),
                                                [](const auto& s) { return s.reorder; }));
}

std::int64_t Executor::constant_bytes() const {
  std::int64_t total = 0;
  for (const auto& c : impl_->program.constants) total += static_cast<std::int64_t>(c.size());
  return total;
}
std::int64_t Executor::buffer_bytes() const {
  return impl_->block_bytes;
}

Result<std::vector<HostTensor>> Executor::run(const std::vector<HostTensor>& inputs) {
  return impl_->run(inputs, nullptr);
}

Result<std::vector<HostTensor>> Executor::run_timed(const std::vector<HostTensor>& inputs,
                                                    std::vector<StepTiming>& timings) {
  return impl_->run(inputs, &timings);
}

}  // namespace tessera::runtime
