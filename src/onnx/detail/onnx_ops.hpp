#pragma once
/// ONNX operators in terms of the graph IR: which OpKind a node is, its attributes, and which of
/// its inputs read data (weights) rather than arguments (shapes, axes, pads, bounds).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <onnx/onnx_pb.h>

#include "onnx/detail/onnx_fold.hpp"
#include "tessera/graph/op.hpp"

namespace tessera::onnx::detail {

/// The OpKind of a node of the default ONNX domain (or a com.microsoft Gelu/FastGelu); nothing
/// for operators the IR does not model. Gather is kGather here (the importer decides
/// kEmbedding from its operands).
[[nodiscard]] std::optional<graph::OpKind> onnx_op_kind(const ::onnx::NodeProto& node);

/// True when input `slot` of an `op_type` node reads tensor data; false for inputs that are
/// arguments (Reshape/Expand shape, Slice starts..., Pad pads, Resize roi/scales/sizes, Clip
/// bounds, Pow exponent, Squeeze/Unsqueeze/Reduce axes, Split sizes, Range, ConstantOfShape, and
/// Shape/Size, which read only a shape). An initializer read only as an argument is a constant,
/// not a parameter.
[[nodiscard]] bool is_data_input(std::string_view op_type, int slot);

/// What the attribute mapper knows about a node's operands, indexed by ONNX input slot (nullptr
/// for an absent or unknown one).
struct NodeOperands {
  std::int64_t opset = 0;
  std::vector<const std::vector<std::int64_t>*> input_shapes;
  std::vector<const FoldedTensor*> input_values;
  std::vector<const std::vector<std::int64_t>*> output_shapes;
};

/// Every attribute of `node` as the IR holds it for `kind`: the named fields of OpAttributes
/// (with ONNX's defaults filled in, explicit pads for auto_pad SAME_UPPER/SAME_LOWER/VALID, and
/// arguments that newer opsets pass as constant inputs: Clip bounds, Pad pads, Slice axes,
/// Squeeze/Unsqueeze axes, Split sizes, Reshape/Expand targets), every other attribute in
/// `extra`. For kGeneric and for folded kConstant operators `mode` is the ONNX type.
[[nodiscard]] graph::OpAttributes onnx_op_attributes(const ::onnx::NodeProto& node,
                                                     graph::OpKind kind, const NodeOperands& ops);

}  // namespace tessera::onnx::detail
