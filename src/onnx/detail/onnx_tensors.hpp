#pragma once
/// ONNX element types and tensor contents in terms of the graph IR.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <onnx/onnx_pb.h>

#include "onnx/detail/onnx_fold.hpp"
#include "tessera/graph/tensor.hpp"

namespace tessera::onnx::detail {

/// The IR type of an ONNX element type. `exact` is false where the IR has no type of that
/// width or kind and the nearest one is used (DOUBLE as float32, INT16/UINT16/UINT32 as int32,
/// UINT64 as int64); nothing for types with no IR equivalent (STRING, COMPLEX, UNDEFINED).
struct IrType {
  graph::DType dtype = graph::DType::kFloat32;
  bool exact = true;
};
[[nodiscard]] std::optional<IrType> ir_type(std::int32_t elem_type);

/// "FLOAT", "INT64", ... for messages.
[[nodiscard]] std::string elem_type_name(std::int32_t elem_type);

/// True for FLOAT, DOUBLE, FLOAT16 and BFLOAT16.
[[nodiscard]] bool is_floating(std::int32_t t);

/// Bytes per element of the ONNX type in raw_data / external data (0 for types without a fixed
/// width).
[[nodiscard]] std::size_t onnx_width(std::int32_t elem_type);

/// How many values an inline tensor holds (raw_data bytes / width, or the length of the typed
/// field its type uses); nothing when raw_data is not a whole number of elements.
[[nodiscard]] std::optional<std::int64_t> inline_value_count(const ::onnx::TensorProto& tensor);

/// True when the tensor's data is stored outside the model (data_location EXTERNAL).
[[nodiscard]] bool is_external(const ::onnx::TensorProto& tensor);

/// The inline values of `tensor` as little-endian raw bytes in ONNX's layout for its type.
[[nodiscard]] std::string inline_raw_bytes(const ::onnx::TensorProto& tensor);

/// ONNX raw bytes of `elem_type` converted to the IR type's layout (a copy when exact).
[[nodiscard]] std::vector<std::byte> to_ir_bytes(std::string_view raw, std::int32_t elem_type);

/// A folded value as IR bytes of `dtype`; nothing for a type the folder does not produce.
[[nodiscard]] std::optional<std::vector<std::byte>> folded_ir_bytes(const FoldedTensor& value,
                                                                    graph::DType dtype);

}  // namespace tessera::onnx::detail
