// Inputs that once crashed the importer or produced nonsense: each is a diagnostic now.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tessera/graph/graph.hpp"
#include "tessera/onnx/onnx_import.hpp"
#include "unit/onnx/onnx_model_builder.hpp"

namespace tessera::onnx {
namespace {

using ::onnx::TensorProto;
using onnx_testing::OnnxModelBuilder;
using onnx_testing::set_attribute;

/// resnet18's first layer (kernel 7, stride 2, pads 3) on an input of `dims`.
std::string first_conv_of_resnet18(const std::vector<std::string>& dims) {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, dims).weight("w", {64, 3, 7, 7}).output("y");
  auto& conv = b.node("Conv", {"x", "w"}, {"y"}, "conv1");
  set_attribute(conv, "kernel_shape", std::vector<std::int64_t>{7, 7});
  set_attribute(conv, "strides", std::vector<std::int64_t>{2, 2});
  set_attribute(conv, "pads", std::vector<std::int64_t>{3, 3, 3, 3});
  // A dim written "-N" is stored as dim_value -N (the builder reads it as a symbol).
  auto* shape = b.model()
                    .mutable_graph()
                    ->mutable_input(0)
                    ->mutable_type()
                    ->mutable_tensor_type()
                    ->mutable_shape();
  for (int k = 0; k < shape->dim_size(); ++k)
    if (dims[static_cast<std::size_t>(k)].front() == '-')
      shape->mutable_dim(k)->set_dim_value(std::stoll(dims[static_cast<std::size_t>(k)]));
  return b.bytes();
}

std::string import_error(const std::vector<std::string>& dims) {
  auto imported = import_onnx_bytes(first_conv_of_resnet18(dims), "m.onnx");
  return imported.ok() ? std::string("(imported)") : imported.error_text();
}

TEST(OnnxBadInput, RejectsANegativeInputDimensionInsteadOfCrashing) {
  // Was a segfault (exit 139) in shape inference.
  const auto e = import_error({"1", "3", "-1", "224"});
  EXPECT_NE(e.find("graph input 'x': dimension 2 is -1"), std::string::npos) << e;
}

TEST(OnnxBadInput, RejectsAnInputOfHeightZero) {
  const auto e = import_error({"1", "3", "0", "224"});
  EXPECT_NE(e.find("dimension 2 is 0"), std::string::npos) << e;
}

TEST(OnnxBadInput, RejectsAFixedBatchOfZero) {
  // Was imported as batch 0 and then reported infeasible by the planner.
  const auto e = import_error({"0", "3", "224", "224"});
  EXPECT_NE(e.find("dimension 0 is 0 (the batch)"), std::string::npos) << e;
}

TEST(OnnxBadInput, RejectsTensorsBeyondTheElementLimit) {
  // 2^40 x 2^40 once gave 0 MACs (64-bit overflow) and a plan.
  const auto e = import_error({"1", "3", "1099511627776", "1099511627776"});
  EXPECT_NE(e.find("more than 2^40 elements"), std::string::npos) << e;
}

TEST(OnnxBadInput, RejectsAnOutputBeyondTheElementLimit) {
  // Each input is within the limit; the MatMul's output is not.
  OnnxModelBuilder b;
  b.input("a", TensorProto::FLOAT, {"2097152", "2"})
      .input("c", TensorProto::FLOAT, {"2", "1048576"});
  b.output("y");
  b.node("MatMul", {"a", "c"}, {"y"}, "mm");
  auto imported = import_onnx_bytes(b.bytes(), "mm.onnx");
  ASSERT_FALSE(imported.ok());
  EXPECT_NE(imported.error_text().find("output 'y' has shape 2097152x1048576"), std::string::npos)
      << imported.error_text();
}

TEST(OnnxBadInput, RejectsAModelWhoseWorkExceedsTheFlopLimit) {
  // Every tensor holds 2^40 elements (the limit), but the product needs 2^60 MACs.
  OnnxModelBuilder b;
  b.input("a", TensorProto::FLOAT, {"1048576", "1048576"})
      .input("c", TensorProto::FLOAT, {"1048576", "1048576"});
  b.output("y");
  b.node("MatMul", {"a", "c"}, {"y"}, "mm");
  auto imported = import_onnx_bytes(b.bytes(), "mm.onnx");
  ASSERT_FALSE(imported.ok());
  EXPECT_NE(imported.error_text().find("2^60 FLOPs"), std::string::npos) << imported.error_text();
}

TEST(OnnxBadInput, WorkCountsSaturateInsteadOfWrapping) {
  EXPECT_EQ(graph::saturating_mul(std::int64_t{1} << 40, std::int64_t{1} << 40), INT64_MAX);
  EXPECT_EQ(graph::saturating_add(INT64_MAX, 1), INT64_MAX);
  EXPECT_EQ(graph::element_count({std::int64_t{1} << 62, 4}), INT64_MAX);
  EXPECT_EQ(graph::element_count({3, 0, 5}), 0);
}

}  // namespace
}  // namespace tessera::onnx
