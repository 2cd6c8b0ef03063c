#pragma once
/// Element types of tensors and of device peak rates: shared by the model IR (graph) and the
/// hardware description (hw), which does not depend on the model.
#include <cstdint>
#include <string_view>

namespace tessera {

enum class DType { kFloat32, kFloat16, kBFloat16, kInt8, kUInt8, kInt32, kInt64, kBool };

/// Bytes per element of `t`.
[[nodiscard]] std::int64_t dtype_bytes(DType t);
/// "float32", "int8", ...
[[nodiscard]] std::string_view dtype_name(DType t);

}  // namespace tessera
