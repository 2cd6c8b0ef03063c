#include "tessera/io/pipeedge.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>

#include "tessera/core/file_text.hpp"
#include "tessera/hw/platform_builder.hpp"

namespace tessera::io {
namespace {

/// 2^20: PipeEdge's MB (schedule.cpp multiplies mem_MB by 1024 * 1024).
constexpr double kBytesPerMB = 1024.0 * 1024.0;
/// PipeEdge's Mbps is 2^20 bits per second (schedule.cpp: mbits_sec * 1024 * 1024 / 8).
constexpr double kBytesPerSecondPerMbps = 1024.0 * 1024.0 / 8.0;
/// Buffers PipeEdge reserves per stage (schedule.cpp is_layers_fit, default --buffers-in 2,
/// --buffers-out 2): the queue buffers plus one processing buffer for each direction; the first
/// stage has no receive queue, only its processing buffer.
constexpr double kInputBuffers = 2.0 + 1.0;
constexpr double kOutputBuffers = 2.0 + 1.0;
constexpr double kFirstStageInputBuffers = 1.0;

/// Reads one YAML file and records its problems with the file name and yaml-cpp marks.
class YamlReader {
 public:
  YamlReader(std::string file, std::vector<Diagnostic>& errors)
      : file_(std::move(file)), errors_(errors) {}
  /// A reader of `text` already in memory, named `file` in diagnostics.
  YamlReader(std::string file, std::string text, std::vector<Diagnostic>& errors)
      : file_(std::move(file)), text_(std::move(text)), errors_(errors) {}

  [[nodiscard]] const std::string& file() const { return file_; }

  /// The document, or nullopt after recording why it cannot be read.
  [[nodiscard]] std::optional<YAML::Node> load() {
    if (!text_) {
      auto text = read_text_file(file_, kMaxPipeEdgeFileBytes);
      if (!text.ok()) {
        for (const auto& d : text.diagnostics()) errors_.push_back(d);
        return std::nullopt;
      }
      text_ = std::move(text).value();
    }
    try {
      return YAML::Load(*text_);
    } catch (const YAML::Exception& e) {
      error(e.mark.line + 1, e.mark.column + 1, "", "YAML syntax error: " + e.msg);
      return std::nullopt;
    }
  }

  void error(const YAML::Node& at, const std::string& field, const std::string& message) {
    errors_.push_back(diagnostic(at, field, message));
  }

  [[nodiscard]] Diagnostic diagnostic(const YAML::Node& at, const std::string& field,
                                      const std::string& message) const {
    const YAML::Mark mark = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
    const int line = mark.line >= 0 ? mark.line + 1 : 0;
    const int column = mark.column >= 0 ? mark.column + 1 : 0;
    return Diagnostic{file_, line, column, field, message};
  }

  /// The child `key` of map `parent`; records an error when it is missing.
  [[nodiscard]] std::optional<YAML::Node> child(const YAML::Node& parent, const std::string& key,
                                                const std::string& field) {
    YAML::Node node = parent[key];
    if (!node.IsDefined() || node.IsNull()) {
      error(parent, field, "missing field '" + key + "'");
      return std::nullopt;
    }
    return node;
  }

  /// A finite number >= 0.
  [[nodiscard]] std::optional<double> non_negative_number(const YAML::Node& node,
                                                          const std::string& field) {
    if (!node.IsScalar()) {
      error(node, field, "expected a number");
      return std::nullopt;
    }
    double value = 0.0;
    try {
      value = node.as<double>();
    } catch (const YAML::Exception&) {
      error(node, field, "expected a number, got '" + node.Scalar() + "'");
      return std::nullopt;
    }
    if (!std::isfinite(value)) {
      error(node, field, "expected a finite number, got '" + node.Scalar() + "'");
      return std::nullopt;
    }
    if (value < 0.0) {
      error(node, field, "must not be negative, got " + node.Scalar());
      return std::nullopt;
    }
    return value;
  }

  /// An integer >= 0.
  [[nodiscard]] std::optional<std::int64_t> non_negative_integer(const YAML::Node& node,
                                                                 const std::string& field) {
    if (!node.IsScalar()) {
      error(node, field, "expected an integer");
      return std::nullopt;
    }
    std::int64_t value = 0;
    try {
      value = node.as<std::int64_t>();
    } catch (const YAML::Exception&) {
      error(node, field, "expected an integer, got '" + node.Scalar() + "'");
      return std::nullopt;
    }
    if (value < 0) {
      error(node, field, "must not be negative, got " + node.Scalar());
      return std::nullopt;
    }
    return value;
  }

  /// A sequence whose every element passes `element`; nullopt if any does not.
  template <typename T, typename Element>
  [[nodiscard]] std::optional<std::vector<T>> list(const YAML::Node& node, const std::string& field,
                                                   Element element) {
    if (!node.IsSequence()) {
      error(node, field, "expected a list");
      return std::nullopt;
    }
    std::vector<T> values;
    values.reserve(node.size());
    bool ok = true;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const auto value = (this->*element)(node[i], field + "[" + std::to_string(i) + "]");
      if (value) {
        values.push_back(static_cast<T>(*value));
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return values;
  }

 private:
  void error(int line, int column, const std::string& field, const std::string& message) {
    errors_.push_back(Diagnostic{file_, line, column, field, message});
  }

  std::string file_;
  std::optional<std::string> text_;  ///< the document, once read (or given)
  std::vector<Diagnostic>& errors_;
};

struct Model {
  std::int64_t layers = 0;
  std::int64_t parameters_in = 0;
  /// One entry per layer, parameters_out already repeated cyclically.
  std::vector<std::int64_t> out_elems;
  std::vector<double> mem_mb;
};

std::optional<Model> read_model(YamlReader& reader, const YAML::Node& root,
                                const std::string& model_name, std::vector<Diagnostic>& warnings) {
  if (!root.IsMap()) {
    reader.error(root, "", "expected a map from model name to model");
    return std::nullopt;
  }
  const YAML::Node node = root[model_name];
  if (!node.IsDefined()) {
    std::string known;
    for (const auto& entry : root) {
      known += (known.empty() ? "" : ", ") + (entry.first.IsScalar() ? entry.first.Scalar() : "?");
    }
    reader.error(root, model_name,
                 "unknown model '" + model_name +
                     "'; known models: " + (known.empty() ? std::string("(none)") : known));
    return std::nullopt;
  }
  if (!node.IsMap()) {
    reader.error(node, model_name,
                 "expected a map with layers, parameters_in, parameters_out, "
                 "mem_MB");
    return std::nullopt;
  }
  const std::string prefix = model_name + ".";
  std::optional<std::int64_t> layers;
  std::optional<std::int64_t> parameters_in;
  std::optional<std::vector<std::int64_t>> parameters_out;
  std::optional<std::vector<double>> mem_mb;
  if (const auto n = reader.child(node, "layers", prefix + "layers")) {
    layers = reader.non_negative_integer(*n, prefix + "layers");
    if (layers && *layers > kMaxPipeEdgeLayers) {
      reader.error(*n, prefix + "layers",
                   "at most " + std::to_string(kMaxPipeEdgeLayers) + " layers are supported, got " +
                       std::to_string(*layers));
      return std::nullopt;
    }
  }
  if (const auto n = reader.child(node, "parameters_in", prefix + "parameters_in")) {
    parameters_in = reader.non_negative_integer(*n, prefix + "parameters_in");
  }
  if (const auto n = reader.child(node, "parameters_out", prefix + "parameters_out")) {
    parameters_out =
        reader.list<std::int64_t>(*n, prefix + "parameters_out", &YamlReader::non_negative_integer);
  }
  if (const auto n = reader.child(node, "mem_MB", prefix + "mem_MB")) {
    mem_mb = reader.list<double>(*n, prefix + "mem_MB", &YamlReader::non_negative_number);
  }
  if (!layers || !parameters_in || !parameters_out || !mem_mb) return std::nullopt;

  bool ok = true;
  const auto length = static_cast<std::int64_t>(parameters_out->size());
  if (*layers == 0) {
    reader.error(node["layers"], prefix + "layers", "the model has no layers");
    ok = false;
  }
  if (static_cast<std::int64_t>(mem_mb->size()) != *layers) {
    reader.error(
        node["mem_MB"], prefix + "mem_MB",
        "has " + std::to_string(mem_mb->size()) + " entries; layers is " + std::to_string(*layers));
    ok = false;
  }
  if (length > *layers || (length == 0 && *layers > 0)) {
    reader.error(node["parameters_out"], prefix + "parameters_out",
                 "has " + std::to_string(length) + " entries; expected 1 to layers (" +
                     std::to_string(*layers) + "), a shorter list repeating cyclically");
    ok = false;
  } else if (length < *layers) {
    warnings.push_back(reader.diagnostic(node["parameters_out"], prefix + "parameters_out",
                                         "has " + std::to_string(length) + " entries for " +
                                             std::to_string(*layers) +
                                             " layers; repeated cyclically, as PipeEdge does"));
  }
  if (!ok) return std::nullopt;

  Model model;
  model.layers = *layers;
  model.parameters_in = *parameters_in;
  model.mem_mb = std::move(*mem_mb);
  model.out_elems.reserve(static_cast<std::size_t>(*layers));
  for (std::int64_t j = 0; j < *layers; ++j) {
    model.out_elems.push_back((*parameters_out)[static_cast<std::size_t>(j % length)]);
  }
  return model;
}

struct DeviceType {
  std::string name;
  double bw_mbps = 0.0;
  double mem_mb = 0.0;
  /// The matching profile's times; nullopt when the type has none for this model and batch.
  std::optional<std::vector<double>> time_s;
  YAML::Node time_s_node;
  std::string time_s_field;
  YAML::Node node;
};

/// Every type, in name order. Profiles of every model are checked for shape; only the one
/// matching `model_name`, `batch` and float32 is kept (the last, as PipeEdge keeps the last).
std::optional<std::vector<DeviceType>> read_device_types(YamlReader& reader, const YAML::Node& root,
                                                         const std::string& model_name,
                                                         std::int64_t batch,
                                                         std::vector<Diagnostic>& warnings) {
  if (!root.IsMap()) {
    reader.error(root, "", "expected a map from device type name to device type");
    return std::nullopt;
  }
  std::map<std::string, DeviceType> types;
  bool ok = true;
  for (const auto& entry : root) {
    DeviceType type;
    if (!entry.first.IsScalar()) {  // a list or map as a key (found by fuzzing: it threw)
      reader.error(entry.first, "", "expected a device type name as the key");
      ok = false;
      continue;
    }
    type.name = entry.first.Scalar();
    type.node = entry.second;
    const YAML::Node& node = entry.second;
    const std::string prefix = type.name + ".";
    if (!node.IsMap()) {
      reader.error(entry.first, type.name, "expected a map with bw_Mbps, mem_MB, model_profiles");
      ok = false;
      continue;
    }
    std::optional<double> bw;
    std::optional<double> mem;
    if (const auto n = reader.child(node, "bw_Mbps", prefix + "bw_Mbps")) {
      bw = reader.non_negative_number(*n, prefix + "bw_Mbps");
    }
    if (const auto n = reader.child(node, "mem_MB", prefix + "mem_MB")) {
      mem = reader.non_negative_number(*n, prefix + "mem_MB");
    }
    ok = ok && bw && mem;
    type.bw_mbps = bw.value_or(0.0);
    type.mem_mb = mem.value_or(0.0);

    // PipeEdge reads model_profiles only when present; a null value means no profiles.
    const YAML::Node profiles = node["model_profiles"];
    bool has_model = false;
    if (profiles.IsDefined() && !profiles.IsNull() && !profiles.IsMap()) {
      reader.error(profiles, prefix + "model_profiles", "expected a map from model name to list");
      ok = false;
    } else if (profiles.IsDefined() && profiles.IsMap()) {
      for (const auto& model_entry : profiles) {
        if (!model_entry.first.IsScalar()) {  // found by fuzzing: as<std::string>() threw
          reader.error(model_entry.first, prefix + "model_profiles",
                       "expected a model name as the key");
          ok = false;
          continue;
        }
        const std::string profile_model = model_entry.first.Scalar();
        const std::string field = prefix + "model_profiles." + profile_model;
        const YAML::Node& list = model_entry.second;
        if (!list.IsSequence()) {
          reader.error(list.IsNull() ? model_entry.first : list, field,
                       "expected a list of profiles");
          ok = false;
          continue;
        }
        has_model = has_model || profile_model == model_name;
        for (std::size_t i = 0; i < list.size(); ++i) {
          const YAML::Node profile = list[i];
          const std::string pfield = field + "[" + std::to_string(i) + "]";
          if (!profile.IsMap()) {
            reader.error(profile, pfield, "expected a map with batch_size, dtype, time_s");
            ok = false;
            continue;
          }
          std::optional<std::int64_t> batch_size;
          std::optional<std::string> dtype;
          std::optional<std::vector<double>> time_s;
          if (const auto n = reader.child(profile, "batch_size", pfield + ".batch_size")) {
            batch_size = reader.non_negative_integer(*n, pfield + ".batch_size");
          }
          if (const auto n = reader.child(profile, "dtype", pfield + ".dtype")) {
            if (n->IsScalar()) {
              dtype = n->Scalar();
            } else {
              reader.error(*n, pfield + ".dtype", "expected a name such as torch.float32");
            }
          }
          if (const auto n = reader.child(profile, "time_s", pfield + ".time_s")) {
            time_s = reader.list<double>(*n, pfield + ".time_s", &YamlReader::non_negative_number);
          }
          if (!batch_size || !dtype || !time_s) {
            ok = false;
            continue;
          }
          if (profile_model == model_name && *batch_size == batch && *dtype == kPipeEdgeDtype) {
            if (type.time_s) {
              warnings.push_back(reader.diagnostic(
                  profile, pfield,
                  "another profile with batch_size " + std::to_string(batch) + " and dtype " +
                      kPipeEdgeDtype + " comes earlier; this later one is used, as PipeEdge does"));
            }
            type.time_s = std::move(*time_s);
            type.time_s_node = profile["time_s"];
            type.time_s_field = pfield + ".time_s";
          }
        }
      }
    }
    if (!has_model) {
      warnings.push_back(reader.diagnostic(
          entry.first, type.name,
          "device type has no profile for model '" + model_name + "'; skipped (as PipeEdge does)"));
    } else if (!type.time_s) {
      warnings.push_back(reader.diagnostic(entry.first, type.name,
                                           "device type has no profile for model '" + model_name +
                                               "' with batch_size " + std::to_string(batch) +
                                               " and dtype " + kPipeEdgeDtype +
                                               "; skipped (as PipeEdge does)"));
    }
    types.insert_or_assign(type.name, std::move(type));
  }
  if (!ok) return std::nullopt;
  std::vector<DeviceType> sorted;
  sorted.reserve(types.size());
  for (auto& [name, type] : types) sorted.push_back(std::move(type));
  return sorted;
}

struct HostList {
  std::vector<std::string> hosts;
  YAML::Node key;
};

/// Type name -> hosts in file order.
std::optional<std::map<std::string, HostList>> read_devices(YamlReader& reader,
                                                            const YAML::Node& root) {
  if (!root.IsMap()) {
    reader.error(root, "", "expected a map from device type name to a list of host names");
    return std::nullopt;
  }
  std::map<std::string, HostList> devices;
  std::map<std::string, YAML::Node> seen;  // host -> where it was first listed
  std::size_t total_hosts = 0;
  bool ok = true;
  for (const auto& entry : root) {
    if (!entry.first.IsScalar()) {
      reader.error(entry.first, "", "expected a device type name as the key");
      ok = false;
      continue;
    }
    const std::string type = entry.first.Scalar();
    const YAML::Node& list = entry.second;
    if (!list.IsSequence()) {
      reader.error(list.IsNull() ? entry.first : list, type,
                   "expected a list of host names ([] for none)");
      ok = false;
      continue;
    }
    // Every host is a device of the cost table (its links a (hosts + 1)^2 matrix): the running
    // total is checked on each list's length before its entries are read.
    total_hosts += list.size();
    if (total_hosts > static_cast<std::size_t>(hw::kMaxDevices)) {
      reader.error(list, type,
                   "at most " + std::to_string(hw::kMaxDevices) +
                       " hosts are supported; the lists so far name " +
                       std::to_string(total_hosts));
      return std::nullopt;
    }
    HostList hosts{{}, entry.first};
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node host = list[i];
      const std::string field = type + "[" + std::to_string(i) + "]";
      if (!host.IsScalar() || host.Scalar().empty()) {
        reader.error(host, field, "expected a host name");
        ok = false;
        continue;
      }
      const auto [it, inserted] = seen.emplace(host.Scalar(), host);
      if (!inserted) {
        reader.error(host, field,
                     "host '" + host.Scalar() + "' is already listed on line " +
                         std::to_string(it->second.Mark().line + 1) +
                         "; one host cannot be two devices");
        ok = false;
        continue;
      }
      hosts.hosts.push_back(host.Scalar());
    }
    devices.insert_or_assign(type, std::move(hosts));
  }
  if (!ok) return std::nullopt;
  return devices;
}

std::string file_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Result<PipeEdgeProblem> read_pipeedge(const std::string& models_yml,
                                      const std::string& device_types_yml,
                                      const std::string& devices_yml, const PipeEdgeTexts* texts,
                                      const std::string& model_name, std::int64_t batch) {
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;
  if (batch <= 0) {
    errors.push_back(Diagnostic{
        "", 0, 0, "batch", "must be a positive number of inputs, got " + std::to_string(batch)});
    return errors;
  }

  YamlReader models_reader =
      texts ? YamlReader(models_yml, texts->models, errors) : YamlReader(models_yml, errors);
  YamlReader types_reader = texts ? YamlReader(device_types_yml, texts->device_types, errors)
                                  : YamlReader(device_types_yml, errors);
  YamlReader devices_reader =
      texts ? YamlReader(devices_yml, texts->devices, errors) : YamlReader(devices_yml, errors);
  std::optional<Model> model;
  std::optional<std::vector<DeviceType>> types;
  std::optional<std::map<std::string, HostList>> devices;
  if (const auto root = models_reader.load()) {
    model = read_model(models_reader, *root, model_name, warnings);
  }
  if (const auto root = types_reader.load()) {
    types = read_device_types(types_reader, *root, model_name, batch, warnings);
  }
  if (const auto root = devices_reader.load()) {
    devices = read_devices(devices_reader, *root);
  }
  if (!model || !types || !devices) return errors;

  // Cross-file checks: profile lengths, hosts of undefined types, types without hosts.
  std::vector<const DeviceType*> participating;
  for (const auto& type : *types) {
    if (!type.time_s) continue;
    if (static_cast<std::int64_t>(type.time_s->size()) != model->layers) {
      types_reader.error(type.time_s_node, type.time_s_field,
                         "has " + std::to_string(type.time_s->size()) + " entries; the model has " +
                             std::to_string(model->layers) + " layers");
      continue;
    }
    const auto hosts = devices->find(type.name);
    if (hosts == devices->end() || hosts->second.hosts.empty()) {
      warnings.push_back(types_reader.diagnostic(type.node, type.name,
                                                 "device type has no hosts in " +
                                                     file_name(devices_yml) +
                                                     "; skipped (as PipeEdge does)"));
      continue;
    }
    participating.push_back(&type);
  }
  for (const auto& [type_name, hosts] : *devices) {
    const std::string& wanted = type_name;  // a structured binding is not captured before C++20
    const bool defined = std::any_of(types->begin(), types->end(),
                                     [&](const DeviceType& t) { return t.name == wanted; });
    if (defined || hosts.hosts.empty()) continue;
    std::string names;
    for (const auto& host : hosts.hosts) names += (names.empty() ? "" : ", ") + host;
    warnings.push_back(devices_reader.diagnostic(
        hosts.key, type_name,
        "device type '" + type_name + "' is not defined in " + file_name(device_types_yml) +
            "; its hosts (" + names + ") are ignored (PipeEdge ignores them silently)"));
  }
  if (!errors.empty()) return errors;
  if (participating.empty()) {
    errors.push_back(Diagnostic{devices_yml, 0, 0, "",
                                "no device type has both hosts here and a profile for model '" +
                                    model_name + "' with batch_size " + std::to_string(batch) +
                                    " and dtype " + kPipeEdgeDtype + " in " +
                                    file_name(device_types_yml)});
    errors.insert(errors.end(), warnings.begin(), warnings.end());
    return errors;
  }

  PipeEdgeProblem problem;
  problem.warnings = std::move(warnings);
  cost::CostTable& t = problem.table;
  const auto num_layers = static_cast<std::int32_t>(model->layers);
  t.model_name = model_name;
  t.platform_name = file_name(devices_yml);
  t.num_layers = num_layers;
  t.microbatch = static_cast<std::int32_t>(batch);
  for (std::int32_t l = 0; l < num_layers; ++l) {
    t.layer_names.push_back("layer" + std::to_string(l + 1));  // PipeEdge's layers are 1-indexed
  }
  std::vector<double> bw_bytes_per_s;  // per device
  for (std::size_t c = 0; c < participating.size(); ++c) {
    const DeviceType& type = *participating[c];
    t.class_names.push_back(type.name);
    for (const auto& host : devices->at(type.name).hosts) {
      problem.hosts.push_back(host);
      problem.host_types.push_back(type.name);
      t.device_names.push_back(host);
      t.device_kinds.push_back("profiled");
      t.device_class.push_back(static_cast<std::int32_t>(c));
      t.time_s.insert(t.time_s.end(), type.time_s->begin(), type.time_s->end());
      for (const double mb : model->mem_mb) t.memory.push_back(mb * kBytesPerMB);
      // PipeEdge fits a stage when mem_MB * 2^20 > need (strictly); the planner checks
      // need <= capacity, so the capacity is the largest double below PipeEdge's bound.
      t.capacity.push_back(
          std::nextafter(type.mem_mb * kBytesPerMB, -std::numeric_limits<double>::infinity()));
      t.static_power_w.push_back(0.0);
      bw_bytes_per_s.push_back(type.bw_mbps * kBytesPerSecondPerMbps);
    }
  }
  const auto num_devices = static_cast<std::int32_t>(problem.hosts.size());
  t.num_devices = num_devices;
  const auto cells = static_cast<std::size_t>(num_devices) * static_cast<std::size_t>(num_layers);
  t.energy_j.assign(cells, 0.0);
  t.workspace_bytes.assign(cells, 0.0);

  const double bytes_per_element = kPipeEdgeDtypeBytes * static_cast<double>(batch);
  t.cut_bytes.push_back(bytes_per_element * static_cast<double>(model->parameters_in));
  for (const std::int64_t elems : model->out_elems) {
    t.cut_bytes.push_back(bytes_per_element * static_cast<double>(elems));
  }

  // Links: min of the two hosts' bandwidths, no latency (schedule.cpp comm_time). The source
  // is never charged by PipeEdge; its links use the host's own bandwidth so they stay finite.
  const auto endpoints = static_cast<std::size_t>(num_devices) + 1;
  t.link_latency_s.assign(endpoints * endpoints, 0.0);
  t.link_energy_j_per_byte.assign(endpoints * endpoints, 0.0);
  t.link_bandwidth_bytes_per_s.assign(endpoints * endpoints, 0.0);
  const double fastest = *std::max_element(bw_bytes_per_s.begin(), bw_bytes_per_s.end());
  for (std::int32_t from = 0; from <= num_devices; ++from) {
    for (std::int32_t to = 0; to <= num_devices; ++to) {
      const double a =
          from < num_devices ? bw_bytes_per_s[static_cast<std::size_t>(from)] : fastest;
      const double b = to < num_devices ? bw_bytes_per_s[static_cast<std::size_t>(to)] : fastest;
      t.link_bandwidth_bytes_per_s[t.link_at(from, to)] = std::min(a, b);
    }
  }
  t.input_buffers = kInputBuffers;
  t.output_buffers = kOutputBuffers;
  t.first_stage_input_buffers = kFirstStageInputBuffers;
  return problem;
}

}  // namespace

Result<PipeEdgeProblem> load_pipeedge(const std::string& models_yml,
                                      const std::string& device_types_yml,
                                      const std::string& devices_yml, const std::string& model_name,
                                      std::int64_t batch) {
  return read_pipeedge(models_yml, device_types_yml, devices_yml, nullptr, model_name, batch);
}

Result<PipeEdgeProblem> parse_pipeedge(const PipeEdgeTexts& texts, const std::string& model_name,
                                       std::int64_t batch) {
  return read_pipeedge(texts.models_name, texts.device_types_name, texts.devices_name, &texts,
                       model_name, batch);
}

std::string emit_pipeedge_schedule(
    const std::vector<std::string>& hosts_in_stage_order,
    const std::vector<std::pair<std::int32_t, std::int32_t>>& layer_ranges_0_based_inclusive) {
  if (hosts_in_stage_order.size() != layer_ranges_0_based_inclusive.size()) {
    throw std::invalid_argument(
        "emit_pipeedge_schedule: " + std::to_string(hosts_in_stage_order.size()) + " hosts for " +
        std::to_string(layer_ranges_0_based_inclusive.size()) + " layer ranges");
  }
  // The same emitter calls as PipeEdge's yaml_types.h, so quoting matches too.
  YAML::Emitter out;
  out << YAML::BeginSeq;
  for (std::size_t i = 0; i < hosts_in_stage_order.size(); ++i) {
    const auto [first, last] = layer_ranges_0_based_inclusive[i];
    out << YAML::BeginMap << YAML::Key << hosts_in_stage_order[i] << YAML::Value << YAML::Flow
        << YAML::BeginSeq << static_cast<std::int64_t>(first) + 1
        << static_cast<std::int64_t>(last) + 1 << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq;
  return std::string(out.c_str()) + "\n";
}

}  // namespace tessera::io
