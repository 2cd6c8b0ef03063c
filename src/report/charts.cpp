#include "tessera/report/charts.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tessera/core/format.hpp"
#include "tessera/report/svg_writer.hpp"

namespace tessera::report {

namespace {

/// A display unit: values are divided by `scale` and suffixed with `name`.
struct Unit {
  double scale = 1.0;
  std::string name;
};

Unit seconds_unit(double max_s) {
  if (max_s < 1e-3) return {1e-6, "µs"};
  if (max_s < 1.0) return {1e-3, "ms"};
  return {1.0, "s"};
}

Unit joules_unit(double max_j) {
  if (max_j < 1e-3) return {1e-6, "µJ"};
  if (max_j < 1.0) return {1e-3, "mJ"};
  return {1.0, "J"};
}

/// Round tick positions covering [lo, hi] (about `count` of them).
std::vector<double> linear_ticks(double lo, double hi, int count) {
  std::vector<double> ticks;
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / count;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  return ticks;
}

/// A linear or logarithmic mapping from data to pixels.
struct Axis {
  double lo = 0.0, hi = 1.0;
  double p0 = 0.0, p1 = 1.0;  ///< pixel positions of lo and hi
  bool log = false;
  [[nodiscard]] double map(double v) const {
    const double f = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
                         : (v - lo) / (hi - lo);
    return p0 + f * (p1 - p0);
  }
  [[nodiscard]] std::vector<double> ticks() const {
    if (!log) return linear_ticks(lo, hi, 6);
    std::vector<double> t;
    for (double d = std::floor(std::log10(lo)); d <= std::ceil(std::log10(hi)); d += 1.0)
      for (const double m : {1.0, 2.0, 5.0}) {
        const double v = m * std::pow(10.0, d);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) t.push_back(v);
      }
    return t;
  }
};

Axis make_axis(double lo, double hi, double p0, double p1) {
  Axis a;
  a.p0 = p0;
  a.p1 = p1;
  if (lo > 0 && hi / lo > 50.0) {
    a.log = true;
    a.lo = lo / 1.3;
    a.hi = hi * 1.3;
  } else {
    const double pad = hi > lo ? (hi - lo) * 0.08 : std::max(std::fabs(hi) * 0.1, 1e-12);
    a.lo = std::max(0.0, lo - pad);
    a.hi = hi + pad;
  }
  return a;
}

const char* const kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

}  // namespace

std::string pareto_svg(const cost::CostTable& table, const plan::ParetoFront& front,
                       const plan::Plan* chosen, const std::vector<NamedPlan>& baselines) {
  const double w = 760, h = 460, left = 90, right = 30, top = 40, bottom = 60;
  SvgWriter svg(w, h);
  svg.text(w / 2, 22, "Pareto front of " + table.model_name + " on " + table.platform_name, 15,
           "middle", "#222", true);
  // Energy per sample, as the tables (throughput counts samples): per microbatch / microbatch.
  const auto energy = [&table](double per_microbatch_j) {
    return energy_per_sample_j(table.microbatch, per_microbatch_j);
  };
  std::vector<std::pair<double, double>> all;
  for (const auto& p : front.points) all.emplace_back(p.period_s, energy(p.energy_per_inference_j));
  for (const auto& b : baselines)
    if (b.result.has_plan())
      all.emplace_back(b.result.plan().period_s, energy(b.result.plan().energy_per_inference_j));
  if (chosen != nullptr) all.emplace_back(chosen->period_s, energy(chosen->energy_per_inference_j));
  if (all.empty()) {
    svg.text(w / 2, h / 2, "no feasible plan", 14, "middle");
    return svg.render();
  }
  double xmin = std::numeric_limits<double>::infinity(), xmax = 0, ymin = xmin, ymax = 0;
  for (const auto& [x, y] : all) {
    xmin = std::min(xmin, x);
    xmax = std::max(xmax, x);
    ymin = std::min(ymin, y);
    ymax = std::max(ymax, y);
  }
  const Unit xu = seconds_unit(xmax), yu = joules_unit(ymax);
  const Axis xa = make_axis(xmin, xmax, left, w - right);
  const Axis ya = make_axis(ymin, ymax, h - bottom, top);
  // Frame, grid and ticks.
  svg.rect(left, top, w - left - right, h - top - bottom, "#fafafa", {}, "#999");
  for (const double t : xa.ticks()) {
    const double x = xa.map(t);
    svg.line(x, top, x, h - bottom, "#e3e3e3");
    svg.text(x, h - bottom + 16, svg_number(t / xu.scale, 3), 11, "middle");
  }
  for (const double t : ya.ticks()) {
    const double y = ya.map(t);
    svg.line(left, y, w - right, y, "#e3e3e3");
    svg.text(left - 6, y + 4, svg_number(t / yu.scale, 3), 11, "end");
  }
  svg.text((left + w - right) / 2, h - 18,
           (table.microbatch > 1
                ? "period per microbatch of " + std::to_string(table.microbatch) + " samples ("
                : std::string("period per inference (")) +
               xu.name + ")" + (xa.log ? ", log scale" : ""),
           13, "middle");
  svg.text(22, (top + h - bottom) / 2,
           energy_per_sample_name(table.microbatch) + " (" + yu.name + ")" +
               (ya.log ? ", log scale" : ""),
           13, "middle", "#222", false, -90);
  // The front: a staircase (every point dominates the region up and to its right).
  std::string pts;
  for (std::size_t i = 0; i < front.points.size(); ++i) {
    const auto& p = front.points[i];
    if (i > 0)
      pts += svg_number(xa.map(p.period_s), 6) + "," +
             svg_number(ya.map(energy(front.points[i - 1].energy_per_inference_j)), 6) + " ";
    pts += svg_number(xa.map(p.period_s), 6) + "," +
           svg_number(ya.map(energy(p.energy_per_inference_j)), 6) + " ";
  }
  if (!pts.empty()) svg.polyline(pts, "#4e79a7", 1.5);
  for (std::size_t i = 0; i < front.points.size(); ++i) {
    const auto& p = front.points[i];
    svg.circle(xa.map(p.period_s), ya.map(energy(p.energy_per_inference_j)), 4, "#4e79a7", "#fff",
               1,
               "front point " + std::to_string(i) + ": period " + svg_number(p.period_s) +
                   " s, energy " + svg_number(energy(p.energy_per_inference_j)) + " J, " +
                   count_of(p.plan.devices_used, "device"));
  }
  // Baselines: labelled squares.
  for (const auto& b : baselines) {
    if (!b.result.has_plan()) continue;
    const auto& p = b.result.plan();
    const double x = xa.map(p.period_s), y = ya.map(energy(p.energy_per_inference_j));
    svg.rect(x - 4, y - 4, 8, 8, "#bab0ac", "baseline " + b.name, "#555");
    const bool near_right = x > w - right - 120;
    svg.text(near_right ? x - 7 : x + 7, y - 6, b.name, 11, near_right ? "end" : "start", "#555");
  }
  if (chosen != nullptr) {
    const double x = xa.map(chosen->period_s), y = ya.map(energy(chosen->energy_per_inference_j));
    svg.circle(x, y, 9, "none", "#e15759", 2.5, "chosen plan");
    svg.text(x + 12, y + 16, "chosen plan", 12, "start", "#e15759", true);
  }
  // Legend.
  const double lx = w - right - 170, ly = top + 12;
  svg.rect(lx - 8, ly - 12, 168, 58, "#ffffff", {}, "#ccc");
  svg.circle(lx + 4, ly, 4, "#4e79a7");
  svg.text(lx + 14, ly + 4, "Pareto-optimal plan", 11);
  svg.rect(lx, ly + 14, 8, 8, "#bab0ac", {}, "#555");
  svg.text(lx + 14, ly + 22, "baseline", 11);
  svg.circle(lx + 4, ly + 36, 6, "none", "#e15759", 2);
  svg.text(lx + 14, ly + 40, "chosen plan", 11);
  return svg.render();
}

std::string gantt_svg(const cost::CostTable& table, const sim::SimulationResult& result,
                      std::int64_t max_inferences) {
  const auto stages = static_cast<std::int32_t>(result.devices.size());
  auto endpoint_name = [&](std::int32_t e) {
    return e == table.source_endpoint() ? table.source_name
                                        : table.device_names[static_cast<std::size_t>(e)];
  };
  // Rows: "source -> first", then per stage "compute" and "stage -> next".
  struct Row {
    std::string label;
    bool compute = false;
  };
  std::vector<Row> rows;
  auto row_of = [&](const sim::TraceEvent& e) -> std::size_t {
    // Transfers into stage s sit on row 2s; the compute of stage s on row 2s + 1; the final
    // transfer to the sink on row 2 × stages.
    if (e.kind == sim::EventKind::kCompute) return static_cast<std::size_t>(2 * e.stage + 1);
    return static_cast<std::size_t>(e.stage < 0 ? 2 * stages : 2 * e.stage);
  };
  rows.resize(static_cast<std::size_t>(2 * stages + 1));
  for (const auto& e : result.events) {
    auto& r = rows[row_of(e)];
    if (!r.label.empty()) continue;
    r.compute = e.kind == sim::EventKind::kCompute;
    r.label = r.compute
                  ? endpoint_name(e.from_endpoint) + " compute"
                  : endpoint_name(e.from_endpoint) + " \u2192 " + endpoint_name(e.to_endpoint);
  }
  double end_s = 0.0;
  std::int64_t shown = 0;
  for (const auto& e : result.events)
    if (e.inference < max_inferences) {
      end_s = std::max(end_s, e.end_s);
      shown = std::max(shown, e.inference + 1);
    }
  const double left = 170, right = 30, top = 50, row_h = 26, bottom = 70;
  const double w = 1000, h = top + row_h * static_cast<double>(rows.size()) + bottom;
  SvgWriter svg(w, h);
  svg.text(w / 2, 22,
           "Simulated pipeline: first " + std::to_string(shown) + " of " +
               count_of(result.inferences, "inference") + " (" + result.topology + ")",
           15, "middle", "#222", true);
  if (result.events.empty() || end_s <= 0.0) {
    svg.text(w / 2, h / 2, "no trace recorded", 13, "middle");
    return svg.render();
  }
  const Unit u = seconds_unit(end_s);
  Axis xa;
  xa.lo = 0;
  xa.hi = end_s * 1.02;
  xa.p0 = left;
  xa.p1 = w - right;
  const double plot_bottom = top + row_h * static_cast<double>(rows.size());
  for (const double t : xa.ticks()) {
    const double x = xa.map(t);
    svg.line(x, top, x, plot_bottom, "#e3e3e3");
    svg.text(x, plot_bottom + 16, svg_number(t / u.scale, 3), 11, "middle");
  }
  svg.text((left + w - right) / 2, plot_bottom + 36, "simulated time (" + u.name + ")", 13,
           "middle");
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = top + row_h * static_cast<double>(r);
    if (r % 2 == 1) svg.rect(left, y, w - left - right, row_h, "#f4f6f8");
    svg.text(left - 8, y + row_h * 0.65, rows[r].label, 11, "end",
             rows[r].compute ? "#222" : "#666");
  }
  for (const auto& e : result.events) {
    if (e.inference >= max_inferences) continue;
    const auto r = row_of(e);
    const double y = top + row_h * static_cast<double>(r);
    const bool compute = e.kind == sim::EventKind::kCompute;
    const double inset = compute ? 3 : 8;
    const double x0 = xa.map(e.start_s), x1 = xa.map(e.end_s);
    const char* colour = kPalette[static_cast<std::size_t>(e.inference) % 10];
    svg.rect(x0, y + inset, std::max(x1 - x0, 0.8), row_h - 2 * inset, colour,
             (compute ? "compute" : "transfer") + std::string(" of inference ") +
                 std::to_string(e.inference) + ": " + svg_number(e.start_s / u.scale) + " - " +
                 svg_number(e.end_s / u.scale) + " " + u.name +
                 (compute ? "" : ", " + svg_number(e.bytes) + " bytes"));
    if (x1 - x0 > 14)
      svg.text((x0 + x1) / 2, y + row_h * 0.65, std::to_string(e.inference), 10, "middle", "#fff");
  }
  svg.rect(left, top, w - left - right, plot_bottom - top, "none", {}, "#999");
  // Legend: colours are inference numbers; tall bars compute, thin bars transfer.
  const double ly = h - 16;
  svg.text(left, ly, "bar colour = inference number; tall bars: compute, thin bars: transfers", 11,
           "start", "#555");
  return svg.render();
}

std::string device_bars_svg(const sim::SimulationResult& result) {
  const double row_h = 24, top = 50, left = 150, chart_w = 300, gap = 120;
  const double h = top + row_h * static_cast<double>(result.devices.size()) + 60;
  const double w = left + chart_w + gap + chart_w + 80;
  SvgWriter svg(w, h);
  double max_j = 0.0;
  for (const auto& d : result.devices) max_j = std::max(max_j, d.energy_j);
  const Unit tu = seconds_unit(result.makespan_s);
  const Unit ju = joules_unit(max_j);
  svg.text(left + chart_w / 2, 22, "busy time per device (" + tu.name + ")", 13, "middle", "#222",
           true);
  const double x2 = left + chart_w + gap;
  svg.text(x2 + chart_w / 2, 22, "energy per device (" + ju.name + ")", 13, "middle", "#222", true);
  for (std::size_t i = 0; i < result.devices.size(); ++i) {
    const auto& d = result.devices[i];
    const double y = top + row_h * static_cast<double>(i);
    svg.text(left - 8, y + row_h * 0.65, d.name, 11, "end");
    const double span = result.makespan_s > 0 ? result.makespan_s : 1.0;
    svg.rect(left, y + 4, chart_w, row_h - 8, "#eeeeee", "makespan");
    svg.rect(left, y + 4, chart_w * d.busy_s / span, row_h - 8, "#4e79a7",
             "busy " + svg_number(d.busy_s) + " s");
    svg.text(left + chart_w + 6, y + row_h * 0.65,
             svg_number(d.busy_s / tu.scale, 3) + " (" + svg_number(100 * d.utilisation, 3) + "%)",
             11);
    const double scale = max_j > 0 ? chart_w / max_j : 0.0;
    svg.rect(x2, y + 4, d.static_energy_j * scale, row_h - 8, "#bab0ac",
             "static " + svg_number(d.static_energy_j) + " J");
    svg.rect(x2 + d.static_energy_j * scale, y + 4, d.dynamic_energy_j * scale, row_h - 8,
             "#f28e2b", "dynamic " + svg_number(d.dynamic_energy_j) + " J");
    svg.text(x2 + d.energy_j * scale + 6, y + row_h * 0.65, svg_number(d.energy_j / ju.scale, 3),
             11);
  }
  const double ly = h - 20;
  svg.rect(left, ly - 9, 10, 10, "#4e79a7");
  svg.text(left + 14, ly, "computing (grey: whole makespan)", 11);
  svg.rect(x2, ly - 9, 10, 10, "#bab0ac");
  svg.text(x2 + 14, ly, "static", 11);
  svg.rect(x2 + 70, ly - 9, 10, 10, "#f28e2b");
  svg.text(x2 + 84, ly, "dynamic (compute + sends)", 11);
  return svg.render();
}

}  // namespace tessera::report
