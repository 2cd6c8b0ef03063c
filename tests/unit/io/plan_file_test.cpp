// Reading tessera.plan/1 back (plan_file).
#include "tessera/io/plan_file.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tessera::io {
namespace {

constexpr const char* kPlan = R"({
  "format": "tessera.plan/1",
  "inputs": {"model": "vgg8", "platform": "donna-cim", "batch": 4, "sequence_length": 0,
             "pipeedge": [], "input_buffers": 3, "output_buffers": 1},
  "options": {"overlap": false, "include_source_sink": true},
  "stages": [{"device": "a", "first_layer": 0, "last_layer": 2},
             {"device": "b", "first_layer": 3, "last_layer": 7}]
})";

cost::CostTable two_devices() {
  cost::CostTable t;
  t.platform_name = "p";
  t.num_devices = 2;
  t.device_names = {"a", "b"};
  t.num_layers = 8;  // the stages cover layers 0-7
  return t;
}

TEST(PlanFile, ReadsInputsOptionsAndStages) {
  auto f = parse_plan_json(kPlan, "plan.json");
  ASSERT_TRUE(f.ok()) << f.error_text();
  EXPECT_EQ(f->inputs.model, "vgg8");
  EXPECT_EQ(f->inputs.platform, "donna-cim");
  EXPECT_EQ(f->inputs.batch, 4);
  EXPECT_EQ(f->inputs.input_buffers, 3.0);
  EXPECT_EQ(f->inputs.output_buffers, 1.0);
  EXPECT_FALSE(f->overlap);
  ASSERT_EQ(f->stages.size(), 2U);
  EXPECT_EQ(f->stages[1].device, "b");
  EXPECT_EQ(f->stages[1].first_layer, 3);
  EXPECT_EQ(f->stages[1].last_layer, 7);
  auto stages = resolve_stages(f.value(), two_devices());
  ASSERT_TRUE(stages.ok());
  EXPECT_EQ((*stages)[1].device, DeviceId(1));
}

TEST(PlanFile, ListsEveryProblem) {
  auto f = parse_plan_json(
      R"({"format": "tessera.pareto/1", "stages": [{"first_layer": "x", "last_layer": 1}]})",
      "p.json");
  ASSERT_FALSE(f.ok());
  const auto text = f.error_text();
  EXPECT_NE(text.find("format"), std::string::npos) << text;
  EXPECT_NE(text.find("inputs"), std::string::npos) << text;
  EXPECT_NE(text.find("stages[0].device"), std::string::npos) << text;
  EXPECT_NE(text.find("stages[0].first_layer"), std::string::npos) << text;
  EXPECT_EQ(f.diagnostics().size(), 4U) << text;
  auto broken = parse_plan_json("{\n  \"format\": ", "b.json");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.diagnostics()[0].line, 2);
}

TEST(PlanFile, NamesUnknownDevices) {
  auto f = parse_plan_json(kPlan, "plan.json");
  ASSERT_TRUE(f.ok());
  auto t = two_devices();
  t.device_names = {"a", "c"};
  auto stages = resolve_stages(f.value(), t);
  ASSERT_FALSE(stages.ok());
  EXPECT_NE(stages.error_text().find("'b'"), std::string::npos);
}

}  // namespace
}  // namespace tessera::io
