// Hand-computed cut sizes of torchvision's resnet50 at batch 1, float32 (4 bytes per element).
#include <gtest/gtest.h>

#include "tessera/graph/passes.hpp"
#include "tessera/graph/zoo.hpp"

namespace tessera::graph {
namespace {

class ResNet50Cuts : public ::testing::Test {
 protected:
  void SetUp() override {
    auto g = build_zoo_model("resnet50");
    ASSERT_TRUE(g.ok()) << g.error_text();
    graph_ = std::move(g).value();
    auto c = build_layer_chain(graph_);
    ASSERT_TRUE(c.ok()) << c.error_text();
    chain_ = std::move(c).value();
  }
  /// Index of the layer whose anchor operator has this torchvision name.
  std::size_t layer(const std::string& name) const {
    for (const auto& l : chain_.layers)
      if (l.name == name) return static_cast<std::size_t>(l.id.value());
    ADD_FAILURE() << "no layer " << name;
    return 0;
  }
  Graph graph_;
  LayerChain chain_;
};

// 64 x 56 x 56 x 4 B = 802,816 B; 256 x 56 x 56 x 4 B = 3,211,264 B.
constexpr std::int64_t k64x56 = 64LL * 56 * 56 * 4;
constexpr std::int64_t k256x56 = 256LL * 56 * 56 * 4;

TEST_F(ResNet50Cuts, HasOneLayerPerConvolutionAndTheClassifier) {
  // 53 convolutions (1 stem + 16 blocks x 3 + 4 downsample) + fc = 54 layers.
  EXPECT_EQ(chain_.size(), 54);
  // The input: 3 x 224 x 224 x 4 B = 602,112 B; the output: 1000 logits x 4 B = 4,000 B.
  EXPECT_EQ(chain_.cut_bytes.front(), 602112);
  EXPECT_EQ(chain_.cut_bytes.back(), 4000);
}

TEST_F(ResNet50Cuts, StemOutputIsThePooledMap) {
  // conv1 + bn1 + relu + maxpool fuse: the cut after the stem is 64 x 56 x 56 x 4 B.
  EXPECT_EQ(chain_.cut_bytes[layer("layer1.0.conv1")], k64x56);
}

TEST_F(ResNet50Cuts, CutInsideTheFirstBottleneckCarriesTheBlockInputToo) {
  // Before layer1.0.conv2: conv1's output (64 x 56 x 56) + the block input kept for the
  // downsample branch (64 x 56 x 56) = 2 x 802,816 = 1,605,632 B.
  EXPECT_EQ(chain_.cut_bytes[layer("layer1.0.conv2")], 2 * k64x56);
  // Before layer1.0.conv3: conv2's output (64 x 56 x 56) + the block input = 1,605,632 B.
  EXPECT_EQ(chain_.cut_bytes[layer("layer1.0.conv3")], 2 * k64x56);
}

TEST_F(ResNet50Cuts, CutInsideAnIdentityBottleneckCarriesTheSkipTensor) {
  // Before layer1.1.conv2: conv1's output (64 x 56 x 56 = 802,816 B) + the identity skip
  // (256 x 56 x 56 = 3,211,264 B) = 4,014,080 B.
  EXPECT_EQ(chain_.cut_bytes[layer("layer1.1.conv2")], k64x56 + k256x56);
}

TEST_F(ResNet50Cuts, CutAtABlockBoundaryCarriesOnlyTheBlockOutput) {
  // Between layer1.0 and layer1.1 only the block output (256 x 56 x 56) crosses.
  EXPECT_EQ(chain_.cut_bytes[layer("layer1.1.conv1")], k256x56);
  // Between layer3 and layer4: 1024 x 14 x 14 x 4 B = 802,816 B.
  EXPECT_EQ(chain_.cut_bytes[layer("layer4.0.conv1")], 1024LL * 14 * 14 * 4);
}

TEST_F(ResNet50Cuts, LayerTotalsAddUpToTheModel) {
  std::int64_t macs = 0;
  std::int64_t parameters = 0;
  for (const auto& l : chain_.layers) {
    macs += l.macs;
    parameters += l.parameters;
  }
  EXPECT_EQ(macs, graph_.total_macs());
  EXPECT_EQ(parameters, graph_.parameter_count());
}

}  // namespace
}  // namespace tessera::graph
