#pragma once
/// Builds small ONNX models in code (protobuf API) for the importer's edge-case tests.
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include <onnx/defs/attr_proto_util.h>
#include <onnx/onnx_pb.h>

namespace tessera::onnx::onnx_testing {

/// A ModelProto under construction: IR version 8, default-domain opset `opset`, producer
/// "tessera-test".
class OnnxModelBuilder {
 public:
  explicit OnnxModelBuilder(std::int64_t opset = 13);

  /// A graph input; each dim is a number ("224") or a symbol ("batch").
  OnnxModelBuilder& input(const std::string& name, std::int32_t elem_type,
                          const std::vector<std::string>& dims);
  /// A graph output with its element type and an empty shape field (the importer infers the
  /// shape).
  OnnxModelBuilder& output(const std::string& name,
                           std::int32_t elem_type = ::onnx::TensorProto::FLOAT);
  /// A float initializer holding `values` (raw_data), or shape-only with external data in
  /// `external_location` when that is not empty.
  OnnxModelBuilder& weight(const std::string& name, const std::vector<std::int64_t>& dims,
                           const std::vector<float>& values = {},
                           const std::string& external_location = "");
  /// An INT64 initializer (typed int64_data).
  OnnxModelBuilder& ints(const std::string& name, const std::vector<std::int64_t>& dims,
                         const std::vector<std::int64_t>& values);
  /// A Constant node producing `values` as a tensor of `dims` and `elem_type` (FLOAT, INT64 or
  /// BOOL).
  OnnxModelBuilder& constant(const std::string& output, std::int32_t elem_type,
                             const std::vector<std::int64_t>& dims,
                             const std::vector<double>& values);
  /// A node; attributes are added to the returned reference.
  ::onnx::NodeProto& node(const std::string& op_type, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name = "",
                          const std::string& domain = "");
  /// An opset import for another domain.
  OnnxModelBuilder& domain(const std::string& domain, std::int64_t version);

  ::onnx::ModelProto& model() { return model_; }
  [[nodiscard]] std::string bytes() const;
  /// Writes the model to `path` and returns the path as a string.
  std::string write(const std::filesystem::path& path) const;

 private:
  ::onnx::ModelProto model_;
};

/// Adds an attribute to a node (::onnx::MakeAttribute overloads).
template <typename T>
void set_attribute(::onnx::NodeProto& node, const std::string& name, const T& value) {
  *node.add_attribute() = ::onnx::MakeAttribute(name, value);
}

/// A fresh empty directory under the system temp directory, named after the test.
std::filesystem::path scratch_dir(const std::string& test_name);

}  // namespace tessera::onnx::onnx_testing
