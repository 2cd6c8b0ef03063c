// Inputs that once crashed the importer or produced nonsense: each is a diagnostic now.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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

/// A chain of `n` Relu nodes on a 1x8 input.
std::string relu_chain(std::int64_t n) {
  OnnxModelBuilder b;
  b.input("t0", TensorProto::FLOAT, {"1", "8"});
  for (std::int64_t i = 0; i < n; ++i)
    b.node("Relu", {"t" + std::to_string(i)}, {"t" + std::to_string(i + 1)});
  b.output("t" + std::to_string(n));
  return b.bytes();
}

TEST(OnnxBadInput, RejectsMoreNodesThanTheLimitBeforeParsingThem) {
  // Had no limit: every node became a NodeProto, was shape-inferred and became an operator.
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("tessera_nodes_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "chain.onnx").string();
  std::ofstream(path, std::ios::binary) << relu_chain(kMaxOnnxGraphElements + 1);
  auto imported = import_onnx(path);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.error_text(), path + ": graph.node: the model has " +
                                       std::to_string(kMaxOnnxGraphElements + 1) +
                                       " nodes (graph and local functions); Tessera's limit is " +
                                       std::to_string(kMaxOnnxGraphElements));
}

TEST(OnnxBadInput, RejectsMoreInitializersAndValuesThanTheLimit) {
  // Empty entries take two bytes each on the wire (tag, length 0) and far more once parsed.
  auto model = [](char graph_tag, std::int64_t n) {
    std::string graph;
    for (std::int64_t i = 0; i < n; ++i) graph += std::string{graph_tag, '\0'};
    std::string length;  // varint
    for (auto v = static_cast<std::uint64_t>(graph.size());; v >>= 7) {
      length += static_cast<char>((v & 0x7F) | (v >= 0x80 ? 0x80 : 0));
      if (v < 0x80) break;
    }
    return std::string("\x08\x08", 2) + '\x3a' + length + graph;  // ir_version 8, graph
  };
  auto error = [](const std::string& bytes) {
    auto imported = import_onnx_bytes(bytes, "m.onnx");
    return imported.ok() ? std::string("(imported)") : imported.error_text();
  };
  const std::string over = std::to_string(kMaxOnnxGraphElements + 1);
  EXPECT_NE(error(model('\x2a', kMaxOnnxGraphElements + 1))
                .find("graph.initializer: the model has " + over + " initializers"),
            std::string::npos);
  EXPECT_NE(error(model('\x5a', kMaxOnnxGraphElements + 1))
                .find("graph.value_info: the model has " + over + " graph inputs"),
            std::string::npos);
  EXPECT_NE(error(model('\x0a', kMaxOnnxGraphElements + 1)).find("graph.node: the model has"),
            std::string::npos);
}

}  // namespace
}  // namespace tessera::onnx
