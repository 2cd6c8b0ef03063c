#pragma once
/// Imports an ONNX model file into the graph IR.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/graph/graph.hpp"

namespace tessera::onnx {

/// The most nodes (of the graph and its local functions together), the most initializers and
/// the most graph inputs, outputs and value_info entries a model may have: each is counted in
/// the serialized bytes before protobuf builds a message for any of them (docs/formats.md,
/// "Limits"). At the limit a chain of Relu nodes imports in about 4 s and 420 MB.
inline constexpr std::int64_t kMaxOnnxGraphElements = 200'000;

/// How to instantiate an ONNX model's symbolic input dimensions.
struct OnnxImportOptions {
  /// Replaces the first dimension of every graph input when it is symbolic (a `dim_param` such
  /// as "batch") or unknown. A fixed first dimension is kept (with a warning when it differs).
  std::int64_t batch = 1;
  /// Replaces every other symbolic or unknown input dimension (tokens of a language model);
  /// 0 = none given: such a dimension is then an error naming the input.
  std::int64_t sequence_length = 0;
  /// Copy weight bytes (embedded, or from external data files that exist) into Tensor::data.
  /// False imports shapes only and never opens external data files; planning needs no values.
  bool read_weight_data = true;
};

/// A graph imported from ONNX and what the import could not represent exactly.
struct OnnxImport {
  graph::Graph graph;
  /// One line per kind of problem, each naming every operator or tensor concerned: operators
  /// Tessera does not model (imported as OpKind::kGeneric), absent external weight files,
  /// element types stored as a wider or narrower IR type, a fixed batch that differs from the
  /// one asked for.
  std::vector<std::string> warnings;
};

/// Loads `path`, checks it with the ONNX checker, infers every tensor's shape with ONNX's
/// operator schemas (after setting the symbolic input dimensions from `options`, and folding
/// tensors computed only from shapes and constants so that reshape targets are known), and maps
/// every node to an operator of the IR with all its attributes.
///
/// - Initializers are weights (`Tensor::is_weight`, counted as parameters) when they are
///   floating point, have more than one element and some node reads them as data (not as a
///   shape, axes, pads, scales or Clip bound); the others become kConstant operators.
/// - Gather of a weight table by integer ids is OpKind::kEmbedding; Identity of an initializer
///   is an alias of it (torch.onnx deduplicates equal initializers that way).
/// - Operators without an OpKind whose outputs fold to constants (Range, Equal, ... on shapes)
///   become kConstant operators with `attrs.mode` = their ONNX type; other unsupported operators
///   become OpKind::kGeneric (`attrs.mode` = type, every attribute in `attrs.extra`) and are
///   listed in one warning.
/// - Weights stored as external data whose file is absent are imported shape-only.
///
/// Fails (every diagnostic names `path`, and the node, initializer or input concerned) on: a
/// missing file, a directory, an empty file, bytes that are not an ONNX ModelProto (wrong first
/// tag, truncated, corrupt), a model without graph, an opset newer than the linked ONNX
/// supports, a node reading an undefined tensor, a cycle, an initializer whose data does not
/// match its dims (none given for a non-scalar), an ONNX checker error, a node whose shape
/// inference fails or leaves an output shape unknown, and an element type with no IR
/// equivalent (string, complex).
[[nodiscard]] Result<OnnxImport> import_onnx(const std::string& path,
                                             const OnnxImportOptions& options = {});

/// As `import_onnx`, from the serialized bytes of a model; `path` names the model in
/// diagnostics and its directory holds external data files.
[[nodiscard]] Result<OnnxImport> import_onnx_bytes(std::string_view bytes, const std::string& path,
                                                   const OnnxImportOptions& options = {});

}  // namespace tessera::onnx
