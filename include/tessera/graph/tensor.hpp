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

/// Number of elements of a shape (1 for a scalar).
[[nodiscard]] std::int64_t element_count(const Shape& shape);
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
  [[nodiscard]] std::int64_t bytes() const { return elements() * dtype_bytes(dtype); }
};

}  // namespace tessera::graph
