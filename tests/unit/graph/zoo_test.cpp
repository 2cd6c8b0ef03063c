#include "tessera/graph/zoo.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace tessera::graph {
namespace {

Graph build(std::string_view name, ZooOptions options = {}) {
  auto result = build_zoo_model(name, options);
  EXPECT_TRUE(result.ok()) << name << ": " << (result.ok() ? "" : result.error_text());
  return std::move(result).value();
}

const Op* find_op(const Graph& g, std::string_view name) {
  for (const auto& op : g.ops())
    if (op.name == name) return &op;
  return nullptr;
}

const Shape& output_shape(const Graph& g, std::string_view op_name) {
  const Op* op = find_op(g, op_name);
  EXPECT_NE(op, nullptr) << op_name;
  return g.tensor(op->outputs.front()).shape;
}

std::int64_t op_macs(const Graph& g, std::string_view op_name) {
  const Op* op = find_op(g, op_name);
  EXPECT_NE(op, nullptr) << op_name;
  return op == nullptr ? -1 : g.work(*op).macs;
}

TEST(Zoo, ListsThirteenModelsWithDescriptions) {
  const auto& models = zoo_models();
  std::vector<std::string> names;
  for (const auto& m : models) {
    names.push_back(m.name);
    EXPECT_FALSE(m.description.empty()) << m.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"vgg8", "vgg16", "resnet18", "resnet50", "resnet152",
                                             "resnet20", "mbv1_conv", "mbv1_conv_cifar", "mbv1_dws",
                                             "mobilenet_v2", "googlenet", "unet", "vit_b16", "gpt2",
                                             "bert_base", "gpt2_large", "bert_large"}));
}

TEST(Zoo, EveryModelBuildsAsADagInInsertionOrder) {
  for (const auto& entry : zoo_models()) {
    SCOPED_TRACE(entry.name);
    const Graph g = build(entry.name);
    EXPECT_EQ(g.name, entry.name);
    ASSERT_FALSE(g.ops().empty());
    EXPECT_FALSE(g.inputs().empty());
    EXPECT_FALSE(g.outputs().empty());
    // Every operator reads only graph inputs, weights, or outputs of earlier operators: the
    // passes and the layer chain rely on insertion order being a topological order.
    std::vector<char> available(g.tensors().size(), 0);
    for (auto t : g.inputs()) available[t.index()] = 1;
    for (const auto& t : g.tensors())
      if (t.is_weight) available[t.id.index()] = 1;
    std::set<std::string> names;
    for (const auto& op : g.ops()) {
      for (auto t : op.inputs) EXPECT_TRUE(available[t.index()]) << op.name << " reads too early";
      for (auto t : op.outputs) {
        EXPECT_FALSE(available[t.index()]) << op.name << " writes a tensor already defined";
        available[t.index()] = 1;
        EXPECT_FALSE(g.tensor(t).shape.empty() && op.kind != OpKind::kConstant) << op.name;
      }
      EXPECT_TRUE(names.insert(op.name).second) << "duplicate op name " << op.name;
    }
    for (auto t : g.outputs()) EXPECT_TRUE(available[t.index()]);
    // Weights are shape-only.
    for (const auto& t : g.tensors()) {
      if (t.is_weight) {
        EXPECT_FALSE(t.data.has_value() && !t.data->empty()) << t.name;
      }
    }
  }
}

TEST(Zoo, ParameterCountsEqualTheReferenceImplementations) {
  // torchvision: sum(p.numel() for p in model.parameters()); Hugging Face: the same for
  // BertModel / GPT2LMHeadModel (tied LM head counted once); NeuroSim VGG8 hand-counted below.
  const std::vector<std::pair<std::string, std::int64_t>> expected = {
      {"resnet18", 11'689'512},
      {"resnet50", 25'557'032},
      {"resnet152", 60'192'808},
      {"vgg16", 138'357'544},
      {"mobilenet_v2", 3'504'872},
      {"vit_b16", 86'567'656},
      {"bert_base", 109'482'240},
      {"gpt2", 124'439'808},
      // torchvision googlenet(aux_logits=False); U-Net written in PyTorch to Ronneberger et
      // al.'s network with padded 3x3 convolutions (nn.Conv2d/ConvTranspose2d with bias):
      // sum(p.numel()) printed 6,624,904 and 31,030,658.
      {"googlenet", 6'624'904},
      {"unet", 31'030'658},
      // Hugging Face gpt2-large and bert-large-uncased configs, counted as for gpt2 and
      // bert_base: wte 50257x1280 + wpe 1024x1280 + 36 x 19,677,440 + ln_f 2560; embeddings
      // 31,782,912 + 24 x 12,596,224 + pooler 1,049,600.
      {"gpt2_large", 774'030'080},
      {"bert_large", 335'141'888},
      // The same sum over PyTorch modules written to ODiMO's definitions (Conv2d bias=False,
      // BatchNorm2d, Linear): ResNet-20 and its MobileNetV1-like nets (features 32).
      {"resnet20", 272'474},
      {"mbv1_conv", 23'718'056},
      {"mbv1_conv_cifar", 22'795'556},
      {"mbv1_dws", 4'231'976}};
  for (const auto& [name, params] : expected)
    EXPECT_EQ(build(name).parameter_count(), params) << name;
}

TEST(Zoo, Vgg8ParametersAreHandCounted) {
  // Conv weights Cout*Cin*3*3, no biases:
  //   3*128*9 = 3,456; 128*128*9 = 147,456; 128*256*9 = 294,912; 256*256*9 = 589,824;
  //   256*512*9 = 1,179,648; 512*512*9 = 2,359,296; FC: 8192*1024 = 8,388,608; 1024*10 = 10,240.
  //   Sum = 12,973,440.
  EXPECT_EQ(build("vgg8").parameter_count(), 12'973'440);
}

TEST(Zoo, MacsMatchPublishedCountsWithinOnePercent) {
  // torchvision's model cards (GFLOPS there are multiply-accumulates at batch 1, 224x224).
  const std::vector<std::pair<std::string, double>> expected = {
      {"resnet18", 1.81e9}, {"resnet50", 4.09e9},     {"resnet152", 11.5e9},
      {"vgg16", 15.5e9},    {"mobilenet_v2", 0.30e9}, {"vit_b16", 17.56e9}};
  for (const auto& [name, macs] : expected) {
    const auto got = static_cast<double>(build(name).total_macs());
    EXPECT_NEAR(got / macs, 1.0, 0.01) << name << " has " << got << " MACs";
  }
}

TEST(Zoo, Vgg8LayersAreNeuroSimsEightWithHandComputedMacs) {
  const Graph g = build("vgg8");
  std::vector<std::string> compute;
  for (const auto& op : g.ops())
    if (op.kind == OpKind::kConv || op.kind == OpKind::kGemm) compute.push_back(op.name);
  EXPECT_EQ(compute, (std::vector<std::string>{"conv1", "conv2", "conv3", "conv4", "conv5", "conv6",
                                               "fc1", "fc2"}));
  // conv1: output 32x32 ('same' padding) x 128 channels, each a 3x3x3 window:
  //   32 * 32 * 128 * (3 * 3 * 3) = 131,072 * 27 = 3,538,944.
  EXPECT_EQ(op_macs(g, "conv1"), 3'538'944);
  // conv6: 8x8 output x 512 channels x (512 * 9): 64 * 512 * 4608 = 150,994,944.
  EXPECT_EQ(op_macs(g, "conv6"), 150'994'944);
  // fc1: 8192 * 1024 = 8,388,608; fc2: 1024 * 10 = 10,240.
  EXPECT_EQ(op_macs(g, "fc1"), 8'388'608);
  EXPECT_EQ(op_macs(g, "fc2"), 10'240);
  EXPECT_EQ(output_shape(g, "pool3"), (Shape{1, 512, 4, 4}));
  EXPECT_EQ(g.tensor(g.outputs().front()).shape, (Shape{1, 10}));
  // No biases anywhere: every Conv reads (X, W) and every Gemm (A, B).
  for (const auto& op : g.ops()) {
    if (op.kind == OpKind::kConv || op.kind == OpKind::kGemm) {
      EXPECT_EQ(op.inputs.size(), 2U) << op.name;
    }
  }
}

TEST(Zoo, ResNet50BottleneckShapesFollowV15) {
  const Graph g = build("resnet50");
  // After conv1 (stride 2) and maxpool (stride 2): 224 / 4 = 56.
  EXPECT_EQ(output_shape(g, "layer1.0.conv2"), (Shape{1, 64, 56, 56}));
  EXPECT_EQ(output_shape(g, "layer1.0.conv3"), (Shape{1, 256, 56, 56}));
  // v1.5: layer2.0 keeps 56x56 through conv1 (1x1) and strides in the 3x3 conv2.
  EXPECT_EQ(output_shape(g, "layer2.0.conv1"), (Shape{1, 128, 56, 56}));
  EXPECT_EQ(output_shape(g, "layer2.0.conv2"), (Shape{1, 128, 28, 28}));
  EXPECT_EQ(output_shape(g, "layer2.0.downsample.0"), (Shape{1, 512, 28, 28}));
  EXPECT_EQ(output_shape(g, "layer4.2.relu_2"), (Shape{1, 2048, 7, 7}));
  // layer1.0.conv2: 56*56 outputs x 64 channels x (64 * 3 * 3) = 200,704 * 576 = 115,605,504.
  EXPECT_EQ(op_macs(g, "layer1.0.conv2"), 115'605'504);
  const Op* conv2 = find_op(g, "layer1.0.conv2");
  ASSERT_NE(conv2, nullptr);
  EXPECT_EQ(g.tensor(conv2->inputs[1]).shape, (Shape{64, 64, 3, 3}));
  EXPECT_EQ(conv2->attrs.pads, (std::vector<std::int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(find_op(g, "layer1.0.bn2")->kind, OpKind::kBatchNorm);
  EXPECT_EQ(g.tensor(g.outputs().front()).shape, (Shape{1, 1000}));
}

TEST(Zoo, MobileNetV2UsesDepthwiseConvolutionsAndRelu6) {
  const Graph g = build("mobilenet_v2");
  const Op* dw = find_op(g, "features.2.conv.1.0");
  ASSERT_NE(dw, nullptr);
  EXPECT_EQ(dw->attrs.groups, 96);  // 16 input channels * expand ratio 6
  EXPECT_EQ(g.tensor(dw->inputs[1]).shape, (Shape{96, 1, 3, 3}));
  EXPECT_EQ(output_shape(g, "features.2.conv.1.0"), (Shape{1, 96, 56, 56}));
  const Op* act = find_op(g, "features.2.conv.1.2");
  ASSERT_NE(act, nullptr);
  EXPECT_EQ(act->kind, OpKind::kClip);
  EXPECT_EQ(act->attrs.beta, 6.0);
  // Residual only where stride 1 and channels unchanged: features.3 (24 -> 24), not features.2.
  EXPECT_NE(find_op(g, "features.3.add"), nullptr);
  EXPECT_EQ(find_op(g, "features.2.add"), nullptr);
  EXPECT_EQ(output_shape(g, "features.18.2"), (Shape{1, 1280, 7, 7}));
}

TEST(Zoo, BatchScalesWorkButNotParameters) {
  for (const std::string name : {"vgg8", "resnet18", "mobilenet_v2", "gpt2", "bert_base"}) {
    SCOPED_TRACE(name);
    const Graph one = build(name);
    const Graph four = build(name, {.batch = 4});
    EXPECT_EQ(four.total_macs(), 4 * one.total_macs());
    EXPECT_EQ(four.parameter_count(), one.parameter_count());
    EXPECT_EQ(four.weight_bytes(), one.weight_bytes());
    EXPECT_EQ(four.tensor(four.inputs().front()).shape.front(), 4);
  }
}

/// GPT-2 small MACs at sequence length T (batch 1), from the architecture:
///   per block, linear layers: T * (768*2304 + 768*768 + 768*3072 + 3072*768) = T * 7,077,888;
///   attention: Q K^T and P V, each 12 heads * T * T * 64 = 768 * T^2 -> 1,536 * T^2;
///   LM head: T * 768 * 50257 = T * 38,597,376.
std::int64_t gpt2_macs(std::int64_t t) {
  return 12 * (t * 7'077'888 + 1'536 * t * t) + t * 38'597'376;
}

TEST(Zoo, Gpt2MacsFollowTheSequenceLength) {
  const Graph t128 = build("gpt2");
  EXPECT_EQ(t128.total_macs(), gpt2_macs(128));
  const Graph t256 = build("gpt2", {.sequence_length = 256});
  EXPECT_EQ(t256.total_macs(), gpt2_macs(256));
  EXPECT_GT(t256.total_macs(), 2 * t128.total_macs());  // attention is quadratic
  EXPECT_EQ(t256.parameter_count(), t128.parameter_count());
  EXPECT_EQ(t256.tensor(t256.outputs().front()).shape, (Shape{1, 256, 50257}));
  EXPECT_EQ(build("gpt2", {.sequence_length = 1024}).total_macs(), gpt2_macs(1024));
}

TEST(Zoo, Gpt2LmHeadIsTiedToTheTokenEmbedding) {
  const Graph g = build("gpt2");
  const Op* wte = find_op(g, "transformer.wte");
  const Op* head = find_op(g, "lm_head");
  ASSERT_NE(wte, nullptr);
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(wte->kind, OpKind::kEmbedding);
  EXPECT_EQ(head->kind, OpKind::kGemm);
  EXPECT_TRUE(head->attrs.trans_b);
  EXPECT_EQ(head->inputs[1], wte->inputs[0]);  // the same tensor, counted once
  EXPECT_EQ(g.tensor(head->inputs[1]).shape, (Shape{50257, 768}));
  // The causal mask is a constant with its values, lower-triangular.
  const Op* mask = find_op(g, "transformer.h.0.attn.causal_mask");
  ASSERT_NE(mask, nullptr);
  const Tensor& m = g.tensor(mask->outputs.front());
  EXPECT_FALSE(m.is_weight);
  ASSERT_TRUE(m.data.has_value());
  ASSERT_EQ(m.data->size(), 128U * 128U);
  EXPECT_EQ((*m.data)[1 * 128 + 0], std::byte{1});  // token 1 sees token 0
  EXPECT_EQ((*m.data)[0 * 128 + 1], std::byte{0});  // token 0 does not see token 1
}

TEST(Zoo, BertMacsFollowTheSequenceLength) {
  // Per layer: Q, K, V, output dense 4 * 768^2 and the MLP 2 * 768 * 3072 per token
  // = 7,077,888 * T; attention 2 * 768 * T^2; the pooler 768^2 = 589,824 once per sequence.
  for (const std::int64_t t : {128, 384}) {
    const Graph g = build("bert_base", {.sequence_length = t});
    EXPECT_EQ(g.total_macs(), 12 * (t * 7'077'888 + 1'536 * t * t) + 589'824) << t;
    EXPECT_EQ(g.outputs().size(), 2U);
    EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{1, t, 768}));
    EXPECT_EQ(g.tensor(g.outputs()[1]).shape, (Shape{1, 768}));
  }
}

TEST(Zoo, VitB16HasClassTokenAndPositionEmbedding) {
  const Graph g = build("vit_b16");
  EXPECT_EQ(output_shape(g, "conv_proj"), (Shape{1, 768, 14, 14}));
  EXPECT_EQ(output_shape(g, "cat"), (Shape{1, 197, 768}));
  EXPECT_EQ(output_shape(g, "encoder.layers.encoder_layer_11.add_1"), (Shape{1, 197, 768}));
  EXPECT_EQ(output_shape(g, "encoder.layers.encoder_layer_0.self_attention.scores"),
            (Shape{1, 12, 197, 197}));
  EXPECT_EQ(g.tensor(g.outputs().front()).shape, (Shape{1, 1000}));
}

TEST(Zoo, UnknownModelFailsNamingItAndTheKnownModels) {
  const auto result = build_zoo_model("resnet51");
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics().size(), 1U);
  EXPECT_EQ(result.diagnostics()[0].field, "model");
  EXPECT_NE(result.error_text().find("resnet51"), std::string::npos) << result.error_text();
  EXPECT_NE(result.error_text().find("resnet50"), std::string::npos) << result.error_text();
  EXPECT_NE(result.error_text().find("bert_base"), std::string::npos) << result.error_text();
}

TEST(Zoo, BadSizesAreAllReported) {
  const auto both = build_zoo_model("gpt2", {.batch = 0, .sequence_length = 1025});
  ASSERT_FALSE(both.ok());
  ASSERT_EQ(both.diagnostics().size(), 2U);
  EXPECT_EQ(both.diagnostics()[0].field, "batch");
  EXPECT_EQ(both.diagnostics()[1].field, "sequence_length");
  EXPECT_FALSE(build_zoo_model("bert_base", {.sequence_length = 513}).ok());
  EXPECT_FALSE(build_zoo_model("bert_base", {.sequence_length = -1}).ok());
  EXPECT_FALSE(build_zoo_model("resnet18", {.batch = kZooMaxBatch + 1}).ok());
  const auto fixed = build_zoo_model("resnet18", {.sequence_length = 64});
  ASSERT_FALSE(fixed.ok());
  EXPECT_EQ(fixed.diagnostics()[0].field, "sequence_length");
  EXPECT_TRUE(build_zoo_model("bert_base", {.batch = 2, .sequence_length = 512}).ok());
}

}  // namespace
}  // namespace tessera::graph
