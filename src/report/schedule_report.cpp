#include "tessera/report/schedule_report.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tessera/core/format.hpp"

namespace tessera::report {

namespace {

using ojson = nlohmann::ordered_json;

ojson metrics_json(const plan::ScheduleMetrics& m) {
  ojson j;
  j["latency_s"] = m.latency_s;
  j["weighted_latency_s"] = m.weighted_latency_s;
  j["energy_j"] = m.energy_j;
  j["edp_j_s"] = m.edp_j_s;
  j["throughput_per_s"] = m.samples_per_s;
  j["period_s"] = m.period_s;
  return j;
}

ojson breakdown_json(const plan::EnergyBreakdown& e) {
  ojson j;
  j["compute_j"] = e.compute_j;
  j["l2_j"] = e.l2_j;
  j["nop_j"] = e.nop_j;
  j["dram_j"] = e.dram_j;
  return j;
}

ojson models_json(const plan::ScheduleInstance& inst, const plan::ScheduleResult& r) {
  ojson models = ojson::array();
  for (std::size_t mi = 0; mi < inst.models.size(); ++mi) {
    const auto& m = inst.models[mi];
    const auto& mm = r.metrics.models[mi];
    ojson jm;
    jm["name"] = m.name;
    jm["batch"] = m.batch;
    jm["latency_s"] = mm.latency_s;
    jm["energy_j"] = mm.energy_j;
    jm["period_s"] = mm.period_s;
    ojson segs = ojson::array();
    const auto& ss = r.schedule.models[mi];
    for (std::size_t j = 0; j < ss.size(); ++j) {
      const auto& s = ss[j];
      const auto c = static_cast<std::size_t>(s.chiplet);
      ojson js;
      js["chiplet"] = inst.package.chiplet_names[c];
      js["chiplet_class"] =
          inst.package.class_names[static_cast<std::size_t>(inst.package.chiplet_class[c])];
      js["first_layer"] = s.first_layer;
      js["last_layer"] = s.last_layer;
      js["first_layer_name"] = m.layer_names[static_cast<std::size_t>(s.first_layer)];
      js["last_layer_name"] = m.layer_names[static_cast<std::size_t>(s.last_layer)];
      js["time_s"] = mm.segment_s[j];
      segs.push_back(js);
    }
    jm["segments"] = segs;
    models.push_back(jm);
  }
  return models;
}

std::string segments_text(const plan::ScheduleInstance& inst, const plan::ScheduleResult& r) {
  std::ostringstream out;
  for (std::size_t mi = 0; mi < inst.models.size(); ++mi) {
    const auto& m = inst.models[mi];
    const auto& mm = r.metrics.models[mi];
    out << "  " << m.name << " (batch " << m.batch << "): latency " << human_seconds(mm.latency_s)
        << ", energy " << human_joules(mm.energy_j) << '\n';
    const auto& ss = r.schedule.models[mi];
    for (std::size_t j = 0; j < ss.size(); ++j) {
      const auto& s = ss[j];
      const auto c = static_cast<std::size_t>(s.chiplet);
      out << "    " << inst.package.chiplet_names[c] << " ["
          << inst.package.class_names[static_cast<std::size_t>(inst.package.chiplet_class[c])]
          << "] layers " << s.first_layer << "-" << s.last_layer << " ("
          << m.layer_names[static_cast<std::size_t>(s.first_layer)] << " .. "
          << m.layer_names[static_cast<std::size_t>(s.last_layer)] << "), "
          << human_seconds(mm.segment_s[j]) << " per sample\n";
    }
  }
  return out.str();
}

}  // namespace

std::string objective_name(plan::ScheduleObjective o) {
  switch (o) {
    case plan::ScheduleObjective::kLatency:
      return "latency";
    case plan::ScheduleObjective::kEnergy:
      return "energy";
    case plan::ScheduleObjective::kEdp:
      return "edp";
    case plan::ScheduleObjective::kThroughput:
      return "throughput";
  }
  return "edp";
}

std::string schedule_json(const ScheduleReport& r) {
  const auto& inst = *r.instance;
  ojson doc;
  doc["format"] = "tessera.schedule/1";
  doc["workload"] = r.workload;
  doc["platform"] = r.platform;
  doc["objective"] = objective_name(r.objective);
  doc["metrics"] = metrics_json(r.result.metrics);
  doc["energy_breakdown"] = breakdown_json(r.result.metrics.energy);
  doc["models"] = models_json(inst, r.result);
  ojson bl = ojson::array();
  for (const auto& b : r.baselines) {
    ojson jb;
    jb["name"] = b.name;
    jb["method"] = b.result.method;
    jb["feasible"] = b.result.feasible;
    if (b.result.feasible) {
      jb["metrics"] = metrics_json(b.result.metrics);
      jb["energy_breakdown"] = breakdown_json(b.result.metrics.energy);
      jb["models"] = models_json(inst, b.result);
    } else {
      jb["infeasible"] = b.result.infeasible;
    }
    bl.push_back(jb);
  }
  doc["baselines"] = bl;
  ojson solver;
  solver["optimal"] = r.result.optimal;
  solver["method"] = r.result.method;
  solver["seconds"] = r.seconds;
  solver["evaluations"] = r.result.evaluations;
  solver["max_chiplets_per_model"] = r.result.max_chiplets_per_model;
  solver["lower_bound"] = r.result.lower_bound;
  const double v = plan::objective_value(r.result.metrics, r.objective);
  // Rounding can put a schedule that meets the bound a hair below it.
  solver["gap"] = v > 0.0 ? std::max(0.0, (v - r.result.lower_bound) / v) : 0.0;
  doc["solver"] = solver;
  if (r.windowed != nullptr) {
    const auto& ws = *r.windowed;
    ojson jw;
    jw["feasible"] = ws.feasible;
    if (!ws.feasible) jw["infeasible"] = ws.infeasible;
    jw["latency_s"] = ws.latency_s;
    jw["energy_j"] = ws.energy_j;
    jw["edp_j_s"] = ws.edp_j_s;
    ojson list = ojson::array();
    for (std::size_t w = 0; w < ws.windows.size(); ++w) {
      const auto& res = ws.windows[w];
      ojson one;
      one["latency_s"] = res.metrics.latency_s;
      one["energy_j"] = res.metrics.energy_j;
      one["method"] = res.method;
      ojson models = ojson::array();
      for (std::size_t k = 0; k < ws.models[w].size(); ++k) {
        const auto mi = static_cast<std::size_t>(ws.models[w][k]);
        ojson jm;
        jm["name"] = inst.models[mi].name;
        jm["first_layer"] = ws.ranges[w][mi].first;
        jm["last_layer"] = ws.ranges[w][mi].second;
        ojson segs = ojson::array();
        for (const auto& s : res.schedule.models[k]) {
          ojson js;
          js["chiplet"] = inst.package.chiplet_names[static_cast<std::size_t>(s.chiplet)];
          js["first_layer"] = s.first_layer;
          js["last_layer"] = s.last_layer;
          segs.push_back(js);
        }
        jm["segments"] = segs;
        models.push_back(jm);
      }
      one["models"] = models;
      list.push_back(one);
    }
    jw["windows"] = list;
    doc["windows"] = jw;
  }
  return doc.dump(2) + "\n";
}

std::string schedule_text(const ScheduleReport& r) {
  const auto& inst = *r.instance;
  const auto& m = r.result.metrics;
  std::ostringstream out;
  out << "workload " << r.workload << " on " << r.platform << " (" << inst.package.size()
      << " chiplets), objective " << objective_name(r.objective) << "\n";
  out << segments_text(inst, r.result);
  out << "latency " << human_seconds(m.latency_s) << ", energy " << human_joules(m.energy_j)
      << " (compute " << human_joules(m.energy.compute_j) << ", L2 " << human_joules(m.energy.l2_j)
      << ", NoP " << human_joules(m.energy.nop_j) << ", DRAM " << human_joules(m.energy.dram_j)
      << "), EDP " << m.edp_j_s << " J*s, " << fixed_digits(m.samples_per_s, 2)
      << " samples/s, period " << human_seconds(m.period_s) << "\n";
  const double v = plan::objective_value(m, r.objective);
  out << "solver " << r.result.method << (r.result.optimal ? ", proven optimal" : ", not proven")
      << ", " << fixed_digits(r.seconds, 3) << " s";
  if (r.result.lower_bound > 0.0 && v > 0.0) {
    out << ", gap to lower bound "
        << fixed_digits(std::max(0.0, 100.0 * (v - r.result.lower_bound) / v), 1) << "%";
  }
  out << "\n";
  if (r.windowed != nullptr) {
    const auto& ws = *r.windowed;
    if (!ws.feasible) {
      out << "windows: " << ws.infeasible << "\n";
    } else {
      out << ws.windows.size() << " windows (SCAR's first-fit packing): latency "
          << human_seconds(ws.latency_s) << ", energy " << human_joules(ws.energy_j) << ", EDP "
          << ws.edp_j_s << " J*s (" << fixed_digits(m.edp_j_s > 0 ? ws.edp_j_s / m.edp_j_s : 0.0, 3)
          << "x the single window)\n";
      for (std::size_t w = 0; w < ws.windows.size(); ++w) {
        out << "  window " << w << ": " << human_seconds(ws.windows[w].metrics.latency_s);
        for (const auto mi : ws.models[w]) {
          const auto& range = ws.ranges[w][static_cast<std::size_t>(mi)];
          out << ", " << inst.models[static_cast<std::size_t>(mi)].name << " " << range.first << "-"
              << range.second;
        }
        out << "\n";
      }
    }
  }
  if (!r.baselines.empty()) {
    out << "\nbaseline                latency      energy        EDP   vs schedule (EDP)\n";
  }
  for (const auto& b : r.baselines) {
    out << "  " << b.name;
    for (std::size_t i = b.name.size(); i < 22; ++i) out << ' ';
    if (!b.result.feasible) {
      out << "infeasible: " << b.result.infeasible << "\n";
      continue;
    }
    const auto& bm = b.result.metrics;
    out << human_seconds(bm.latency_s) << "  " << human_joules(bm.energy_j) << "  " << bm.edp_j_s
        << "  " << fixed_digits(m.edp_j_s > 0 ? bm.edp_j_s / m.edp_j_s : 0.0, 3) << "x\n";
  }
  return out.str();
}

std::string schedule_html(const ScheduleReport& r) {
  const auto& inst = *r.instance;
  const auto& m = r.result.metrics;
  // One window: sample s of model i enters segment j at Σ_{k<j} t_k + s·period_i.
  const double width = 900.0;
  const double row = 22.0;
  const double left = 130.0;
  const double span = std::max(m.latency_s, 1e-30);
  static const char* kColours[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
                                   "#59a14f", "#edc948", "#b07aa1", "#ff9da7"};
  std::ostringstream svg;
  const double height = row * (inst.package.size() + 2);
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << left + width + 20 << "' height='"
      << height << "'>\n";
  for (std::int32_t c = 0; c < inst.package.size(); ++c) {
    svg << "<text x='4' y='" << row * (c + 1) - 6 << "' font-size='12'>"
        << inst.package.chiplet_names[static_cast<std::size_t>(c)] << " ("
        << inst.package.class_names[static_cast<std::size_t>(
               inst.package.chiplet_class[static_cast<std::size_t>(c)])]
        << ")</text>\n";
  }
  for (std::size_t mi = 0; mi < inst.models.size(); ++mi) {
    const auto& segs = r.result.schedule.models[mi];
    const auto& mm = m.models[mi];
    const char* colour = kColours[mi % 8];
    double offset = 0.0;
    for (std::size_t j = 0; j < segs.size(); ++j) {
      const double t = mm.segment_s[j];
      const auto samples = std::min<std::int64_t>(inst.models[mi].batch, 256);
      for (std::int64_t s = 0; s < samples; ++s) {
        const double start = offset + static_cast<double>(s) * mm.period_s;
        svg << "<rect x='" << left + width * start / span << "' y='" << row * segs[j].chiplet + 4
            << "' width='" << std::max(0.5, width * t / span) << "' height='" << row - 6
            << "' fill='" << colour << "' stroke='white' stroke-width='0.5'><title>"
            << inst.models[mi].name << " sample " << s << ", layers " << segs[j].first_layer << "-"
            << segs[j].last_layer << ", " << human_seconds(t) << "</title></rect>\n";
      }
      offset += t;
    }
    svg << "<text x='" << left + 110.0 * static_cast<double>(mi) << "' y='"
        << row * (inst.package.size() + 1) + 10 << "' font-size='12' fill='" << colour << "'>"
        << inst.models[mi].name << "</text>\n";
  }
  svg << "</svg>\n";
  std::ostringstream out;
  out << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>tessera schedule</title>"
      << "<style>body{font-family:sans-serif}pre{background:#f6f6f6;padding:8px}</style>"
      << "</head><body><h1>Schedule: " << r.workload << " on " << r.platform << "</h1>\n"
      << "<h2>Per-chiplet Gantt chart (one window, " << human_seconds(m.latency_s) << ")</h2>\n"
      << svg.str() << "<h2>Schedule and baselines</h2><pre>" << schedule_text(r)
      << "</pre></body></html>\n";
  return out.str();
}

}  // namespace tessera::report
