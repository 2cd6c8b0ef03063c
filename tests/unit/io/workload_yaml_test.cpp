// The tessera.workload/1 reader: values, defaults, and every problem with its line and field.
#include "tessera/io/workload_yaml.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tessera::io {
namespace {

TEST(WorkloadYaml, ReadsModelsWithDefaultsAndResolvesOnnxPathsBesideTheFile) {
  const auto w = parse_workload_yaml(R"(format: tessera.workload/1
name: pair
models:
  - model: gpt2_large
    batch: 8
    seq_len: 128
    weight: 2
    deadline_s: 0.5
  - model: nets/unet.onnx
    batch: 1
)",
                                     "/data/w.yaml");
  ASSERT_TRUE(w.ok()) << w.error_text();
  EXPECT_EQ(w->name, "pair");
  ASSERT_EQ(w->models.size(), 2u);
  EXPECT_EQ(w->models[0].model, "gpt2_large");
  EXPECT_EQ(w->models[0].batch, 8);
  EXPECT_EQ(w->models[0].sequence_length, 128);
  EXPECT_EQ(w->models[0].weight, 2.0);
  EXPECT_EQ(w->models[0].deadline_s, 0.5);
  EXPECT_EQ(w->models[0].line, 4);
  EXPECT_EQ(w->models[1].model, "/data/nets/unet.onnx");
  EXPECT_EQ(w->models[1].sequence_length, 0);
  EXPECT_EQ(w->models[1].weight, 1.0);
  EXPECT_TRUE(std::isinf(w->models[1].deadline_s));
  EXPECT_EQ(w->models[1].field, "models[1]");
}

TEST(WorkloadYaml, ReportsEveryProblemWithItsLineAndField) {
  const auto w = parse_workload_yaml(R"(format: tessera.workload/1
models:
  - model: resnet50
    batch: 0
  - batch: 2.5
    weigth: 1
  - model: bert_large
    batch: 1
    deadline_s: -1
)",
                                     "w.yaml");
  ASSERT_FALSE(w.ok());
  const std::string text = w.error_text();
  EXPECT_NE(
      text.find("w.yaml:4:12: models[0].batch: must be a whole number from 1 to 65536, got 0"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("models[1].model: missing required key"), std::string::npos) << text;
  EXPECT_NE(text.find("w.yaml:5:12: models[1].batch: expected a whole number"), std::string::npos)
      << text;
  EXPECT_NE(text.find("models[1].weigth: unknown key 'weigth'; did you mean 'weight'?"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("w.yaml:9:17: models[2].deadline_s: must be > 0"), std::string::npos) << text;
}

TEST(WorkloadYaml, RejectsAnotherFormatAndAnEmptyModelList) {
  auto w = parse_workload_yaml("format: tessera.platform/1\nmodels: []\n", "w.yaml");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error_text().find("unsupported format"), std::string::npos);
  w = parse_workload_yaml("format: tessera.workload/1\nmodels: []\n", "w.yaml");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error_text().find("non-empty list"), std::string::npos);
  w = parse_workload_yaml("format: tessera.workload/1\nmodels: [\n", "w.yaml");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error_text().find("YAML syntax error"), std::string::npos);
}

TEST(WorkloadYaml, BatchSequenceLengthAndModelCountAreLimited) {
  // A batch of 10^9 was accepted (up to 1e9) and scheduled as a 47-million-second workload;
  // the limits are those of --batch and --seq-len.
  const auto w = parse_workload_yaml(R"(format: tessera.workload/1
models:
  - model: vgg8
    batch: 1000000000
  - model: gpt2
    batch: 1
    seq_len: 2000000
)",
                                     "w.yaml");
  ASSERT_FALSE(w.ok());
  const std::string text = w.error_text();
  EXPECT_NE(text.find("w.yaml:4:12: models[0].batch: must be a whole number from 1 to 65536, got "
                      "1000000000"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("w.yaml:7:14: models[1].seq_len: must be a whole number from 1 to 1048576, "
                      "got 2000000"),
            std::string::npos)
      << text;
  std::string many = "format: tessera.workload/1\nmodels:\n";
  for (std::size_t i = 0; i <= kMaxWorkloadModels; ++i) many += "  - {model: vgg8, batch: 1}\n";
  const auto m = parse_workload_yaml(many, "w.yaml");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error_text(), "w.yaml:3:3: models: at most 1024 models are supported, got 1025");
}

}  // namespace
}  // namespace tessera::io
