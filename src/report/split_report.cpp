#include "tessera/report/split_report.hpp"

#include <nlohmann/json.hpp>

#include "tessera/core/format.hpp"
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
  out += ", low-precision budget " + fixed_digits(r.options.budget, 3) + " per " +
         scope_name(r.options.scope) + "\n";
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
    out += "\ncost against the low-precision budget (per " + scope_name(r.options.scope) +
           ", exact front, " + std::to_string(r.front.size()) + " points):\n" + f.render();
  }
  return out;
}

}  // namespace tessera::report
