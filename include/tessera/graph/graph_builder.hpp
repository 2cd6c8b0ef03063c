#pragma once
/// A fluent helper that appends operators to a `Graph` with shape inference (NCHW layout), so
/// that models can be written in code the way torchvision and Hugging Face write them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "tessera/core/ids.hpp"
#include "tessera/core/result.hpp"
#include "tessera/graph/graph.hpp"

namespace tessera::graph {

/// A 2-D convolution (torch.nn.Conv2d with square kernel, stride, padding and dilation).
struct Conv2dOptions {
  std::int64_t out_channels = 0;
  std::int64_t kernel = 1;
  std::int64_t stride = 1;
  std::int64_t padding = 0;  ///< the same on every side
  std::int64_t groups = 1;
  std::int64_t dilation = 1;
  bool bias = true;
};

/// A 2-D max or average pooling window (square kernel, same padding on every side).
struct Pool2dOptions {
  std::int64_t kernel = 2;
  std::int64_t stride = 2;
  std::int64_t padding = 0;
  bool ceil_mode = false;
};

/// Appends operators to a graph, inferring every output shape from the input shapes and the
/// attributes, and naming each operator and tensor:
/// - an operator gets the name it is given (torchvision / Hugging Face module paths such as
///   "layer1.0.conv1"); a name already used gets a suffix "_1", "_2", ... so names stay unique;
/// - its output tensor has the operator's name ("name:i" for operator with several outputs);
/// - the weights it creates are "name.weight" and "name.bias", as in a PyTorch state dict.
/// Weights are shape-only (no data). Constants (kConstant operators) carry their values.
///
/// Operators are appended in execution order, so the graph is a DAG in insertion order: every
/// operator reads only graph inputs, weights, or tensors of earlier operators.
///
/// Shape errors (mismatched channels, incompatible broadcast, bad reshape, ...) do not stop the
/// builder: each is recorded as a diagnostic whose field is the operator's name, the operator is
/// still appended with a best-effort output shape, and later errors caused only by an earlier one
/// are not reported again. `finish()` returns every problem found.
class GraphBuilder {
 public:
  explicit GraphBuilder(std::string graph_name);

  /// A graph input (activations or integer ids), in the order the model takes them.
  TensorId input(std::string_view name, Shape shape, DType dtype = DType::kFloat32);
  /// A trained parameter created without an operator (class token, position embedding, a weight
  /// shared by several operators). Counted once however many operators read it.
  TensorId weight(std::string_view name, Shape shape, DType dtype = DType::kFloat32);
  /// A kConstant operator producing `data` (little-endian bytes, `element_count(shape) *
  /// dtype_bytes(dtype)` of them). Not a parameter.
  TensorId constant(std::string_view name, Shape shape, DType dtype, std::vector<std::byte> data);
  /// A float32 scalar constant.
  TensorId scalar(std::string_view name, float value);
  /// Marks a tensor as a model output.
  void output(TensorId tensor);

  // Convolution, normalisation and activations.
  /// Conv with weight [Cout, Cin/groups, k, k] and optional bias [Cout]; input [N, Cin, H, W].
  TensorId conv2d(std::string_view name, TensorId x, const Conv2dOptions& options);
  /// Inference batch normalisation over channel axis 1 with two weights of [C]: "name.weight"
  /// and "name.bias". The running mean and variance are folded into them (scale = gamma /
  /// sqrt(var + eps), shift = beta - mean * scale), as inference runtimes do; so the tensors hold
  /// exactly the trainable BatchNorm parameters that torchvision's parameter counts include,
  /// and the bytes a device stores for the folded operator.
  TensorId batch_norm(std::string_view name, TensorId x, double epsilon = 1e-5);
  /// Layer normalisation over the last axis, with "name.weight" and "name.bias" of that size.
  TensorId layer_norm(std::string_view name, TensorId x, double epsilon = 1e-5);
  /// max(x, 0).
  TensorId relu(std::string_view name, TensorId x);
  /// ReLU6 as Clip(0, 6).
  TensorId relu6(std::string_view name, TensorId x);
  /// GELU; `approximation` is "none" (erf) or "tanh" (GPT-2's gelu_new), as ONNX Gelu.
  TensorId gelu(std::string_view name, TensorId x, std::string_view approximation = "none");
  /// Hyperbolic tangent (BERT's pooler activation).
  TensorId tanh(std::string_view name, TensorId x);
  /// Softmax along `axis` (negative counts from the end).
  TensorId softmax(std::string_view name, TensorId x, std::int64_t axis = -1);

  // Pooling.
  /// [N, C, H, W] -> [N, C, H', W'] with PyTorch's output-size rule (ceil mode included).
  TensorId max_pool(std::string_view name, TensorId x, const Pool2dOptions& options);
  /// As max_pool; padding is not counted in the average (count_include_pad false).
  TensorId avg_pool(std::string_view name, TensorId x, const Pool2dOptions& options);
  /// [N, C, H, W] -> [N, C, 1, 1].
  TensorId global_avg_pool(std::string_view name, TensorId x);

  // Matrix products.
  /// torch.nn.Linear over the last axis. A 2-D input becomes a Gemm with weight [out, in]
  /// (trans_b) and bias [out] as its third input. A higher-rank input becomes what torch.onnx
  /// exports for it: a MatMul with weight [in, out] followed by an Add of the bias (named
  /// "name.bias_add"); Gemm is defined on matrices only.
  TensorId linear(std::string_view name, TensorId x, std::int64_t out_features, bool bias = true);
  /// A Gemm (trans_b) reading an existing weight [out, in], for tied weights; input [M, in].
  TensorId linear_with_weight(std::string_view name, TensorId x, TensorId weight);
  /// Batched matrix product with NumPy broadcasting of the leading axes; `b` may be an
  /// activation or a weight.
  TensorId matmul(std::string_view name, TensorId a, TensorId b);
  /// Embedding lookup: output = ids.shape + [dim], weight "name.weight" [vocab, dim].
  TensorId embedding(std::string_view name, TensorId ids, std::int64_t vocab, std::int64_t dim);
  /// Embedding lookup reading an existing weight [vocab, dim] (shared with a tied LM head).
  /// Inputs in ONNX Gather order: (weight, ids).
  TensorId embedding_with_weight(std::string_view name, TensorId ids, TensorId weight);

  // Elementwise with NumPy broadcasting.
  /// a + b (residual connections, biases, position embeddings).
  TensorId add(std::string_view name, TensorId a, TensorId b);
  /// a - b.
  TensorId sub(std::string_view name, TensorId a, TensorId b);
  /// a * b.
  TensorId mul(std::string_view name, TensorId a, TensorId b);
  /// a / b (attention score scaling).
  TensorId div(std::string_view name, TensorId a, TensorId b);
  /// condition ? x : y, elementwise with broadcasting; `condition` is bool.
  TensorId where(std::string_view name, TensorId condition, TensorId x, TensorId y);

  // Data movement.
  /// Flattens axes [axis, rank) into one: [N, C, H, W] -> [N, C*H*W] for axis 1.
  TensorId flatten(std::string_view name, TensorId x, std::int64_t axis = 1);
  /// Reshape to `target`; one entry may be -1 (inferred). Element counts must match.
  TensorId reshape(std::string_view name, TensorId x, Shape target);
  /// Output axis i is input axis perm[i].
  TensorId transpose(std::string_view name, TensorId x, std::vector<std::int64_t> perm);
  /// Splits `axis` into pieces of the given sizes (which must add up to the axis length).
  std::vector<TensorId> split(std::string_view name, TensorId x, std::int64_t axis,
                              std::vector<std::int64_t> sizes);
  /// Joins tensors equal in every axis but `axis`.
  TensorId concat(std::string_view name, const std::vector<TensorId>& xs, std::int64_t axis);
  /// Broadcasts `x` to `target` (ONNX Expand).
  TensorId expand(std::string_view name, TensorId x, Shape target);
  /// Selects one index of `axis` (ONNX Gather with a scalar index): the axis disappears.
  TensorId select(std::string_view name, TensorId x, std::int64_t axis, std::int64_t index);

  /// The inferred shape of a tensor built so far (empty for an id this builder did not make);
  /// the reference is valid until the next tensor is added.
  [[nodiscard]] const Shape& shape(TensorId tensor) const;
  /// The graph so far (for inspection while building).
  [[nodiscard]] const Graph& graph() const { return graph_; }
  /// The finished graph, or every shape problem found.
  [[nodiscard]] Result<Graph> finish() &&;

 private:
  /// `name`, or `name_1`, `name_2`, ... if already used by an operator or tensor.
  std::string unique_name(std::string_view name);
  TensorId new_tensor(std::string name, Shape shape, DType dtype, bool is_weight);
  /// Appends an operator named `op_name` (already made unique) with one output of `shape` and
  /// `dtype` (that of the first input when not given). A non-empty `error` is recorded unless an
  /// input already failed; either way the output is then marked failed.
  TensorId append(std::string op_name, OpKind kind, std::vector<TensorId> inputs, Shape shape,
                  OpAttributes attrs, std::string error, std::optional<DType> dtype = {});
  /// False (and a diagnostic) when some id does not name a tensor of this builder.
  bool known(std::string_view op_name, const std::vector<TensorId>& inputs);
  /// A failed tensor standing for the output of an operator that could not be appended.
  TensorId failed_output(std::string op_name);
  TensorId unary(std::string_view name, OpKind kind, TensorId x, OpAttributes attrs = {});
  TensorId binary(std::string_view name, OpKind kind, TensorId a, TensorId b);
  TensorId pool(std::string_view name, OpKind kind, TensorId x, const Pool2dOptions& options);
  [[nodiscard]] bool failed(TensorId tensor) const { return failed_[tensor.index()] != 0; }
  [[nodiscard]] bool any_failed(const std::vector<TensorId>& tensors) const;

  Graph graph_;
  std::unordered_set<std::string> names_;
  std::vector<char> failed_;  ///< per tensor: its shape comes from an operator that failed
  std::vector<Diagnostic> diagnostics_;
  Shape empty_shape_;
};

}  // namespace tessera::graph
