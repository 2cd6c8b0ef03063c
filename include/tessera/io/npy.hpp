#pragma once
/// NumPy's .npy format (version 1.0 written; 1.0, 2.0 and 3.0 read): one array per file,
/// little-endian, C order. Written here rather than taken from a library: Debian packages no
/// C++ .npy library (cnpy and xtensor-io are not in Debian 12), and the format is a
/// 10-byte preamble plus a Python-literal header (numpy.lib.format).
#include <string>
#include <string_view>

#include "tessera/core/result.hpp"
#include "tessera/graph/tensor.hpp"

namespace tessera::io {

struct NpyArray {
  graph::Shape shape;  ///< () for a 0-d array
  DType dtype = DType::kFloat32;
  std::vector<std::byte> data;  ///< C order, little-endian
};

/// Element types read and written: '<f4' float32, '<i8' int64, '<i4' int32, '|i1' int8,
/// '|u1' uint8, '|b1' bool (the dtypes of the IR). Fails naming `path` and the header field on
/// a wrong magic, an unsupported version, dtype (with the ones supported) or Fortran order, a
/// malformed header, or a data size that does not match the shape.
[[nodiscard]] Result<NpyArray> parse_npy(std::string_view bytes, const std::string& path);
[[nodiscard]] Result<NpyArray> read_npy(const std::string& path);

/// The .npy bytes of `array` (version 1.0, header padded so the data starts 64-byte aligned).
[[nodiscard]] std::string npy_bytes(const NpyArray& array);
/// Writes `array` to `path`; fails naming the path when it cannot be written.
[[nodiscard]] Status write_npy(const std::string& path, const NpyArray& array);

}  // namespace tessera::io
