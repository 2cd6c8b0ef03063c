// One problem from its inputs: model -> layer chain -> platform -> cost table (problem::assemble).
#include "tessera/problem/problem.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/cli_runner.hpp"
#include "tessera/io/problem_json.hpp"

namespace tessera::problem {
namespace {

io::ProblemInputs zoo_on(const std::string& model, const std::string& platform) {
  io::ProblemInputs in;
  in.model = model;
  in.platform = platform;
  return in;
}

TEST(Assemble, BuildsTheChainPlatformAndTableOfAZooModel) {
  auto p = assemble(zoo_on("vgg8", "donna-hetero"));
  ASSERT_TRUE(p.ok()) << p.error_text();
  ASSERT_TRUE(p->graph && p->chain && p->platform);
  EXPECT_EQ(p->inputs.batch, 1) << "the default batch is resolved";
  EXPECT_EQ(p->table.num_layers, p->chain->size());
  EXPECT_EQ(p->table.num_devices, p->platform->device_count());
  EXPECT_EQ(p->table.model_name, "vgg8");
  EXPECT_EQ(p->topology(), hw::Topology::kFullMesh);
  EXPECT_FALSE(p->pipeedge);
  // The CIM chips count tiles, the others bytes.
  EXPECT_EQ(p->table.unit(0), "bytes");
  EXPECT_EQ(p->table.unit(4), "tiles");
}

TEST(Assemble, ReportsEveryProblemOfTheModelAndThePlatformAtOnce) {
  auto p = assemble(zoo_on("vgg9", "no-such-preset"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.diagnostics().size(), 2U) << p.error_text();
  EXPECT_NE(p.error_text().find("vgg9"), std::string::npos) << p.error_text();
  EXPECT_NE(p.error_text().find("no-such-preset"), std::string::npos) << p.error_text();

  auto no_platform = assemble(zoo_on("vgg8", ""));
  ASSERT_FALSE(no_platform.ok());
  EXPECT_EQ(no_platform.diagnostics()[0].field, "--platform");
  auto no_model = assemble(io::ProblemInputs{});
  ASSERT_FALSE(no_model.ok());
  EXPECT_EQ(no_model.diagnostics()[0].field, "MODEL");
}

TEST(Assemble, AProblemFileGivesTheTableItWasSavedFrom) {
  auto built = assemble(zoo_on("resnet18", "cluster-hetero"));
  ASSERT_TRUE(built.ok()) << built.error_text();
  const testing::TempDir tmp;
  const std::string file = tmp.path() + "/r18.problem.json";
  testing::write_file(file, io::problem_json(built->table));
  io::ProblemInputs in;
  in.model = file;
  auto again = assemble(in);
  ASSERT_TRUE(again.ok()) << again.error_text();
  EXPECT_FALSE(again->graph.has_value());
  EXPECT_EQ(again->table.time_s, built->table.time_s);
  EXPECT_EQ(again->table.capacity, built->table.capacity);
  EXPECT_EQ(again->inputs.batch, 1);
}

TEST(Assemble, AppliesNeuroSimReportsAndNamesBadOnes) {
  const std::string report =
      std::string(TESSERA_TEST_DATA_DIR) + "/neurosim/vgg8_sram22_adc5_rp128.txt";
  auto in = zoo_on("vgg8", "cim-sram-22nm");
  in.neurosim = {"neurosim-sram=" + report};
  auto p = assemble(in);
  ASSERT_TRUE(p.ok()) << p.error_text();
  // NeuroSim's "layer1's readLatency is: 132974ns" replaces the model's number.
  EXPECT_NEAR(p->table.time_s[p->table.at(0, 0)], 132974e-9, 1e-12);

  in.neurosim = {"neurosim-sram"};
  auto bad = assemble(in);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.diagnostics()[0].field, "--neurosim");
}

}  // namespace
}  // namespace tessera::problem
