#include "tessera/onnx/onnx_import.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tessera/graph/passes.hpp"
#include "tessera/graph/zoo.hpp"
#include "tessera/io/model_loader.hpp"
#include "unit/onnx/onnx_model_builder.hpp"

namespace tessera::onnx {
namespace {

namespace fs = std::filesystem;
using graph::DType;
using graph::OpKind;
using ::onnx::TensorProto;
using onnx_testing::OnnxModelBuilder;
using onnx_testing::scratch_dir;
using onnx_testing::set_attribute;

std::string fixture(const std::string& name) {
  return std::string(TESSERA_TEST_DATA_DIR) + "/onnx/" + name + ".onnx";
}

const graph::Op& op_named(const graph::Graph& g, const std::string& name) {
  for (const auto& op : g.ops())
    if (op.name == name) return op;
  ADD_FAILURE() << "no op named " << name;
  return g.ops().front();
}

const graph::Tensor& tensor_named(const graph::Graph& g, const std::string& name) {
  for (const auto& t : g.tensors())
    if (t.name == name) return t;
  ADD_FAILURE() << "no tensor named " << name;
  return g.tensors().front();
}

std::vector<std::int64_t> int64_values(const graph::Tensor& t) {
  std::vector<std::int64_t> out;
  if (!t.data) return out;
  out.resize(t.data->size() / 8);
  std::memcpy(out.data(), t.data->data(), out.size() * 8);
  return out;
}

/// The model's problems, one per line, for failure messages.
template <typename T>
std::string errors(const Result<T>& r) {
  return r.ok() ? std::string("(no error)") : r.error_text();
}

// ---------------------------------------------------------------------------------------------
// Fixtures: graph-only torch.onnx exports (tests/data/make_onnx_fixtures.py) against the zoo.

class OnnxFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(OnnxFixture, AgreesWithTheZooModelOfTheSameNetwork) {
  const std::string name = GetParam();
  OnnxImportOptions options;
  options.sequence_length = 128;  // gpt2's zoo default; the CNN inputs have no second symbol
  auto imported = import_onnx(fixture(name), options);
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  // Graph-only: the only warning is that the deleted weight file is absent.
  ASSERT_EQ(imported->warnings.size(), 1U);
  EXPECT_NE(imported->warnings[0].find("'" + name + ".onnx.data'"), std::string::npos)
      << imported->warnings[0];
  EXPECT_NE(imported->warnings[0].find("absent"), std::string::npos);

  auto zoo = graph::build_zoo_model(name, {});
  ASSERT_TRUE(zoo.ok()) << zoo.error_text();
  auto chain = graph::build_layer_chain(imported->graph);
  auto zoo_chain = graph::build_layer_chain(zoo.value());
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  ASSERT_TRUE(zoo_chain.ok()) << zoo_chain.error_text();

  const double zoo_macs = static_cast<double>(zoo->total_macs());
  EXPECT_NEAR(static_cast<double>(imported->graph.total_macs()), zoo_macs, 0.01 * zoo_macs);
  EXPECT_EQ(chain->size(), zoo_chain->size());
  // Same layers, same tensors between them: every cut of the DAG carries the same bytes.
  EXPECT_EQ(chain->cut_bytes, zoo_chain->cut_bytes);

  // torch.onnx (eval mode, constant folding) folds each BatchNormalization into the convolution
  // before it: the zoo's two BN tensors of [C] (scale and shift, gamma/beta folded with the
  // running statistics) disappear, and the convolution, built without bias in torchvision,
  // gains a bias of [C]. Every other weight is the same tensor. So
  //   exported parameters = zoo parameters - 2 C + C  for every BatchNorm of C channels.
  std::int64_t batch_norm_channels = 0;
  for (const auto& op : zoo->ops())
    if (op.kind == OpKind::kBatchNorm) batch_norm_channels += zoo->tensor(op.inputs[1]).elements();
  EXPECT_EQ(imported->graph.parameter_count(), zoo->parameter_count() - batch_norm_channels);
}

INSTANTIATE_TEST_SUITE_P(GraphOnlyExports, OnnxFixture,
                         ::testing::Values("resnet18", "resnet50", "resnet152", "mobilenet_v2",
                                           "vgg16", "gpt2"));

TEST(OnnxImport, CountsTheParametersOfEveryFixtureExactly) {
  // Zoo (torchvision / HF) counts minus the BatchNorm channels folded away (see above):
  //   resnet18      11,689,512 - 4,800  (bn1 64; layer1 4x64; layer2 4x128 + 128;
  //                                      layer3 4x256 + 256; layer4 4x512 + 512)
  //   resnet50      25,557,032 - 26,560
  //   resnet152     60,192,808 - 75,712
  //   mobilenet_v2   3,504,872 - 17,056
  //   vgg16        138,357,544 (no BatchNorm)
  //   gpt2         124,439,808 (no BatchNorm; the LM head reads wte in place, Gemm transB)
  const std::vector<std::pair<std::string, std::int64_t>> expected = {
      {"resnet18", 11'684'712},    {"resnet50", 25'530'472}, {"resnet152", 60'117'096},
      {"mobilenet_v2", 3'487'816}, {"vgg16", 138'357'544},   {"gpt2", 124'439'808}};
  for (const auto& [name, parameters] : expected) {
    OnnxImportOptions options;
    options.sequence_length = 128;
    auto imported = import_onnx(fixture(name), options);
    ASSERT_TRUE(imported.ok()) << imported.error_text();
    EXPECT_EQ(imported->graph.parameter_count(), parameters) << name;
  }
}

TEST(OnnxImport, FoldsGpt2ShapeComputationsOutOfLayersAndCuts) {
  OnnxImportOptions options;
  options.batch = 2;
  options.sequence_length = 32;
  auto imported = import_onnx(fixture("gpt2"), options);
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  const auto& g = imported->graph;
  // The export computes every view() target from Shape -> Gather -> Unsqueeze -> Concat.
  int shapes = 0;
  int reshapes = 0;
  for (const auto& op : g.ops()) {
    if (op.kind == OpKind::kShape) {
      ++shapes;
      EXPECT_TRUE(g.tensor(op.outputs[0]).data.has_value()) << op.name;
    }
    if (op.kind == OpKind::kReshape) {
      ++reshapes;
      const auto& target = g.tensor(op.inputs[1]);
      EXPECT_EQ(op.attrs.target_shape, g.tensor(op.outputs[0]).shape) << op.name;
      EXPECT_EQ(target.dtype, DType::kInt64);
      ASSERT_TRUE(target.data.has_value()) << op.name << ": reshape target not folded";
    }
  }
  EXPECT_GT(shapes, 100);
  EXPECT_GT(reshapes, 100);
  EXPECT_EQ(tensor_named(g, "logits").shape, (graph::Shape{2, 32, 50257}));

  auto chain = graph::build_layer_chain(g);
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  const std::set<OpKind> shape_kinds = {
      OpKind::kShape,     OpKind::kConstant, OpKind::kConstantOfShape, OpKind::kGather,
      OpKind::kUnsqueeze, OpKind::kSqueeze,  OpKind::kConcat,          OpKind::kCast,
      OpKind::kSlice,     OpKind::kGeneric};
  for (const auto& layer : chain->layers)
    for (auto id : layer.ops)
      EXPECT_FALSE(shape_kinds.count(g.op(id).kind))
          << g.op(id).name << " (" << graph::op_kind_name(g.op(id).kind) << ") is in layer "
          << layer.name;
  // Only activations cross the cuts between layers: no shape tensor (int64) and no mask (bool).
  for (std::size_t k = 1; k + 1 < chain->cut_tensors.size(); ++k)
    for (auto t : chain->cut_tensors[k])
      EXPECT_EQ(g.tensor(t).dtype, DType::kFloat32) << g.tensor(t).name << " crosses cut " << k;
  // Two embeddings (wte, wpe), 12 blocks of 6 matrix products, the LM head.
  EXPECT_EQ(chain->size(), 2 + 12 * 6 + 1);
  EXPECT_EQ(chain->layers[0].anchor_kind, OpKind::kEmbedding);
  EXPECT_EQ(chain->layers[1].anchor_kind, OpKind::kEmbedding);
}

TEST(OnnxImport, ImportsResnet152WellWithinASecond) {
  auto imported = import_onnx(fixture("resnet152"));
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  EXPECT_EQ(imported->graph.name, "resnet152");
  EXPECT_EQ(tensor_named(imported->graph, "x").shape, (graph::Shape{1, 3, 224, 224}));
}

// ---------------------------------------------------------------------------------------------
// Hand-built models.

TEST(OnnxImport, SetsASymbolicBatchAndFoldsAReshapeTargetComputedFromShapes) {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"N", "3", "4"})
      .weight("w", {12, 5})
      .ints("axes0", {1}, {0})
      .ints("rest", {1}, {12})
      .output("y");
  b.node("Shape", {"x"}, {"shape"});
  b.constant("zero", TensorProto::INT64, {}, {0});
  b.node("Gather", {"shape", "zero"}, {"n"});
  b.node("Unsqueeze", {"n", "axes0"}, {"n1"});
  set_attribute(b.node("Concat", {"n1", "rest"}, {"target"}), "axis", std::int64_t{0});
  b.node("Reshape", {"x", "target"}, {"flat"});
  b.node("MatMul", {"flat", "w"}, {"y"});
  OnnxImportOptions options;
  options.batch = 4;
  auto imported = import_onnx_bytes(b.bytes(), "reshape.onnx", options);
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  EXPECT_TRUE(imported->warnings.empty());
  const auto& g = imported->graph;
  EXPECT_EQ(g.tensor(g.inputs()[0]).shape, (graph::Shape{4, 3, 4}));
  EXPECT_EQ(tensor_named(g, "target").shape, (graph::Shape{2}));
  EXPECT_EQ(int64_values(tensor_named(g, "target")), (std::vector<std::int64_t>{4, 12}));
  EXPECT_EQ(op_named(g, "flat").attrs.target_shape, (graph::Shape{4, 12}));
  EXPECT_EQ(tensor_named(g, "y").shape, (graph::Shape{4, 5}));
  EXPECT_EQ(op_named(g, "n").kind, OpKind::kGather);  // a Gather of a shape, not an embedding
  // The MatMul keeps its weight as an input, so its 60 parameters count; the shape chain's
  // int64 initializers are constants.
  const auto& matmul = op_named(g, "y");
  EXPECT_EQ(g.tensor(matmul.inputs[1]).name, "w");
  EXPECT_TRUE(g.tensor(matmul.inputs[1]).is_weight);
  EXPECT_EQ(g.parameter_count(), 60);
  EXPECT_FALSE(tensor_named(g, "axes0").is_weight);

  auto chain = graph::build_layer_chain(g);
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  ASSERT_EQ(chain->size(), 1);
  // The layer holds the Reshape and the MatMul; Shape, Gather, Unsqueeze, Concat are folded.
  ASSERT_EQ(chain->layers[0].ops.size(), 2U);
  EXPECT_EQ(g.op(chain->layers[0].ops[0]).kind, OpKind::kReshape);
  // Cut 0 carries x only (4*3*4 floats = 192 bytes), cut 1 the output (4*5*4 = 80 bytes).
  EXPECT_EQ(chain->cut_bytes, (std::vector<std::int64_t>{192, 80}));
}

TEST(OnnxImport, FoldsTheShapeArithmeticOfExportedModels) {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"N", "6", "4"})
      .ints("minus2", {1}, {-2})
      .ints("end", {1}, {INT64_MAX})
      .ints("axes0", {1}, {0})
      .output("y");
  b.node("Shape", {"x"}, {"s"});
  b.node("Slice", {"s", "minus2", "end"}, {"tail"});  // s[-2:] = [6, 4]
  b.constant("one", TensorProto::INT64, {}, {1});
  b.constant("two", TensorProto::INT64, {}, {2});
  b.constant("zero", TensorProto::INT64, {}, {0});
  b.constant("three", TensorProto::INT64, {}, {3});
  b.node("Gather", {"s", "one"}, {"d1"});
  b.node("Gather", {"s", "two"}, {"d2"});
  b.node("Gather", {"s", "zero"}, {"d0"});
  b.node("Mul", {"d1", "d2"}, {"m"});                 // 24
  b.node("Div", {"m", "two"}, {"half"});              // 12
  b.node("Range", {"zero", "half", "three"}, {"r"});  // [0, 3, 6, 9]
  b.constant("six", TensorProto::INT64, {}, {6});
  b.node("Equal", {"r", "six"}, {"is_six"});  // [F, F, T, F]
  b.constant("minus1", TensorProto::INT64, {}, {-1});
  b.node("Where", {"is_six", "r", "minus1"}, {"picked"});  // [-1, -1, 6, -1]
  b.constant("two_f", TensorProto::FLOAT, {1}, {2.0});
  set_attribute(b.node("Cast", {"two_f"}, {"two_i"}), "to", std::int64_t{TensorProto::INT64});
  b.node("Unsqueeze", {"d0", "axes0"}, {"u0"});
  b.node("Unsqueeze", {"half", "axes0"}, {"u1"});
  set_attribute(b.node("Concat", {"u0", "u1", "two_i"}, {"target"}), "axis", std::int64_t{0});
  b.node("Reshape", {"x", "target"}, {"y"});
  OnnxImportOptions options;
  options.batch = 2;
  auto imported = import_onnx_bytes(b.bytes(), "arith.onnx", options);
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  EXPECT_TRUE(imported->warnings.empty()) << imported->warnings.front();
  const auto& g = imported->graph;
  EXPECT_EQ(int64_values(tensor_named(g, "tail")), (std::vector<std::int64_t>{6, 4}));
  EXPECT_EQ(int64_values(tensor_named(g, "r")), (std::vector<std::int64_t>{0, 3, 6, 9}));
  EXPECT_EQ(int64_values(tensor_named(g, "picked")), (std::vector<std::int64_t>{-1, -1, 6, -1}));
  EXPECT_EQ(int64_values(tensor_named(g, "target")), (std::vector<std::int64_t>{2, 12, 2}));
  EXPECT_EQ(tensor_named(g, "y").shape, (graph::Shape{2, 12, 2}));
  // Range has no OpKind: folded at import, it is a constant carrying its ONNX type.
  EXPECT_EQ(op_named(g, "r").kind, OpKind::kConstant);
  EXPECT_EQ(op_named(g, "r").attrs.mode, "Range");
  auto chain = graph::build_layer_chain(g);
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  ASSERT_EQ(chain->size(), 1);
  ASSERT_EQ(chain->layers[0].ops.size(), 1U);  // only the Reshape moves data
}

TEST(OnnxImport, KeepsAFixedBatchAndSaysSo) {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"2", "3"}).output("y");
  b.node("Relu", {"x"}, {"y"});
  OnnxImportOptions options;
  options.batch = 8;
  auto imported = import_onnx_bytes(b.bytes(), "fixed.onnx", options);
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  EXPECT_EQ(tensor_named(imported->graph, "y").shape, (graph::Shape{2, 3}));
  ASSERT_EQ(imported->warnings.size(), 1U);
  EXPECT_NE(imported->warnings[0].find("batch 8"), std::string::npos) << imported->warnings[0];
  EXPECT_NE(imported->warnings[0].find("'x' (2)"), std::string::npos) << imported->warnings[0];
}

TEST(OnnxImport, NeedsASequenceLengthForASymbolicSecondDimension) {
  OnnxModelBuilder b;
  b.input("ids", TensorProto::INT64, {"batch", "seq"}).weight("table", {50, 4}).output("e");
  b.node("Gather", {"table", "ids"}, {"e"});
  auto missing = import_onnx_bytes(b.bytes(), "lm.onnx");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.diagnostics()[0].file, "lm.onnx");
  EXPECT_EQ(missing.diagnostics()[0].field, "graph input 'ids'");
  EXPECT_NE(missing.diagnostics()[0].message.find("'seq'"), std::string::npos);

  OnnxImportOptions options;
  options.batch = 3;
  options.sequence_length = 7;
  auto imported = import_onnx_bytes(b.bytes(), "lm.onnx", options);
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  const auto& g = imported->graph;
  EXPECT_EQ(tensor_named(g, "e").shape, (graph::Shape{3, 7, 4}));
  // A weight table gathered by integer ids is an embedding; its 200 entries are parameters.
  EXPECT_EQ(op_named(g, "e").kind, OpKind::kEmbedding);
  EXPECT_EQ(g.parameter_count(), 200);
}

TEST(OnnxImport, MapsConvolutionAttributesIncludingAutoPad) {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"1", "8", "10", "10"})
      .weight("w", {16, 4, 3, 3})
      .weight("w_lower", {8, 8, 2, 2})
      .weight("w_t", {16, 8, 4, 4})
      .output("up")
      .output("lower");
  auto& conv = b.node("Conv", {"x", "w"}, {"y"});
  set_attribute(conv, "group", std::int64_t{2});
  set_attribute(conv, "dilations", std::vector<std::int64_t>{2, 2});
  set_attribute(conv, "strides", std::vector<std::int64_t>{2, 2});
  set_attribute(conv, "auto_pad", std::string("SAME_UPPER"));
  auto& lower = b.node("Conv", {"x", "w_lower"}, {"lower"});
  set_attribute(lower, "auto_pad", std::string("SAME_LOWER"));
  auto& up = b.node("ConvTranspose", {"y", "w_t"}, {"up"});
  set_attribute(up, "strides", std::vector<std::int64_t>{2, 2});
  set_attribute(up, "pads", std::vector<std::int64_t>{1, 1, 1, 1});
  auto imported = import_onnx_bytes(b.bytes(), "conv.onnx");
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  const auto& g = imported->graph;

  // SAME_UPPER, stride 2, dilation 2, kernel 3 on 10: output ceil(10 / 2) = 5; the window spans
  // (3 - 1) * 2 + 1 = 5; total padding (5 - 1) * 2 + 5 - 10 = 3, the odd pixel at the end.
  const auto& c = op_named(g, "y");
  EXPECT_EQ(c.kind, OpKind::kConv);
  EXPECT_EQ(g.tensor(c.outputs[0]).shape, (graph::Shape{1, 16, 5, 5}));
  EXPECT_EQ(c.attrs.kernel_shape, (std::vector<std::int64_t>{3, 3}));  // from the weight
  EXPECT_EQ(c.attrs.pads, (std::vector<std::int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(c.attrs.dilations, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(c.attrs.groups, 2);
  EXPECT_EQ(c.attrs.extra.at("auto_pad").text, "SAME_UPPER");
  // MACs = output elements (16 * 5 * 5 = 400) * (Cin / groups = 4) * 3 * 3 = 14,400.
  EXPECT_EQ(g.work(c).macs, 14'400);

  // SAME_LOWER, stride 1, kernel 2 on 10: total padding 1, at the beginning.
  const auto& l = op_named(g, "lower");
  EXPECT_EQ(l.attrs.pads, (std::vector<std::int64_t>{1, 1, 0, 0}));
  EXPECT_EQ(g.tensor(l.outputs[0]).shape, (graph::Shape{1, 8, 10, 10}));

  // ConvTranspose: (5 - 1) * 2 - 1 - 1 + 4 = 10. MACs = input elements (16 * 25 = 400) *
  // (Cout / groups = 8) * 4 * 4 = 51,200.
  const auto& t = op_named(g, "up");
  EXPECT_EQ(t.kind, OpKind::kConvTranspose);
  EXPECT_EQ(g.tensor(t.outputs[0]).shape, (graph::Shape{1, 8, 10, 10}));
  EXPECT_EQ(t.attrs.output_padding, (std::vector<std::int64_t>{0, 0}));
  EXPECT_EQ(t.attrs.strides, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(g.work(t).macs, 51'200);
}

/// One model with every operator of the list that is not covered elsewhere.
OnnxModelBuilder every_operator_model() {
  OnnxModelBuilder b(17);
  b.domain("com.microsoft", 1);
  b.input("x", TensorProto::FLOAT, {"batch", "4", "8", "8"})
      .weight("bn_scale", {4})
      .weight("bn_bias", {4})
      .weight("bn_mean", {4})
      .weight("bn_var", {4})
      .ints("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1})
      .weight("scales", {4}, {1, 1, 2, 2})
      .ints("squeeze_axes", {2}, {2, 3})
      .ints("unsqueeze_axes", {1}, {1})
      .weight("gemm_w", {3, 4})
      .weight("gemm_b", {3})
      .ints("split", {2}, {1, 2})
      .ints("starts", {1}, {0})
      .ints("ends", {1}, {2})
      .ints("slice_axes", {1}, {1})
      .ints("expand_to", {2}, {3, 2})
      .weight("mm_w", {2, 5})
      .weight("mm_b", {5})
      .weight("ln_scale", {5})
      .weight("ln_bias", {5})
      .ints("cos_shape", {2}, {3, 1})
      .output("out");
  set_attribute(
      b.node("BatchNormalization", {"x", "bn_scale", "bn_bias", "bn_mean", "bn_var"}, {"bn"}),
      "epsilon", 1e-3F);
  b.node("Relu", {"bn"}, {"relu"});
  b.constant("zero", TensorProto::FLOAT, {}, {0.0});
  b.constant("six", TensorProto::FLOAT, {}, {6.0});
  b.node("Clip", {"relu", "zero", "six"}, {"clip"});
  set_attribute(b.node("HardSigmoid", {"clip"}, {"hsig"}), "alpha", 0.1F);
  b.node("HardSwish", {"hsig"}, {"hswish"});
  b.node("Sigmoid", {"hswish"}, {"sigmoid"});
  b.node("Tanh", {"sigmoid"}, {"tanh"});
  b.node("Erf", {"tanh"}, {"erf"});
  auto& max_pool = b.node("MaxPool", {"erf"}, {"maxpool"});
  set_attribute(max_pool, "kernel_shape", std::vector<std::int64_t>{2, 2});
  set_attribute(max_pool, "strides", std::vector<std::int64_t>{2, 2});
  auto& avg_pool = b.node("AveragePool", {"maxpool"}, {"avgpool"});
  set_attribute(avg_pool, "kernel_shape", std::vector<std::int64_t>{2, 2});
  set_attribute(avg_pool, "pads", std::vector<std::int64_t>{0, 0, 1, 1});
  set_attribute(avg_pool, "count_include_pad", std::int64_t{1});
  set_attribute(b.node("Pad", {"avgpool", "pads"}, {"pad"}), "mode", std::string("reflect"));
  set_attribute(b.node("Resize", {"pad", "", "scales"}, {"resize"}), "mode", std::string("linear"));
  b.node("GlobalAveragePool", {"resize"}, {"gap"});
  b.node("Squeeze", {"gap", "squeeze_axes"}, {"squeeze"});
  b.node("Unsqueeze", {"squeeze", "unsqueeze_axes"}, {"unsqueeze"});
  set_attribute(b.node("Transpose", {"unsqueeze"}, {"transpose"}), "perm",
                std::vector<std::int64_t>{0, 2, 1});
  b.node("Flatten", {"transpose"}, {"flatten"});
  set_attribute(b.node("Gemm", {"flatten", "gemm_w", "gemm_b"}, {"gemm"}), "transB",
                std::int64_t{1});
  b.node("Softmax", {"gemm"}, {"softmax"});
  set_attribute(b.node("Cast", {"softmax"}, {"cast"}), "to", std::int64_t{TensorProto::FLOAT});
  b.node("Dropout", {"cast"}, {"dropout"});
  b.node("Identity", {"dropout"}, {"identity"});
  set_attribute(b.node("Split", {"identity", "split"}, {"first", "rest"}), "axis", std::int64_t{1});
  set_attribute(b.node("Concat", {"rest", "first"}, {"concat"}), "axis", std::int64_t{1});
  b.node("Slice", {"concat", "starts", "ends", "slice_axes"}, {"slice"});
  b.node("Expand", {"slice", "expand_to"}, {"expand"});
  b.node("MatMul", {"expand", "mm_w"}, {"matmul"});
  b.node("Add", {"matmul", "mm_b"}, {"add"});
  b.node("Sub", {"add", "six"}, {"sub"});
  b.node("Mul", {"sub", "sub"}, {"mul"});
  b.constant("two", TensorProto::FLOAT, {}, {2.0});
  b.node("Pow", {"mul", "two"}, {"pow"});
  b.node("Sqrt", {"pow"}, {"sqrt"});
  b.node("Div", {"mul", "sqrt"}, {"div"});
  b.constant("mask", TensorProto::BOOL, {3, 5}, std::vector<double>(15, 1.0));
  b.node("Where", {"mask", "div", "mul"}, {"where"});
  auto& ln = b.node("LayerNormalization", {"where", "ln_scale", "ln_bias"}, {"ln"});
  set_attribute(ln, "epsilon", 1e-6F);
  auto& mean = b.node("ReduceMean", {"ln"}, {"mean"});
  set_attribute(mean, "axes", std::vector<std::int64_t>{1});
  b.node("ConstantOfShape", {"cos_shape"}, {"ones"});
  b.node("Add", {"mean", "ones"}, {"sum"}, "add_ones");
  b.node("Gelu", {"sum"}, {"gelu_out"}, "gelu", "com.microsoft");  // shape from its input
  b.node("Relu", {"gelu_out"}, {"out"});
  return b;
}

TEST(OnnxImport, MapsEveryListedOperatorToItsKindWithItsAttributes) {
  OnnxImportOptions options;
  options.batch = 1;
  auto imported = import_onnx_bytes(every_operator_model().bytes(), "every.onnx", options);
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  EXPECT_TRUE(imported->warnings.empty()) << imported->warnings.front();
  const auto& g = imported->graph;
  const std::vector<std::pair<std::string, OpKind>> kinds = {{"bn", OpKind::kBatchNorm},
                                                             {"relu", OpKind::kRelu},
                                                             {"clip", OpKind::kClip},
                                                             {"hsig", OpKind::kHardSigmoid},
                                                             {"hswish", OpKind::kHardSwish},
                                                             {"sigmoid", OpKind::kSigmoid},
                                                             {"tanh", OpKind::kTanh},
                                                             {"erf", OpKind::kErf},
                                                             {"maxpool", OpKind::kMaxPool},
                                                             {"avgpool", OpKind::kAveragePool},
                                                             {"pad", OpKind::kPad},
                                                             {"resize", OpKind::kResize},
                                                             {"gap", OpKind::kGlobalAveragePool},
                                                             {"squeeze", OpKind::kSqueeze},
                                                             {"unsqueeze", OpKind::kUnsqueeze},
                                                             {"transpose", OpKind::kTranspose},
                                                             {"flatten", OpKind::kFlatten},
                                                             {"gemm", OpKind::kGemm},
                                                             {"softmax", OpKind::kSoftmax},
                                                             {"cast", OpKind::kCast},
                                                             {"dropout", OpKind::kDropout},
                                                             {"identity", OpKind::kIdentity},
                                                             {"first", OpKind::kSplit},
                                                             {"concat", OpKind::kConcat},
                                                             {"slice", OpKind::kSlice},
                                                             {"expand", OpKind::kExpand},
                                                             {"matmul", OpKind::kMatMul},
                                                             {"add", OpKind::kAdd},
                                                             {"sub", OpKind::kSub},
                                                             {"mul", OpKind::kMul},
                                                             {"pow", OpKind::kPow},
                                                             {"sqrt", OpKind::kSqrt},
                                                             {"div", OpKind::kDiv},
                                                             {"where", OpKind::kWhere},
                                                             {"ln", OpKind::kLayerNorm},
                                                             {"mean", OpKind::kReduceMean},
                                                             {"ones", OpKind::kConstantOfShape},
                                                             {"gelu", OpKind::kGelu},
                                                             {"zero", OpKind::kConstant}};
  for (const auto& [name, kind] : kinds)
    EXPECT_EQ(op_named(g, name).kind, kind)
        << name << " is " << graph::op_kind_name(op_named(g, name).kind);

  EXPECT_FLOAT_EQ(op_named(g, "bn").attrs.epsilon, 1e-3F);
  EXPECT_EQ(op_named(g, "clip").attrs.alpha, 0.0);  // Clip bounds from constant inputs
  EXPECT_EQ(op_named(g, "clip").attrs.beta, 6.0);
  EXPECT_FLOAT_EQ(op_named(g, "hsig").attrs.alpha, 0.1F);
  EXPECT_EQ(op_named(g, "hsig").attrs.beta, 0.5);  // ONNX default
  EXPECT_EQ(op_named(g, "maxpool").attrs.strides, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(op_named(g, "avgpool").attrs.pads, (std::vector<std::int64_t>{0, 0, 1, 1}));
  EXPECT_TRUE(op_named(g, "avgpool").attrs.count_include_pad);
  EXPECT_EQ(op_named(g, "pad").attrs.pads, (std::vector<std::int64_t>{0, 0, 1, 1, 0, 0, 1, 1}));
  EXPECT_EQ(op_named(g, "pad").attrs.mode, "reflect");
  EXPECT_EQ(op_named(g, "resize").attrs.mode, "linear");
  EXPECT_EQ(op_named(g, "resize").attrs.extra.at("scales").floats,
            (std::vector<double>{1, 1, 2, 2}));
  EXPECT_EQ(op_named(g, "squeeze").attrs.axes, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(op_named(g, "transpose").attrs.perm, (std::vector<std::int64_t>{0, 2, 1}));
  EXPECT_EQ(op_named(g, "flatten").attrs.axis, 1);
  EXPECT_TRUE(op_named(g, "gemm").attrs.trans_b);
  EXPECT_EQ(op_named(g, "softmax").attrs.axis, -1);  // opset 13+ default
  EXPECT_EQ(op_named(g, "cast").attrs.extra.at("to").ints,
            (std::vector<std::int64_t>{TensorProto::FLOAT}));
  EXPECT_EQ(op_named(g, "first").attrs.split, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(op_named(g, "slice").attrs.axes, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(op_named(g, "slice").attrs.extra.at("ends").ints, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(op_named(g, "expand").attrs.target_shape, (graph::Shape{3, 2}));
  EXPECT_EQ(op_named(g, "ln").attrs.axis, -1);
  EXPECT_FLOAT_EQ(op_named(g, "ln").attrs.epsilon, 1e-6F);
  EXPECT_EQ(op_named(g, "mean").attrs.axes, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(op_named(g, "gelu").attrs.mode, "none");

  // Shapes through the chain (batch 1): pad 2x2 -> 4x4 -> pad 6x6 -> resize x2 = 12x12.
  EXPECT_EQ(tensor_named(g, "resize").shape, (graph::Shape{1, 4, 12, 12}));
  EXPECT_EQ(tensor_named(g, "rest").shape, (graph::Shape{1, 2}));
  EXPECT_EQ(tensor_named(g, "out").shape, (graph::Shape{3, 1}));
  // Parameters: BatchNorm 4 x 4, Gemm 12 + 3, MatMul 10 + bias 5, LayerNorm 5 + 5 = 56. Resize
  // scales (an argument), the int64 arguments and the scalar constants are not parameters.
  EXPECT_EQ(g.parameter_count(), 56);
  EXPECT_FALSE(tensor_named(g, "scales").is_weight);
  auto chain = graph::build_layer_chain(g);
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  EXPECT_EQ(chain->size(), 2);  // Gemm and MatMul anchor the layers
}

TEST(OnnxImport, FusesADecomposedLayerNormIntoTheLayerOfItsMatMul) {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"batch", "5"})
      .weight("w", {5, 5})
      .weight("gamma", {5})
      .weight("beta", {5})
      .output("y");
  b.node("MatMul", {"x", "w"}, {"h"});
  set_attribute(b.node("ReduceMean", {"h"}, {"mean"}), "axes", std::vector<std::int64_t>{-1});
  b.node("Sub", {"h", "mean"}, {"centered"});
  b.constant("two", TensorProto::FLOAT, {}, {2.0});
  b.node("Pow", {"centered", "two"}, {"square"});
  set_attribute(b.node("ReduceMean", {"square"}, {"var"}), "axes", std::vector<std::int64_t>{-1});
  b.constant("eps", TensorProto::FLOAT, {}, {1e-5});
  b.node("Add", {"var", "eps"}, {"var_eps"});
  b.node("Sqrt", {"var_eps"}, {"std"});
  b.node("Div", {"centered", "std"}, {"normed"});
  b.node("Mul", {"normed", "gamma"}, {"scaled"});
  b.node("Add", {"scaled", "beta"}, {"y"});
  OnnxImportOptions options;
  options.batch = 2;
  auto imported = import_onnx_bytes(b.bytes(), "ln.onnx", options);
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  const auto& g = imported->graph;
  EXPECT_EQ(g.parameter_count(), 25 + 5 + 5);  // the exponent and epsilon are constants
  auto chain = graph::build_layer_chain(g);
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  ASSERT_EQ(chain->size(), 1);
  EXPECT_EQ(chain->layers[0].ops.size(), 10U);  // MatMul + the 9 operators of the LayerNorm
  EXPECT_EQ(chain->layers[0].parameters, 35);
  EXPECT_EQ(chain->cut_bytes, (std::vector<std::int64_t>{40, 40}));
}

TEST(OnnxImport, ImportsUnsupportedOperatorsAsGenericWithOneWarning) {
  OnnxModelBuilder b;
  b.domain("com.example", 1);
  b.input("x", TensorProto::FLOAT, {"N", "10"}).ints("k", {1}, {3}).output("y");
  set_attribute(b.node("TopK", {"x", "k"}, {"values", "indices"}, "topk"), "axis",
                std::int64_t{-1});
  set_attribute(b.node("Mystery", {"values"}, {"m1"}, "mystery_1", "com.example"), "color",
                std::string("blue"));
  b.node("Mystery", {"m1"}, {"m2"}, "mystery_2", "com.example");
  b.node("Relu", {"m2"}, {"y"});
  OnnxImportOptions options;
  options.batch = 2;
  auto imported = import_onnx_bytes(b.bytes(), "generic.onnx", options);
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  ASSERT_EQ(imported->warnings.size(), 1U) << imported->warnings.back();
  const std::string& w = imported->warnings[0];
  EXPECT_NE(w.find("3 operators"), std::string::npos) << w;
  EXPECT_NE(w.find("TopK x1 ('topk')"), std::string::npos) << w;
  EXPECT_NE(w.find("com.example.Mystery x2 ('mystery_1', 'mystery_2')"), std::string::npos) << w;
  EXPECT_NE(w.find("first input"), std::string::npos) << w;  // Mystery's shapes are guessed

  const auto& g = imported->graph;
  const auto& topk = op_named(g, "topk");
  EXPECT_EQ(topk.kind, OpKind::kGeneric);
  EXPECT_EQ(topk.attrs.mode, "TopK");
  EXPECT_EQ(topk.attrs.extra.at("axis").ints, (std::vector<std::int64_t>{-1}));
  EXPECT_EQ(tensor_named(g, "indices").shape, (graph::Shape{2, 3}));  // ONNX's TopK inference
  EXPECT_EQ(tensor_named(g, "indices").dtype, DType::kInt64);
  // Costed from tensor sizes: reads x (80 B) and k (8 B), writes 6 floats and 6 int64 (72 B),
  // one operation per output element.
  const auto work = g.work(topk);
  EXPECT_EQ(work.input_bytes, 88);
  EXPECT_EQ(work.output_bytes, 72);
  EXPECT_EQ(work.flops, 12);
  const auto& mystery = op_named(g, "mystery_1");
  EXPECT_EQ(mystery.attrs.mode, "com.example.Mystery");
  EXPECT_EQ(mystery.attrs.extra.at("color").text, "blue");
  EXPECT_EQ(tensor_named(g, "y").shape, (graph::Shape{2, 3}));
  auto chain = graph::build_layer_chain(g);
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  EXPECT_EQ(chain->size(), 3);  // each generic operator is a layer of its own
}

TEST(OnnxImport, KeepsAnUnmodelledOperatorOnShapesOutOfTheLayers) {
  // A generic operator that reads only shapes and constants computes a constant: the layer
  // chain folds it like a shape-only operator instead of making it a layer.
  OnnxModelBuilder b;
  b.domain("com.example", 1);
  b.input("x", TensorProto::FLOAT, {"N", "4"})
      .weight("w", {4, 4})
      .output("y")
      .output("info", TensorProto::INT64);
  b.node("MatMul", {"x", "w"}, {"y"});
  b.node("Shape", {"y"}, {"shape"});
  b.node("ShapeInfo", {"shape"}, {"info"}, "info", "com.example");
  auto imported = import_onnx_bytes(b.bytes(), "shape_info.onnx");
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  ASSERT_EQ(imported->warnings.size(), 1U);  // still listed as unmodelled
  const auto& g = imported->graph;
  EXPECT_EQ(op_named(g, "info").kind, OpKind::kGeneric);
  auto chain = graph::build_layer_chain(g);
  ASSERT_TRUE(chain.ok()) << chain.error_text();
  ASSERT_EQ(chain->size(), 1);
  EXPECT_EQ(chain->layers[0].ops.size(), 1U);
  EXPECT_EQ(chain->cut_bytes.back(), 1 * 4 * 4);  // y only; the int64 info is static
}

TEST(OnnxImport, ReadsEmbeddedAndPresentExternalWeightsAndSkipsAbsentOnes) {
  const auto dir = scratch_dir("weights");
  const std::vector<float> values = {1, 2, 3, 4, 5, 6};
  auto model = [&](const std::string& location) {
    OnnxModelBuilder b;
    b.input("x", TensorProto::FLOAT, {"1", "2"}).weight("w", {2, 3}, values, location).output("y");
    b.node("MatMul", {"x", "w"}, {"y"});
    return b;
  };
  auto bytes_of = [](const graph::Tensor& t) {
    std::vector<float> out(t.data ? t.data->size() / 4 : 0);
    if (t.data) std::memcpy(out.data(), t.data->data(), t.data->size());
    return out;
  };

  auto embedded = import_onnx(model("").write(dir / "embedded.onnx"));
  ASSERT_TRUE(embedded.ok()) << embedded.error_text();
  EXPECT_TRUE(embedded->warnings.empty());
  EXPECT_EQ(bytes_of(tensor_named(embedded->graph, "w")), values);

  {
    std::ofstream data(dir / "w.bin", std::ios::binary);
    data.write(reinterpret_cast<const char*>(values.data()), 24);
  }
  auto external = import_onnx(model("w.bin").write(dir / "external.onnx"));
  ASSERT_TRUE(external.ok()) << external.error_text();
  EXPECT_TRUE(external->warnings.empty());
  EXPECT_EQ(bytes_of(tensor_named(external->graph, "w")), values);

  auto absent = import_onnx(model("missing.bin").write(dir / "absent.onnx"));
  ASSERT_TRUE(absent.ok()) << absent.error_text();
  const auto& w = tensor_named(absent->graph, "w");
  EXPECT_FALSE(w.data.has_value());
  EXPECT_EQ(w.shape, (graph::Shape{2, 3}));  // from the initializer's dims
  EXPECT_EQ(absent->graph.parameter_count(), 6);
  ASSERT_EQ(absent->warnings.size(), 1U);
  EXPECT_NE(absent->warnings[0].find("'missing.bin' (1)"), std::string::npos)
      << absent->warnings[0];

  OnnxImportOptions shapes_only;
  shapes_only.read_weight_data = false;
  auto skipped = import_onnx((dir / "embedded.onnx").string(), shapes_only);
  ASSERT_TRUE(skipped.ok()) << skipped.error_text();
  EXPECT_FALSE(tensor_named(skipped->graph, "w").data.has_value());
  fs::remove_all(dir);
}

TEST(OnnxImport, TreatsIdentityOfAnInitializerAsTheInitializerItself) {
  // torch.onnx deduplicates equal initializers into one plus Identity nodes.
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"1", "4"}).weight("w", {4, 4}).output("y");
  b.node("Identity", {"w"}, {"w_copy"});
  b.node("MatMul", {"x", "w"}, {"h"});
  b.node("MatMul", {"h", "w_copy"}, {"y"});
  auto imported = import_onnx_bytes(b.bytes(), "tied.onnx");
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  const auto& g = imported->graph;
  EXPECT_EQ(g.parameter_count(), 16);  // one tensor, read twice
  EXPECT_EQ(g.tensor(op_named(g, "y").inputs[1]).name, "w");
  auto chain = graph::build_layer_chain(g);
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->size(), 2);
  EXPECT_EQ(chain->layers[1].weight_bytes, 64);  // the second MatMul reads the weight itself
}

TEST(OnnxImport, SortsNodesThatAreNotInTopologicalOrder) {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"1", "4"}).output("y");
  b.node("Relu", {"h"}, {"y"});
  b.node("Sigmoid", {"x"}, {"h"});
  auto imported = import_onnx_bytes(b.bytes(), "unsorted.onnx");
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  EXPECT_EQ(imported->graph.ops()[0].name, "h");
  EXPECT_EQ(imported->graph.ops()[1].name, "y");
}

// ---------------------------------------------------------------------------------------------
// Bad input: every failure names the file and what is wrong.

Result<OnnxImport> import_written(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return import_onnx(path.string());
}

OnnxModelBuilder relu_model() {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"1", "4"}).output("y");
  b.node("Relu", {"x"}, {"y"});
  return b;
}

TEST(OnnxImportErrors, NamesAMissingFile) {
  auto r = import_onnx("/nonexistent/model.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].file, "/nonexistent/model.onnx");
  EXPECT_NE(r.diagnostics()[0].message.find("no such file"), std::string::npos);
}

TEST(OnnxImportErrors, RejectsADirectory) {
  const auto dir = scratch_dir("directory");
  auto r = import_onnx(dir.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].file, dir.string());
  EXPECT_NE(r.diagnostics()[0].message.find("directory"), std::string::npos) << errors(r);
  fs::remove_all(dir);
}

TEST(OnnxImportErrors, RejectsAnEmptyFile) {
  const auto dir = scratch_dir("empty");
  auto r = import_written(dir / "empty.onnx", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].file, (dir / "empty.onnx").string());
  EXPECT_NE(r.diagnostics()[0].message.find("0 bytes"), std::string::npos) << errors(r);
  fs::remove_all(dir);
}

TEST(OnnxImportErrors, RejectsAFileOfAnotherFormatByItsFirstByte) {
  const auto dir = scratch_dir("magic");
  auto zip = import_written(dir / "checkpoint.onnx", std::string("PK\x03\x04", 4) + "model.pt");
  ASSERT_FALSE(zip.ok());
  EXPECT_EQ(zip.diagnostics()[0].field, "file");
  EXPECT_NE(zip.diagnostics()[0].message.find("0x50 'P'"), std::string::npos) << errors(zip);
  auto text = import_written(dir / "notes.onnx", "hello, world\n");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.diagnostics()[0].message.find("does not start like an ONNX model"),
            std::string::npos)
      << errors(text);
  fs::remove_all(dir);
}

TEST(OnnxImportErrors, RejectsBytesThatAreNotAProtobuf) {
  // A plausible first tag (ir_version, a varint) followed by a varint that never ends.
  auto r = import_onnx_bytes(std::string("\x08") + std::string(12, '\xff'), "garbage.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].file, "garbage.onnx");
  EXPECT_NE(r.diagnostics()[0].message.find("not a valid ONNX protobuf"), std::string::npos)
      << errors(r);
}

TEST(OnnxImportErrors, RejectsATruncatedFile) {
  std::ifstream in(fixture("resnet18"), std::ios::binary);
  const std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(whole.size(), 1000U);
  auto r = import_onnx_bytes(whole.substr(0, whole.size() / 2), "truncated.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diagnostics()[0].message.find("truncated or corrupt"), std::string::npos)
      << errors(r);
}

TEST(OnnxImportErrors, FailsCleanlyOnEveryTruncationOfARealModel) {
  // Cuts at field boundaries can still parse (as a model missing its tail); whatever parses must
  // come back as a value or as diagnostics naming the file, never as a crash.
  std::ifstream in(fixture("mobilenet_v2"), std::ios::binary);
  const std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int failures = 0;
  for (std::size_t cut = 1; cut < whole.size(); cut += 97) {
    auto r = import_onnx_bytes(whole.substr(0, cut), "cut.onnx");
    if (r.ok()) continue;
    ++failures;
    ASSERT_FALSE(r.diagnostics().empty());
    EXPECT_EQ(r.diagnostics()[0].file, "cut.onnx");
  }
  EXPECT_GT(failures, 0);
}

TEST(OnnxImportErrors, NamesANodeReadingAnUndefinedTensor) {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"1", "4"}).output("y");
  b.node("Add", {"x", "ghost"}, {"y"}, "add");
  auto r = import_onnx_bytes(b.bytes(), "missing_input.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].file, "missing_input.onnx");
  EXPECT_EQ(r.diagnostics()[0].field, "node 'add' (Add)");
  EXPECT_NE(r.diagnostics()[0].message.find("'ghost'"), std::string::npos) << errors(r);
}

TEST(OnnxImportErrors, NamesTheNodesOfACycle) {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"1", "4"}).output("y");
  b.node("Add", {"x", "b"}, {"a"}, "first");
  b.node("Relu", {"a"}, {"b"}, "second");
  b.node("Relu", {"a"}, {"y"}, "out");
  auto r = import_onnx_bytes(b.bytes(), "cycle.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].field, "node 'first' (Add)");
  EXPECT_NE(r.diagnostics()[0].message.find("cycle"), std::string::npos) << errors(r);
  EXPECT_NE(r.diagnostics()[0].message.find("'second'"), std::string::npos) << errors(r);
}

TEST(OnnxImportErrors, NamesTheNodeWhoseShapeDoesNotInfer) {
  // A Reshape target that is a graph input: known only at run time.
  OnnxModelBuilder dynamic;
  dynamic.input("x", TensorProto::FLOAT, {"2", "6"})
      .input("target", TensorProto::INT64, {"2"})
      .output("y");
  dynamic.node("Reshape", {"x", "target"}, {"y"}, "reshape");
  auto r = import_onnx_bytes(dynamic.bytes(), "dynamic.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].file, "dynamic.onnx");
  EXPECT_EQ(r.diagnostics()[0].field, "node 'reshape' (Reshape)");
  EXPECT_NE(r.diagnostics()[0].message.find("does not follow"), std::string::npos) << errors(r);

  // Mismatched matrix products: ONNX's inference itself fails.
  OnnxModelBuilder mismatch;
  mismatch.input("x", TensorProto::FLOAT, {"2", "6"}).weight("w", {5, 3}).output("y");
  mismatch.node("MatMul", {"x", "w"}, {"y"}, "matmul");
  auto m = import_onnx_bytes(mismatch.bytes(), "mismatch.onnx");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.diagnostics()[0].field, "node 'matmul' (MatMul)");
  EXPECT_NE(m.diagnostics()[0].message.find("shape inference fails"), std::string::npos)
      << errors(m);
}

TEST(OnnxImportErrors, RejectsAnOpsetNewerThanTheLinkedOnnx) {
  auto b = relu_model();
  b.model().mutable_opset_import(0)->set_version(99);
  auto r = import_onnx_bytes(b.bytes(), "future.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].file, "future.onnx");
  EXPECT_EQ(r.diagnostics()[0].field, "opset_import");
  EXPECT_NE(r.diagnostics()[0].message.find("opset 99"), std::string::npos) << errors(r);
}

TEST(OnnxImportErrors, RejectsAnInitializerWithoutDims) {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"1", "6"}).weight("w", {6}).output("y");
  b.model().mutable_graph()->mutable_initializer(0)->clear_dims();  // 6 values, no dims
  b.weight("v", {3}, {}, "v.bin");
  b.model().mutable_graph()->mutable_initializer(1)->clear_dims();  // external, no dims
  b.node("Add", {"x", "w"}, {"h"});
  b.node("Add", {"h", "v"}, {"y"});
  auto r = import_onnx_bytes(b.bytes(), "nodims.onnx");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics().size(), 2U) << errors(r);  // both reported at once
  EXPECT_EQ(r.diagnostics()[0].field, "initializer 'w'");
  EXPECT_NE(r.diagnostics()[0].message.find("no dims"), std::string::npos) << errors(r);
  EXPECT_NE(r.diagnostics()[0].message.find("6 values"), std::string::npos) << errors(r);
  EXPECT_EQ(r.diagnostics()[1].field, "initializer 'v'");
}

TEST(OnnxImportErrors, ReportsWhatTheOnnxCheckerRejects) {
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"1", "3", "8", "8"}).output("y");
  b.node("Conv", {"x"}, {"y"}, "conv_without_weight");
  auto r = import_onnx_bytes(b.bytes(), "checker.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics()[0].file, "checker.onnx");
  EXPECT_NE(r.diagnostics()[0].message.find("ONNX checker"), std::string::npos) << errors(r);
  EXPECT_NE(r.diagnostics()[0].message.find("conv_without_weight"), std::string::npos) << errors(r);
}

TEST(OnnxImportErrors, RejectsInvalidOptions) {
  OnnxImportOptions options;
  options.batch = 0;
  options.sequence_length = -1;
  auto r = import_onnx_bytes(relu_model().bytes(), "relu.onnx", options);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics().size(), 2U);
  EXPECT_EQ(r.diagnostics()[0].field, "batch");
  EXPECT_EQ(r.diagnostics()[1].field, "sequence_length");
}

// ---------------------------------------------------------------------------------------------
// The model loader dispatches .onnx paths here.

TEST(ModelLoaderOnnx, LoadsOnnxPathsAndCarriesTheirWarnings) {
  io::ModelOptions options;
  options.batch = 2;
  auto loaded = io::load_model_with_warnings(fixture("resnet18"), options);
  ASSERT_TRUE(loaded.ok()) << loaded.error_text();
  EXPECT_EQ(loaded->graph.name, "resnet18");
  EXPECT_EQ(loaded->graph.tensor(loaded->graph.inputs()[0]).shape, (graph::Shape{2, 3, 224, 224}));
  ASSERT_EQ(loaded->warnings.size(), 1U);

  auto plain = io::load_model(fixture("vgg16"), options);
  ASSERT_TRUE(plain.ok()) << plain.error_text();
  EXPECT_EQ(plain->name, "vgg16");

  auto zoo = io::load_model_with_warnings("resnet18", options);
  ASSERT_TRUE(zoo.ok()) << zoo.error_text();
  EXPECT_TRUE(zoo->warnings.empty());

  auto missing = io::load_model("/nonexistent/net.onnx", options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.diagnostics()[0].file, "/nonexistent/net.onnx");
}

}  // namespace
}  // namespace tessera::onnx
