// The SoC kind's parameter checks: each problem once, naming the field and the unit.
#include <gtest/gtest.h>

#include <string>

#include "tessera/cost/kind_registry.hpp"

namespace tessera::cost {
namespace {

hw::ParamRecord unit(const char* name, const char* form) {
  return hw::ParamRecord{{"name", name}, {"form", form}, {"conv", 1}, {"active_power_mw", 10.0}};
}

std::string problems(const hw::ParamRecord& params) {
  const DeviceKind* kind = KindRegistry::builtin().find("soc");
  EXPECT_NE(kind, nullptr);
  auto r = kind->validate(params);
  return r.ok() ? std::string() : r.error_text();
}

TEST(SocParams, AcceptsAValidTwoUnitSoc) {
  hw::ParamRecord u1 = unit("cores", "mac_array");
  u1["macs_per_cycle"] = 15.5;
  hw::ParamRecord p{{"clock_mhz", 100.0},
                    {"units", hw::ParamValue::Records{u1, unit("dig", "diana_digital")}}};
  EXPECT_EQ(problems(p), "");
}

TEST(SocParams, NamesTheUnitWithZeroThroughput) {
  hw::ParamRecord u1 = unit("cores", "mac_array");  // macs_per_cycle left at 0
  hw::ParamRecord u2 = unit("dig", "diana_digital");
  u2["pe_channels"] = 0.0;
  hw::ParamRecord p{{"clock_mhz", 100.0}, {"units", hw::ParamValue::Records{u1, u2}}};
  const std::string text = problems(p);
  EXPECT_NE(text.find("params.units[0].macs_per_cycle"), std::string::npos) << text;
  EXPECT_NE(text.find("unit 'cores' has zero throughput"), std::string::npos) << text;
  EXPECT_NE(text.find("params.units[1].pe_channels"), std::string::npos) << text;
  EXPECT_NE(text.find("unit 'dig' has zero throughput"), std::string::npos) << text;
}

TEST(SocParams, RejectsLevelsWithoutTwoUnitsAndTooManyUnits) {
  hw::ParamRecord u = unit("a", "pulp_cluster");
  hw::ParamRecord p{
      {"clock_mhz", 100.0}, {"power_form", "levels"}, {"units", hw::ParamValue::Records{u}}};
  std::string text = problems(p);
  EXPECT_NE(text.find("needs exactly 2 units"), std::string::npos) << text;
  EXPECT_NE(text.find("both_busy_power_mw"), std::string::npos) << text;
  hw::ParamRecord q{
      {"clock_mhz", 100.0},
      {"units", hw::ParamValue::Records{unit("a", "pulp_cluster"), unit("b", "pulp_cluster"),
                                        unit("c", "pulp_cluster"), unit("d", "pulp_cluster")}}};
  text = problems(q);
  EXPECT_NE(text.find("at most 3 units"), std::string::npos) << text;
}

TEST(SocParams, RejectsAUnitThatRunsNothingAndBadForms) {
  hw::ParamRecord idle{{"name", "idle"}, {"form", "pulp_cluster"}, {"active_power_mw", 1.0}};
  hw::ParamRecord analog = unit("ana", "diana_analog");
  analog["depthwise"] = 1;
  hw::ParamRecord typo = unit("x", "pulp_clustr");
  hw::ParamRecord p{{"clock_mhz", 100.0},
                    {"low_precision_budget", 1.5},
                    {"units", hw::ParamValue::Records{idle, analog}}};
  std::string text = problems(p);
  EXPECT_NE(text.find("unit 'idle' runs no layer kind"), std::string::npos) << text;
  EXPECT_NE(text.find("unit 'ana': form diana_analog has no depthwise cost"), std::string::npos)
      << text;
  EXPECT_NE(text.find("params.low_precision_budget"), std::string::npos) << text;
  hw::ParamRecord q{{"clock_mhz", 100.0}, {"units", hw::ParamValue::Records{typo}}};
  text = problems(q);
  EXPECT_NE(text.find("params.units[0].form"), std::string::npos) << text;
}

}  // namespace
}  // namespace tessera::cost
