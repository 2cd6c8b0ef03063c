#include "tessera/onnx/tensor_file.hpp"

#include <limits>

#include <onnx/onnx_pb.h>

#include "onnx/detail/onnx_tensors.hpp"
#include "tessera/core/file_text.hpp"

namespace tessera::onnx {

Result<TensorFile> read_tensor_file(const std::string& path) {
  auto bytes = read_text_file(path);
  if (!bytes.ok()) return bytes.diagnostics();
  ::onnx::TensorProto proto;
  if (bytes->size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !proto.ParseFromArray(bytes->data(), static_cast<int>(bytes->size())))
    return Diagnostic{path, 0, 0, "file", "is not a serialized ONNX TensorProto"};
  if (detail::is_external(proto))
    return Diagnostic{path, 0, 0, "data_location", "external data is not read from tensor files"};
  const auto type = detail::ir_type(proto.data_type());
  if (!type)
    return Diagnostic{path, 0, 0, "data_type",
                      detail::elem_type_name(proto.data_type()) + " has no IR element type"};
  TensorFile t;
  t.name = proto.name();
  t.shape.assign(proto.dims().begin(), proto.dims().end());
  t.dtype = type->dtype;
  t.exact = type->exact;
  t.onnx_type = detail::elem_type_name(proto.data_type());
  const auto count = detail::inline_value_count(proto);
  if (!count || *count != graph::element_count(t.shape))
    return Diagnostic{path, 0, 0, "dims",
                      "hold " + std::to_string(graph::element_count(t.shape)) +
                          " values but the file stores " +
                          (count ? std::to_string(*count) : std::string("a partial element"))};
  t.data = detail::to_ir_bytes(detail::inline_raw_bytes(proto), proto.data_type());
  return t;
}

}  // namespace tessera::onnx
