// SoC parameters: the device's clock, power form and split settings, and one record per compute
// unit (its cost form, the layer kinds it accepts, precision, powers and form parameters). The
// defaults of the form parameters are ODiMO's DIANA numbers (eml-eda/odimo-journal,
// incomp-data-fmts/models/hw_models.py); presets/ give every other number with its source.
#include <map>
#include <memory>
#include <set>
#include <string>

#include "cost/soc/soc_params.hpp"

namespace tessera::cost::soc {

namespace {

hw::ParamSpec number(const char* name, const char* unit, const char* doc,
                     std::optional<double> default_value, double min = 0.0) {
  hw::ParamSpec s;
  s.name = name;
  s.type = hw::ParamType::kNumber;
  s.unit = unit;
  s.doc = doc;
  if (default_value) s.default_value = hw::ParamValue(*default_value);
  s.min = min;
  return s;
}

hw::ParamSpec integer(const char* name, const char* doc, double default_value, double min) {
  hw::ParamSpec s = number(name, "", doc, default_value, min);
  s.type = hw::ParamType::kInteger;
  return s;
}

hw::ParamSpec flag(const char* name, const char* doc) {
  hw::ParamSpec s;
  s.name = name;
  s.type = hw::ParamType::kFlag;
  s.doc = doc;
  s.default_value = hw::ParamValue(false);
  return s;
}

/// `default_value` nullptr: required.
hw::ParamSpec word(const char* name, const char* doc, std::vector<std::string> choices,
                   const char* default_value) {
  hw::ParamSpec s;
  s.name = name;
  s.type = hw::ParamType::kWord;
  s.doc = doc;
  s.choices = std::move(choices);
  if (default_value != nullptr) s.default_value = hw::ParamValue(default_value);
  return s;
}

const std::vector<std::string>& form_names() {
  static const std::vector<std::string> kNames = {"diana_digital", "diana_analog", "pulp_cluster",
                                                  "dw_engine",     "mac_array",    "crossbar"};
  return kNames;
}

std::shared_ptr<const hw::ParamSchema> unit_schema() {
  auto s = std::make_shared<hw::ParamSchema>("SoC unit");
  s->add(word("name", "the unit's name", {}, nullptr));
  s->add(word("form", "closed-form cost model", form_names(), nullptr));
  s->add(flag("conv", "runs standard convolutions (groups = 1)"));
  s->add(flag("depthwise", "runs depthwise (and grouped) convolutions"));
  s->add(flag("fc", "runs fully connected layers"));
  s->add(integer("kernel", "only this square kernel; 0 = any", 0, 0));
  s->add(flag("depthwise_substitute",
              "computes its share of a standard convolution as a depthwise one (ODiMO Conv||DW)"));
  s->add(integer("weight_bits", "weight precision", 8, 1));
  s->add(flag("low_precision", "its channels count against the low-precision budget"));
  s->add(number("active_power_mw", "mW", "power while busy", std::nullopt));
  s->add(number("idle_power_mw", "mW", "power while waiting (per_unit power form)", 0.0));
  s->add(number("pe_channels", "", "diana_digital: output channels per cycle", 16.0));
  s->add(number("pe_columns", "", "diana_digital: output columns per cycle", 16.0));
  s->add(number("load_store_bytes_per_cycle", "bytes/cycle",
                "diana_digital: activation load/store rate", 8.0));
  s->add(number("rows", "", "diana_analog, crossbar: array rows", 1152.0));
  s->add(number("columns", "", "diana_analog, crossbar: array columns", 512.0));
  s->add(number("eval_ns", "ns", "diana_analog, crossbar: one array evaluation", 70.0));
  s->add(number("weight_load_cycles", "cycles", "diana_analog: cycles per weight written", 8.0));
  s->add(number("input_block", "", "diana_analog: input channels per evaluation", 128.0));
  s->add(number("min_input_rows", "", "diana_analog: input channels the unrolling reserves", 64.0));
  s->add(integer("max_unroll", "diana_analog: largest output unrolling", 8, 1));
  s->add(number("macs_per_cycle", "MAC/cycle", "mac_array: standard and FC layers", 0.0));
  s->add(number("depthwise_macs_per_cycle", "MAC/cycle",
                "mac_array: depthwise layers; 0 = macs_per_cycle", 0.0));
  s->add(integer("arrays", "crossbar: arrays evaluated in parallel", 1, 0));
  return s;
}

UnitForm form_of(const std::string& name) {
  static const std::map<std::string, UnitForm> kForms = {
      {"diana_digital", UnitForm::kDianaDigital}, {"diana_analog", UnitForm::kDianaAnalog},
      {"pulp_cluster", UnitForm::kPulpCluster},   {"dw_engine", UnitForm::kDwEngine},
      {"mac_array", UnitForm::kMacArray},         {"crossbar", UnitForm::kCrossbar}};
  const auto it = kForms.find(name);
  return it == kForms.end() ? UnitForm::kMacArray : it->second;
}

/// The form parameters that set a unit's rate: zero in any of them is zero throughput.
std::vector<const char*> rate_fields(UnitForm form) {
  switch (form) {
    case UnitForm::kDianaDigital:
      return {"pe_channels", "pe_columns", "load_store_bytes_per_cycle"};
    case UnitForm::kDianaAnalog:
      return {"rows", "columns", "eval_ns", "input_block"};
    case UnitForm::kPulpCluster:
    case UnitForm::kDwEngine:
      return {};
    case UnitForm::kMacArray:
      return {"macs_per_cycle"};
    case UnitForm::kCrossbar:
      return {"rows", "columns", "eval_ns", "arrays"};
  }
  return {};
}

}  // namespace

const hw::ParamSchema& soc_schema() {
  static const hw::ParamSchema kSchema = [] {
    hw::ParamSchema s("SoC");
    auto clock = number("clock_mhz", "MHz", "clock of every unit", std::nullopt);
    clock.min_exclusive = true;
    s.add(clock);
    hw::ParamSpec units;
    units.name = "units";
    units.type = hw::ParamType::kRecords;
    units.doc = "the compute units (1 to 3)";
    units.fields = unit_schema();
    units.min_records = 1;
    s.add(units);
    s.add(word("power_form", "per_unit: active + idle per unit; levels: DIANA's three levels",
               {"per_unit", "levels"}, "per_unit"));
    s.add(number("both_busy_power_mw", "mW", "levels: power while both units are busy", 0.0));
    s.add(
        word("split_objective", "the split the cost table uses", {"latency", "energy"}, "latency"));
    auto budget = number("low_precision_budget", "",
                         "largest share of a layer's channels on low-precision units", 1.0);
    budget.max = 1.0;
    s.add(budget);
    return s;
  }();
  return kSchema;
}

std::vector<Diagnostic> check_soc_params(const hw::ParamRecord& p, std::string_view path) {
  std::vector<Diagnostic> problems;
  auto error = [&](std::string field, std::string message) {
    problems.push_back({"", 0, 0, std::move(field), std::move(message)});
  };
  const std::string units_path = std::string(path) + ".units";
  const auto& units = p.records("units");
  if (units.size() > 3) {
    error(units_path, "at most 3 units (the exact split evaluates every split of a layer), got " +
                          std::to_string(units.size()));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const auto& u = units[i];
    const std::string at = units_path + "[" + std::to_string(i) + "]";
    const std::string name = u.word("name");
    const std::string label = "unit '" + name + "'";
    if (!names.insert(name).second) error(at + ".name", "two units are named '" + name + "'");
    if (!u.flag("conv") && !u.flag("depthwise") && !u.flag("fc")) {
      error(at, label + " runs no layer kind: set conv, depthwise or fc to 1");
    }
    const UnitForm form = form_of(u.word("form"));
    for (const char* f : rate_fields(form)) {
      if (u.contains(f) && u.number(f) == 0.0) {
        error(at + "." + f,
              label + " has zero throughput: " + f + " must be > 0 for form " + u.word("form"));
      }
    }
    if (form == UnitForm::kDwEngine && (u.flag("conv") || u.flag("fc")) &&
        !u.flag("depthwise_substitute")) {
      error(at + ".conv", label +
                              ": a dw_engine runs only depthwise convolutions (or standard "
                              "ones as depthwise substitutes: depthwise_substitute: 1)");
    }
    if (u.flag("depthwise_substitute") &&
        !(form == UnitForm::kDwEngine || form == UnitForm::kDianaDigital ||
          form == UnitForm::kMacArray)) {
      error(at + ".depthwise_substitute",
            label + ": form " + u.word("form") + " cannot compute depthwise convolutions");
    }
    if (u.flag("depthwise") && (form == UnitForm::kDianaAnalog || form == UnitForm::kPulpCluster ||
                                form == UnitForm::kCrossbar)) {
      error(at + ".depthwise",
            label + ": form " + u.word("form") + " has no depthwise cost (groups must be 1)");
    }
  }
  if (p.word("power_form") == "levels") {
    if (units.size() != 2) {
      error(std::string(path) + ".power_form",
            "the levels power form needs exactly 2 units, got " + std::to_string(units.size()));
    }
    if (p.number("both_busy_power_mw") <= 0.0) {
      error(std::string(path) + ".both_busy_power_mw",
            "the levels power form needs the power while both units are busy (> 0)");
    }
  }
  return problems;
}

Soc bind_soc(const hw::ParamRecord& p) {
  Soc soc;
  soc.clock_hz = p.number("clock_mhz") * 1e6;
  soc.power = p.word("power_form") == "levels" ? PowerForm::kLevels : PowerForm::kPerUnit;
  soc.both_busy_power_mw = p.number("both_busy_power_mw");
  soc.objective =
      p.word("split_objective") == "energy" ? SplitObjective::kEnergy : SplitObjective::kLatency;
  soc.low_precision_budget =
      p.contains("low_precision_budget") ? p.number("low_precision_budget") : 1.0;
  for (const auto& r : p.records("units")) {
    Unit u;
    u.name = r.word("name");
    u.form = form_of(r.word("form"));
    u.runs_conv = r.flag("conv");
    u.runs_depthwise = r.flag("depthwise");
    u.runs_fc = r.flag("fc");
    u.kernel = r.integer("kernel");
    u.depthwise_substitute = r.flag("depthwise_substitute");
    u.weight_bits = r.integer("weight_bits");
    u.low_precision = r.flag("low_precision");
    u.active_power_mw = r.number("active_power_mw");
    u.idle_power_mw = r.number("idle_power_mw");
    u.pe_channels = r.number("pe_channels");
    u.pe_columns = r.number("pe_columns");
    u.load_store_bytes_per_cycle = r.number("load_store_bytes_per_cycle");
    u.rows = r.number("rows");
    u.columns = r.number("columns");
    u.eval_ns = r.number("eval_ns");
    u.weight_load_cycles = r.number("weight_load_cycles");
    u.input_block = r.number("input_block");
    u.min_input_rows = r.number("min_input_rows");
    u.max_unroll = r.integer("max_unroll");
    u.macs_per_cycle = r.number("macs_per_cycle");
    u.depthwise_macs_per_cycle = r.number("depthwise_macs_per_cycle");
    u.arrays = r.integer("arrays");
    soc.units.push_back(std::move(u));
  }
  return soc;
}

Result<Soc> Soc::from_device(const hw::Device& device) {
  const std::string path = "device '" + device.name + "' params";
  std::vector<Diagnostic> problems;
  const hw::ParamRecord record = soc_schema().read(device.params, path, problems);
  if (problems.empty()) {
    for (auto& d : check_soc_params(record, path)) problems.push_back(std::move(d));
  }
  if (!problems.empty()) return problems;
  Soc soc = bind_soc(record);
  soc.name = device.name;
  return soc;
}

}  // namespace tessera::cost::soc
