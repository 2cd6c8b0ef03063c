#pragma once
/// The built-in model zoo: reference architectures built in code, shape-only (weights have no
/// data), so that planners can be run on well-known models without any model file.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/graph/graph.hpp"

namespace tessera::graph {

/// Input size of a zoo model. Batch scales activations and work, never weights.
struct ZooOptions {
  std::int64_t batch = 1;            ///< 1 .. kZooMaxBatch
  std::int64_t sequence_length = 0;  ///< tokens, for language models; 0 = the model's default
};

/// Largest batch a zoo model accepts: keeps every element and MAC count far below 2^63.
inline constexpr std::int64_t kZooMaxBatch = 65536;

/// One model of the zoo, as `tessera models` lists it.
struct ZooEntry {
  std::string name;
  std::string description;
};

/// The models `build_zoo_model` knows, in a stable order (CNNs first, then transformers).
[[nodiscard]] const std::vector<ZooEntry>& zoo_models();

/// Builds a zoo model by name. Every architecture follows its reference implementation exactly
/// (layer shapes, biases, normalisation), so parameter counts equal the reference ones:
/// - vgg8: the CIFAR-10 VGG8 of DNN+NeuroSim V1.4, 32x32x3 input, no biases, no BatchNorm;
/// - vgg16, resnet18, resnet50, resnet152, mobilenet_v2, vit_b16: torchvision, 224x224x3 input;
/// - resnet20 (CIFAR-10, 32x32x3) and mbv1_conv, mbv1_conv_cifar (CIFAR-100, 32x32x3), mbv1_dws:
///   the networks of ODiMO (eml-eda/odimo-journal) for DIANA and Darkside;
/// - gpt2: Hugging Face GPT-2 small with its LM head tied to the token embedding (default 128
///   tokens, at most 1024);
/// - bert_base: Hugging Face bert-base-uncased with its pooler (default 128 tokens, at most 512).
/// Dropout is left out (the identity at inference). Failures: an unknown name (field "model",
/// listing the known names), a batch outside 1..kZooMaxBatch (field "batch"), a sequence length
/// outside the model's range or given for a model with a fixed input size (field
/// "sequence_length"); every problem is reported.
[[nodiscard]] Result<Graph> build_zoo_model(std::string_view name, const ZooOptions& options = {});

}  // namespace tessera::graph
