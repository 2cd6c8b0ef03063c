#include "tessera/report/simulation_report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tessera/report/plan_report.hpp"
#include "tessera/report/text_table.hpp"

namespace tessera::report {

namespace {

using ojson = nlohmann::ordered_json;

std::string endpoint_name(const cost::CostTable& t, std::int32_t e) {
  return e == t.source_endpoint() ? t.source_name : t.device_names[static_cast<std::size_t>(e)];
}

}  // namespace

std::string simulation_json(const cost::CostTable& t, const sim::SimulationResult& r,
                            const plan::Plan* analytic) {
  ojson doc;
  doc["format"] = "tessera.simulation/1";
  doc["model"] = t.model_name;
  doc["platform"] = t.platform_name;
  doc["inferences"] = r.inferences;
  doc["microbatch"] = r.microbatch;
  doc["topology"] = r.topology;
  doc["rate_per_s"] = r.rate_per_s;
  doc["period_s"] = r.period_s;
  doc["throughput_per_s"] = r.throughput_per_s;
  doc["latency_p50_s"] = r.latency_p50_s;
  doc["latency_p99_s"] = r.latency_p99_s;
  doc["latency_max_s"] = r.latency_max_s;
  doc["latency_mean_s"] = r.latency_mean_s;
  doc["makespan_s"] = r.makespan_s;
  doc["energy_j"] = r.energy_j;
  doc["energy_per_sample_j"] = energy_per_sample_j(r.microbatch, r.energy_per_inference_j);
  doc["energy_per_inference_j"] = r.energy_per_inference_j;
  doc["energy_accounting"] =
      "equal: each used device draws its static power for the whole makespan, plus per "
      "inference its layers' dynamic energy and the link energy of its sends; the source's "
      "transfer energy counts in the total only";
  if (analytic != nullptr)
    doc["analytic"] = {{"period_s", analytic->period_s},
                       {"throughput_per_s", analytic->throughput_per_s},
                       {"latency_s", analytic->latency_s},
                       {"energy_per_sample_j",
                        energy_per_sample_j(r.microbatch, analytic->energy_per_inference_j)},
                       {"energy_per_inference_j", analytic->energy_per_inference_j}};
  ojson devices = ojson::array();
  for (const auto& d : r.devices)
    devices.push_back({{"name", d.name},
                       {"busy_s", d.busy_s},
                       {"utilisation", d.utilisation},
                       {"static_energy_j", d.static_energy_j},
                       {"dynamic_energy_j", d.dynamic_energy_j},
                       {"energy_j", d.energy_j}});
  doc["devices"] = devices;
  ojson queues = ojson::array();
  for (const auto& q : r.queues)
    queues.push_back({{"stage", q.stage},
                      {"input_capacity", q.input_capacity},
                      {"input_mean", q.input_mean},
                      {"input_max", q.input_max},
                      {"output_capacity", q.output_capacity},
                      {"output_mean", q.output_mean},
                      {"output_max", q.output_max}});
  doc["queues"] = queues;
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string chrome_trace_json(const cost::CostTable& t, const sim::SimulationResult& r) {
  const auto stages = static_cast<std::int32_t>(r.devices.size());
  ojson events = ojson::array();
  events.push_back(
      {{"name", "process_name"},
       {"ph", "M"},
       {"pid", 1},
       {"tid", 0},
       {"args", {{"name", "tessera simulate: " + t.model_name + " on " + t.platform_name}}}});
  // Thread ids: 2s + 1 = transfers into stage s (the sink's input is 2 × stages + 1), 2s + 2 =
  // stage s computing; named after the endpoints as the events are met.
  std::vector<bool> named(static_cast<std::size_t>(2 * stages + 2), false);
  for (const auto& e : r.events) {
    const bool compute = e.kind == sim::EventKind::kCompute;
    const std::int32_t tid =
        compute ? 2 * e.stage + 2 : (e.stage < 0 ? 2 * stages + 1 : 2 * e.stage + 1);
    if (!named[static_cast<std::size_t>(tid)]) {
      named[static_cast<std::size_t>(tid)] = true;
      const std::string name =
          compute ? "stage " + std::to_string(e.stage) + " " + endpoint_name(t, e.from_endpoint)
                  : endpoint_name(t, e.from_endpoint) + " -> " + endpoint_name(t, e.to_endpoint);
      events.push_back({{"name", "thread_name"},
                        {"ph", "M"},
                        {"pid", 1},
                        {"tid", tid},
                        {"args", {{"name", name}}}});
      events.push_back({{"name", "thread_sort_index"},
                        {"ph", "M"},
                        {"pid", 1},
                        {"tid", tid},
                        {"args", {{"sort_index", tid}}}});
    }
    ojson args = {{"inference", e.inference}};
    if (!compute) args["bytes"] = e.bytes;
    events.push_back({{"name", (compute ? "compute " : "transfer ") + std::to_string(e.inference)},
                      {"cat", compute ? "compute" : "transfer"},
                      {"ph", "X"},
                      {"ts", e.start_s * 1e6},
                      {"dur", (e.end_s - e.start_s) * 1e6},
                      {"pid", 1},
                      {"tid", tid},
                      {"args", args}});
  }
  ojson doc = {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string simulation_text(const sim::SimulationResult& r, const plan::Plan* analytic) {
  std::string out;
  out += "inferences             " + std::to_string(r.inferences) + " (" + r.topology + ")\n";
  out += "period (steady state)  " + human_seconds(r.period_s);
  if (analytic != nullptr) out += "  (analytic " + human_seconds(analytic->period_s) + ")";
  out += "\n";
  out += "latency p50 / p99 / max " + human_seconds(r.latency_p50_s) + " / " +
         human_seconds(r.latency_p99_s) + " / " + human_seconds(r.latency_max_s);
  if (analytic != nullptr) out += "  (analytic " + human_seconds(analytic->latency_s) + ")";
  out += "\n";
  out += "makespan               " + human_seconds(r.makespan_s) + "\n";
  if (!r.has_energy) {
    out += "energy per inference   not measured (no power meter)\n\n";
  } else if (r.microbatch > 1) {
    out += "energy per sample      " +
           human_joules(energy_per_sample_j(r.microbatch, r.energy_per_inference_j)) + "  (" +
           human_joules(r.energy_per_inference_j) + " per microbatch of " +
           std::to_string(r.microbatch) + ")\n\n";
  } else {
    out += "energy per inference   " + human_joules(r.energy_per_inference_j) + "\n\n";
  }
  using A = TextTable::Align;
  TextTable table({"stage", "device", "busy", "utilisation", "energy (whole run)",
                   "input queue mean/max", "output queue mean/max"},
                  {A::kRight, A::kLeft, A::kRight, A::kRight, A::kRight, A::kRight, A::kRight});
  for (std::size_t i = 0; i < r.devices.size(); ++i) {
    const auto& d = r.devices[i];
    const auto& q = r.queues[i];
    char util[32], in[48], outq[48];
    std::snprintf(util, sizeof util, "%.1f%%", 100.0 * d.utilisation);
    std::snprintf(in, sizeof in, "%.2f / %d", q.input_mean, q.input_max);
    std::snprintf(outq, sizeof outq, "%.2f / %d", q.output_mean, q.output_max);
    table.add_row({std::to_string(i), d.name, human_seconds(d.busy_s), util,
                   r.has_energy ? human_joules(d.energy_j) : "-", in, outq});
  }
  return out + table.render();
}

}  // namespace tessera::report
