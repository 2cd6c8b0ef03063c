// tessera.measurement/1: what rank 0 writes and `tessera run --plan` reads back.
#include "tessera/pipeline/measurement_file.hpp"

#include <gtest/gtest.h>

namespace tessera::pipeline {
namespace {

TEST(MeasurementFile, RoundTripsAndSummarisesTheTiming) {
  MeasuredRun run;
  run.hosts = {"h0", "h1"};
  auto& r = run.result;
  r.inferences = 3;
  r.arrival_s = {0.0, 0.1, 0.2};
  r.completion_s = {0.5, 0.7, 0.9};
  r.devices.push_back({4, "cpu-a", 0.6, 0.0, 0.0, 0.0, 0.0});
  r.queues.push_back({0, 2, 2, 1.5, 2, 0.25, 1});
  r.events.push_back({sim::EventKind::kCompute, 0, 2, 4, 4, 0.3, 0.5, 0.0});
  r.events.push_back({sim::EventKind::kTransfer, -1, 2, 4, 9, 0.5, 0.6, 1024.0});
  auto back = parse_measurement_json(measurement_json(run), "m.json");
  ASSERT_TRUE(back.ok()) << back.error_text();
  EXPECT_EQ(back->hosts, run.hosts);
  EXPECT_EQ(back->result.completion_s, r.completion_s);
  // Period: completions 0.5, 0.7, 0.9; second half from index min(1, 1) = 1: (0.9 - 0.7) / 1.
  EXPECT_NEAR(back->result.period_s, 0.2, 1e-12);
  EXPECT_NEAR(back->result.latency_max_s, 0.7, 1e-12);
  ASSERT_EQ(back->result.devices.size(), 1u);
  EXPECT_EQ(back->result.devices[0].name, "cpu-a");
  EXPECT_NEAR(back->result.devices[0].utilisation, 0.6 / 0.9, 1e-12);
  EXPECT_EQ(back->result.queues[0].input_max, 2);
  ASSERT_EQ(back->result.events.size(), 2u);
  EXPECT_EQ(back->result.events[1].kind, sim::EventKind::kTransfer);
  EXPECT_EQ(back->result.events[1].bytes, 1024.0);
}

TEST(MeasurementFile, RejectsOtherDocumentsNamingTheFile) {
  auto bad = parse_measurement_json(R"({"format": "tessera.plan/1"})", "x.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.diagnostics()[0].file, "x.json");
  EXPECT_FALSE(parse_measurement_json("{", "x.json").ok());
  EXPECT_FALSE(parse_measurement_json(
                   R"({"format": "tessera.measurement/1", "inferences": "many"})", "x.json")
                   .ok());
}

}  // namespace
}  // namespace tessera::pipeline
