#pragma once
/// Reads a serialized ONNX TensorProto (the input_N.pb / output_N.pb files of ONNX's backend
/// test data) into IR bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/graph/tensor.hpp"

namespace tessera::onnx {

struct TensorFile {
  std::string name;  ///< the tensor's name in the file (may be empty)
  graph::Shape shape;
  graph::DType dtype = graph::DType::kFloat32;
  /// False when the file's element type has no IR type of its width (DOUBLE is read as
  /// float32, ...): the values are converted.
  bool exact = true;
  std::string onnx_type;  ///< "FLOAT", "DOUBLE", ...
  std::vector<std::byte> data;
};

/// Fails naming `path` on a missing or unreadable file, bytes that are not a TensorProto,
/// external data, an element type with no IR equivalent, or values that do not match the dims.
[[nodiscard]] Result<TensorFile> read_tensor_file(const std::string& path);

}  // namespace tessera::onnx
