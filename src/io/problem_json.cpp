#include "tessera/io/problem_json.hpp"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "json_document.hpp"
#include "tessera/core/file_text.hpp"
#include "tessera/hw/platform_builder.hpp"
#include "tessera/io/problem_inputs.hpp"

namespace tessera::io {

namespace {

using nlohmann::json;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::string_view kFormat = "tessera.problem/1";

/// Collects every problem of one document.
class Checker {
 public:
  Checker(std::string file, const detail::JsonDocument& doc) : file_(std::move(file)), doc_(doc) {}
  void fail(const std::string& field, const std::string& message) {
    problems_.push_back({file_, doc_.line_of(field), 0, field, message});
  }
  /// A string member of `obj` (`fallback` when absent); a value of another type is a problem.
  std::string text(const json& obj, const char* key, const std::string& field,
                   const std::string& fallback) {
    const auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_string()) {
      fail(field, "must be a string, got " + detail::json_kind(*it));
      return fallback;
    }
    return it->get<std::string>();
  }
  /// A number ≥ 0 (or > 0), or null when `null_is_inf` (= +inf, "cannot run").
  double number(const json& j, const std::string& field, bool positive, bool null_is_inf = false) {
    if (j.is_null() && null_is_inf) return kInf;
    if (!j.is_number()) {
      fail(field, std::string(null_is_inf ? "must be a number or null" : "must be a number") +
                      ", got " + detail::json_kind(j));
      return 0.0;
    }
    const double v = j.get<double>();
    if (!std::isfinite(v) || v < 0.0 || (positive && v == 0.0)) {
      fail(field, std::string(positive ? "must be positive" : "must not be negative") + ", got " +
                      j.dump());
      return 0.0;
    }
    return v;
  }
  std::vector<double> numbers(const json& parent, const std::string& key, const std::string& path,
                              std::size_t expected, bool positive, bool null_is_inf = false) {
    std::vector<double> out;
    if (!parent.contains(key)) {
      fail(path, "missing (an array of " + std::to_string(expected) + " numbers)");
      return out;
    }
    const auto& arr = parent.at(key);
    if (!arr.is_array() || arr.size() != expected) {
      fail(path, "must be an array of " + std::to_string(expected) + " numbers, got " +
                     (arr.is_array() ? std::to_string(arr.size()) + " entries" : arr.type_name()));
      return out;
    }
    for (std::size_t i = 0; i < arr.size(); ++i)
      out.push_back(number(arr[i], path + "[" + std::to_string(i) + "]", positive, null_is_inf));
    return out;
  }
  std::vector<Diagnostic> problems_;

 private:
  std::string file_;
  const detail::JsonDocument& doc_;
};

/// The unit a device's capacity and layer memory are counted in: the <unit> of its
/// "capacity_<unit>" or "layer_memory_<unit>" keys (bytes when it has neither); one unit per
/// device.
std::string capacity_unit(Checker& c, const json& dev, const std::string& path) {
  std::string unit;
  for (const auto& [key, value] : dev.items()) {
    std::string found;
    if (key.rfind("capacity_", 0) == 0) found = key.substr(9);
    if (key.rfind("layer_memory_", 0) == 0) found = key.substr(13);
    if (found.empty()) continue;
    if (!unit.empty() && found != unit) {
      c.fail(path + "." + key, "counts in " + found +
                                   " but the device's capacity or memory is in " + unit +
                                   "; give one unit per device");
      continue;
    }
    unit = found;
  }
  return unit.empty() ? std::string(kBytesUnit) : unit;
}

}  // namespace

bool is_problem_path(std::string_view spec) {
  constexpr std::string_view kSuffix = ".problem.json";
  return spec.size() >= kSuffix.size() && spec.substr(spec.size() - kSuffix.size()) == kSuffix;
}

Result<cost::CostTable> parse_problem_json(std::string_view text, const std::string& file_name) {
  auto parsed = detail::parse_json_document(text, file_name);
  if (!parsed.ok()) return parsed.diagnostics();
  const json& doc = parsed->root;
  Checker c(file_name, parsed.value());
  if (!doc.is_object()) return Diagnostic{file_name, 1, 0, "", "must be a JSON object"};
  if (!doc.contains("format") || doc["format"] != kFormat) {
    c.fail("format", "must be \"" + std::string(kFormat) + "\"");
    return c.problems_;
  }
  cost::CostTable t;
  t.model_name = c.text(doc, "name", "name", "problem");
  t.platform_name = c.text(doc, "platform", "platform", "problem");
  if (doc.contains("microbatch")) {
    const double mb = c.number(doc["microbatch"], "microbatch", true);
    if (mb != std::floor(mb) || mb > static_cast<double>(kMaxBatch))
      c.fail("microbatch", "must be a whole number from 1 to " + std::to_string(kMaxBatch));
    else if (mb >= 1.0)
      t.microbatch = static_cast<std::int32_t>(mb);
  }
  if (!doc.contains("layers") || !doc["layers"].is_array() || doc["layers"].empty()) {
    c.fail("layers",
           doc.contains("layers")
               ? "must be a non-empty array of layer names, got " + detail::json_kind(doc["layers"])
               : "missing: an array of layer names (one per layer, at least one)");
    return c.problems_;
  }
  if (doc["layers"].size() > kMaxProblemLayers) {
    c.fail("layers", "at most " + std::to_string(kMaxProblemLayers) +
                         " layers are supported, got " + std::to_string(doc["layers"].size()));
    return c.problems_;
  }
  for (std::size_t i = 0; i < doc["layers"].size(); ++i) {
    const auto& name = doc["layers"][i];
    if (!name.is_string()) c.fail("layers[" + std::to_string(i) + "]", "must be a string");
    t.layer_names.push_back(name.is_string() ? name.get<std::string>() : "");
  }
  t.num_layers = static_cast<std::int32_t>(t.layer_names.size());
  const auto L = static_cast<std::size_t>(t.num_layers);
  t.cut_bytes = c.numbers(doc, "cut_bytes", "cut_bytes", L + 1, false);

  if (!doc.contains("devices") || !doc["devices"].is_array() || doc["devices"].empty()) {
    c.fail("devices", doc.contains("devices")
                          ? "must be a non-empty array of device objects, got " +
                                detail::json_kind(doc["devices"])
                          : "missing: an array of device objects (at least one)");
    return c.problems_;
  }
  if (doc["devices"].size() > static_cast<std::size_t>(hw::kMaxDevices)) {
    c.fail("devices", "at most " + std::to_string(hw::kMaxDevices) +
                          " devices are supported, got " + std::to_string(doc["devices"].size()));
    return c.problems_;
  }
  const auto& devices = doc["devices"];
  t.num_devices = static_cast<std::int32_t>(devices.size());
  const auto D = devices.size();
  t.time_s.assign(L * D, kInf);
  t.energy_j.assign(L * D, 0.0);
  t.memory.assign(L * D, 0.0);
  t.workspace_bytes.assign(L * D, 0.0);
  for (std::size_t d = 0; d < D; ++d) {
    const auto& dev = devices[d];
    const std::string path = "devices[" + std::to_string(d) + "]";
    if (!dev.is_object()) {
      c.fail(path, "must be an object");
      continue;
    }
    const std::string name = c.text(dev, "name", path + ".name", "");
    if (!dev.contains("name"))
      c.fail(path + ".name", "missing");
    else if (name.empty() && dev["name"].is_string())
      c.fail(path + ".name", "must not be empty");
    // Earlier entries that were not objects have no name: compare with the names read.
    for (std::size_t e = 0; e < t.device_names.size(); ++e)
      if (t.device_names[e] == name && !name.empty())
        c.fail(path + ".name", "duplicate device name '" + name + "'");
    t.device_names.push_back(name);
    t.device_kinds.push_back(c.text(dev, "kind", path + ".kind", "cpu"));
    const std::string cls = c.text(dev, "class", path + ".class", name);
    std::int32_t class_id = -1;
    for (std::size_t k = 0; k < t.class_names.size(); ++k)
      if (t.class_names[k] == cls) class_id = static_cast<std::int32_t>(k);
    if (class_id < 0) {
      class_id = static_cast<std::int32_t>(t.class_names.size());
      t.class_names.push_back(cls);
    }
    t.device_class.push_back(class_id);
    // The capacity resource and its unit: "capacity_bytes", or "capacity_tiles" (any
    // "capacity_<unit>"); the layers' memory is in the same unit ("layer_memory_<unit>").
    const std::string unit = capacity_unit(c, dev, path);
    t.capacity_unit.push_back(unit);
    const std::string capacity_key = "capacity_" + unit;
    t.capacity.push_back(dev.contains(capacity_key)
                             ? c.number(dev[capacity_key], path + "." + capacity_key, true)
                             : kInf);
    t.activation_buffer_scale.push_back(
        dev.contains("activation_buffer_scale")
            ? c.number(dev["activation_buffer_scale"], path + ".activation_buffer_scale", false)
            : (unit == kBytesUnit ? 1.0 : 0.0));
    bool pipelined = false;  // optional: absent = the layers run one after another
    if (dev.contains("pipelined_layers")) {
      if (dev["pipelined_layers"].is_boolean()) {
        pipelined = dev["pipelined_layers"].get<bool>();
      } else {
        c.fail(path + ".pipelined_layers",
               "must be true (the device pipelines its layers: period max, latency sum) or "
               "false");
      }
    }
    t.pipelined_layers.push_back(pipelined ? 1 : 0);
    t.static_power_w.push_back(
        dev.contains("static_power_w")
            ? c.number(dev["static_power_w"], path + ".static_power_w", false)
            : 0.0);
    const auto time = c.numbers(dev, "layer_time_s", path + ".layer_time_s", L, false, true);
    const auto energy = dev.contains("layer_energy_j")
                            ? c.numbers(dev, "layer_energy_j", path + ".layer_energy_j", L, false)
                            : std::vector<double>(L, 0.0);
    const std::string memory_key = "layer_memory_" + unit;
    const auto memory = dev.contains(memory_key)
                            ? c.numbers(dev, memory_key, path + "." + memory_key, L, false)
                            : std::vector<double>(L, 0.0);
    const auto workspace =
        dev.contains("layer_workspace_bytes")
            ? c.numbers(dev, "layer_workspace_bytes", path + ".layer_workspace_bytes", L, false)
            : std::vector<double>(L, 0.0);
    for (std::size_t l = 0; l < L; ++l) {
      const auto i = t.at(static_cast<std::int32_t>(d), static_cast<std::int32_t>(l));
      if (time.size() == L) t.time_s[i] = time[l];
      if (energy.size() == L) t.energy_j[i] = energy[l];
      if (memory.size() == L) t.memory[i] = memory[l];
      if (workspace.size() == L) t.workspace_bytes[i] = workspace[l];
    }
  }
  t.source_name = c.text(doc, "source", "source", "source");

  // Links: matrices over endpoints 0..D (devices, then the source/sink), or one default link.
  const std::size_t E = D + 1;
  t.link_latency_s.assign(E * E, 0.0);
  t.link_bandwidth_bytes_per_s.assign(E * E, kInf);
  t.link_energy_j_per_byte.assign(E * E, 0.0);
  if (!doc.contains("links") || !doc["links"].is_object()) {
    c.fail("links",
           "missing: {\"latency_s\", \"bandwidth_bytes_per_s\", \"energy_j_per_byte\"}, "
           "each a number or a " +
               std::to_string(E) + "x" + std::to_string(E) +
               " matrix (devices, then the source/sink)");
    return c.problems_;
  }
  const auto& links = doc["links"];
  // `positive`: a single number for every pair must be > 0 (else no pair could talk); a matrix
  // entry may be 0 where `zero_entry_ok` (a zero-bandwidth pair has no link: hw::transfer_seconds
  // makes a non-empty transfer over it +inf, so plans avoid the pair).
  auto matrix = [&](const std::string& key, std::vector<double>& out, bool positive,
                    bool zero_entry_ok) {
    const std::string path = "links." + key;
    if (!links.contains(key)) {
      if (key != "energy_j_per_byte") c.fail(path, "missing");
      return;
    }
    const auto& m = links[key];
    if (m.is_number()) {
      const double v = c.number(m, path, positive);
      for (std::size_t a = 0; a < E; ++a)
        for (std::size_t b = 0; b < E; ++b)
          if (a != b) out[a * E + b] = v;
      return;
    }
    if (!m.is_array() || m.size() != E) {
      c.fail(path, "must be a number or a " + std::to_string(E) + "x" + std::to_string(E) +
                       " matrix (devices, then the source/sink)");
      return;
    }
    for (std::size_t a = 0; a < E; ++a) {
      const auto& r = m[a];
      if (!r.is_array() || r.size() != E) {
        c.fail(path + "[" + std::to_string(a) + "]",
               "must be an array of " + std::to_string(E) + " numbers");
        continue;
      }
      for (std::size_t b = 0; b < E; ++b) {
        if (a == b) continue;  // the diagonal is a device talking to itself: free
        out[a * E + b] =
            c.number(r[b], path + "[" + std::to_string(a) + "][" + std::to_string(b) + "]",
                     positive && !zero_entry_ok);
      }
    }
  };
  matrix("latency_s", t.link_latency_s, false, false);
  matrix("bandwidth_bytes_per_s", t.link_bandwidth_bytes_per_s, true, true);
  matrix("energy_j_per_byte", t.link_energy_j_per_byte, false, false);

  if (doc.contains("input_buffers"))
    t.input_buffers = c.number(doc["input_buffers"], "input_buffers", false);
  if (doc.contains("output_buffers"))
    t.output_buffers = c.number(doc["output_buffers"], "output_buffers", false);
  if (doc.contains("first_stage_input_buffers"))
    t.first_stage_input_buffers =
        c.number(doc["first_stage_input_buffers"], "first_stage_input_buffers", false);
  if (!c.problems_.empty()) return c.problems_;
  return t;
}

Result<cost::CostTable> load_problem_json(const std::string& path) {
  auto text = read_text_file(path);
  if (!text.ok()) return text.diagnostics();
  return parse_problem_json(text.value(), path);
}

std::string problem_json(const cost::CostTable& t) {
  nlohmann::ordered_json doc;
  doc["format"] = kFormat;
  doc["name"] = t.model_name;
  doc["platform"] = t.platform_name;
  doc["microbatch"] = t.microbatch;
  doc["layers"] = t.layer_names;
  doc["cut_bytes"] = t.cut_bytes;
  auto finite_or_null = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  auto& devices = doc["devices"] = nlohmann::ordered_json::array();
  for (std::int32_t d = 0; d < t.num_devices; ++d) {
    nlohmann::ordered_json dev;
    const auto du = static_cast<std::size_t>(d);
    dev["name"] = t.device_names[du];
    dev["kind"] = du < t.device_kinds.size() ? t.device_kinds[du] : "cpu";
    dev["class"] = t.class_names[static_cast<std::size_t>(t.device_class[du])];
    const std::string unit(t.unit(d));
    if (std::isfinite(t.capacity[du])) dev["capacity_" + unit] = t.capacity[du];
    dev["static_power_w"] = t.static_power_w[du];
    if (t.buffer_scale(d) != 1.0) dev["activation_buffer_scale"] = t.buffer_scale(d);
    if (t.pipelined(d)) dev["pipelined_layers"] = true;
    json time = json::array(), energy = json::array(), memory = json::array(),
         workspace = json::array();
    for (std::int32_t l = 0; l < t.num_layers; ++l) {
      time.push_back(finite_or_null(t.time_s[t.at(d, l)]));
      energy.push_back(t.energy_j[t.at(d, l)]);
      memory.push_back(t.memory[t.at(d, l)]);
      workspace.push_back(t.workspace_bytes[t.at(d, l)]);
    }
    dev["layer_time_s"] = time;
    dev["layer_energy_j"] = energy;
    dev["layer_memory_" + unit] = memory;
    dev["layer_workspace_bytes"] = workspace;
    devices.push_back(std::move(dev));
  }
  doc["source"] = t.source_name;
  const auto E = static_cast<std::size_t>(t.num_devices) + 1;
  auto matrix = [&](const std::vector<double>& m, double diagonal) {
    json rows = json::array();
    for (std::size_t a = 0; a < E; ++a) {
      json row = json::array();
      for (std::size_t b = 0; b < E; ++b) row.push_back(a == b ? diagonal : m[a * E + b]);
      rows.push_back(row);
    }
    return rows;
  };
  doc["links"] = {{"latency_s", matrix(t.link_latency_s, 0.0)},
                  {"bandwidth_bytes_per_s", matrix(t.link_bandwidth_bytes_per_s, 1.0)},
                  {"energy_j_per_byte", matrix(t.link_energy_j_per_byte, 0.0)}};
  doc["input_buffers"] = t.input_buffers;
  doc["output_buffers"] = t.output_buffers;
  if (t.first_stage_input_buffers >= 0.0)
    doc["first_stage_input_buffers"] = t.first_stage_input_buffers;
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace tessera::io
