#pragma once
/// Resolves the MODEL argument of the CLI into a graph.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/graph/graph.hpp"

namespace tessera::io {

struct ModelOptions {
  std::int64_t batch = 1;
  std::int64_t sequence_length = 0;  ///< 0 = the model's default
  /// ONNX files: copy weight values into the graph (planning needs only their shapes).
  bool read_weight_data = true;
};

/// A model and what its import could not represent exactly (one line per kind of problem).
struct LoadedModel {
  graph::Graph graph;
  std::vector<std::string> warnings;  ///< empty for zoo models
};

/// A path ending in ".onnx" (imported with `import_onnx`, warnings dropped: use
/// `load_model_with_warnings` to show them), otherwise a zoo name (`tessera models`). Fails
/// naming the file and node, or the model and the known names.
[[nodiscard]] Result<graph::Graph> load_model(std::string_view spec, const ModelOptions& options);

/// As `load_model`, keeping the import warnings (unsupported operators, absent external weight
/// files, ...) for the caller to show.
[[nodiscard]] Result<LoadedModel> load_model_with_warnings(std::string_view spec,
                                                           const ModelOptions& options);

}  // namespace tessera::io
