#include "tessera/core/result.hpp"

#include <gtest/gtest.h>

#include "tessera/core/ids.hpp"
#include "tessera/core/units.hpp"

namespace tessera {
namespace {

TEST(Diagnostic, FormatsFileLineFieldAndMessage) {
  const Diagnostic d{"p.yaml", 12, 3, "devices[1].memory_gib", "must be positive"};
  EXPECT_EQ(d.to_string(), "p.yaml:12:3: devices[1].memory_gib: must be positive");
}

TEST(Diagnostic, LeavesOutUnknownParts) {
  EXPECT_EQ((Diagnostic{"", 0, 0, "", "boom"}).to_string(), "boom");
  EXPECT_EQ((Diagnostic{"f", 0, 0, "x", "bad"}).to_string(), "f: x: bad");
}

TEST(Result, HoldsValueOrEveryDiagnostic) {
  Result<int> good(7);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 7);
  Result<int> bad(std::vector<Diagnostic>{{"a", 1, 0, "x", "one"}, {"a", 2, 0, "y", "two"}});
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.diagnostics().size(), 2u);
  EXPECT_EQ(bad.error_text(), "a:1: x: one\na:2: y: two");
}

TEST(Units, CombineOnlyThroughPhysicalRelations) {
  // 2 MB over 1 MB/s = 2 s; 5 W for 2 s = 10 J.
  const Seconds t = Bytes(2e6) / BytesPerSecond(1e6);
  EXPECT_DOUBLE_EQ(t.value(), 2.0);
  EXPECT_DOUBLE_EQ((Watts(5.0) * t).value(), 10.0);
  EXPECT_DOUBLE_EQ((Flops(4e9) / FlopsPerSecond(2e9)).value(), 2.0);
  EXPECT_DOUBLE_EQ((JoulesPerByte(1e-9) * Bytes(1e9)).value(), 1.0);
  EXPECT_LT(Seconds(1.0), Seconds(2.0));
}

TEST(StrongId, DefaultIsInvalidAndIdsCompare) {
  EXPECT_FALSE(DeviceId().valid());
  EXPECT_TRUE(DeviceId(0).valid());
  EXPECT_LT(LayerId(1), LayerId(2));
  EXPECT_EQ(DeviceClassId(3).index(), 3u);
}

}  // namespace
}  // namespace tessera
