#include "tessera/graph/zoo.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>

#include "tessera/graph/graph_builder.hpp"

namespace tessera::graph {

namespace {

/// A diagnostic about a value built in code (no file or line).
Diagnostic problem(std::string field, std::string message) {
  Diagnostic d;
  d.field = std::move(field);
  d.message = std::move(message);
  return d;
}

/// The input size a model is built for, after validation.
struct InputSize {
  std::int64_t batch = 1;
  std::int64_t sequence_length = 0;  ///< 0 for models with a fixed input
};

using ModelFn = Result<Graph> (*)(const InputSize&);

struct ModelSpec {
  std::string_view name;
  std::string_view description;
  ModelFn build;
  std::int64_t default_sequence_length;  ///< 0: fixed input size, no sequence_length option
  std::int64_t max_sequence_length;
};

std::string indexed(std::string_view prefix, std::int64_t i) {
  return std::string(prefix) + "." + std::to_string(i);
}

// ---------------------------------------------------------------------------------------------
// Convolutional networks

/// VGG8 for CIFAR-10 as defined in DNN+NeuroSim V1.4 (models/VGG.py, cfg "cifar10"): six 3x3
/// 'same' convolutions (128, 128, M, 256, 256, M, 512, 512, M), then FC 8192->1024 and 1024->10;
/// NeuroSim's QConv2d/QLinear layers are built with bias=False and there is no BatchNorm. ReLU
/// follows every convolution and the first FC layer. The compute layers are named conv1..conv6,
/// fc1, fc2, NeuroSim's eight layers.
Result<Graph> build_vgg8(const InputSize& size) {
  GraphBuilder b("vgg8");
  TensorId x = b.input("input", {size.batch, 3, 32, 32});
  constexpr std::array<std::int64_t, 6> kChannels = {128, 128, 256, 256, 512, 512};
  for (std::size_t i = 0; i < kChannels.size(); ++i) {
    const auto n = static_cast<std::int64_t>(i + 1);
    x = b.conv2d("conv" + std::to_string(n), x,
                 {.out_channels = kChannels[i], .kernel = 3, .padding = 1, .bias = false});
    x = b.relu("relu" + std::to_string(n), x);
    if (n % 2 == 0) x = b.max_pool("pool" + std::to_string(n / 2), x, {.kernel = 2, .stride = 2});
  }
  x = b.flatten("flatten", x);  // 512 x 4 x 4 = 8192
  x = b.linear("fc1", x, 1024, /*bias=*/false);
  x = b.relu("relu7", x);
  x = b.linear("fc2", x, 10, /*bias=*/false);
  b.output(x);
  return std::move(b).finish();
}

/// torchvision vgg16 (configuration "D", no BatchNorm): module names features.i / classifier.i.
Result<Graph> build_vgg16(const InputSize& size) {
  GraphBuilder b("vgg16");
  TensorId x = b.input("x", {size.batch, 3, 224, 224});
  constexpr std::int64_t kPool = 0;
  constexpr std::array<std::int64_t, 18> kConfig = {64,  64,    kPool, 128,   128, kPool,
                                                    256, 256,   256,   kPool, 512, 512,
                                                    512, kPool, 512,   512,   512, kPool};
  std::int64_t index = 0;
  for (const std::int64_t channels : kConfig) {
    if (channels == kPool) {
      x = b.max_pool(indexed("features", index++), x, {.kernel = 2, .stride = 2});
      continue;
    }
    x = b.conv2d(indexed("features", index++), x,
                 {.out_channels = channels, .kernel = 3, .padding = 1});
    x = b.relu(indexed("features", index++), x);
  }
  // AdaptiveAvgPool2d((7, 7)) on a 7x7 map: a 1x1 window with stride 1.
  x = b.avg_pool("avgpool", x, {.kernel = 1, .stride = 1});
  x = b.flatten("flatten", x);
  x = b.linear("classifier.0", x, 4096);
  x = b.relu("classifier.1", x);
  x = b.linear("classifier.3", x, 4096);
  x = b.relu("classifier.4", x);
  x = b.linear("classifier.6", x, 1000);
  b.output(x);
  return std::move(b).finish();
}

/// Convolution without bias followed by BatchNorm, as every torchvision ResNet convolution.
TensorId conv_bn(GraphBuilder& b, const std::string& conv_name, const std::string& bn_name,
                 TensorId x, std::int64_t out_channels, std::int64_t kernel, std::int64_t stride) {
  x = b.conv2d(conv_name, x,
               {.out_channels = out_channels,
                .kernel = kernel,
                .stride = stride,
                .padding = kernel / 2,
                .bias = false});
  return b.batch_norm(bn_name, x);
}

/// torchvision BasicBlock (expansion 1): conv3x3(stride) bn relu conv3x3 bn (+ downsample) add
/// relu.
TensorId basic_block(GraphBuilder& b, const std::string& p, TensorId x, std::int64_t planes,
                     std::int64_t stride) {
  const std::int64_t in_channels = b.shape(x)[1];
  TensorId y = conv_bn(b, p + ".conv1", p + ".bn1", x, planes, 3, stride);
  y = b.relu(p + ".relu", y);
  y = conv_bn(b, p + ".conv2", p + ".bn2", y, planes, 3, 1);
  TensorId identity = x;
  if (stride != 1 || in_channels != planes) {
    identity = conv_bn(b, p + ".downsample.0", p + ".downsample.1", x, planes, 1, stride);
  }
  y = b.add(p + ".add", y, identity);
  return b.relu(p + ".relu", y);  // named relu_1: torchvision reuses one ReLU module
}

/// torchvision Bottleneck (expansion 4, "ResNet v1.5": the stride is on the 3x3 convolution).
TensorId bottleneck(GraphBuilder& b, const std::string& p, TensorId x, std::int64_t planes,
                    std::int64_t stride) {
  constexpr std::int64_t kExpansion = 4;
  const std::int64_t in_channels = b.shape(x)[1];
  TensorId y = conv_bn(b, p + ".conv1", p + ".bn1", x, planes, 1, 1);
  y = b.relu(p + ".relu", y);
  y = conv_bn(b, p + ".conv2", p + ".bn2", y, planes, 3, stride);
  y = b.relu(p + ".relu", y);
  y = conv_bn(b, p + ".conv3", p + ".bn3", y, planes * kExpansion, 1, 1);
  TensorId identity = x;
  if (stride != 1 || in_channels != planes * kExpansion) {
    identity =
        conv_bn(b, p + ".downsample.0", p + ".downsample.1", x, planes * kExpansion, 1, stride);
  }
  y = b.add(p + ".add", y, identity);
  return b.relu(p + ".relu", y);
}

/// torchvision ResNet: conv1 7x7/2, bn1, relu, maxpool 3x3/2, layer1..layer4, avgpool, fc.
Result<Graph> build_resnet(std::string name, const InputSize& size,
                           const std::array<std::int64_t, 4>& blocks, bool use_bottleneck) {
  GraphBuilder b(std::move(name));
  TensorId x = b.input("x", {size.batch, 3, 224, 224});
  x = conv_bn(b, "conv1", "bn1", x, 64, 7, 2);
  x = b.relu("relu", x);
  x = b.max_pool("maxpool", x, {.kernel = 3, .stride = 2, .padding = 1});
  constexpr std::array<std::int64_t, 4> kPlanes = {64, 128, 256, 512};
  for (std::size_t layer = 0; layer < kPlanes.size(); ++layer) {
    for (std::int64_t j = 0; j < blocks[layer]; ++j) {
      const std::string p = indexed("layer" + std::to_string(layer + 1), j);
      const std::int64_t stride = layer > 0 && j == 0 ? 2 : 1;
      x = use_bottleneck ? bottleneck(b, p, x, kPlanes[layer], stride)
                         : basic_block(b, p, x, kPlanes[layer], stride);
    }
  }
  x = b.global_avg_pool("avgpool", x);  // AdaptiveAvgPool2d((1, 1))
  x = b.flatten("flatten", x);
  x = b.linear("fc", x, 1000);
  b.output(x);
  return std::move(b).finish();
}

Result<Graph> build_resnet18(const InputSize& size) {
  return build_resnet("resnet18", size, {2, 2, 2, 2}, false);
}
Result<Graph> build_resnet50(const InputSize& size) {
  return build_resnet("resnet50", size, {3, 4, 6, 3}, true);
}
Result<Graph> build_resnet152(const InputSize& size) {
  return build_resnet("resnet152", size, {3, 8, 36, 3}, true);
}

/// ResNet-20 for CIFAR-10 as in ODiMO (eml-eda/odimo-journal,
/// incomp-data-fmts/models/quant_resnet.py, ResNet20/Backbone20/BasicBlock): conv 3x3 3->16,
/// BatchNorm, ReLU; three stages of three basic blocks (16, 32, 64 channels; stride 2 on the
/// first block of stages 2 and 3) whose shortcut is a 1x1 convolution with BatchNorm when the
/// shape changes; 8x8 average pool; FC 64 -> 10 (ODiMO writes it as a 1x1 convolution).
Result<Graph> build_resnet20(const InputSize& size) {
  GraphBuilder b("resnet20");
  TensorId x = b.input("x", {size.batch, 3, 32, 32});
  x = conv_bn(b, "conv1", "bn1", x, 16, 3, 1);
  x = b.relu("relu", x);
  constexpr std::array<std::int64_t, 3> kPlanes = {16, 32, 64};
  for (std::size_t stage = 0; stage < kPlanes.size(); ++stage) {
    for (std::int64_t j = 0; j < 3; ++j) {
      const std::string p = "backbone.bb_" + std::to_string(stage + 1) + "_" + std::to_string(j);
      x = basic_block(b, p, x, kPlanes[stage], stage > 0 && j == 0 ? 2 : 1);
    }
  }
  x = b.global_avg_pool("pool", x);  // AvgPool2d(8) on the 8x8 map
  x = b.flatten("flatten", x);
  x = b.linear("fc", x, 10);
  b.output(x);
  return std::move(b).finish();
}

/// ODiMO's ConvBlock: convolution without bias, BatchNorm, ReLU.
TensorId odimo_conv_block(GraphBuilder& b, const std::string& p, TensorId x,
                          std::int64_t out_channels, std::int64_t kernel, std::int64_t stride,
                          std::int64_t groups) {
  x = b.conv2d(p + ".conv1", x,
               {.out_channels = out_channels,
                .kernel = kernel,
                .stride = stride,
                .padding = kernel / 2,
                .groups = groups,
                .bias = false});
  x = b.batch_norm(p + ".bn", x);
  return b.relu(p + ".relu", x);
}

/// ODiMO's MobileNetV1-like network for Darkside (eml-eda/odimo-journal,
/// spec-hw-units/exp/common/models.py, class MobileNet, features 32): layer0 conv 3x3 (stride
/// `initial_stride`), dw1/pw1, dw2 (stride 2)/pw2, then eight searchable blocks (layers 3, 5,
/// 7-11, 13) separated by stride-2 dw/pw pairs, global average pool and a Linear classifier.
/// `searchable_as_conv`: the blocks are 3x3 standard convolutions (C_in = C; ODiMO's
/// mbv1_conv_32, the network its Conv || DW search splits); otherwise depthwise-separable
/// (mbv1_dws_32, the standard MobileNetV1).
Result<Graph> build_odimo_mobilenet(std::string name, const InputSize& size,
                                    std::int64_t resolution, std::int64_t initial_stride,
                                    std::int64_t classes, bool searchable_as_conv) {
  constexpr std::int64_t kF = 32;
  GraphBuilder b(std::move(name));
  TensorId x = b.input("x", {size.batch, 3, resolution, resolution});
  x = odimo_conv_block(b, "layer0", x, kF, 3, initial_stride, 1);
  const auto dw_pw = [&](const std::string& n, std::int64_t in, std::int64_t out,
                         std::int64_t stride) {
    x = odimo_conv_block(b, "dw" + n, x, in, 3, stride, in);
    x = odimo_conv_block(b, "pw" + n, x, out, 1, 1, 1);
  };
  const auto searchable = [&](const std::string& n, std::int64_t c) {
    if (searchable_as_conv) {
      x = odimo_conv_block(b, "layer" + n, x, c, 3, 1, 1);
    } else {
      x = odimo_conv_block(b, "layer" + n + ".depthwise", x, c, 3, 1, c);
      x = odimo_conv_block(b, "layer" + n + ".pointwise", x, c, 1, 1, 1);
    }
  };
  dw_pw("1", kF, 2 * kF, 1);
  dw_pw("2", 2 * kF, 4 * kF, 2);
  searchable("3", 4 * kF);
  dw_pw("4", 4 * kF, 8 * kF, 2);
  searchable("5", 8 * kF);
  dw_pw("6", 8 * kF, 16 * kF, 2);
  for (const char* n : {"7", "8", "9", "10", "11"}) searchable(n, 16 * kF);
  dw_pw("12", 16 * kF, 32 * kF, 2);
  searchable("13", 32 * kF);
  x = b.global_avg_pool("avgpool", x);
  x = b.flatten("flatten", x);
  x = b.linear("out", x, classes);
  b.output(x);
  return std::move(b).finish();
}

Result<Graph> build_mbv1_conv(const InputSize& size) {
  return build_odimo_mobilenet("mbv1_conv", size, 224, 2, 1000, true);
}
Result<Graph> build_mbv1_conv_cifar(const InputSize& size) {
  return build_odimo_mobilenet("mbv1_conv_cifar", size, 32, 1, 100, true);
}
Result<Graph> build_mbv1_dws(const InputSize& size) {
  return build_odimo_mobilenet("mbv1_dws", size, 224, 2, 1000, false);
}

/// torchvision Conv2dNormActivation with ReLU6: conv (no bias) "p.0", BatchNorm "p.1",
/// ReLU6 "p.2".
TensorId conv_bn_relu6(GraphBuilder& b, const std::string& p, TensorId x, std::int64_t out_channels,
                       std::int64_t kernel, std::int64_t stride, std::int64_t groups) {
  x = b.conv2d(p + ".0", x,
               {.out_channels = out_channels,
                .kernel = kernel,
                .stride = stride,
                .padding = (kernel - 1) / 2,
                .groups = groups,
                .bias = false});
  x = b.batch_norm(p + ".1", x);
  return b.relu6(p + ".2", x);
}

/// torchvision mobilenet_v2 (width 1.0): features.0 conv 3x3/2 to 32 channels, 17 inverted
/// residual blocks, features.18 conv 1x1 to 1280, global average pool, classifier.1 Linear
/// 1280 -> 1000 (classifier.0, Dropout, left out).
Result<Graph> build_mobilenet_v2(const InputSize& size) {
  GraphBuilder b("mobilenet_v2");
  TensorId x = b.input("x", {size.batch, 3, 224, 224});
  x = conv_bn_relu6(b, "features.0", x, 32, 3, 2, 1);
  struct Stage {
    std::int64_t expand_ratio, channels, repeats, stride;
  };
  constexpr std::array<Stage, 7> kStages = {{{1, 16, 1, 1},
                                             {6, 24, 2, 2},
                                             {6, 32, 3, 2},
                                             {6, 64, 4, 2},
                                             {6, 96, 3, 1},
                                             {6, 160, 3, 2},
                                             {6, 320, 1, 1}}};
  std::int64_t index = 1;
  for (const Stage& stage : kStages) {
    for (std::int64_t i = 0; i < stage.repeats; ++i) {
      const std::string p = indexed("features", index++);
      const std::int64_t in_channels = b.shape(x)[1];
      const std::int64_t stride = i == 0 ? stage.stride : 1;
      const std::int64_t hidden = in_channels * stage.expand_ratio;
      // InvertedResidual.conv: [pointwise expand (if t != 1)], depthwise 3x3, pointwise linear.
      TensorId y = x;
      std::int64_t k = 0;
      if (stage.expand_ratio != 1)
        y = conv_bn_relu6(b, indexed(p + ".conv", k++), y, hidden, 1, 1, 1);
      y = conv_bn_relu6(b, indexed(p + ".conv", k++), y, hidden, 3, stride, hidden);
      y = b.conv2d(indexed(p + ".conv", k++), y,
                   {.out_channels = stage.channels, .kernel = 1, .bias = false});
      y = b.batch_norm(indexed(p + ".conv", k), y);
      x = stride == 1 && in_channels == stage.channels ? b.add(p + ".add", x, y) : y;
    }
  }
  x = conv_bn_relu6(b, "features.18", x, 1280, 1, 1, 1);
  x = b.global_avg_pool("avgpool", x);  // nn.functional.adaptive_avg_pool2d(x, (1, 1))
  x = b.flatten("flatten", x);
  x = b.linear("classifier.1", x, 1000);
  b.output(x);
  return std::move(b).finish();
}

// ---------------------------------------------------------------------------------------------
// Transformers

/// A lower-triangular bool mask [1, 1, T, T]: position i may attend to positions j <= i.
std::vector<std::byte> causal_mask_bytes(std::int64_t t) {
  std::vector<std::byte> out(static_cast<std::size_t>(t * t), std::byte{0});
  for (std::int64_t i = 0; i < t; ++i)
    for (std::int64_t j = 0; j <= i; ++j) out[static_cast<std::size_t>(i * t + j)] = std::byte{1};
  return out;
}

/// 0, 1, ..., t-1 as little-endian int64 (position ids [1, T]).
std::vector<std::byte> arange_bytes(std::int64_t t) {
  std::vector<std::byte> out;
  out.reserve(static_cast<std::size_t>(t * 8));
  for (std::int64_t i = 0; i < t; ++i)
    for (int byte = 0; byte < 8; ++byte)
      out.push_back(static_cast<std::byte>((static_cast<std::uint64_t>(i) >> (8 * byte)) & 0xFFU));
  return out;
}

/// Scaled dot-product attention over q, k, v of [N, T, d] with `heads` heads of d / heads:
/// split heads, scores = Q K^T / sqrt(d / heads), [causal mask], softmax, context = P V, merge
/// heads -> [N, T, d]. The causal mask and the scale are constants of this attention block (as
/// GPT-2's per-block `bias` buffer), so no constant crosses a layer boundary.
TensorId attention(GraphBuilder& b, const std::string& p, TensorId q, TensorId k, TensorId v,
                   std::int64_t heads, bool causal) {
  const Shape s = b.shape(q);
  const std::int64_t n = s[0];
  const std::int64_t t = s[1];
  const std::int64_t d = s[2];
  const std::int64_t dh = d / heads;
  const TensorId qh =
      b.transpose(p + ".query_heads", b.reshape(p + ".query_split", q, {n, t, heads, dh}),
                  {0, 2, 1, 3});  // [N, H, T, dh]
  const TensorId kt =
      b.transpose(p + ".key_heads", b.reshape(p + ".key_split", k, {n, t, heads, dh}),
                  {0, 2, 3, 1});  // [N, H, dh, T]
  const TensorId vh =
      b.transpose(p + ".value_heads", b.reshape(p + ".value_split", v, {n, t, heads, dh}),
                  {0, 2, 1, 3});                      // [N, H, T, dh]
  TensorId scores = b.matmul(p + ".scores", qh, kt);  // [N, H, T, T]
  scores =
      b.div(p + ".scale", scores,
            b.scalar(p + ".scale_factor", static_cast<float>(std::sqrt(static_cast<double>(dh)))));
  if (causal) {
    const TensorId mask =
        b.constant(p + ".causal_mask", {1, 1, t, t}, DType::kBool, causal_mask_bytes(t));
    const TensorId fill = b.scalar(p + ".mask_value", std::numeric_limits<float>::lowest());
    scores = b.where(p + ".apply_causal_mask", mask, scores, fill);
  }
  const TensorId probs = b.softmax(p + ".softmax", scores, -1);
  const TensorId context = b.matmul(p + ".context", probs, vh);  // [N, H, T, dh]
  return b.reshape(p + ".merge_heads", b.transpose(p + ".context_heads", context, {0, 2, 1, 3}),
                   {n, t, d});
}

/// Hugging Face GPT-2 small (GPT2LMHeadModel): vocab 50257, 1024 positions, d 768, 12 pre-LN
/// blocks of 12 heads, MLP 3072 with gelu_new (tanh approximation), final ln_f, LM head tied to
/// wte. Parameters 124,439,808 = wte 50257*768 + wpe 1024*768 + 12 * 7,087,872 + ln_f 1536: the
/// tied LM head reads the same tensor as wte, so it adds nothing, and the per-block causal mask
/// (HF's non-trainable `attn.bias` buffer) is a constant, not a parameter.
/// The same architecture at another size: GPT-2 large is d 1280, 36 blocks of 20 heads
/// (Hugging Face gpt2-large config), 774,030,080 parameters.
Result<Graph> build_gpt2_sized(const InputSize& size, const char* name, std::int64_t width,
                               std::int64_t layers, std::int64_t heads) {
  const std::int64_t kWidth = width;
  const std::int64_t kLayers = layers;
  const std::int64_t kHeads = heads;
  constexpr std::int64_t kVocab = 50257;
  constexpr std::int64_t kPositions = 1024;
  const std::int64_t n = size.batch;
  const std::int64_t t = size.sequence_length;
  GraphBuilder b(name);
  const TensorId ids = b.input("input_ids", {n, t}, DType::kInt64);
  const TensorId wte = b.weight("transformer.wte.weight", {kVocab, kWidth});
  const TensorId tokens = b.embedding_with_weight("transformer.wte", ids, wte);
  const TensorId positions =
      b.constant("transformer.position_ids", {1, t}, DType::kInt64, arange_bytes(t));
  TensorId h = b.add("transformer.add_position_embeddings", tokens,
                     b.embedding("transformer.wpe", positions, kPositions, kWidth));
  for (std::int64_t i = 0; i < kLayers; ++i) {
    const std::string p = indexed("transformer.h", i);
    TensorId a = b.layer_norm(p + ".ln_1", h, 1e-5);
    a = b.linear(p + ".attn.c_attn", a, 3 * kWidth);
    const auto qkv = b.split(p + ".attn.split_qkv", a, -1, {kWidth, kWidth, kWidth});
    a = attention(b, p + ".attn", qkv[0], qkv[1], qkv[2], kHeads, /*causal=*/true);
    a = b.linear(p + ".attn.c_proj", a, kWidth);
    h = b.add(p + ".add", h, a);
    TensorId m = b.layer_norm(p + ".ln_2", h, 1e-5);
    m = b.linear(p + ".mlp.c_fc", m, 4 * kWidth);
    m = b.gelu(p + ".mlp.act", m, "tanh");
    m = b.linear(p + ".mlp.c_proj", m, kWidth);
    h = b.add(p + ".add", h, m);
  }
  h = b.layer_norm("transformer.ln_f", h, 1e-5);
  // lm_head: Linear(768, 50257, bias=False) whose weight is wte's; a Gemm over [N*T, 768].
  h = b.reshape("lm_head.flatten", h, {n * t, kWidth});
  h = b.linear_with_weight("lm_head", h, wte);
  h = b.reshape("lm_head.unflatten", h, {n, t, kVocab});
  b.output(h);
  return std::move(b).finish();
}

Result<Graph> build_gpt2(const InputSize& size) {
  return build_gpt2_sized(size, "gpt2", 768, 12, 12);
}
Result<Graph> build_gpt2_large(const InputSize& size) {
  return build_gpt2_sized(size, "gpt2_large", 1280, 36, 20);
}

/// torchvision vit_b_16: conv_proj 16x16/16 (3 -> 768, with bias), class token, position
/// embedding [1, 197, 768], 12 encoder blocks (ln_1, multi-head self attention with in_proj
/// 768 -> 2304 and out_proj, ln_2, MLP 768 -> 3072 -> 768 with exact GELU), encoder.ln, and
/// heads.head 768 -> 1000 on the class token.
Result<Graph> build_vit_b16(const InputSize& size) {
  constexpr std::int64_t kWidth = 768;
  constexpr std::int64_t kLayers = 12;
  constexpr std::int64_t kHeads = 12;
  constexpr std::int64_t kPatches = std::int64_t{14} * 14;
  const std::int64_t n = size.batch;
  GraphBuilder b("vit_b16");
  TensorId x = b.input("x", {n, 3, 224, 224});
  x = b.conv2d("conv_proj", x, {.out_channels = kWidth, .kernel = 16, .stride = 16});
  x = b.reshape("reshape", x, {n, kWidth, kPatches});
  x = b.transpose("permute", x, {0, 2, 1});  // [N, 196, 768]
  const TensorId class_token = b.weight("class_token", {1, 1, kWidth});
  x = b.concat("cat", {b.expand("class_token_expand", class_token, {n, 1, kWidth}), x}, 1);
  const TensorId pos = b.weight("encoder.pos_embedding", {1, kPatches + 1, kWidth});
  x = b.add("encoder.add_pos_embedding", x, pos);
  for (std::int64_t i = 0; i < kLayers; ++i) {
    const std::string p = "encoder.layers.encoder_layer_" + std::to_string(i);
    TensorId a = b.layer_norm(p + ".ln_1", x, 1e-6);
    a = b.linear(p + ".self_attention.in_proj", a, 3 * kWidth);
    const auto qkv = b.split(p + ".self_attention.split_qkv", a, -1, {kWidth, kWidth, kWidth});
    a = attention(b, p + ".self_attention", qkv[0], qkv[1], qkv[2], kHeads, /*causal=*/false);
    a = b.linear(p + ".self_attention.out_proj", a, kWidth);
    x = b.add(p + ".add", a, x);
    TensorId m = b.layer_norm(p + ".ln_2", x, 1e-6);
    m = b.linear(p + ".mlp.0", m, 4 * kWidth);
    m = b.gelu(p + ".mlp.1", m, "none");
    m = b.linear(p + ".mlp.3", m, kWidth);
    x = b.add(p + ".add", x, m);
  }
  x = b.layer_norm("encoder.ln", x, 1e-6);
  x = b.select("class_token_select", x, 1, 0);  // x[:, 0]
  x = b.linear("heads.head", x, 1000);
  b.output(x);
  return std::move(b).finish();
}

/// Hugging Face bert-base-uncased (BertModel): word (30522), position (512) and token type (2)
/// embeddings summed, embeddings.LayerNorm, 12 post-LN encoder layers (d 768, 12 heads,
/// intermediate 3072, exact GELU, LayerNorm eps 1e-12), pooler dense 768 -> 768 + tanh on the
/// first token. Inputs: input_ids and token_type_ids [N, T]; sequences are unpadded, so HF's
/// additive attention mask is all zeros and is left out. Outputs: last_hidden_state and
/// pooler_output. Parameters 109,482,240 count the trainable tensors only: `position_ids` (and
/// `token_type_ids`) are non-trainable buffers in HF and are a constant (an input) here.
/// The same architecture at another size: bert-large-uncased is d 1024, 24 layers of 16
/// heads, intermediate 4096 (Hugging Face config), 335,141,888 parameters with the pooler.
Result<Graph> build_bert_sized(const InputSize& size, const char* name, std::int64_t width,
                               std::int64_t layers, std::int64_t heads, std::int64_t intermediate) {
  const std::int64_t kWidth = width;
  const std::int64_t kLayers = layers;
  const std::int64_t kHeads = heads;
  const std::int64_t kIntermediate = intermediate;
  constexpr std::int64_t kVocab = 30522;
  constexpr std::int64_t kPositions = 512;
  constexpr std::int64_t kTokenTypes = 2;
  constexpr double kEps = 1e-12;
  const std::int64_t n = size.batch;
  const std::int64_t t = size.sequence_length;
  GraphBuilder b(name);
  const TensorId ids = b.input("input_ids", {n, t}, DType::kInt64);
  const TensorId types = b.input("token_type_ids", {n, t}, DType::kInt64);
  TensorId h = b.embedding("embeddings.word_embeddings", ids, kVocab, kWidth);
  h = b.add("embeddings.add", h,
            b.embedding("embeddings.token_type_embeddings", types, kTokenTypes, kWidth));
  const TensorId positions =
      b.constant("embeddings.position_ids", {1, t}, DType::kInt64, arange_bytes(t));
  h = b.add("embeddings.add", h,
            b.embedding("embeddings.position_embeddings", positions, kPositions, kWidth));
  h = b.layer_norm("embeddings.LayerNorm", h, kEps);
  for (std::int64_t i = 0; i < kLayers; ++i) {
    const std::string p = indexed("encoder.layer", i);
    const TensorId q = b.linear(p + ".attention.self.query", h, kWidth);
    const TensorId k = b.linear(p + ".attention.self.key", h, kWidth);
    const TensorId v = b.linear(p + ".attention.self.value", h, kWidth);
    TensorId a = attention(b, p + ".attention.self", q, k, v, kHeads, /*causal=*/false);
    a = b.linear(p + ".attention.output.dense", a, kWidth);
    a = b.add(p + ".attention.output.add", a, h);
    h = b.layer_norm(p + ".attention.output.LayerNorm", a, kEps);
    TensorId m = b.linear(p + ".intermediate.dense", h, kIntermediate);
    m = b.gelu(p + ".intermediate.intermediate_act_fn", m, "none");
    m = b.linear(p + ".output.dense", m, kWidth);
    m = b.add(p + ".output.add", m, h);
    h = b.layer_norm(p + ".output.LayerNorm", m, kEps);
  }
  b.output(h);
  TensorId pooled = b.select("pooler.first_token", h, 1, 0);  // hidden_states[:, 0]
  pooled = b.linear("pooler.dense", pooled, kWidth);
  pooled = b.tanh("pooler.activation", pooled);
  b.output(pooled);
  return std::move(b).finish();
}

Result<Graph> build_bert_base(const InputSize& size) {
  return build_bert_sized(size, "bert_base", 768, 12, 12, 3072);
}
Result<Graph> build_bert_large(const InputSize& size) {
  return build_bert_sized(size, "bert_large", 1024, 24, 16, 4096);
}

/// torchvision BasicConv2d: convolution without bias, BatchNorm (eps 0.001), ReLU.
TensorId basic_conv(GraphBuilder& b, const std::string& p, TensorId x, std::int64_t out,
                    std::int64_t kernel, std::int64_t stride = 1, std::int64_t padding = 0) {
  x = b.conv2d(
      p + ".conv", x,
      {.out_channels = out, .kernel = kernel, .stride = stride, .padding = padding, .bias = false});
  x = b.batch_norm(p + ".bn", x, 1e-3);
  return b.relu(p + ".relu", x);
}

/// torchvision Inception block: 1x1; 1x1 -> 3x3; 1x1 -> 3x3 (torchvision's "5x5" branch uses a
/// 3x3 kernel); 3x3/1 max pool (ceil mode) -> 1x1; concatenated on channels.
TensorId inception(GraphBuilder& b, const std::string& p, TensorId x,
                   const std::array<std::int64_t, 6>& c) {
  const TensorId b1 = basic_conv(b, p + ".branch1", x, c[0], 1);
  TensorId b2 = basic_conv(b, p + ".branch2.0", x, c[1], 1);
  b2 = basic_conv(b, p + ".branch2.1", b2, c[2], 3, 1, 1);
  TensorId b3 = basic_conv(b, p + ".branch3.0", x, c[3], 1);
  b3 = basic_conv(b, p + ".branch3.1", b3, c[4], 3, 1, 1);
  TensorId b4 =
      b.max_pool(p + ".branch4.0", x, {.kernel = 3, .stride = 1, .padding = 1, .ceil_mode = true});
  b4 = basic_conv(b, p + ".branch4.1", b4, c[5], 1);
  return b.concat(p + ".cat", {b1, b2, b3, b4}, 1);
}

/// torchvision googlenet (aux_logits=False, 224x224): 6,624,904 parameters.
Result<Graph> build_googlenet(const InputSize& size) {
  GraphBuilder b("googlenet");
  TensorId x = b.input("x", {size.batch, 3, 224, 224});
  x = basic_conv(b, "conv1", x, 64, 7, 2, 3);
  x = b.max_pool("maxpool1", x, {.kernel = 3, .stride = 2, .ceil_mode = true});
  x = basic_conv(b, "conv2", x, 64, 1);
  x = basic_conv(b, "conv3", x, 192, 3, 1, 1);
  x = b.max_pool("maxpool2", x, {.kernel = 3, .stride = 2, .ceil_mode = true});
  x = inception(b, "inception3a", x, {64, 96, 128, 16, 32, 32});
  x = inception(b, "inception3b", x, {128, 128, 192, 32, 96, 64});
  x = b.max_pool("maxpool3", x, {.kernel = 3, .stride = 2, .ceil_mode = true});
  x = inception(b, "inception4a", x, {192, 96, 208, 16, 48, 64});
  x = inception(b, "inception4b", x, {160, 112, 224, 24, 64, 64});
  x = inception(b, "inception4c", x, {128, 128, 256, 24, 64, 64});
  x = inception(b, "inception4d", x, {112, 144, 288, 32, 64, 64});
  x = inception(b, "inception4e", x, {256, 160, 320, 32, 128, 128});
  x = b.max_pool("maxpool4", x, {.kernel = 2, .stride = 2, .ceil_mode = true});
  x = inception(b, "inception5a", x, {256, 160, 320, 32, 128, 128});
  x = inception(b, "inception5b", x, {384, 192, 384, 48, 128, 128});
  x = b.global_avg_pool("avgpool", x);
  x = b.flatten("flatten", x);
  x = b.linear("fc", x, 1000);
  b.output(x);
  return std::move(b).finish();
}

/// A 2x2 stride-2 up-convolution (ConvTranspose2d(c_in, c, 2, stride=2)) written as what it
/// computes: the 2x2 output block of each input pixel is a linear map of that pixel, i.e. a
/// 1x1 convolution to 4c channels (no bias), a depth-to-space rearrangement and the bias of
/// [c]. Same parameters and MACs as the transposed convolution.
TensorId up_conv(GraphBuilder& b, const std::string& p, TensorId x, std::int64_t c) {
  const Shape in = b.shape(x);
  const std::int64_t n = in[0];
  const std::int64_t h = in[2];
  const std::int64_t w = in[3];
  x = b.conv2d(p, x, {.out_channels = 4 * c, .kernel = 1, .bias = false});
  x = b.reshape(p + ".split_block", x, {n, c, 2, 2, h, w});
  x = b.transpose(p + ".interleave", x, {0, 1, 4, 2, 5, 3});  // [n, c, h, 2, w, 2]
  x = b.reshape(p + ".merge_block", x, {n, c, 2 * h, 2 * w});
  return b.add(p + ".bias_add", x, b.weight(p + ".bias", {1, c, 1, 1}));
}

/// U-Net (Ronneberger et al., MICCAI 2015) on a 512x512x1 image (SCAR's segmentation model):
/// four levels of two 3x3 convolutions + ReLU (64 ... 1024 channels) with 2x2 max pooling, four
/// 2x2 stride-2 up-convolutions halving the channels (up_conv), each concatenated with the
/// encoder's features and followed by two 3x3 convolutions, and a 1x1 convolution to 2
/// classes: 23 convolutions. The 3x3 convolutions are padded (the output keeps the input's
/// size), so no cropping is needed; 31,030,658 parameters (the same network in PyTorch).
Result<Graph> build_unet(const InputSize& size) {
  GraphBuilder b("unet");
  TensorId x = b.input("x", {size.batch, 1, 512, 512});
  auto twice = [&](const std::string& p, TensorId y, std::int64_t c) {
    y = b.conv2d(p + ".0", y, {.out_channels = c, .kernel = 3, .padding = 1});
    y = b.relu(p + ".1", y);
    y = b.conv2d(p + ".2", y, {.out_channels = c, .kernel = 3, .padding = 1});
    return b.relu(p + ".3", y);
  };
  constexpr std::array<std::int64_t, 5> kChannels = {64, 128, 256, 512, 1024};
  std::vector<TensorId> skips;
  for (std::size_t i = 0; i < kChannels.size(); ++i) {
    x = twice(indexed("down", static_cast<std::int64_t>(i)), x, kChannels[i]);
    if (i + 1 < kChannels.size()) {
      skips.push_back(x);
      x = b.max_pool(indexed("pool", static_cast<std::int64_t>(i)), x, {.kernel = 2, .stride = 2});
    }
  }
  for (std::size_t i = kChannels.size() - 1; i-- > 0;) {
    const std::string p = indexed("up", static_cast<std::int64_t>(i));
    x = up_conv(b, p + ".upconv", x, kChannels[i]);
    x = b.concat(p + ".cat", {skips[i], x}, 1);
    x = twice(p + ".conv", x, kChannels[i]);
  }
  x = b.conv2d("out", x, {.out_channels = 2, .kernel = 1});
  b.output(x);
  return std::move(b).finish();
}

// ---------------------------------------------------------------------------------------------

constexpr std::array<ModelSpec, 17> kModels = {{
    {"vgg8", "VGG8 for CIFAR-10 (32x32) as in DNN+NeuroSim V1.4: 6 conv + 2 FC, no biases",
     build_vgg8, 0, 0},
    {"vgg16", "torchvision VGG-16 (224x224): 13 conv + 3 FC, 138.4M parameters", build_vgg16, 0, 0},
    {"resnet18", "torchvision ResNet-18 (224x224): basic blocks, 11.7M parameters", build_resnet18,
     0, 0},
    {"resnet50", "torchvision ResNet-50 v1.5 (224x224): bottlenecks, 25.6M parameters",
     build_resnet50, 0, 0},
    {"resnet152", "torchvision ResNet-152 v1.5 (224x224): bottlenecks, 60.2M parameters",
     build_resnet152, 0, 0},
    {"resnet20",
     "ResNet-20 for CIFAR-10 (32x32) as in ODiMO: 3 stages x 3 basic blocks, 0.27M parameters",
     build_resnet20, 0, 0},
    {"mbv1_conv",
     "ODiMO's MobileNetV1-like net for Darkside (224x224): 8 searchable blocks as 3x3 convs",
     build_mbv1_conv, 0, 0},
    {"mbv1_conv_cifar",
     "ODiMO's MobileNetV1-like net for Darkside, CIFAR-100 (32x32, stride-1 stem), 3x3 convs",
     build_mbv1_conv_cifar, 0, 0},
    {"mbv1_dws", "MobileNetV1 1.0 (224x224) as ODiMO builds it: depthwise-separable blocks",
     build_mbv1_dws, 0, 0},
    {"mobilenet_v2",
     "torchvision MobileNetV2 (224x224, width 1.0): inverted residuals, ReLU6, 3.5M parameters",
     build_mobilenet_v2, 0, 0},
    {"googlenet", "torchvision GoogLeNet (224x224, no auxiliary heads): 6.6M parameters",
     build_googlenet, 0, 0},
    {"unet",
     "U-Net (Ronneberger et al. 2015), 512x512x1, padded 3x3 convolutions, 2 classes: 31.0M "
     "parameters",
     build_unet, 0, 0},
    {"vit_b16", "torchvision ViT-B/16 (224x224): 12 encoder blocks, d 768, 86.6M parameters",
     build_vit_b16, 0, 0},
    {"gpt2",
     "Hugging Face GPT-2 small with tied LM head: 12 layers, d 768, 124.4M parameters; "
     "sequence length 1..1024, default 128",
     build_gpt2, 128, 1024},
    {"bert_base",
     "Hugging Face bert-base-uncased with pooler: 12 layers, d 768, 109.5M parameters; "
     "sequence length 1..512, default 128",
     build_bert_base, 128, 512},
    {"gpt2_large",
     "Hugging Face GPT-2 large with tied LM head: 36 layers, d 1280, 774.0M parameters; "
     "sequence length 1..1024, default 128",
     build_gpt2_large, 128, 1024},
    {"bert_large",
     "Hugging Face bert-large-uncased with pooler: 24 layers, d 1024, 335.1M parameters; "
     "sequence length 1..512, default 128",
     build_bert_large, 128, 512},
}};

}  // namespace

const std::vector<ZooEntry>& zoo_models() {
  // Immutable after its thread-safe initialisation; built from the constant table above.
  static const std::vector<ZooEntry> entries = [] {
    std::vector<ZooEntry> out;
    for (const ModelSpec& m : kModels)
      out.push_back(ZooEntry{std::string(m.name), std::string(m.description)});
    return out;
  }();
  return entries;
}

Result<Graph> build_zoo_model(std::string_view name, const ZooOptions& options) {
  std::vector<Diagnostic> problems;
  const ModelSpec* spec = nullptr;
  for (const ModelSpec& m : kModels)
    if (m.name == name) spec = &m;
  if (spec == nullptr) {
    std::string known;
    for (const ModelSpec& m : kModels) known += (known.empty() ? "" : ", ") + std::string(m.name);
    problems.push_back(
        problem("model", "unknown model '" + std::string(name) + "'; known models: " + known));
  }
  if (options.batch < 1 || options.batch > kZooMaxBatch) {
    problems.push_back(problem("batch", "batch " + std::to_string(options.batch) +
                                            " is outside 1.." + std::to_string(kZooMaxBatch)));
  }
  InputSize size{.batch = options.batch, .sequence_length = 0};
  if (spec != nullptr) {
    if (spec->default_sequence_length == 0 && options.sequence_length != 0) {
      problems.push_back(
          problem("sequence_length",
                  "model '" + std::string(spec->name) +
                      "' has a fixed input size; sequence_length must be 0 (default), got " +
                      std::to_string(options.sequence_length)));
    } else if (spec->default_sequence_length != 0) {
      size.sequence_length =
          options.sequence_length == 0 ? spec->default_sequence_length : options.sequence_length;
      if (size.sequence_length < 1 || size.sequence_length > spec->max_sequence_length) {
        problems.push_back(problem(
            "sequence_length", "sequence_length " + std::to_string(options.sequence_length) +
                                   " is outside 1.." + std::to_string(spec->max_sequence_length) +
                                   " for model '" + std::string(spec->name) + "' (0 = default " +
                                   std::to_string(spec->default_sequence_length) + ")"));
      }
    }
  }
  if (!problems.empty()) return problems;
  return spec->build(size);
}

}  // namespace tessera::graph
