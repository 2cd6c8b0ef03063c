#pragma once
/// Operators of the model IR with every attribute execution needs.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/ids.hpp"

namespace tessera::graph {

enum class OpKind {
  // Compute-heavy operators: each starts a layer after fusion.
  kConv,
  kConvTranspose,
  kGemm,       ///< Y = A·B(ᵀ) + C; weights in B (a fully connected layer).
  kMatMul,     ///< batched matrix product, with or without a weight operand.
  kEmbedding,  ///< table lookup: weight [vocab, dim] gathered by integer ids.
  // Normalisation.
  kBatchNorm,
  kLayerNorm,
  kSoftmax,
  // Elementwise unary.
  kRelu,
  kClip,  ///< ReLU6 is Clip(0, 6).
  kSigmoid,
  kHardSigmoid,
  kHardSwish,
  kTanh,
  kGelu,
  kErf,
  kSqrt,
  kPow,
  kCast,
  kIdentity,
  kDropout,
  // Elementwise binary (with broadcasting).
  kAdd,
  kSub,
  kMul,
  kDiv,
  kWhere,
  // Reductions and pooling.
  kMaxPool,
  kAveragePool,
  kGlobalAveragePool,
  kReduceMean,
  // Data movement and shape.
  kConcat,
  kSplit,
  kSlice,
  kGather,
  kFlatten,
  kReshape,
  kTranspose,
  kSqueeze,
  kUnsqueeze,
  kExpand,
  kPad,
  kResize,
  kShape,
  kConstant,
  kConstantOfShape,
  /// An operator Tessera does not model; costed from its tensor sizes.
  kGeneric,
};

[[nodiscard]] std::string_view op_kind_name(OpKind kind);

/// Attribute values that do not have a named field below (kept for operators imported from ONNX).
struct ExtraAttribute {
  std::vector<std::int64_t> ints;
  std::vector<double> floats;
  std::string text;
};

/// Attributes of an operator. Spatial attributes follow ONNX: `pads` is
/// [begin_0, begin_1, ..., end_0, end_1, ...].
struct OpAttributes {
  std::vector<std::int64_t> kernel_shape;
  std::vector<std::int64_t> strides;
  std::vector<std::int64_t> pads;
  std::vector<std::int64_t> dilations;
  std::vector<std::int64_t> output_padding;
  std::int64_t groups = 1;
  std::int64_t axis = 0;
  std::vector<std::int64_t> axes;
  std::vector<std::int64_t> perm;
  std::vector<std::int64_t> split;
  std::vector<std::int64_t> target_shape;  ///< Reshape/Expand target.
  bool keepdims = true;
  bool ceil_mode = false;
  bool count_include_pad = false;
  bool trans_a = false;
  bool trans_b = false;
  double epsilon = 1e-5;
  double alpha = 1.0;  ///< Gemm alpha; Clip min; HardSigmoid alpha.
  double beta = 1.0;   ///< Gemm beta; Clip max; HardSigmoid beta.
  std::string mode;    ///< Resize/Pad mode, Gelu approximation, generic op type.
  std::map<std::string, ExtraAttribute> extra;
};

struct Op {
  OpId id;
  std::string name;
  OpKind kind = OpKind::kGeneric;
  /// Inputs in operator order (ONNX order: Conv = X, W, B); weights are tensors with
  /// `is_weight` set.
  std::vector<TensorId> inputs;
  std::vector<TensorId> outputs;
  OpAttributes attrs;
};

/// True for operators that start a layer (convolutions, matrix products, embeddings).
[[nodiscard]] bool is_compute_anchor(OpKind kind);
/// True for operators that only compute shapes and never move activation data at run time.
[[nodiscard]] bool is_shape_only(OpKind kind);

}  // namespace tessera::graph
