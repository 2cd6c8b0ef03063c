#include "tessera/report/estimate_report.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tessera/report/text_table.hpp"

namespace tessera::report {

namespace {

using ojson = nlohmann::ordered_json;

/// JSON key of a layer's memory: "memory_bytes" for bytes, else the unit ("tiles").
std::string memory_key(const cost::Capacity& capacity) {
  return capacity.unit == kBytesUnit ? "memory_bytes" : capacity.unit;
}

struct Totals {
  double latency_s = 0.0;
  double period_s = 0.0;
  double energy_j = 0.0;
  double memory = 0.0;
  double ops = 0.0;
};

Totals totals_of(const cost::DeviceEstimate& e) {
  Totals t;
  for (const auto& l : e.layers) {
    t.latency_s += l.cost.time.value();
    if (e.pipelined) t.period_s = std::max(t.period_s, l.cost.time.value());
    t.energy_j += l.cost.energy.value();
    t.memory += l.cost.memory.value();
    t.ops += l.ops;
  }
  // A device that does not pipeline its layers takes the next inference after the last layer
  // (as a one-stage plan on it does).
  if (!e.pipelined) t.period_s = t.latency_s;
  return t;
}

ojson value_json(const cost::ReportValue& v) {
  return std::visit([](const auto& x) { return ojson(x); }, v.value);
}

std::string cell(const cost::EstimateColumn& column, const cost::OpCost& c) {
  double v = c.memory.value();
  if (!column.part.empty()) {
    const auto it = c.parts.find(column.part);
    v = it == c.parts.end() ? 0.0 : it->second;
  }
  if (column.unit == "s") return human_seconds(v);
  if (column.unit == "J") return human_joules(v);
  if (column.unit == kBytesUnit) return human_bytes(v);
  return fixed_digits(v, column.digits);
}

}  // namespace

std::string estimate_json(const cost::DeviceEstimate& e, const std::string& platform) {
  ojson doc;
  doc["format"] = "tessera.estimate/1";
  doc["model"] = e.model;
  doc["platform"] = platform;
  doc["device"] = e.device;
  doc["device_kind"] = e.kind;
  doc["neurosim_conventions"] = e.options.reference_conventions;
  doc["layers"] = ojson::array();
  const std::string memory = memory_key(e.capacity);
  for (const auto& l : e.layers) {
    ojson layer;
    layer["name"] = l.name;
    layer["latency_s"] = l.cost.time.value();
    layer["energy_j"] = l.cost.energy.value();
    layer[memory] = l.cost.memory.value();
    layer["parts"] = l.cost.parts;
    doc["layers"].push_back(layer);
  }
  const Totals t = totals_of(e);
  ojson totals;
  totals["latency_s"] = t.latency_s;
  totals["period_s"] = t.period_s;
  totals["throughput_per_s"] = t.period_s > 0.0 ? 1.0 / t.period_s : 0.0;
  totals["energy_j"] = t.energy_j;
  totals["ops"] = t.ops;
  totals[memory] = t.memory;
  for (const auto& v : e.report.totals) totals[v.key] = value_json(v);
  doc["totals"] = totals;
  if (!e.report.device_section.empty()) {
    ojson section;
    for (const auto& v : e.report.device_values) section[v.key] = value_json(v);
    doc[e.report.device_section] = section;
  }
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string estimate_text(const cost::DeviceEstimate& e, const std::string& platform) {
  using A = TextTable::Align;
  std::vector<std::string> headers = {"layer", "latency", "energy"};
  std::vector<A> align = {A::kLeft, A::kRight, A::kRight};
  for (const auto& c : e.report.columns) {
    headers.push_back(c.header);
    align.push_back(A::kRight);
  }
  TextTable table(headers, align);
  for (const auto& l : e.layers) {
    std::vector<std::string> row = {l.name, human_seconds(l.cost.time.value()),
                                    human_joules(l.cost.energy.value())};
    for (const auto& c : e.report.columns) row.push_back(cell(c, l.cost));
    table.add_row(row);
  }
  const Totals t = totals_of(e);
  std::string out = e.model + " on " + e.device + " (" + e.kind + ", platform " + platform + ")\n";
  if (!e.report.device_text.empty()) out += e.report.device_text + "\n";
  out += table.render() + "latency " + human_seconds(t.latency_s) + ", period " +
         human_seconds(t.period_s) + " (" + fixed_digits(1.0 / t.period_s, 1) + "/s), energy " +
         human_joules(t.energy_j) + e.report.totals_text + "\n";
  return out;
}

}  // namespace tessera::report
