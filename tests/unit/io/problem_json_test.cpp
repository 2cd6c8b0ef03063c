#include "tessera/io/problem_json.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tessera::io {
namespace {

constexpr const char* kTwoLayersTwoDevices = R"({
  "format": "tessera.problem/1",
  "name": "tiny",
  "layers": ["a", "b"],
  "cut_bytes": [100, 200, 50],
  "devices": [
    {"name": "cpu", "class": "cpu", "capacity_bytes": 1000, "static_power_w": 2,
     "layer_time_s": [0.1, 0.2], "layer_energy_j": [1, 2], "layer_memory_bytes": [10, 20]},
    {"name": "acc", "kind": "cim", "activation_buffer_scale": 0, "layer_time_s": [0.05, null]}
  ],
  "links": {"latency_s": 0.001, "bandwidth_bytes_per_s": 1000,
            "energy_j_per_byte": [[0, 1, 2], [3, 0, 4], [5, 6, 0]]}
})";

TEST(ProblemJson, ParsesEveryField) {
  auto t = parse_problem_json(kTwoLayersTwoDevices, "tiny.problem.json");
  ASSERT_TRUE(t.ok()) << t.error_text();
  EXPECT_EQ(t->num_layers, 2);
  EXPECT_EQ(t->num_devices, 2);
  EXPECT_EQ(t->class_names, (std::vector<std::string>{"cpu", "acc"}));
  EXPECT_DOUBLE_EQ(t->time_s[t->at(0, 1)], 0.2);
  EXPECT_TRUE(std::isinf(t->time_s[t->at(1, 1)])) << "null means the device cannot run it";
  EXPECT_TRUE(std::isinf(t->capacity[1])) << "no capacity means unlimited";
  // Cut 1 (200 B) from device 0 to device 1: 0.001 s + 200 B / 1000 B/s = 0.201 s; 200 * 1 J/B.
  EXPECT_DOUBLE_EQ(t->transfer_s(1, 0, 1), 0.201);
  EXPECT_DOUBLE_EQ(t->transfer_j(1, 0, 1), 200.0);
  // Source (endpoint 2) to device 1: energy 6 J/B * 100 B.
  EXPECT_DOUBLE_EQ(t->transfer_j(0, 2, 1), 600.0);
}

TEST(ProblemJson, RoundTripsThroughTheWriter) {
  auto t = parse_problem_json(kTwoLayersTwoDevices, "tiny.problem.json");
  ASSERT_TRUE(t.ok());
  auto again = parse_problem_json(problem_json(t.value()), "again.problem.json");
  ASSERT_TRUE(again.ok()) << again.error_text();
  EXPECT_EQ(again->time_s, t->time_s);
  EXPECT_EQ(again->energy_j, t->energy_j);
  EXPECT_EQ(again->cut_bytes, t->cut_bytes);
  EXPECT_EQ(again->link_energy_j_per_byte, t->link_energy_j_per_byte);
  EXPECT_EQ(again->link_bandwidth_bytes_per_s, t->link_bandwidth_bytes_per_s);
  EXPECT_EQ(again->capacity, t->capacity);
  // A CIM device keeps no activation buffers in its tiles; the flag survives the round trip.
  EXPECT_EQ(again->buffer_scale(1), 0.0);
  EXPECT_EQ(again->buffer_scale(0), 1.0);
}

TEST(ProblemJson, ReadsAndWritesPipelinedLayers) {
  // absent = off
  auto plain = parse_problem_json(kTwoLayersTwoDevices, "tiny.problem.json");
  ASSERT_TRUE(plain.ok()) << plain.error_text();
  EXPECT_FALSE(plain->pipelined(0));
  EXPECT_FALSE(plain->pipelined(1));
  EXPECT_EQ(problem_json(plain.value()).find("pipelined_layers"), std::string::npos);
  std::string text = kTwoLayersTwoDevices;
  const std::string acc = R"("name": "acc",)";
  text.replace(text.find(acc), acc.size(), acc + R"( "pipelined_layers": true,)");
  auto t = parse_problem_json(text, "piped.problem.json");
  ASSERT_TRUE(t.ok()) << t.error_text();
  EXPECT_FALSE(t->pipelined(0));
  EXPECT_TRUE(t->pipelined(1));
  auto again = parse_problem_json(problem_json(t.value()), "again.problem.json");
  ASSERT_TRUE(again.ok()) << again.error_text();
  EXPECT_EQ(again->pipelined_layers, t->pipelined_layers);
  EXPECT_EQ(again->time_s, t->time_s);
  // anything but a boolean is bad input naming the field
  text.replace(text.find("\"pipelined_layers\": true"), 24, "\"pipelined_layers\": 1   ");
  auto bad = parse_problem_json(text, "bad.problem.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.diagnostics()[0].field, "devices[1].pipelined_layers") << bad.error_text();
}

TEST(ProblemJson, ReportsSyntaxErrorsWithTheirLine) {
  auto t = parse_problem_json("{\n  \"format\": \"tessera.problem/1\",\n  \"layers\": [,]\n}",
                              "bad.json");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.diagnostics()[0].file, "bad.json");
  EXPECT_EQ(t.diagnostics()[0].line, 3);
}

TEST(ProblemJson, ReportsEveryBadFieldAtOnce) {
  auto t = parse_problem_json(R"({
    "format": "tessera.problem/1", "layers": ["a"], "cut_bytes": [1, -2],
    "devices": [{"name": "x", "layer_time_s": [0.1, 0.2]}, {"name": "x", "layer_time_s": ["no"]}],
    "links": {"latency_s": 0, "bandwidth_bytes_per_s": 0}})",
                              "p.json");
  ASSERT_FALSE(t.ok());
  std::vector<std::string> fields;
  for (const auto& d : t.diagnostics()) fields.push_back(d.field);
  auto has = [&](const std::string& f) {
    return std::find(fields.begin(), fields.end(), f) != fields.end();
  };
  EXPECT_TRUE(has("cut_bytes[1]")) << t.error_text();
  EXPECT_TRUE(has("devices[0].layer_time_s")) << t.error_text();
  EXPECT_TRUE(has("devices[1].name")) << t.error_text();
  EXPECT_TRUE(has("devices[1].layer_time_s[0]")) << t.error_text();
  EXPECT_TRUE(has("links.bandwidth_bytes_per_s")) << t.error_text();
}

TEST(ProblemJson, AZeroBandwidthPairHasNoLinkAsTheFormatSays) {
  // docs/formats.md: a zero-bandwidth matrix entry is a pair without a link; a non-empty
  // transfer over it costs +inf, an empty one its latency.
  auto t = parse_problem_json(R"({
    "format": "tessera.problem/1", "layers": ["a", "b"], "cut_bytes": [1, 0, 1],
    "devices": [{"name": "x", "layer_time_s": [0.1, 0.2]}, {"name": "y", "layer_time_s": [1, 1]}],
    "links": {"latency_s": 0.5, "bandwidth_bytes_per_s": [[0, 0, 9], [0, 0, 9], [9, 9, 0]]}})",
                              "p.json");
  ASSERT_TRUE(t.ok()) << t.error_text();
  EXPECT_EQ(t->transfer_s(1, 0, 1), 0.5) << "empty cut: latency";
  EXPECT_TRUE(std::isinf(t->transfer_s(0, 0, 1)));
}

TEST(ProblemJson, RejectsAnotherFormat) {
  auto t = parse_problem_json(R"({"format": "tessera.plan/1"})", "p.json");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.diagnostics()[0].field, "format");
}

TEST(ProblemJson, RecognisesProblemPaths) {
  EXPECT_TRUE(is_problem_path("measured.problem.json"));
  EXPECT_FALSE(is_problem_path("plan.json"));
  EXPECT_FALSE(load_problem_json("/nonexistent/x.problem.json").ok());
}

}  // namespace
}  // namespace tessera::io
