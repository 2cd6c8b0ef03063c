#pragma once
/// The model IR: a DAG of operators over tensors.
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/ids.hpp"
#include "tessera/graph/op.hpp"
#include "tessera/graph/tensor.hpp"

namespace tessera::graph {

/// Work of one operator. A MAC is one multiply-accumulate; `flops` counts every arithmetic
/// operation (2 per MAC plus elementwise work).
struct OpWork {
  std::int64_t macs = 0;
  std::int64_t flops = 0;
  std::int64_t weight_bytes = 0;  ///< bytes of the weight tensors the operator reads
  std::int64_t input_bytes = 0;   ///< bytes of non-weight inputs
  std::int64_t output_bytes = 0;
};

class Graph {
 public:
  std::string name;

  [[nodiscard]] const std::vector<Tensor>& tensors() const { return tensors_; }
  [[nodiscard]] const std::vector<Op>& ops() const { return ops_; }
  [[nodiscard]] const Tensor& tensor(TensorId id) const { return tensors_[id.index()]; }
  [[nodiscard]] Tensor& tensor(TensorId id) { return tensors_[id.index()]; }
  [[nodiscard]] const Op& op(OpId id) const { return ops_[id.index()]; }
  [[nodiscard]] Op& op(OpId id) { return ops_[id.index()]; }
  [[nodiscard]] const std::vector<TensorId>& inputs() const { return inputs_; }
  [[nodiscard]] const std::vector<TensorId>& outputs() const { return outputs_; }

  TensorId add_tensor(Tensor t);
  OpId add_op(Op op);
  void mark_input(TensorId id) { inputs_.push_back(id); }
  void mark_output(TensorId id) { outputs_.push_back(id); }

  /// The operator producing each tensor (invalid id for graph inputs and weights).
  [[nodiscard]] std::vector<OpId> producers() const;
  /// The operators reading each tensor.
  [[nodiscard]] std::vector<std::vector<OpId>> consumers() const;

  /// Work of one operator, from its kind, attributes and tensor shapes.
  [[nodiscard]] OpWork work(const Op& op) const;

  /// Parameters: elements of every distinct weight tensor read by some operator (a tied
  /// weight counts once).
  [[nodiscard]] std::int64_t parameter_count() const;
  [[nodiscard]] std::int64_t weight_bytes() const;
  [[nodiscard]] std::int64_t total_macs() const;

 private:
  std::vector<Tensor> tensors_;
  std::vector<Op> ops_;
  std::vector<TensorId> inputs_;
  std::vector<TensorId> outputs_;
};

}  // namespace tessera::graph
