#pragma once
/// A tensor in host memory: what the executor takes and returns.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/dtype.hpp"
#include "tessera/graph/tensor.hpp"

namespace tessera::runtime {

/// Dense row-major (C order) data of `shape`, little-endian elements of `dtype`.
struct HostTensor {
  std::string name;
  graph::Shape shape;
  DType dtype = DType::kFloat32;
  std::vector<std::byte> data;

  [[nodiscard]] std::int64_t elements() const { return graph::element_count(shape); }
  [[nodiscard]] std::int64_t bytes() const { return elements() * dtype_bytes(dtype); }
  template <typename T>
  [[nodiscard]] T* as() {
    return reinterpret_cast<T*>(data.data());
  }
  template <typename T>
  [[nodiscard]] const T* as() const {
    return reinterpret_cast<const T*>(data.data());
  }
};

/// A zero-filled tensor of `shape` and `dtype`.
[[nodiscard]] HostTensor make_host_tensor(std::string name, graph::Shape shape, DType dtype);

}  // namespace tessera::runtime
