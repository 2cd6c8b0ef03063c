#pragma once
/// Tensors of the model IR: activations and weights, with shape and element type.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/dtype.hpp"
#include "tessera/core/ids.hpp"

namespace tessera::graph {

// The element types live in core (hw's peak rates use them too); the IR spells them
// graph::DType as well.
using tessera::DType;
using tessera::dtype_bytes;
using tessera::dtype_name;

using Shape = std::vector<std::int64_t>;

/// Largest tensor a model may hold: 2^40 elements (4 TiB of float32). Importers reject larger
/// ones, so element and byte counts of an imported model never overflow.
inline constexpr std::int64_t kMaxTensorElements = std::int64_t{1} << 40;
/// Largest work of one operator and of a whole model: 2^60 FLOPs (a ResNet-152 inference is
/// about 2^34). Work counts saturate at INT64_MAX instead of wrapping, so exceeding the limit is
/// always detected.
inline constexpr std::int64_t kMaxModelFlops = std::int64_t{1} << 60;

/// Number of elements of a shape (1 for a scalar); saturates at INT64_MAX.
[[nodiscard]] std::int64_t element_count(const Shape& shape);
/// a * b and a + b of non-negative counts, saturating at INT64_MAX.
[[nodiscard]] std::int64_t saturating_mul(std::int64_t a, std::int64_t b);
[[nodiscard]] std::int64_t saturating_add(std::int64_t a, std::int64_t b);
/// "1x3x224x224".
[[nodiscard]] std::string shape_to_string(const Shape& shape);

struct Tensor {
  TensorId id;
  std::string name;
  Shape shape;
  DType dtype = DType::kFloat32;
  /// True for trained parameters and other constants (ONNX initializers).
  bool is_weight = false;
  /// Raw little-endian contents when known; weights may be shape-only (graph-only models).
  std::optional<std::vector<std::byte>> data;

  [[nodiscard]] std::int64_t elements() const { return element_count(shape); }
  [[nodiscard]] std::int64_t bytes() const {
    return saturating_mul(elements(), static_cast<std::int64_t>(dtype_bytes(dtype)));
  }
};

}  // namespace tessera::graph
