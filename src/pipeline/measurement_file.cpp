#include "tessera/pipeline/measurement_file.hpp"

#include <nlohmann/json.hpp>

namespace tessera::pipeline {

using nlohmann::json;

std::string measurement_json(const MeasuredRun& run) {
  const sim::SimulationResult& r = run.result;
  json doc;
  doc["format"] = "tessera.measurement/1";
  doc["inferences"] = r.inferences;
  doc["microbatch"] = r.microbatch;
  doc["hosts"] = run.hosts;
  doc["arrival_s"] = r.arrival_s;
  doc["completion_s"] = r.completion_s;
  json stages = json::array();
  for (std::size_t i = 0; i < r.devices.size(); ++i) {
    const auto& d = r.devices[i];
    const auto& q = r.queues[i];
    stages.push_back({{"device", d.name},
                      {"device_id", d.device},
                      {"busy_s", d.busy_s},
                      {"input_queue", q.input_capacity},
                      {"output_queue", q.output_capacity},
                      {"input_mean", q.input_mean},
                      {"input_max", q.input_max},
                      {"output_mean", q.output_mean},
                      {"output_max", q.output_max}});
  }
  doc["stages"] = stages;
  json events = json::array();
  for (const auto& e : r.events) {
    events.push_back({e.kind == sim::EventKind::kCompute ? "compute" : "transfer", e.stage,
                      e.inference, e.from_endpoint, e.to_endpoint, e.start_s, e.end_s, e.bytes});
  }
  doc["events"] = events;
  return doc.dump(1) + "\n";
}

Result<MeasuredRun> parse_measurement_json(const std::string& text, const std::string& path) {
  auto fail = [&](const std::string& field, const std::string& message) {
    return Diagnostic{path, 0, 0, field, message};
  };
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return fail("", "not a JSON object");
  if (doc.value("format", std::string()) != "tessera.measurement/1")
    return fail("format", "not a tessera.measurement/1 document");
  try {
    MeasuredRun run;
    sim::SimulationResult& r = run.result;
    r.inferences = doc.at("inferences").get<std::int64_t>();
    r.microbatch = doc.at("microbatch").get<std::int32_t>();
    r.topology = "measured (MPI)";
    r.has_energy = false;
    run.hosts = doc.at("hosts").get<std::vector<std::string>>();
    r.arrival_s = doc.at("arrival_s").get<std::vector<double>>();
    r.completion_s = doc.at("completion_s").get<std::vector<double>>();
    if (r.arrival_s.size() != r.completion_s.size() || r.arrival_s.empty())
      return fail("completion_s", "needs one completion per arrival");
    sim::summarise_timing(r);
    for (const auto& s : doc.at("stages")) {
      sim::DeviceStats d;
      d.name = s.at("device").get<std::string>();
      d.device = s.at("device_id").get<std::int32_t>();
      d.busy_s = s.at("busy_s").get<double>();
      d.utilisation = r.makespan_s > 0.0 ? d.busy_s / r.makespan_s : 0.0;
      sim::QueueStats q;
      q.stage = static_cast<std::int32_t>(r.devices.size());
      q.input_capacity = s.at("input_queue").get<std::int32_t>();
      q.output_capacity = s.at("output_queue").get<std::int32_t>();
      q.input_mean = s.at("input_mean").get<double>();
      q.input_max = s.at("input_max").get<std::int32_t>();
      q.output_mean = s.at("output_mean").get<double>();
      q.output_max = s.at("output_max").get<std::int32_t>();
      r.devices.push_back(d);
      r.queues.push_back(q);
    }
    for (const auto& e : doc.at("events")) {
      sim::TraceEvent t;
      t.kind = e.at(0).get<std::string>() == "compute" ? sim::EventKind::kCompute
                                                       : sim::EventKind::kTransfer;
      t.stage = e.at(1).get<std::int32_t>();
      t.inference = e.at(2).get<std::int64_t>();
      t.from_endpoint = e.at(3).get<std::int32_t>();
      t.to_endpoint = e.at(4).get<std::int32_t>();
      t.start_s = e.at(5).get<double>();
      t.end_s = e.at(6).get<double>();
      t.bytes = e.at(7).get<double>();
      r.events.push_back(t);
    }
    return run;
  } catch (const json::exception& e) {
    return fail("", std::string("malformed measurement: ") + e.what());
  }
}

}  // namespace tessera::pipeline
