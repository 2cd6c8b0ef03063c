#pragma once
/// Constant folding of small tensors for the ONNX importer: evaluates the operators that
/// exported models use to compute shapes (Shape, Gather, Unsqueeze, Concat, Cast, Range, ...)
/// so that ONNX's shape inference sees reshape, expand and slice arguments as constants.
#include <cstdint>
#include <optional>
#include <vector>

#include <onnx/onnx_pb.h>

namespace tessera::onnx::detail {

/// Largest tensor the folder evaluates or produces, in elements. Shape computations are a few
/// dozen elements; the bound keeps folding away from weights and large masks.
inline constexpr std::int64_t kMaxFoldElements = 65536;

/// The value of a small tensor: integers (and bools as 0/1) in `ints`, floating point numbers
/// in `reals`, exactly one of them holding `element_count(dims)` values.
struct FoldedTensor {
  std::int32_t elem_type = ::onnx::TensorProto::UNDEFINED;
  std::vector<std::int64_t> dims;
  std::vector<std::int64_t> ints;
  std::vector<double> reals;

  [[nodiscard]] bool is_real() const;
  [[nodiscard]] std::int64_t size() const;
  /// Element i as a double / as an integer (truncating reals toward zero).
  [[nodiscard]] double real(std::int64_t i) const;
  [[nodiscard]] std::int64_t integer(std::int64_t i) const;
};

/// True for the element types the folder represents (every integer, bool, float and double).
[[nodiscard]] bool foldable_type(std::int32_t t);

/// The value of an inline tensor (not external data) of a foldable type with at most
/// kMaxFoldElements elements; nothing otherwise.
[[nodiscard]] std::optional<FoldedTensor> fold_tensor_proto(const ::onnx::TensorProto& tensor);

/// A TensorProto holding `value` (typed fields), for ONNX shape inference to read.
[[nodiscard]] ::onnx::TensorProto to_tensor_proto(const FoldedTensor& value);

/// What the folder knows about a node's inputs.
struct FoldInputs {
  /// Values of the inputs (nullptr: unknown or optional input absent), in node order.
  std::vector<const FoldedTensor*> values;
  /// Static shapes of the inputs (nullptr: unknown), for Shape and Size.
  std::vector<const std::vector<std::int64_t>*> shapes;
  /// Static output shapes from ONNX shape inference (nullptr: not inferred).
  std::vector<const std::vector<std::int64_t>*> output_shapes;
};

/// Evaluates `node` when every input it needs is known and small; one value per output, or
/// nothing when the operator is not one the folder evaluates or an input is missing.
[[nodiscard]] std::optional<std::vector<FoldedTensor>> fold_node(const ::onnx::NodeProto& node,
                                                                 std::int64_t opset,
                                                                 const FoldInputs& inputs);

}  // namespace tessera::onnx::detail
