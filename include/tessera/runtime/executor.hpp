#pragma once
/// Runs a graph, or a contiguous range of its operators, in fp32 on this machine's CPU with
/// oneDNN primitives.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/ids.hpp"
#include "tessera/core/result.hpp"
#include "tessera/graph/graph.hpp"
#include "tessera/runtime/host_tensor.hpp"

namespace tessera::runtime {

/// Most worker threads an executor may be given (docs/formats.md, "Limits"): OpenMP starts them
/// all, and 10^8 crashed the process.
inline constexpr int kMaxThreads = 1024;

struct ExecutorOptions {
  /// Worker threads of oneDNN and of the executor's own loops (OpenMP); 0 = OpenMP's default
  /// (one per core), at most kMaxThreads. The setting is process-wide, as OpenMP's is.
  int threads = 0;
  /// Weights without values (graph-only files, zoo models) are filled from this seed: the same
  /// seed gives the same values. Without a seed such a weight is an error naming it.
  std::optional<std::uint64_t> random_weights_seed;
  /// The operators to run, in execution order (a pipeline stage: the ops of a range of the
  /// planner's layers); empty = every operator of the graph.
  std::vector<OpId> ops;
  /// The tensors the caller feeds (in this order); empty = the graph's inputs, or, with `ops`
  /// given, every non-constant tensor the ops read and do not produce.
  std::vector<TensorId> inputs;
  /// The tensors returned (in this order); empty = the graph's outputs, or, with `ops` given,
  /// every tensor the ops produce that the graph returns or an operator outside `ops` reads.
  std::vector<TensorId> outputs;
};

/// Per-step timing of one run, for profiles: steps are operators after fusion (a convolution
/// with the batch normalisation and activation folded into it is one step).
struct StepTiming {
  std::vector<OpId> ops;  ///< the graph operators the step executes
  double seconds = 0.0;
};

class Executor {
 public:
  /// Checks every operator first (an operator, attribute or element type the executor does not
  /// run fails naming the node, its op type and what is missing; no primitive is created
  /// then), then creates every primitive once, lays out the weights and plans the activation
  /// buffers (reused once a tensor's last reader has run).
  [[nodiscard]] static Result<Executor> create(const graph::Graph& graph,
                                               const ExecutorOptions& options = {});
  /// The checks of `create` alone: every unsupported operator or attribute, none created.
  [[nodiscard]] static Status check(const graph::Graph& graph, const ExecutorOptions& options = {});

  Executor(Executor&&) noexcept;
  Executor& operator=(Executor&&) noexcept;
  ~Executor();

  /// The tensors `run` expects (name, shape, type; data empty), in order.
  [[nodiscard]] const std::vector<HostTensor>& input_specs() const;
  /// The tensors `run` returns (data empty), in order.
  [[nodiscard]] const std::vector<HostTensor>& output_specs() const;
  /// Number of primitive and loop steps after fusion (BatchNorm folded into convolutions,
  /// activations fused), and of those that are layout reorders.
  [[nodiscard]] std::size_t step_count() const;
  [[nodiscard]] std::size_t reorder_count() const;
  /// Bytes of the weights and other constants as laid out for the primitives (resident while
  /// the executor lives).
  [[nodiscard]] std::int64_t constant_bytes() const;
  /// Bytes of the activation buffers (inputs, intermediates and outputs, reused where lifetimes
  /// allow).
  [[nodiscard]] std::int64_t buffer_bytes() const;

  /// Runs once. Inputs are matched by position to `input_specs()` and must have their shapes
  /// and types; fails naming the input otherwise.
  [[nodiscard]] Result<std::vector<HostTensor>> run(const std::vector<HostTensor>& inputs);
  /// As `run`, also timing each step (`timings` is overwritten).
  [[nodiscard]] Result<std::vector<HostTensor>> run_timed(const std::vector<HostTensor>& inputs,
                                                          std::vector<StepTiming>& timings);

 private:
  struct Impl;
  explicit Executor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The ONNX operator types the executor runs (the names a user sees in an ONNX file), sorted.
[[nodiscard]] const std::vector<std::string>& supported_onnx_ops();

/// Deterministic input data for `spec` (uniform in [-1, 1) for floats, 0 for integers and
/// booleans), for timing runs without an input file.
[[nodiscard]] HostTensor random_input(const HostTensor& spec, std::uint64_t seed);

}  // namespace tessera::runtime
