// libFuzzer harness: the ONNX importer (protobuf bytes -> checked model -> IR graph) and the
// layer chain built from what it accepts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tessera/graph/passes.hpp"
#include "tessera/onnx/onnx_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tessera::onnx::OnnxImportOptions options;
  options.batch = 2;
  options.sequence_length = 8;
  options.read_weight_data = false;  // external files are looked up, never read
  auto imported = tessera::onnx::import_onnx_bytes(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.onnx", options);
  if (!imported.ok()) return 0;
  const auto& g = imported->graph;
  for (const auto& op : g.ops()) (void)g.work(op);
  (void)g.total_macs();
  auto chain = tessera::graph::build_layer_chain(g);
  (void)chain;
  return 0;
}
