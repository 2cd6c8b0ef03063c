#include "tessera/report/split_report.hpp"

#include <nlohmann/json.hpp>

#include "tessera/core/format.hpp"
#include "tessera/report/svg_writer.hpp"
#include "tessera/report/text_table.hpp"

namespace tessera::report {

namespace {

using ojson = nlohmann::ordered_json;
namespace soc = cost::soc;

std::string scope_name(soc::BudgetScope s) {
  return s == soc::BudgetScope::kLayer ? "layer" : "total";
}

ojson layer_json(const SplitReport& r, const soc::LayerTable& t, const soc::LayerSplit& s) {
  ojson l;
  l["name"] = t.shape.name;
  l["channels"] = t.shape.c_out;
  const auto energies = soc::unit_energies(r.soc, s);
  ojson units = ojson::array();
  for (std::size_t u = 0; u < r.soc.units.size(); ++u) {
    units.push_back({{"unit", r.soc.units[u].name},
                     {"channels", s.channels[u]},
                     {"latency_s", r.soc.seconds(s.unit_cycles[u])},
                     {"energy_j", r.soc.joules(energies[u])}});
  }
  l["units"] = std::move(units);
  l["latency_s"] = r.soc.seconds(s.cycles);
  l["energy_j"] = r.soc.joules(s.energy_mw_cycles);
  l["low_precision_channels"] = s.low_precision_channels;
  return l;
}

ojson totals_json(const SplitReport& r, const soc::NetworkSplit& n) {
  return {{"latency_s", r.soc.seconds(n.cycles)},
          {"energy_j", r.soc.joules(n.energy_mw_cycles)},
          {"low_precision_share", n.low_precision_share()}};
}

std::string ratio(double a, double b) {
  return b > 0.0 ? fixed_digits(a / b, 3) + "x" : "-";
}

}  // namespace

std::string split_json(const SplitReport& r) {
  ojson doc;
  doc["format"] = "tessera.split/1";
  doc["model"] = r.model;
  doc["platform"] = r.platform;
  doc["device"] = r.soc.name;
  doc["clock_hz"] = r.soc.clock_hz;
  doc["objective"] = std::string(soc::split_objective_name(r.options.objective));
  doc["alpha"] = r.options.alpha;
  doc["budget"] = r.options.budget;
  doc["budget_scope"] = scope_name(r.options.scope);
  ojson layers = ojson::array();
  for (std::size_t l = 0; l < r.tables.size(); ++l) {
    layers.push_back(layer_json(r, r.tables[l], r.optimal.layers[l]));
  }
  doc["layers"] = std::move(layers);
  doc["totals"] = totals_json(r, r.optimal);
  ojson baselines = ojson::array();
  for (const auto& b : r.baselines) {
    ojson j = totals_json(r, b);
    j["method"] = b.method;
    ojson bl = ojson::array();
    for (std::size_t l = 0; l < r.tables.size(); ++l) {
      ojson ch;
      for (std::size_t u = 0; u < r.soc.units.size(); ++u) {
        ch[r.soc.units[u].name] = b.layers[l].channels[u];
      }
      bl.push_back({{"name", r.tables[l].shape.name},
                    {"channels", std::move(ch)},
                    {"latency_s", r.soc.seconds(b.layers[l].cycles)},
                    {"energy_j", r.soc.joules(b.layers[l].energy_mw_cycles)}});
    }
    j["layers"] = std::move(bl);
    baselines.push_back(std::move(j));
  }
  doc["baselines"] = std::move(baselines);
  ojson front = ojson::array();
  for (const auto& p : r.front) {
    ojson j = totals_json(r, p.split);
    j["budget"] = p.budget;
    front.push_back(std::move(j));
  }
  doc["front"] = std::move(front);
  return doc.dump(2) + "\n";
}

std::string split_text(const SplitReport& r) {
  std::string out = "split of " + r.model + " on " + r.soc.name + " (" + r.platform + ", " +
                    fixed_digits(r.soc.clock_hz / 1e6, 0) + " MHz): objective " +
                    std::string(soc::split_objective_name(r.options.objective));
  if (r.options.objective == soc::SplitObjective::kWeighted) {
    out += " (alpha " + fixed_digits(r.options.alpha, 3) + ")";
  }
  out += ", low-precision budget " + fixed_digits(r.options.budget, 3) +
         (r.options.scope == soc::BudgetScope::kLayer ? " of each layer's channels"
                                                      : " of the network's channels") +
         "\n";
  std::vector<std::string> headers = {"layer", "C"};
  for (const auto& u : r.soc.units) headers.push_back(u.name + " ch");
  for (const auto& u : r.soc.units) headers.push_back(u.name);
  headers.insert(headers.end(), {"latency", "energy"});
  std::vector<TextTable::Align> align(headers.size(), TextTable::Align::kRight);
  align[0] = TextTable::Align::kLeft;
  TextTable table(headers, align);
  for (std::size_t l = 0; l < r.tables.size(); ++l) {
    const auto& s = r.optimal.layers[l];
    std::vector<std::string> row = {r.tables[l].shape.name,
                                    std::to_string(r.tables[l].shape.c_out)};
    for (auto c : s.channels) row.push_back(std::to_string(c));
    for (double t : s.unit_cycles) row.push_back(human_seconds(r.soc.seconds(t)));
    row.push_back(human_seconds(r.soc.seconds(s.cycles)));
    row.push_back(human_joules(r.soc.joules(s.energy_mw_cycles)));
    table.add_row(std::move(row));
  }
  out += table.render();
  out += "total: latency " + human_seconds(r.soc.seconds(r.optimal.cycles)) + ", energy " +
         human_joules(r.soc.joules(r.optimal.energy_mw_cycles)) + ", low-precision share " +
         fixed_digits(r.optimal.low_precision_share(), 3) + "\n";
  if (!r.baselines.empty()) {
    TextTable b({"mapping", "latency", "energy", "latency / optimal", "energy / optimal",
                 "low-precision share"},
                {TextTable::Align::kLeft, TextTable::Align::kRight, TextTable::Align::kRight,
                 TextTable::Align::kRight, TextTable::Align::kRight, TextTable::Align::kRight});
    const auto add = [&](const soc::NetworkSplit& n) {
      b.add_row({n.method, human_seconds(r.soc.seconds(n.cycles)),
                 human_joules(r.soc.joules(n.energy_mw_cycles)), ratio(n.cycles, r.optimal.cycles),
                 ratio(n.energy_mw_cycles, r.optimal.energy_mw_cycles),
                 fixed_digits(n.low_precision_share(), 3)});
    };
    add(r.optimal);
    for (const auto& n : r.baselines) add(n);
    out += "\n" + b.render();
  }
  if (!r.front.empty()) {
    TextTable f({"budget", "latency", "energy", "low-precision share"},
                {TextTable::Align::kRight, TextTable::Align::kRight, TextTable::Align::kRight,
                 TextTable::Align::kRight});
    for (const auto& p : r.front) {
      f.add_row({fixed_digits(p.budget, 4), human_seconds(r.soc.seconds(p.split.cycles)),
                 human_joules(r.soc.joules(p.split.energy_mw_cycles)),
                 fixed_digits(p.split.low_precision_share(), 4)});
    }
    out +=
        "\ncost against the low-precision budget (" +
        std::string(r.options.scope == soc::BudgetScope::kLayer ? "each layer" : "whole network") +
        ", exact front, " + count_of(static_cast<std::int64_t>(r.front.size()), "point") + "):\n" +
        f.render();
  }
  return out;
}

namespace {

constexpr const char* kUnitColours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759"};

constexpr const char* kSplitStyle = R"(
body { font-family: Helvetica, Arial, sans-serif; margin: 24px 40px; color: #222;
       background: #fff; max-width: 1100px; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
pre { font-size: 12px; background: #f7f7f7; padding: 8px; overflow-x: auto; }
.chart { margin: 8px 0; overflow-x: auto; }
)";

}  // namespace

std::string split_svg(const SplitReport& r) {
  constexpr double kLabel = 220.0;
  constexpr double kBar = 600.0;
  constexpr double kRow = 16.0;
  constexpr double kTop = 30.0;
  const double height = kTop + kRow * static_cast<double>(r.tables.size()) + 30.0;
  SvgWriter svg(kLabel + kBar + 20.0, height);
  double x = kLabel;
  for (std::size_t u = 0; u < r.soc.units.size(); ++u) {
    svg.rect(x, 8, 12, 12, kUnitColours[u % 4]);
    svg.text(x + 16, 18, r.soc.units[u].name, 12);
    x += 24 + 8.0 * static_cast<double>(r.soc.units[u].name.size()) + 16;
  }
  for (std::size_t l = 0; l < r.tables.size(); ++l) {
    const auto& s = r.optimal.layers[l];
    const double y = kTop + kRow * static_cast<double>(l);
    svg.text(kLabel - 6, y + 11, r.tables[l].shape.name, 10, "end");
    const double total = static_cast<double>(r.tables[l].shape.c_out);
    double at = kLabel;
    for (std::size_t u = 0; u < r.soc.units.size(); ++u) {
      if (s.channels[u] == 0) continue;
      const double w = kBar * static_cast<double>(s.channels[u]) / total;
      svg.rect(at, y + 2, w, kRow - 4, kUnitColours[u % 4],
               r.soc.units[u].name + ": " + std::to_string(s.channels[u]) + " of " +
                   std::to_string(r.tables[l].shape.c_out) + " channels, busy " +
                   human_seconds(r.soc.seconds(s.unit_cycles[u])) + " (layer " +
                   human_seconds(r.soc.seconds(s.cycles)) + ")");
      at += w;
    }
  }
  const double axis = kTop + kRow * static_cast<double>(r.tables.size()) + 12.0;
  svg.text(kLabel, axis, "0 %", 10, "start");
  svg.text(kLabel + kBar, axis, "100 % of the layer's output channels", 10, "end");
  return svg.render();
}

std::string split_html(const SplitReport& r) {
  std::string title = "tessera split: " + r.model + " on " + r.soc.name;
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<title>" + xml_escape(title) + "</title>\n<style>" + kSplitStyle +
          "</style>\n</head>\n<body>\n<h1>" + xml_escape(title) + "</h1>\n";
  html += "<p>" + xml_escape(split_text(r).substr(0, split_text(r).find('\n'))) + "</p>\n";
  html +=
      "<h2>Channels per unit, per layer</h2>\n<div class=\"chart\">" + split_svg(r) + "</div>\n";
  html += "<h2>Splits, baselines and front</h2>\n<pre>" + xml_escape(split_text(r)) + "</pre>\n";
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace tessera::report
