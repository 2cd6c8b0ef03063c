#include "tessera/report/plan_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tessera/report/text_table.hpp"

namespace tessera::report {

namespace {

using ojson = nlohmann::ordered_json;

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

const std::string& device_name(const cost::CostTable& t, DeviceId d) {
  return t.device_names[d.index()];
}

ojson stages_json(const cost::CostTable& t, const plan::Plan& p) {
  ojson stages = ojson::array();
  for (std::size_t i = 0; i < p.stages.size(); ++i) {
    const auto& s = p.stages[i];
    stages.push_back(
        {{"index", i},
         {"device", device_name(t, s.device)},
         {"device_kind", s.device.index() < t.device_kinds.size() ? t.device_kinds[s.device.index()]
                                                                  : std::string("")},
         {"first_layer", s.first_layer.value()},
         {"last_layer", s.last_layer.value()},
         {"first_layer_name", t.layer_names[s.first_layer.index()]},
         {"last_layer_name", t.layer_names[s.last_layer.index()]},
         {"compute_s", s.compute_s},
         {"compute_latency_s", s.compute_latency_s},
         {"pipelined_layers", s.pipelined},
         {"send_s", s.send_s},
         {"stage_s", s.stage_s},
         {"energy_j", s.energy_j}});
    // What the stage holds and what its device has, with the capacity unit in the key:
    // memory_bytes / capacity_bytes, or memory_tiles / capacity_tiles for a CIM chip.
    auto& stage = stages.back();
    stage["memory_" + s.capacity_unit] = s.memory;
    stage["capacity_" + s.capacity_unit] =
        std::isfinite(s.capacity) ? ojson(s.capacity) : ojson(nullptr);
  }
  return stages;
}

ojson metrics_json(const cost::CostTable& t, const plan::Plan& p) {
  ojson per_device = ojson::object();
  for (std::size_t d = 0; d < p.energy_per_device_j.size(); ++d)
    if (p.energy_per_device_j[d] != 0.0) per_device[t.device_names[d]] = p.energy_per_device_j[d];
  const Bottleneck b = bottleneck(t, p);
  ojson where = {{"resource", b.resource}, {"time_s", b.time_s}, {"text", b.text}};
  if (b.stage >= 0) {
    where["stage"] = b.stage;
    where["device"] = b.device;
  }
  // Every energy here is per microbatch (one pass of the pipeline); energy_per_sample_j divides
  // by the microbatch, as throughput_per_s counts samples.
  return {{"period_s", p.period_s},
          {"throughput_per_s", p.throughput_per_s},
          {"latency_s", p.latency_s},
          {"bottleneck", where},
          {"energy_per_sample_j", energy_per_sample_j(t.microbatch, p.energy_per_inference_j)},
          {"energy_per_inference_j", p.energy_per_inference_j},
          {"dynamic_energy_j", p.dynamic_energy_j},
          {"static_energy_j", p.static_energy_j},
          {"source_transfer_s", p.source_transfer_s},
          {"source_transfer_j", p.source_transfer_j},
          {"energy_per_device_j", per_device},
          {"devices_used", p.devices_used},
          {"microbatch", t.microbatch}};
}

ojson options_json(const cost::CostTable& t, const plan::PlanOptions& o) {
  ojson j = {{"overlap", o.overlap},
             {"include_source_sink", o.include_source_sink},
             {"microbatch", t.microbatch}};
  if (o.period_cap_s) j["period_cap_s"] = *o.period_cap_s;
  if (o.latency_cap_s) j["latency_cap_s"] = *o.latency_cap_s;
  return j;
}

ojson solver_json(const plan::SolverStats& s, double seconds) {
  ojson j = {{"optimal", s.optimal},
             {"seconds", seconds},
             {"method", s.method},
             {"states_explored", s.states_explored},
             {"dp_runs", s.dp_runs}};
  // Anytime mode: the proven bound and the gap (null when the bound is 0: no finite gap).
  if (s.period_lower_bound_s) j["period_lower_bound_s"] = *s.period_lower_bound_s;
  if (s.gap) j["gap_fraction"] = std::isfinite(*s.gap) ? ojson(*s.gap) : ojson(nullptr);
  return j;
}

ojson devices_json(const cost::CostTable& t) {
  ojson devices = ojson::array();
  for (std::size_t d = 0; d < t.device_names.size(); ++d)
    devices.push_back({{"name", t.device_names[d]},
                       {"kind", d < t.device_kinds.size() ? t.device_kinds[d] : std::string()},
                       {"class", t.class_names[static_cast<std::size_t>(t.device_class[d])]},
                       {"static_power_w", t.static_power_w[d]},
                       {"pipelined_layers", t.pipelined(static_cast<std::int32_t>(d))}});
  return devices;
}

}  // namespace

std::string objective_name(plan::Objective objective) {
  switch (objective) {
    case plan::Objective::kThroughput:
      return "throughput";
    case plan::Objective::kLatency:
      return "latency";
    case plan::Objective::kEnergy:
      return "energy";
    case plan::Objective::kWeighted:
      return "weighted";
  }
  return "throughput";
}

double energy_per_sample_j(std::int32_t microbatch, double per_microbatch_j) {
  return per_microbatch_j / std::max(microbatch, 1);
}

std::string energy_per_sample_name(std::int32_t microbatch, bool short_form) {
  const char* noun = microbatch > 1 ? "sample" : "inference";
  return std::string(short_form ? "energy/" : "energy per ") + noun;
}

std::string throughput_unit(std::int32_t microbatch) {
  return microbatch > 1 ? "samples/s" : "inferences/s";
}

Bottleneck bottleneck(const cost::CostTable& t, const plan::Plan& p) {
  Bottleneck b;
  double slowest = -1.0;
  std::size_t at = 0;
  for (std::size_t i = 0; i < p.stages.size(); ++i) {
    if (p.stages[i].stage_s > slowest) {
      slowest = p.stages[i].stage_s;
      at = i;
    }
  }
  if (p.stages.empty() || p.source_transfer_s >= slowest) {
    b.resource = "source_transfer";
    b.time_s = p.source_transfer_s;
    b.text = "the input transfer from the source" +
             (p.stages.empty() ? std::string()
                               : " to '" + device_name(t, p.stages.front().device) + "'") +
             " (" + human_seconds(p.source_transfer_s) +
             (p.stages.empty() ? std::string(")")
                               : "; the slowest stage takes " + human_seconds(slowest) + ")");
    return b;
  }
  const plan::Stage& s = p.stages[at];
  b.stage = static_cast<std::int32_t>(at);
  b.device = device_name(t, s.device);
  b.time_s = s.stage_s;
  const bool both = s.compute_s > 0.0 && s.send_s > 0.0 &&
                    s.stage_s > std::max(s.compute_s, s.send_s) * (1.0 + 1e-12);
  const std::string to =
      at + 1 < p.stages.size() ? "'" + device_name(t, p.stages[at + 1].device) + "'" : "the sink";
  const std::string where = "stage " + std::to_string(at) + " on '" + b.device + "'";
  if (both) {
    b.resource = "compute+send";
    b.text = where + " computing and then sending to " + to + " (" + human_seconds(s.compute_s) +
             " + " + human_seconds(s.send_s) + ")";
  } else if (s.send_s > s.compute_s) {
    b.resource = "send";
    b.text = where + " sending its output to " + to + " (" + human_seconds(s.send_s) +
             "; computing takes " + human_seconds(s.compute_s) + ")";
  } else {
    b.resource = "compute";
    b.text = where + " computing (" + human_seconds(s.compute_s) + ")";
  }
  return b;
}

std::string stage_summary(const cost::CostTable& t, const plan::Plan& p) {
  std::string out;
  for (const auto& s : p.stages) {
    if (!out.empty()) out += " -> ";
    out += device_name(t, s.device) + "[" + std::to_string(s.first_layer.value()) + "-" +
           std::to_string(s.last_layer.value()) + "]";
  }
  return out;
}

std::string plan_table(const cost::CostTable& t, const plan::Plan& p) {
  using A = TextTable::Align;
  // Stages that pipeline their layers get a column for their one-inference compute latency.
  bool pipelined = false;
  for (const auto& s : p.stages) pipelined = pipelined || s.pipelined;
  std::vector<std::string> header = {"stage", "device", "layers", "first .. last", "compute"};
  std::vector<A> align = {A::kRight, A::kLeft, A::kRight, A::kLeft, A::kRight};
  if (pipelined) {
    header.emplace_back("compute latency");
    align.push_back(A::kRight);
  }
  // A stage's energy is that of one pass: a whole microbatch.
  for (const char* h :
       {"send", "stage", t.microbatch > 1 ? "energy/microbatch" : "energy", "memory", "capacity"}) {
    header.emplace_back(h);
    align.push_back(A::kRight);
  }
  TextTable table(header, align);
  for (std::size_t i = 0; i < p.stages.size(); ++i) {
    const auto& s = p.stages[i];
    std::vector<std::string> row = {
        std::to_string(i), device_name(t, s.device),
        std::to_string(s.first_layer.value()) + "-" + std::to_string(s.last_layer.value()),
        t.layer_names[s.first_layer.index()] + " .. " + t.layer_names[s.last_layer.index()],
        human_seconds(s.compute_s) + (s.pipelined ? " (max)" : "")};
    if (pipelined) row.push_back(human_seconds(s.compute_latency_s));
    for (std::string cell :
         {human_seconds(s.send_s), human_seconds(s.stage_s), human_joules(s.energy_j),
          human_amount(s.memory, s.capacity_unit), human_amount(s.capacity, s.capacity_unit)}) {
      row.push_back(std::move(cell));
    }
    table.add_row(row);
  }
  std::string out = table.render();
  if (pipelined) {
    out +=
        "(max): the device pipelines its layers: it takes a new inference every slowest-layer "
        "time (compute), while one inference takes the sum of its layers (compute latency)\n";
  }
  const std::int32_t batch = std::max(t.microbatch, 1);
  out += "\nperiod                 " + human_seconds(p.period_s) + "  (throughput " +
         fixed(p.throughput_per_s, 3) + " " + throughput_unit(batch) + ")\n";
  out += "bottleneck             " + bottleneck(t, p).text + "\n";
  out += "latency                " + human_seconds(p.latency_s) +
         (batch > 1 ? "  (a microbatch of " + std::to_string(batch) + " samples)" : "") + "\n";
  if (batch > 1) {
    out += "energy per sample      " + human_joules(p.energy_per_inference_j / batch) + "  (" +
           human_joules(p.energy_per_inference_j) + " per microbatch of " + std::to_string(batch) +
           ": dynamic " + human_joules(p.dynamic_energy_j) + " + static " +
           human_joules(p.static_energy_j) + ")\n";
  } else {
    out += "energy per inference   " + human_joules(p.energy_per_inference_j) + "  (dynamic " +
           human_joules(p.dynamic_energy_j) + " + static " + human_joules(p.static_energy_j) +
           ")\n";
  }
  out += "devices used           " + std::to_string(p.devices_used) + " of " +
         std::to_string(t.num_devices) + "\n";
  return out;
}

std::string plan_json(const cost::CostTable& t, const plan::PlanResult& result,
                      const plan::PlanOptions& options, double solver_seconds,
                      const std::vector<NamedPlan>& baselines, const io::ProblemInputs* inputs) {
  ojson doc;
  doc["format"] = "tessera.plan/1";
  doc["model"] = t.model_name;
  doc["platform"] = t.platform_name;
  if (inputs != nullptr) {
    doc["inputs"] = {{"model", inputs->model},
                     {"platform", inputs->platform},
                     {"batch", inputs->batch},
                     {"sequence_length", inputs->sequence_length},
                     {"pipeedge", inputs->pipeedge},
                     {"input_buffers", inputs->input_buffers},
                     {"output_buffers", inputs->output_buffers},
                     {"neurosim", inputs->neurosim}};
  }
  doc["objective"] = objective_name(options.objective);
  if (options.objective == plan::Objective::kWeighted) doc["alpha"] = options.alpha;
  doc["options"] = options_json(t, options);
  doc["devices"] = devices_json(t);
  doc["layers"] = t.layer_names;
  if (result.has_plan()) {
    doc["stages"] = stages_json(t, result.plan());
    doc["metrics"] = metrics_json(t, result.plan());
  } else {
    doc["stages"] = ojson::array();
    doc["infeasible"] = {{"constraint", result.infeasible().constraint}};
  }
  doc["solver"] = solver_json(result.stats(), solver_seconds);
  if (!baselines.empty()) {
    auto& b = doc["baselines"] = ojson::array();
    for (const auto& nb : baselines) {
      if (nb.result.has_plan())
        b.push_back({{"name", nb.name},
                     {"stages", stages_json(t, nb.result.plan())},
                     {"metrics", metrics_json(t, nb.result.plan())}});
      else
        b.push_back({{"name", nb.name}, {"infeasible", nb.result.infeasible().constraint}});
    }
  }
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string pareto_table(const cost::CostTable& t, const plan::ParetoFront& front) {
  using A = TextTable::Align;
  // Throughput counts samples, so the energy is per sample too (per microbatch / microbatch).
  TextTable table({"#", "period", "throughput (" + throughput_unit(t.microbatch) + ")",
                   energy_per_sample_name(t.microbatch, true), "latency", "devices", "stages"},
                  {A::kRight, A::kRight, A::kRight, A::kRight, A::kRight, A::kRight, A::kLeft});
  for (std::size_t i = 0; i < front.points.size(); ++i) {
    const auto& pt = front.points[i];
    table.add_row({std::to_string(i), human_seconds(pt.period_s),
                   fixed(pt.plan.throughput_per_s, 3),
                   human_joules(energy_per_sample_j(t.microbatch, pt.energy_per_inference_j)),
                   human_seconds(pt.latency_s), std::to_string(pt.plan.devices_used),
                   stage_summary(t, pt.plan)});
  }
  return table.render();
}

std::string pareto_json(const cost::CostTable& t, const plan::ParetoFront& front,
                        const plan::PlanOptions& options, double solver_seconds) {
  ojson doc;
  doc["format"] = "tessera.pareto/1";
  doc["model"] = t.model_name;
  doc["platform"] = t.platform_name;
  doc["options"] = options_json(t, options);
  doc["devices"] = devices_json(t);
  auto points = [&](const std::vector<plan::ParetoPoint>& pts) {
    ojson arr = ojson::array();
    for (const auto& pt : pts)
      arr.push_back(
          {{"period_s", pt.period_s},
           {"throughput_per_s", pt.plan.throughput_per_s},
           {"energy_per_sample_j", energy_per_sample_j(t.microbatch, pt.energy_per_inference_j)},
           {"energy_per_inference_j", pt.energy_per_inference_j},
           {"latency_s", pt.latency_s},
           {"plan", {{"stages", stages_json(t, pt.plan)}, {"metrics", metrics_json(t, pt.plan)}}}});
    return arr;
  };
  doc["points"] = points(front.points);
  if (options.latency_energy_front) doc["latency_points"] = points(front.latency_points);
  if (front.infeasible) doc["infeasible"] = {{"constraint", front.infeasible->constraint}};
  if (!front.truncated.empty()) doc["truncated"] = front.truncated;
  doc["solver"] = solver_json(front.stats, solver_seconds);
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string pareto_csv(const cost::CostTable& t, const plan::ParetoFront& front) {
  std::string out =
      "period_s,throughput_per_s,energy_per_sample_j,energy_per_inference_j,latency_s,devices_used,"
      "stages\n";
  char buf[256];
  for (const auto& pt : front.points) {
    std::snprintf(buf, sizeof buf, "%.9g,%.9g,%.9g,%.9g,%.9g,%d,", pt.period_s,
                  pt.plan.throughput_per_s,
                  energy_per_sample_j(t.microbatch, pt.energy_per_inference_j),
                  pt.energy_per_inference_j, pt.latency_s, pt.plan.devices_used);
    out += buf;
    out += "\"" + stage_summary(t, pt.plan) + "\"\n";
  }
  return out;
}

}  // namespace tessera::report
