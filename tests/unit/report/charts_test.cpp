// The hand-written SVG charts.
#include <gtest/gtest.h>

#include <string>

#include "tessera/report/charts.hpp"
#include "tessera/report/svg_writer.hpp"

namespace tessera::report {
namespace {

cost::CostTable two_devices() {
  cost::CostTable t;
  t.platform_name = "p";
  t.num_devices = 2;
  t.device_names = {"a", "b"};
  return t;
}

TEST(Svg, EscapesLabelsAndWritesAViewBox) {
  SvgWriter svg(100, 50);
  svg.text(1, 2, "a < b & \"c\"");
  const auto out = svg.render();
  EXPECT_NE(out.find("viewBox=\"0 0 100 50\""), std::string::npos);
  EXPECT_NE(out.find("a &lt; b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_EQ(out.find("a < b"), std::string::npos);
}

TEST(Svg, GanttDrawsOneBarPerEventOfTheShownInferences) {
  cost::CostTable t = two_devices();
  sim::SimulationResult r;
  r.inferences = 3;
  r.topology = "full_mesh";
  r.devices.resize(1);
  for (std::int64_t k = 0; k < 3; ++k) {
    const double s = 0.01 * static_cast<double>(k);
    r.events.push_back({sim::EventKind::kTransfer, 0, k, 2, 0, s, s + 0.002, 100.0});
    r.events.push_back({sim::EventKind::kCompute, 0, k, 0, 0, s + 0.002, s + 0.01, 0.0});
    r.events.push_back({sim::EventKind::kTransfer, -1, k, 0, 2, s + 0.01, s + 0.011, 10.0});
  }
  const auto svg = gantt_svg(t, r, 2);
  std::size_t bars = 0;
  for (auto p = svg.find("of inference "); p != std::string::npos;
       p = svg.find("of inference ", p + 1))
    ++bars;
  EXPECT_EQ(bars, 6U);  // 3 events × the first 2 inferences
  EXPECT_NE(svg.find("simulated time (ms)"), std::string::npos);
  EXPECT_NE(svg.find("a compute"), std::string::npos);
}

}  // namespace
}  // namespace tessera::report
