#include "tessera/report/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tessera/report/charts.hpp"
#include "tessera/report/plan_report.hpp"
#include "tessera/report/svg_writer.hpp"
#include "tessera/report/text_table.hpp"

namespace tessera::report {

namespace {

constexpr const char* kStyle = R"(
body { font-family: Helvetica, Arial, sans-serif; margin: 24px 40px; color: #222;
       background: #fff; max-width: 1100px; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
th { background: #f0f3f6; }
td.l, th.l { text-align: left; }
dl.summary { display: grid; grid-template-columns: max-content auto; gap: 4px 16px;
             font-size: 14px; }
dl.summary dt { font-weight: bold; }
dl.summary dd { margin: 0; }
.chart { margin: 8px 0; overflow-x: auto; }
.note { color: #555; font-size: 13px; }
)";

std::string cell(const std::string& text, bool left = false) {
  return std::string(left ? "<td class=\"l\">" : "<td>") + xml_escape(text) + "</td>";
}

std::string summary_item(const std::string& key, const std::string& value) {
  return "<dt>" + xml_escape(key) + "</dt><dd>" + xml_escape(value) + "</dd>\n";
}

}  // namespace

std::string html_report(const ReportInputs& in) {
  const auto& t = *in.table;
  const std::int32_t batch = std::max(t.microbatch, 1);
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<title>" + xml_escape(in.title + ": " + t.model_name + " on " + t.platform_name) +
          "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  html += "<h1>" + xml_escape(in.title) + ": " + xml_escape(t.model_name) + " on " +
          xml_escape(t.platform_name) + "</h1>\n";

  html += "<h2>Model and platform</h2>\n<dl class=\"summary\">\n";
  html += summary_item("model", t.model_name);
  html += summary_item("layers", std::to_string(t.num_layers));
  html += summary_item("microbatch", std::to_string(t.microbatch));
  html += summary_item("input / output bytes",
                       human_bytes(t.cut_bytes.front()) + " / " + human_bytes(t.cut_bytes.back()));
  html += summary_item("platform", t.platform_name);
  if (!in.topology.empty()) html += summary_item("topology", in.topology);
  std::string devices;
  for (std::size_t d = 0; d < t.device_names.size(); ++d) {
    if (!devices.empty()) devices += ", ";
    devices +=
        t.device_names[d] + (d < t.device_kinds.size() ? " (" + t.device_kinds[d] + ")" : "");
  }
  html += summary_item("devices (" + std::to_string(t.num_devices) + ")", devices);
  if (!in.objective.empty()) html += summary_item("objective", in.objective);
  html += "</dl>\n";

  if (in.plan != nullptr) {
    const auto& p = *in.plan;
    html +=
        "<h2>Plan</h2>\n<table>\n<tr><th>stage</th><th class=\"l\">device</th><th>layers</th>"
        "<th class=\"l\">first .. last</th><th>compute</th><th>send</th><th>stage time</th>"
        "<th>" +
        std::string(batch > 1 ? "energy/microbatch" : "energy") + "</th><th>memory</th></tr>\n";
    for (std::size_t i = 0; i < p.stages.size(); ++i) {
      const auto& s = p.stages[i];
      html +=
          "<tr>" + cell(std::to_string(i)) + cell(t.device_names[s.device.index()], true) +
          cell(std::to_string(s.first_layer.value()) + "-" + std::to_string(s.last_layer.value())) +
          cell(t.layer_names[s.first_layer.index()] + " .. " + t.layer_names[s.last_layer.index()],
               true) +
          // a device that pipelines its layers: period compute = slowest layer, latency = Σ
          cell(human_seconds(s.compute_s) +
               (s.pipelined ? " (slowest layer; latency " + human_seconds(s.compute_latency_s) + ")"
                            : std::string())) +
          cell(human_seconds(s.send_s)) + cell(human_seconds(s.stage_s)) +
          cell(human_joules(s.energy_j)) + cell(human_amount(s.memory, s.capacity_unit)) +
          "</tr>\n";
    }
    html += "</table>\n<dl class=\"summary\">\n";
    html += summary_item("period", human_seconds(p.period_s));
    char tp[64];
    std::snprintf(tp, sizeof tp, "%.4g ", p.throughput_per_s);
    html += summary_item("throughput", tp + throughput_unit(batch));
    html += summary_item("bottleneck", bottleneck(t, p).text);
    html += summary_item("latency",
                         human_seconds(p.latency_s) +
                             (batch > 1 ? " (a microbatch of " + std::to_string(batch) + " samples)"
                                        : std::string()));
    // Per sample, as throughput counts samples; the split is of the microbatch's energy.
    const std::string split = "dynamic " + human_joules(p.dynamic_energy_j) + " + static " +
                              human_joules(p.static_energy_j);
    html += summary_item(
        energy_per_sample_name(batch),
        human_joules(energy_per_sample_j(batch, p.energy_per_inference_j)) +
            (batch > 1 ? " (" + human_joules(p.energy_per_inference_j) + " per microbatch of " +
                             std::to_string(batch) + ": " + split + ")"
                       : " (" + split + ")"));
    html += summary_item("devices used",
                         std::to_string(p.devices_used) + " of " + std::to_string(t.num_devices));
    html += "</dl>\n";
  }

  if (!in.baselines.empty()) {
    html += "<h2>Baselines</h2>\n<table>\n<tr><th class=\"l\">baseline</th><th>period</th><th>" +
            energy_per_sample_name(batch, true) + "</th><th>latency</th><th>devices</th></tr>\n";
    for (const auto& b : in.baselines) {
      if (!b.result.has_plan()) {
        html += "<tr>" + cell(b.name, true) + "<td colspan=\"4\">infeasible</td></tr>\n";
        continue;
      }
      const auto& p = b.result.plan();
      html += "<tr>" + cell(b.name, true) + cell(human_seconds(p.period_s)) +
              cell(human_joules(energy_per_sample_j(batch, p.energy_per_inference_j))) +
              cell(human_seconds(p.latency_s)) + cell(std::to_string(p.devices_used)) + "</tr>\n";
    }
    html += "</table>\n";
  }

  if (in.front != nullptr) {
    html += "<h2>Pareto front (period vs " + energy_per_sample_name(batch) + ")</h2>\n";
    html += "<p class=\"note\">" + std::to_string(in.front->points.size()) +
            " non-dominated plans; every point is the least energy reachable at its period.</p>\n";
    html += "<div class=\"chart\">" + pareto_svg(t, *in.front, in.plan, in.baselines) + "</div>\n";
  }

  if (in.simulation != nullptr) {
    const auto& r = *in.simulation;
    html += "<h2>Simulation</h2>\n<dl class=\"summary\">\n";
    html += summary_item("inferences", std::to_string(r.inferences) + " (" + r.topology + ")");
    html += summary_item("period (steady state)", human_seconds(r.period_s));
    html += summary_item("latency p50 / p99 / max", human_seconds(r.latency_p50_s) + " / " +
                                                        human_seconds(r.latency_p99_s) + " / " +
                                                        human_seconds(r.latency_max_s));
    html +=
        "</dl>\n<p class=\"note\">Inferences are injected back to back, so later ones "
        "wait in the stages' queues: the simulated latency includes that queueing and "
        "exceeds the plan's latency, which is one inference through an empty "
        "pipeline.</p>\n<dl class=\"summary\">\n";
    html += summary_item("makespan", human_seconds(r.makespan_s));
    html += summary_item(energy_per_sample_name(r.microbatch),
                         human_joules(energy_per_sample_j(r.microbatch, r.energy_per_inference_j)));
    html += "</dl>\n<div class=\"chart\">" + gantt_svg(t, r) + "</div>\n";
    html += "<h2>Per-device time and energy (whole run: " + count_of(r.inferences, "inference") +
            ")</h2>\n<div class=\"chart\">" + device_bars_svg(r) + "</div>\n";
  }
  if (in.measured != nullptr) {
    const auto& m = *in.measured;
    const std::string none = "—";
    auto row = [&](const std::string& what, const std::string& planned, double simulated,
                   double measured) {
      return "<tr>" + cell(what, true) + cell(planned) +
             cell(in.simulation != nullptr ? human_seconds(simulated) : none) +
             cell(human_seconds(measured)) + "</tr>\n";
    };
    const sim::SimulationResult* s = in.simulation;
    html += "<h2>Measured run (" + xml_escape(m.topology) + ")</h2>\n";
    html +=
        "<table>\n<tr><th class=\"l\"></th><th>planned</th><th>simulated</th>"
        "<th>measured</th></tr>\n";
    html += row("period", in.plan != nullptr ? human_seconds(in.plan->period_s) : none,
                s != nullptr ? s->period_s : 0.0, m.period_s);
    html += row("latency p50", in.plan != nullptr ? human_seconds(in.plan->latency_s) : none,
                s != nullptr ? s->latency_p50_s : 0.0, m.latency_p50_s);
    html += row("latency p99", none, s != nullptr ? s->latency_p99_s : 0.0, m.latency_p99_s);
    html += "</table>\n";
    if (in.plan != nullptr && in.plan->period_s > 0.0) {
      char dev[96];
      std::snprintf(dev, sizeof dev, "measured period %+.1f %% from the plan's",
                    (m.period_s / in.plan->period_s - 1.0) * 100.0);
      html += "<p class=\"note\">" + std::string(dev) + " over " +
              count_of(m.inferences, "inference") +
              " (planned latency is one input alone; simulated and measured inferences stream "
              "back to back).</p>\n";
    }
    html += "<div class=\"chart\">" + gantt_svg(t, m) + "</div>\n";
  }
  html += "<p class=\"note\">Generated by tessera. Self-contained: no scripts, no network.</p>\n";
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace tessera::report
