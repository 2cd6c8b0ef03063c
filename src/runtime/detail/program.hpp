#pragma once
/// The executor's compiled form: values (tensors in some memory layout), steps (oneDNN
/// primitives and loops over them) and the buffers the values live in.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "tessera/core/ids.hpp"
#include "tessera/graph/tensor.hpp"

namespace tessera::runtime::detail {

using Dims = std::vector<std::int64_t>;

/// A tensor as the program holds it. Float tensors carry a oneDNN memory descriptor: plain
/// (row-major) unless a convolution chose a blocked layout for it.
struct Value {
  std::string name;
  graph::Shape shape;
  DType dtype = DType::kFloat32;
  dnnl::memory::desc md;  ///< layout of the bytes (zero descriptor for non-oneDNN types)
  bool plain = true;      ///< row-major, as the graph's shape says
  const std::byte* constant = nullptr;  ///< bytes of a constant (owned by the Program)
  std::int64_t bytes = 0;
};

/// Where each value's bytes are during a run.
struct Buffers {
  std::vector<std::byte*> ptr;  ///< per value
  [[nodiscard]] std::byte* at(int value) const { return ptr[static_cast<std::size_t>(value)]; }
  template <typename T>
  [[nodiscard]] T* as(int value) const {
    return reinterpret_cast<T*>(ptr[static_cast<std::size_t>(value)]);
  }
};

/// An argument of a primitive: a value, seen through `md` when given (a view of its bytes with
/// other dims, such as a matrix product's operands padded to one rank), else through its own.
struct Arg {
  int arg = 0;  ///< DNNL_ARG_*
  int value = -1;
  dnnl::memory::desc md{};
};

/// One oneDNN primitive with the values bound to its arguments.
struct PrimitiveCall {
  dnnl::primitive primitive;
  std::vector<Arg> args;
  std::unordered_map<int, dnnl::memory> bound;  ///< made once the buffers are placed
};

/// A step: primitives and/or a loop, reading and writing values.
struct Step {
  std::vector<OpId> ops;    ///< graph operators it executes (empty for layout reorders)
  bool reorder = false;     ///< a layout change inserted by the executor
  std::vector<int> reads;   ///< values read
  std::vector<int> writes;  ///< values written
  std::vector<PrimitiveCall> calls;
  /// Runs after the calls, when set; returns what went wrong (an index out of range), or "".
  std::function<std::string(const Buffers&)> loop;
};

/// Everything `create` builds.
struct Program {
  std::vector<Value> values;
  std::vector<Step> steps;
  std::deque<std::vector<std::byte>> constants;  ///< stable storage of constant bytes
  std::vector<int> tensor_value;                 ///< graph tensor -> value (-1 = none yet)
  std::vector<int> inputs, outputs;              ///< boundary values
};

/// Row-major strides of `shape` (in elements).
[[nodiscard]] Dims plain_strides(const Dims& shape);
/// oneDNN's type for `t`; data_type::undef when oneDNN has none (int64, bool).
[[nodiscard]] dnnl::memory::data_type dnnl_type(DType t);
/// Copies the elements of `shape` from `src` to `dst`, each addressed by its own strides (in
/// elements, possibly 0 to repeat or negative to reverse); `element_bytes` per element.
void copy_strided(const Dims& shape, std::byte* dst, const Dims& dst_strides, const std::byte* src,
                  const Dims& src_strides, std::size_t element_bytes);

/// The plain descriptor of `shape` (a scalar is one element of shape [1]).
[[nodiscard]] dnnl::memory::desc plain_md(const Dims& shape, DType t = DType::kFloat32);

}  // namespace tessera::runtime::detail
