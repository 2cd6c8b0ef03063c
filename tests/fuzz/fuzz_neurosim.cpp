// libFuzzer harness: the NeuroSim report reader, and applying what it accepts to a CIM device's
// costs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/cost/cim/neurosim_report.hpp"
#include "tessera/io/neurosim_import.hpp"
#include "tessera/io/problem_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto report = tessera::io::parse_neurosim_report(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.txt");
  if (!report.ok()) return 0;
  // A problem with as many layers as the report and one CIM device.
  const std::size_t layers = report->layers.size();
  std::string names, cuts = "[0", times;
  for (std::size_t l = 0; l < layers; ++l) {
    names += (l ? ",\"l" : "\"l") + std::to_string(l) + "\"";
    cuts += ",1";
    times += l ? ",1e-3" : "1e-3";
  }
  auto table = tessera::io::parse_problem_json(
      "{\"format\": \"tessera.problem/1\", \"layers\": [" + names + "], \"cut_bytes\": " + cuts +
          "], \"devices\": [{\"name\": \"cim\", \"kind\": \"cim\", \"capacity_tiles\": 1e6, "
          "\"layer_time_s\": [" +
          times +
          "]}], \"links\": {\"latency_s\": 0, "
          "\"bandwidth_bytes_per_s\": 1e9}}",
      "one.problem.json");
  if (!table.ok()) __builtin_trap();  // the harness's own table must be valid
  auto& t = table.value();
  (void)tessera::cost::apply_neurosim_report(t, "cim", report.value(), "fuzz.txt");
  return 0;
}
