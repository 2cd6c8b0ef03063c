#include "tessera/io/model_loader.hpp"

#include <algorithm>
#include <cctype>

#include "tessera/graph/zoo.hpp"
#include "tessera/onnx/onnx_import.hpp"

namespace tessera::io {

namespace {

bool is_onnx_path(std::string_view spec) {
  constexpr std::string_view kSuffix = ".onnx";
  if (spec.size() < kSuffix.size()) return false;
  return std::equal(
      kSuffix.begin(), kSuffix.end(), spec.end() - kSuffix.size(),
      [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

}  // namespace

Result<LoadedModel> load_model_with_warnings(std::string_view spec, const ModelOptions& options) {
  if (is_onnx_path(spec)) {
    onnx::OnnxImportOptions import_options;
    import_options.batch = options.batch;
    import_options.sequence_length = options.sequence_length;
    import_options.read_weight_data = options.read_weight_data;
    auto imported = onnx::import_onnx(std::string(spec), import_options);
    if (!imported.ok()) return imported.diagnostics();
    return LoadedModel{std::move(imported->graph), std::move(imported->warnings)};
  }
  graph::ZooOptions zoo;
  zoo.batch = options.batch;
  zoo.sequence_length = options.sequence_length;
  auto g = graph::build_zoo_model(spec, zoo);
  if (!g.ok()) return g.diagnostics();
  return LoadedModel{std::move(g).value(), {}};
}

Result<graph::Graph> load_model(std::string_view spec, const ModelOptions& options) {
  auto loaded = load_model_with_warnings(spec, options);
  if (!loaded.ok()) return loaded.diagnostics();
  return std::move(loaded->graph);
}

}  // namespace tessera::io
