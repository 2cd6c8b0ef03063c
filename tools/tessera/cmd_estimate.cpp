#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli.hpp"
#include "commands.hpp"

#include "tessera/cost/cim_model.hpp"
#include "tessera/cost/cost_table_builder.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/io/model_loader.hpp"
#include "tessera/io/platform_yaml.hpp"
#include "tessera/report/text_table.hpp"

namespace tessera::cli {

namespace {

/// NeuroSim divides its TOPS/W by a post-layout factor its printed energy leaves out. Checked on
/// the shared VGG8 run: 1.232e9 ops / (34.756 + 0.298) uJ = 35.15 TOPS/W = 1.22 x its printed
/// 28.804 TOPS/W.
constexpr double kNeuroSimPostLayoutFactor = 1.22;

struct LayerRow {
  std::string name;
  cost::OpCost cost;
  double ops = 0.0;
};

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

double part(const cost::OpCost& c, const char* key) {
  const auto it = c.parts.find(key);
  return it == c.parts.end() ? 0.0 : it->second;
}

}  // namespace

void register_estimate(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "estimate", "Per-layer latency, energy and memory (tiles and area for CIM) on one device");
  struct Args {
    std::string model;
    std::string platform;
    std::string device;
    io::ModelOptions options;
    std::string json;
    bool neurosim = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("MODEL", args->model, "zoo model name or .onnx file")->required();
  cmd->add_option("--platform", args->platform, "preset name or platform YAML file")->required();
  cmd->add_option("--device", args->device, "device name in the platform")->required();
  cmd->add_option("--batch", args->options.batch, "batch size")->check(CLI::PositiveNumber);
  cmd->add_option("--json", args->json, "write tessera.estimate/1 JSON to FILE (- for stdout)");
  cmd->add_flag("--neurosim-conventions", args->neurosim,
                "CIM: count as NeuroSim does (output positions without padding; TOPS/W / 1.22)");
  cmd->callback([args, &exit_code] {
    auto graph = io::load_model(args->model, args->options);
    if (!graph.ok()) {
      exit_code = report_bad_input(graph.diagnostics());
      return;
    }
    auto chain = graph::build_layer_chain(graph.value());
    if (!chain.ok()) {
      exit_code = report_bad_input(chain.diagnostics());
      return;
    }
    auto platform = io::load_platform(args->platform);
    if (!platform.ok()) {
      exit_code = report_bad_input(platform.diagnostics());
      return;
    }
    const hw::Device* device = platform->find_device(args->device);
    if (device == nullptr) {
      std::string names;
      for (const auto& d : platform->devices) names += (names.empty() ? "" : ", ") + d.name;
      exit_code = report_bad_input(
          {Diagnostic{platform->source_file, 0, 0, "--device",
                      "no device '" + args->device + "' in platform; devices: " + names}});
      return;
    }
    const bool cim = device->kind == hw::DeviceKind::kCim;
    auto models = cost::CostModelSet::defaults();
    const cost::CimModel cim_model(cost::CimOptions{.neurosim_conventions = args->neurosim});

    std::vector<LayerRow> rows;
    for (const auto& layer : chain->layers) {
      const cost::CostModel* model = cim ? &cim_model : models.find(graph.value(), layer, *device);
      if (model == nullptr) {
        exit_code = report_bad_input(
            {Diagnostic{"", 0, 0, "device '" + device->name + "'",
                        "no cost model supports layer '" + layer.name + "' on this device"}});
        return;
      }
      auto c = model->estimate_layer(graph.value(), layer, *device);
      if (!c.ok()) {
        exit_code = report_bad_input(c.diagnostics());
        return;
      }
      rows.push_back({layer.name, c.value(), 2.0 * static_cast<double>(layer.macs)});
    }

    double latency_s = 0.0;
    double period_s = 0.0;
    double energy_j = 0.0;
    double memory = 0.0;
    double area_mm2 = 0.0;
    double leakage_w = 0.0;
    double ops = 0.0;
    for (const auto& r : rows) {
      latency_s += r.cost.time.value();
      period_s = std::max(period_s, r.cost.time.value());
      energy_j += r.cost.energy.value();
      memory += r.cost.memory.value();
      area_mm2 += part(r.cost, "area_mm2");
      if (r.cost.time.value() > 0.0) leakage_w += part(r.cost, "leakage_j") / r.cost.time.value();
      ops += r.ops;
    }
    // Pipelined chip: every layer's tiles leak during every period.
    const double leakage_j = leakage_w * period_s;
    const double tops_per_w = (energy_j + leakage_j) > 0.0
                                  ? ops / (energy_j + leakage_j) / 1e12 /
                                        (args->neurosim ? kNeuroSimPostLayoutFactor : 1.0)
                                  : 0.0;

    nlohmann::ordered_json doc;
    doc["format"] = "tessera.estimate/1";
    doc["model"] = chain->model_name;
    doc["platform"] = platform->name;
    doc["device"] = device->name;
    doc["device_kind"] = std::string(hw::device_kind_name(device->kind));
    doc["neurosim_conventions"] = args->neurosim;
    doc["layers"] = nlohmann::json::array();
    for (const auto& r : rows) {
      nlohmann::ordered_json l;
      l["name"] = r.name;
      l["latency_s"] = r.cost.time.value();
      l["energy_j"] = r.cost.energy.value();
      if (cim) {
        l["tiles"] = r.cost.memory.value();
      } else {
        l["memory_bytes"] = r.cost.memory.value();
      }
      l["parts"] = r.cost.parts;
      doc["layers"].push_back(l);
    }
    nlohmann::ordered_json totals;
    totals["latency_s"] = latency_s;
    totals["period_s"] = period_s;
    totals["throughput_per_s"] = period_s > 0.0 ? 1.0 / period_s : 0.0;
    totals["energy_j"] = energy_j;
    totals["ops"] = ops;
    if (cim) {
      totals["tiles"] = memory;
      totals["area_mm2"] = area_mm2;
      totals["leakage_j"] = leakage_j;
      totals["leakage_w"] = leakage_w;
      totals["tops_per_w"] = tops_per_w;
    } else {
      totals["memory_bytes"] = memory;
    }
    doc["totals"] = totals;
    // The chip's constants at its node (clock and energies scale with technology_nm).
    std::optional<cost::CimParams> chip;
    if (cim) {
      if (auto p = cost::CimParams::from_device(*device); p.ok()) chip = p.value();
    }
    if (chip) {
      const cost::CimPhysics ph = cost::cim_physics(*chip);
      nlohmann::ordered_json c;
      c["cell"] = chip->cell;
      c["technology_nm"] = chip->technology_nm;
      c["clock_s"] = ph.clock_s;
      c["adc_bits"] = chip->adc_bits;
      c["rows_parallel"] = chip->rows_parallel;
      c["conversion_energy_j"] = ph.conversion_energy_pj * 1e-12;
      c["subarray_area_um2"] = ph.subarray_area_um2;
      doc["chip"] = c;
    }

    if (!args->json.empty()) {
      if (!write_output(args->json, doc.dump(2) + "\n")) {
        exit_code = kBadInput;
        return;
      }
      if (args->json == "-") {
        exit_code = kOk;
        return;
      }
    }

    using A = report::TextTable::Align;
    report::TextTable table(
        cim ? std::vector<std::string>{"layer", "latency", "energy", "ADC", "accum", "periph",
                                       "buffer", "IC", "tiles", "area mm2"}
            : std::vector<std::string>{"layer", "latency", "energy", "compute", "memory",
                                       "weights"},
        cim ? std::vector<A>{A::kLeft, A::kRight, A::kRight, A::kRight, A::kRight, A::kRight,
                             A::kRight, A::kRight, A::kRight, A::kRight}
            : std::vector<A>{A::kLeft, A::kRight, A::kRight, A::kRight, A::kRight, A::kRight});
    for (const auto& r : rows) {
      const auto& c = r.cost;
      if (cim) {
        table.add_row({r.name, human_seconds(c.time.value()), human_joules(c.energy.value()),
                       human_joules(part(c, "adc_j")), human_joules(part(c, "accumulation_j")),
                       human_joules(part(c, "periphery_j")), human_joules(part(c, "buffer_j")),
                       human_joules(part(c, "interconnect_j")), fixed(c.memory.value(), 0),
                       fixed(part(c, "area_mm2"), 2)});
      } else {
        table.add_row({r.name, human_seconds(c.time.value()), human_joules(c.energy.value()),
                       human_seconds(part(c, "compute_s")), human_seconds(part(c, "memory_s")),
                       human_bytes(c.memory.value())});
      }
    }
    std::cout << chain->model_name << " on " << device->name << " ("
              << hw::device_kind_name(device->kind) << ", platform " << platform->name << ")\n";
    if (chip) {
      const cost::CimPhysics ph = cost::cim_physics(*chip);
      std::cout << chip->cell << " " << fixed(chip->technology_nm, 0) << " nm, clock "
                << fixed(ph.clock_s * 1e9, 4) << " ns, " << chip->adc_bits << "-bit ADC, Rp "
                << chip->rows_parallel << ", " << fixed(ph.conversion_energy_pj, 4)
                << " pJ per conversion\n";
    }
    std::cout << table.render() << "latency " << human_seconds(latency_s) << ", period "
              << human_seconds(period_s) << " (" << fixed(1.0 / period_s, 1) << "/s), energy "
              << human_joules(energy_j);
    if (cim) {
      std::cout << " + leakage " << human_joules(leakage_j) << ", " << fixed(memory, 0)
                << " tiles, " << fixed(area_mm2, 1) << " mm2, " << fixed(tops_per_w, 2)
                << " TOPS/W";
    } else {
      std::cout << ", weights " << human_bytes(memory);
    }
    std::cout << '\n';
    exit_code = kOk;
  });
}

}  // namespace tessera::cli
