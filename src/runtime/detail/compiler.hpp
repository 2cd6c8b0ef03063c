#pragma once
/// Turns graph operators into a Program: checks them, folds and fuses, creates primitives.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "runtime/detail/program.hpp"
#include "tessera/core/result.hpp"
#include "tessera/graph/graph.hpp"
#include "tessera/runtime/executor.hpp"

namespace tessera::runtime::detail {

/// "Conv", or the ONNX type of an operator the IR keeps as generic or constant.
[[nodiscard]] std::string op_type(const graph::Op& op);

/// Position in `op.inputs` of the ONNX input `slot` (inputs given as "" are left out of
/// op.inputs); -1 when that input is absent.
[[nodiscard]] int input_at(const graph::Op& op, int slot);

/// What the executor lacks to run `op` (empty when it runs it): an operator type, attribute,
/// element type or non-constant argument.
[[nodiscard]] std::string missing_support(const graph::Graph& g, const graph::Op& op);

class Compiler {
 public:
  Compiler(const graph::Graph& g, const ExecutorOptions& options, const dnnl::engine& engine);

  /// Every problem of the operators to run, none created.
  [[nodiscard]] std::vector<Diagnostic> check() const;
  /// Builds the program (after `check` passed).
  [[nodiscard]] Result<Program> compile();

 private:
  // Which operators run and which tensors cross the boundary.
  void select();
  [[nodiscard]] bool folded(const graph::Op& op) const;
  [[nodiscard]] bool is_constant(TensorId t) const;

  // Values.
  int new_value(const std::string& name, const Dims& shape, DType dtype);
  int constant_value(TensorId t);
  int value_of(TensorId t);
  [[nodiscard]] std::vector<std::byte> constant_bytes(TensorId t) const;
  [[nodiscard]] std::vector<float> constant_floats(TensorId t) const;
  [[nodiscard]] std::vector<std::int64_t> constant_ints(TensorId t) const;
  int store_constant(const std::string& name, const Dims& shape, DType dtype,
                     std::vector<std::byte> bytes, const dnnl::memory::desc& md = {});
  /// A constant from row-major `bytes` (seen as `from_md`) laid out in `md` (one copy kept).
  int layout_constant(const std::string& name, const Dims& shape, std::vector<std::byte> bytes,
                      const dnnl::memory::desc& from_md, const dnnl::memory::desc& md);
  /// `v` in the layout `md` (a reorder step, made once per value and layout).
  int in_layout(int v, const dnnl::memory::desc& md);
  int plain(int v) {
    const Value& value = values()[static_cast<std::size_t>(v)];
    return value.plain ? v : in_layout(v, plain_md(value.shape, value.dtype));
  }
  /// Registers the value produced for graph tensor `t`.
  int define(TensorId t, const dnnl::memory::desc& md = {}, bool is_plain = true);
  std::vector<Value>& values() { return program_.values; }
  [[nodiscard]] const graph::Tensor& tensor(TensorId t) const { return g_.tensor(t); }
  void add_call(Step& step, const dnnl::primitive& p, std::vector<Arg> args);
  /// Adds the activations that follow `out` (its sole reader, and so on) to `po` and moves
  /// `out` to the last one's output.
  void fuse_activations(TensorId& out, dnnl::post_ops& po);
  /// Registers a step for the current operators.
  void add_step(Step step);
  /// A loop step reading `reads` and writing `writes`.
  void add_loop(std::vector<int> reads, std::vector<int> writes,
                std::function<std::string(const Buffers&)> loop);

  // Fusion: the single reader of `t` among the ops to run, when t is not returned.
  [[nodiscard]] const graph::Op* sole_reader(TensorId t) const;

  // Operators.
  void compile_op(const graph::Op& op);
  void conv(const graph::Op& op);
  void gemm(const graph::Op& op);
  void matmul(const graph::Op& op);
  void batchnorm(const graph::Op& op);
  void layernorm(const graph::Op& op);
  void softmax(const graph::Op& op);
  void eltwise(const graph::Op& op);
  void clip_runtime(const graph::Op& op);
  void binary(const graph::Op& op);
  void pool(const graph::Op& op);
  void reduce_mean(const graph::Op& op);
  void copy(const graph::Op& op);
  void transpose(const graph::Op& op);
  void slice(const graph::Op& op);
  void concat(const graph::Op& op);
  void split(const graph::Op& op);
  void gather(const graph::Op& op);
  void pad(const graph::Op& op);
  void expand(const graph::Op& op);
  void where(const graph::Op& op);
  void cast(const graph::Op& op);
  void erf(const graph::Op& op);
  void pow(const graph::Op& op);

  const graph::Graph& g_;
  ExecutorOptions options_;
  dnnl::engine engine_;
  Program program_;
  std::vector<OpId> order_;              ///< ops to run
  std::set<std::int32_t> selected_;      ///< their ids
  std::set<std::int32_t> fused_;         ///< ops executed inside another op's step
  std::set<std::int32_t> initializers_;  ///< outputs of constant operators (values may be absent)
  std::set<std::int32_t> returned_;      ///< tensors returned (never fused away)
  std::vector<std::vector<OpId>> readers_;
  std::map<int, std::vector<std::pair<dnnl::memory::desc, int>>> layouts_;  ///< reordered copies
  std::vector<OpId> current_ops_;  ///< ops of the step being built
};

}  // namespace tessera::runtime::detail
