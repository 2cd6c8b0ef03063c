#include "tessera/io/platform_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "tessera/core/spelling.hpp"
#include "tessera/cost/kind_registry.hpp"
#include "tessera/hw/platform_builder.hpp"

namespace tessera::io {
namespace {

namespace fs = std::filesystem;

/// One way of writing a quantity: a key with its unit and the factor to SI.
struct UnitKey {
  const char* key;
  double to_si;
};

// Unit factors. GB and Gbit are decimal (10^9), as in datasheets; MiB and GiB are binary.
constexpr double kGiga = 1e9;
constexpr double kMega = 1e6;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;
constexpr double kPico = 1e-12;
constexpr double kNano = 1e-9;
constexpr double kMicro = 1e-6;
constexpr double kMilli = 1e-3;

// The first key of each list is the documented, preferred one.
constexpr UnitKey kMemoryKeys[] = {
    {"memory_gib", kGiB}, {"memory_mib", kMiB}, {"memory_bytes", 1.0}};
constexpr UnitKey kPeakKeys[] = {{"peak_gflops", kGiga}, {"peak_tflops", 1e12}};
constexpr UnitKey kMemoryBandwidthKeys[] = {{"memory_bandwidth_gb_per_s", kGiga},
                                            {"memory_bandwidth_bytes_per_s", 1.0}};
constexpr UnitKey kStaticPowerKeys[] = {{"static_power_w", 1.0}};
constexpr UnitKey kEnergyPerFlopKeys[] = {{"energy_pj_per_flop", kPico},
                                          {"energy_j_per_flop", 1.0}};
constexpr UnitKey kEnergyPerByteKeys[] = {{"energy_pj_per_byte", kPico},
                                          {"energy_j_per_byte", 1.0}};
constexpr UnitKey kLayerOverheadKeys[] = {
    {"layer_overhead_us", kMicro}, {"layer_overhead_ms", kMilli}, {"layer_overhead_s", 1.0}};
constexpr UnitKey kLinkBandwidthKeys[] = {{"bandwidth_gbit_per_s", kGiga / 8.0},
                                          {"bandwidth_mbit_per_s", kMega / 8.0},
                                          {"bandwidth_gb_per_s", kGiga},
                                          {"bandwidth_bytes_per_s", 1.0}};
constexpr UnitKey kLatencyKeys[] = {
    {"latency_us", kMicro}, {"latency_ns", kNano}, {"latency_ms", kMilli}, {"latency_s", 1.0}};
constexpr UnitKey kLinkEnergyKeys[] = {{"energy_pj_per_byte", kPico}, {"energy_j_per_byte", 1.0}};
constexpr UnitKey kHopLatencyKeys[] = {
    {"hop_latency_ns", kNano}, {"hop_latency_us", kMicro}, {"hop_latency_s", 1.0}};
constexpr UnitKey kMeshBandwidthKeys[] = {{"link_bandwidth_gb_per_s", kGiga},
                                          {"link_bandwidth_gbit_per_s", kGiga / 8.0},
                                          {"link_bandwidth_bytes_per_s", 1.0}};
constexpr UnitKey kHopEnergyKeys[] = {{"energy_pj_per_byte_per_hop", kPico},
                                      {"energy_j_per_byte_per_hop", 1.0}};

template <std::size_t N>
std::vector<std::string> key_names(const UnitKey (&keys)[N]) {
  std::vector<std::string> out;
  for (const auto& k : keys) out.emplace_back(k.key);
  return out;
}

/// Where a field was written: its path as written (with the unit key) and its position.
struct Location {
  std::string field;
  YAML::Mark mark;
};

/// The state of one parse: diagnostics, and where each field (by the unit-free path that
/// `hw::build_platform` uses in its diagnostics) was written.
class Context {
 public:
  explicit Context(std::string file) : file_(std::move(file)) {}

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] const std::vector<Diagnostic>& errors() const { return errors_; }

  /// Records a problem with the field at unit-free path `canonical` (written as `field`).
  void error(const YAML::Mark& mark, const std::string& field, const std::string& canonical,
             std::string message) {
    errors_.push_back(diagnostic(mark, field, std::move(message)));
    failed_.insert(canonical);
  }

  /// Marks the unit-free path `canonical` as already reported (no error added here).
  void mark_failed(const std::string& canonical) { failed_.insert(canonical); }

  void record(const std::string& canonical, const std::string& field, const YAML::Mark& mark) {
    where_.insert_or_assign(canonical, Location{field, mark});
  }

  /// Like `record`, but keeps a location recorded earlier (a key's line beats its value's).
  void record_if_new(const std::string& canonical, const YAML::Mark& mark) {
    where_.try_emplace(canonical, Location{canonical, mark});
  }

  /// Adds a builder diagnostic, with its field mapped back to what was written and its line,
  /// unless it is about a field whose reading already failed (its fallback value would
  /// only repeat the problem).
  void add_builder_diagnostic(Diagnostic d) {
    for (std::string path = d.field;; path = parent(path)) {
      if (failed_.count(path)) return;
      if (path.empty()) break;
    }
    for (std::string path = d.field;; path = parent(path)) {
      auto it = where_.find(path);
      if (it != where_.end()) {
        if (path == d.field) d.field = it->second.field;
        const Diagnostic located = diagnostic(it->second.mark, d.field, d.message);
        errors_.push_back(located);
        return;
      }
      if (path.empty()) break;
    }
    d.file = file_;
    errors_.push_back(std::move(d));
  }

  [[nodiscard]] Diagnostic diagnostic(const YAML::Mark& mark, const std::string& field,
                                      std::string message) const {
    Diagnostic d;
    d.file = file_;
    d.line = mark.line >= 0 ? mark.line + 1 : 0;
    d.column = mark.column >= 0 ? mark.column + 1 : 0;
    d.field = field;
    d.message = std::move(message);
    return d;
  }

  /// `a.b[2].c` → `a.b[2]` → `a.b` → `a` → ``.
  static std::string parent(const std::string& path) {
    const auto cut = path.find_last_of(".[");
    return cut == std::string::npos ? std::string() : path.substr(0, cut);
  }

 private:
  std::string file_;
  std::vector<Diagnostic> errors_;
  std::set<std::string> failed_;
  std::map<std::string, Location> where_;
};

std::string child_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

/// One key of a mapping as written.
struct Entry {
  std::string key;
  YAML::Mark mark;  ///< of the key: the line a reader looks for
  YAML::Node value;
};

/// Where to report about a value: a mapping's own position (its first key); for anything else
/// the key it was written under, when known (an empty value's own mark points at the next line).
YAML::Mark position(const YAML::Node& node, const YAML::Mark& key_mark) {
  if (node.IsMap() && node.Mark().line >= 0) return node.Mark();
  return key_mark.line >= 0 ? key_mark : node.Mark();
}

/// Reads one YAML mapping: reports unknown and repeated keys up front, then hands out entries.
class MapReader {
 public:
  /// `allowed` empty: any key is allowed (free-form maps such as `params`). `key_mark` is where
  /// the mapping's key was written, used when the value is not a mapping.
  MapReader(Context& ctx, const YAML::Node& node, std::string path,
            const std::vector<std::string>& allowed,
            const YAML::Mark& key_mark = YAML::Mark::null_mark())
      : ctx_(ctx), path_(std::move(path)), mark_(position(node, key_mark)) {
    ctx_.record_if_new(path_, mark_);
    if (!node.IsMap()) {
      ctx_.error(mark_, path_, path_, "expected a mapping of keys to values");
      ok_ = false;
      return;
    }
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key_node = it->first;
      if (!key_node.IsScalar()) {
        ctx_.error(key_node.Mark(), path_, child_path(path_, "?"), "keys must be plain names");
        continue;
      }
      const std::string& key = key_node.Scalar();
      const std::string field = child_path(path_, key);
      if (!seen.insert(key).second) {
        ctx_.error(key_node.Mark(), field, field, "key '" + key + "' is given twice");
        continue;
      }
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string message = "unknown key '" + key + "'";
        if (auto guess = closest_name(key, allowed)) {
          message += "; did you mean '" + *guess + "'?";
        } else {
          message += " (expected one of: " + join_names(allowed) + ")";
        }
        ctx_.error(key_node.Mark(), field, field, message);
        continue;
      }
      entries_.push_back(Entry{key, key_node.Mark(), it->second});
    }
  }

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const YAML::Mark& mark() const { return mark_; }
  [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }
  [[nodiscard]] Context& ctx() { return ctx_; }

  [[nodiscard]] const Entry* find(std::string_view key) const {
    for (const auto& e : entries_) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }

  /// Reports a missing required field `key` (canonical path `canonical`).
  void missing(const std::string& key, const std::string& canonical,
               const std::string& extra = "") {
    ctx_.error(mark_, child_path(path_, key), canonical,
               "missing required field '" + key + "'" + extra);
  }

  /// A scalar string; nullopt (after an error if `required`) when absent or not a scalar.
  std::optional<std::string> text(const std::string& key, bool required) {
    const std::string field = child_path(path_, key);
    const Entry* e = find(key);
    if (!e) {
      if (required) missing(key, field);
      return std::nullopt;
    }
    ctx_.record(field, field, e->mark);
    if (!e->value.IsScalar()) {
      ctx_.error(e->mark, field, field, "expected a single value");
      return std::nullopt;
    }
    return e->value.Scalar();
  }

  /// A finite number from `node`, or nullopt after an error.
  std::optional<double> number(const Entry& e, const std::string& field,
                               const std::string& canonical) {
    double v = 0.0;
    if (!e.value.IsScalar() || !YAML::convert<double>::decode(e.value, v)) {
      const std::string got = e.value.IsScalar() ? "'" + e.value.Scalar() + "'" : "a collection";
      ctx_.error(e.mark, field, canonical, "expected a number, got " + got);
      return std::nullopt;
    }
    if (!std::isfinite(v)) {
      ctx_.error(e.mark, field, canonical,
                 "expected a finite number, got '" + e.value.Scalar() + "'");
      return std::nullopt;
    }
    return v;
  }

  /// An integer (written without a fraction), or nullopt after an error.
  std::optional<std::int32_t> integer(const std::string& key, bool required) {
    const std::string field = child_path(path_, key);
    const Entry* e = find(key);
    if (!e) {
      if (required) missing(key, field);
      return std::nullopt;
    }
    ctx_.record(field, field, e->mark);
    auto v = number(*e, field, field);
    if (!v) return std::nullopt;
    if (*v != std::floor(*v) || std::abs(*v) > std::numeric_limits<std::int32_t>::max()) {
      ctx_.error(e->mark, field, field, "expected an integer, got '" + e->value.Scalar() + "'");
      return std::nullopt;
    }
    return static_cast<std::int32_t>(*v);
  }

  /// A plain number under `key` (no unit alternatives), e.g. an efficiency.
  std::optional<double> plain_number(const std::string& key) {
    const std::string field = child_path(path_, key);
    const Entry* e = find(key);
    if (!e) return std::nullopt;
    ctx_.record(field, field, e->mark);
    return number(*e, field, field);
  }

  /// A quantity that may be written in any of `units`; returned in SI units. Recorded under
  /// `<path>.<canonical>`. With `required`, absence is an error (its fallback is 0).
  template <std::size_t N>
  std::optional<double> quantity(const std::string& canonical, const UnitKey (&units)[N],
                                 bool required) {
    const std::string canonical_path = child_path(path_, canonical);
    const Entry* found = nullptr;
    const UnitKey* unit = nullptr;
    for (const auto& u : units) {
      const Entry* e = find(u.key);
      if (!e) continue;
      if (found) {
        ctx_.error(e->mark, child_path(path_, u.key), canonical_path,
                   "give only one of '" + found->key + "' and '" + e->key + "'");
        return std::nullopt;
      }
      found = e;
      unit = &u;
    }
    if (!found) {
      if (required) {
        std::string extra;
        if (N > 1) {
          std::vector<std::string> others = key_names(units);
          others.erase(others.begin());
          extra = " (or " + join_names(others, ", or ") + ")";
        }
        missing(units[0].key, canonical_path, extra);
      }
      return std::nullopt;
    }
    const std::string field = child_path(path_, found->key);
    ctx_.record(canonical_path, field, found->mark);
    auto v = number(*found, field, canonical_path);
    if (!v) return std::nullopt;
    return *v * unit->to_si;
  }

  /// The entry `key` (a nested mapping or list), or nullptr when absent.
  const Entry* child(const std::string& key, bool required) {
    const Entry* e = find(key);
    if (!e) {
      if (required) missing(key, child_path(path_, key));
      return nullptr;
    }
    ctx_.record(child_path(path_, key), child_path(path_, key), e->mark);
    return e;
  }

  [[nodiscard]] const YAML::Mark* key_mark(std::string_view key) const {
    const Entry* e = find(key);
    return e ? &e->mark : nullptr;
  }

 private:
  Context& ctx_;
  std::string path_;
  YAML::Mark mark_;
  bool ok_ = true;
  std::vector<Entry> entries_;
};

std::vector<std::string> link_keys() {
  std::vector<std::string> keys;
  for (const auto& list :
       {key_names(kLinkBandwidthKeys), key_names(kLatencyKeys), key_names(kLinkEnergyKeys)}) {
    keys.insert(keys.end(), list.begin(), list.end());
  }
  return keys;
}

/// A link, bus or NIC that cannot be read: valid numbers, so that a problem already reported
/// is not repeated by the builder.
hw::LinkSpec fallback_link() {
  hw::LinkSpec link;
  link.bandwidth = BytesPerSecond(1.0);
  return link;
}

/// The bandwidth, latency and energy per byte of a link mapping, each required.
hw::LinkSpec read_link_fields(MapReader& m) {
  hw::LinkSpec link = fallback_link();
  if (!m.ok()) return link;
  if (auto v = m.quantity("bandwidth", kLinkBandwidthKeys, true))
    link.bandwidth = BytesPerSecond(*v);
  if (auto v = m.quantity("latency", kLatencyKeys, true)) link.latency = Seconds(*v);
  if (auto v = m.quantity("energy_per_byte", kLinkEnergyKeys, true)) {
    link.energy_per_byte = JoulesPerByte(*v);
  }
  return link;
}

/// A link, bus or NIC mapping written under `entry`.
hw::LinkSpec read_link(Context& ctx, const Entry& entry, const std::string& path) {
  MapReader m(ctx, entry.value, path, link_keys(), entry.mark);
  return read_link_fields(m);
}

/// Placeholder links when the topology cannot be read: every pair gets a valid default, so
/// only the topology's own problem is reported.
hw::TopologySpec fallback_topology() {
  hw::ExplicitLinksSpec spec;
  spec.default_link = fallback_link();
  return spec;
}

/// The element types `peak_gflops` may name.
std::vector<DType> peak_dtypes() {
  return {DType::kFloat32, DType::kFloat16, DType::kBFloat16, DType::kInt8,
          DType::kUInt8,   DType::kInt32,   DType::kInt64};
}

std::vector<std::string> topology_names() {
  std::vector<std::string> out;
  for (auto t : {hw::Topology::kFullMesh, hw::Topology::kSharedBus, hw::Topology::kMesh2D,
                 hw::Topology::kExplicit}) {
    out.emplace_back(hw::topology_name(t));
  }
  return out;
}

std::vector<std::string> device_keys() {
  std::vector<std::string> keys = {"name", "kind",       "class", "count",
                                   "host", "efficiency", "link",  "params"};
  for (const auto& list :
       {key_names(kMemoryKeys), key_names(kPeakKeys), key_names(kMemoryBandwidthKeys),
        key_names(kStaticPowerKeys), key_names(kEnergyPerFlopKeys), key_names(kEnergyPerByteKeys),
        key_names(kLayerOverheadKeys)}) {
    keys.insert(keys.end(), list.begin(), list.end());
  }
  return keys;
}

void read_peak(MapReader& dev, hw::Device& d, bool required) {
  const Entry* found = nullptr;
  const UnitKey* unit = nullptr;
  const std::string canonical = child_path(dev.path(), "peak");
  for (const auto& u : kPeakKeys) {
    const Entry* e = dev.find(u.key);
    if (!e) continue;
    if (found) {
      dev.ctx().error(e->mark, child_path(dev.path(), e->key), canonical,
                      "give only one of '" + found->key + "' and '" + e->key + "'");
      return;
    }
    found = e;
    unit = &u;
  }
  if (!found) {
    if (required) dev.missing("peak_gflops", canonical, " (a mapping such as {float32: 24.0})");
    return;
  }
  const std::string written = child_path(dev.path(), found->key);
  dev.ctx().record(canonical, written, found->mark);
  std::vector<std::string> names;
  for (auto t : peak_dtypes()) names.emplace_back(dtype_name(t));
  MapReader peaks(dev.ctx(), found->value, written, names, found->mark);
  if (!peaks.ok()) {
    dev.ctx().mark_failed(canonical);
    return;
  }
  for (const auto& e : peaks.entries()) {
    const std::string field = child_path(written, e.key);
    const std::string canonical_entry = canonical + "." + e.key;
    dev.ctx().record(canonical_entry, field, e.mark);
    auto v = peaks.number(e, field, canonical_entry);
    const auto dtype =
        std::find_if(names.begin(), names.end(), [&](const std::string& n) { return n == e.key; });
    const auto t = peak_dtypes()[static_cast<std::size_t>(dtype - names.begin())];
    d.peak[t] = FlopsPerSecond(v ? *v * unit->to_si : 1.0);
  }
}

void read_efficiency(MapReader& dev, hw::Device& d) {
  const Entry* node = dev.child("efficiency", false);
  if (!node) return;
  MapReader m(dev.ctx(), node->value, child_path(dev.path(), "efficiency"),
              {"conv", "depthwise_conv", "gemm", "matmul", "other", "memory"}, node->mark);
  if (!m.ok()) return;
  hw::Efficiency& e = d.efficiency;
  const std::pair<const char*, double*> fields[] = {
      {"conv", &e.conv},   {"depthwise_conv", &e.depthwise_conv},
      {"gemm", &e.gemm},   {"matmul", &e.matmul},
      {"other", &e.other}, {"memory", &e.memory}};
  for (const auto& [key, target] : fields) {
    if (auto v = m.plain_number(key)) *target = *v;
  }
}

/// One value under `params` as written: a number, a word, or a list of records (mappings),
/// each key's position recorded for diagnostics; nullopt after an error.
std::optional<hw::ParamValue> read_param_value(Context& ctx, const Entry& e,
                                               const std::string& field);

hw::ParamRecord read_param_record(Context& ctx, const YAML::Node& node, const std::string& path,
                                  const YAML::Mark& key_mark) {
  hw::ParamRecord record;
  MapReader m(ctx, node, path, {}, key_mark);
  if (!m.ok()) return record;
  for (const auto& e : m.entries()) {
    const std::string field = child_path(path, e.key);
    ctx.record(field, field, e.mark);
    if (auto v = read_param_value(ctx, e, field)) record[e.key] = std::move(*v);
  }
  return record;
}

std::optional<hw::ParamValue> read_param_value(Context& ctx, const Entry& e,
                                               const std::string& field) {
  if (e.value.IsScalar()) {
    double v = 0.0;
    if (!YAML::convert<double>::decode(e.value, v)) return hw::ParamValue(e.value.Scalar());
    if (!std::isfinite(v)) {
      ctx.error(e.mark, field, field, "expected a finite number");
      return std::nullopt;
    }
    return hw::ParamValue(v);
  }
  if (e.value.IsSequence()) {
    hw::ParamValue::Records records;
    for (std::size_t i = 0; i < e.value.size(); ++i) {
      const std::string at = field + "[" + std::to_string(i) + "]";
      const YAML::Node item = e.value[i];
      if (!item.IsMap()) {
        ctx.error(item.Mark().line >= 0 ? item.Mark() : e.mark, at, at,
                  "expected a record (a mapping of keys to values)");
        return std::nullopt;
      }
      records.push_back(read_param_record(ctx, item, at, e.mark));
    }
    return hw::ParamValue(std::move(records));
  }
  ctx.error(e.mark, field, field, "expected a number, a single word or a list of records");
  return std::nullopt;
}

/// The device's `params`, checked against its kind's schema (every problem once, with the line
/// of the key concerned).
void read_params(MapReader& dev, hw::Device& d, const cost::DeviceKind* kind) {
  const Entry* node = dev.child("params", false);
  const std::string path = child_path(dev.path(), "params");
  hw::ParamRecord given;
  if (node) {
    MapReader m(dev.ctx(), node->value, path, {}, node->mark);
    if (!m.ok()) return;
    given = read_param_record(dev.ctx(), node->value, path, node->mark);
  }
  if (kind == nullptr) {  // an unknown kind is reported already
    d.params = std::move(given);
    return;
  }
  auto checked = kind->validate(given, path);
  if (!checked.ok()) {
    for (const auto& problem : checked.diagnostics()) dev.ctx().add_builder_diagnostic(problem);
    d.params = std::move(given);
    return;
  }
  d.params = std::move(checked).value();
}

hw::DeviceSpec read_device(Context& ctx, const YAML::Node& node, const std::string& path,
                           const cost::KindRegistry& kinds) {
  hw::DeviceSpec spec;
  hw::Device& d = spec.device;
  MapReader m(ctx, node, path, device_keys());
  if (!m.ok()) return spec;
  if (auto name = m.text("name", true)) d.name = *name;
  if (auto cls = m.text("class", false)) d.class_name = *cls;
  if (auto host = m.text("host", false)) d.host = *host;
  const cost::DeviceKind* kind = nullptr;
  if (auto name = m.text("kind", true)) {
    d.kind = *name;
    kind = kinds.find(*name);
    if (kind == nullptr) {
      std::string message = "unknown device kind '" + *name + "'";
      if (auto guess = closest_name(*name, kinds.names())) {
        message += "; did you mean '" + *guess + "'?";
      }
      ctx.error(*m.key_mark("kind"), child_path(path, "kind"), child_path(path, "kind"),
                message + " (valid: " + join_names(kinds.names()) + ")");
    }
  }
  // The common fields the kind reads are required; the others are optional (a CIM chip needs
  // no roofline numbers). Placeholders that the builder accepts stand in for required fields
  // that could not be read, so each problem is reported once.
  spec.fields = kind ? kind->device_fields() : hw::DeviceFields::none();
  const hw::DeviceFields& need = spec.fields;
  if (need.memory) d.memory = Bytes(1.0);
  if (need.memory_bandwidth) d.memory_bandwidth = BytesPerSecond(1.0);
  if (auto count = m.integer("count", false)) spec.count = *count;
  if (auto v = m.quantity("memory", kMemoryKeys, need.memory)) d.memory = Bytes(*v);
  read_peak(m, d, need.peak);
  if (auto v = m.quantity("memory_bandwidth", kMemoryBandwidthKeys, need.memory_bandwidth)) {
    d.memory_bandwidth = BytesPerSecond(*v);
  }
  if (auto v = m.quantity("static_power", kStaticPowerKeys, true)) d.static_power = Watts(*v);
  if (auto v = m.quantity("energy_per_flop", kEnergyPerFlopKeys, need.energy_per_flop)) {
    d.energy_per_flop = JoulesPerFlop(*v);
  }
  if (auto v = m.quantity("energy_per_byte", kEnergyPerByteKeys, need.energy_per_byte)) {
    d.energy_per_byte = JoulesPerByte(*v);
  }
  if (auto v = m.quantity("layer_overhead", kLayerOverheadKeys, false)) {
    d.layer_overhead = Seconds(*v);
  }
  read_efficiency(m, d);
  read_params(m, d, kind);
  if (const Entry* link = m.child("link", false)) {
    spec.nic = read_link(ctx, *link, child_path(path, "link"));
  }
  return spec;
}

std::vector<hw::DeviceSpec> read_devices(Context& ctx, const YAML::Node& node,
                                         const YAML::Mark& key_mark,
                                         const cost::KindRegistry& kinds) {
  std::vector<hw::DeviceSpec> out;
  if (!node.IsSequence()) {
    ctx.error(key_mark, "devices", "devices", "expected a list of devices");
    return out;
  }
  // Every entry is at least one device: a longer list is rejected before any entry is read,
  // and the instances (entries times their count) are counted as they are read.
  if (node.size() > static_cast<std::size_t>(hw::kMaxDevices)) {
    ctx.error(key_mark, "devices", "devices",
              "at most " + std::to_string(hw::kMaxDevices) +
                  " devices are supported (the list has " + std::to_string(node.size()) +
                  " entries)");
    return out;
  }
  std::int64_t instances = 0;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string path = "devices[" + std::to_string(i) + "]";
    out.push_back(read_device(ctx, node[i], path, kinds));
    instances += std::max<std::int64_t>(out.back().count, 0);
    if (instances > hw::kMaxDevices) {
      ctx.error(node[i].Mark(), path, path + ".count",
                "at most " + std::to_string(hw::kMaxDevices) +
                    " device instances are supported (this entry brings the count to " +
                    std::to_string(instances) + ")");
      break;
    }
  }
  return out;
}

hw::Mesh2DSpec read_mesh(Context& ctx, const Entry& entry) {
  hw::Mesh2DSpec mesh;
  mesh.rows = 1;
  mesh.cols = 1;
  mesh.link_bandwidth = BytesPerSecond(1.0);
  std::vector<std::string> allowed = {"rows", "cols", "placement"};
  for (const auto& list :
       {key_names(kHopLatencyKeys), key_names(kMeshBandwidthKeys), key_names(kHopEnergyKeys)}) {
    allowed.insert(allowed.end(), list.begin(), list.end());
  }
  MapReader m(ctx, entry.value, "links.mesh", allowed, entry.mark);
  if (!m.ok()) return mesh;
  if (auto v = m.integer("rows", true)) mesh.rows = *v;
  if (auto v = m.integer("cols", true)) mesh.cols = *v;
  if (auto v = m.quantity("hop_latency", kHopLatencyKeys, true)) mesh.hop_latency = Seconds(*v);
  if (auto v = m.quantity("link_bandwidth", kMeshBandwidthKeys, true)) {
    mesh.link_bandwidth = BytesPerSecond(*v);
  }
  if (auto v = m.quantity("energy_per_byte_per_hop", kHopEnergyKeys, true)) {
    mesh.energy_per_byte_per_hop = JoulesPerByte(*v);
  }
  const Entry* placement = m.child("placement", false);
  if (!placement) return mesh;
  MapReader p(ctx, placement->value, "links.mesh.placement", {}, placement->mark);
  if (!p.ok()) return mesh;
  for (const auto& e : p.entries()) {
    const std::string field = "links.mesh.placement." + e.key;
    ctx.record(field, field, e.mark);
    std::int32_t rc[2] = {0, 0};
    bool ok = e.value.IsSequence() && e.value.size() == 2;
    for (std::size_t k = 0; ok && k < 2; ++k) {
      double v = 0.0;
      ok = e.value[k].IsScalar() && YAML::convert<double>::decode(e.value[k], v) &&
           v == std::floor(v) && std::abs(v) < 1e9;
      if (ok) rc[k] = static_cast<std::int32_t>(v);
    }
    if (!ok) {
      ctx.error(e.mark, field, field, "expected [row, column], two integers");
      continue;
    }
    mesh.placement.push_back(hw::MeshPlacement{e.key, hw::GridPosition{rc[0], rc[1]}});
  }
  return mesh;
}

hw::ExplicitLinksSpec read_explicit(Context& ctx, MapReader& links) {
  hw::ExplicitLinksSpec spec;
  if (const Entry* def = links.child("default", false)) {
    spec.default_link = read_link(ctx, *def, "links.default");
  }
  const Entry* pairs = links.child("pairs", false);
  if (!pairs) return spec;
  if (!pairs->value.IsSequence()) {
    ctx.error(pairs->mark, "links.pairs", "links.pairs",
              "expected a list of {from, to, ...} links");
    return spec;
  }
  std::vector<std::string> allowed = link_keys();
  allowed.insert(allowed.end(), {"from", "to", "bidirectional"});
  for (std::size_t j = 0; j < pairs->value.size(); ++j) {
    const std::string path = "links.pairs[" + std::to_string(j) + "]";
    MapReader m(ctx, pairs->value[j], path, allowed, pairs->mark);
    hw::PairLinkSpec pair;
    pair.link = read_link_fields(m);
    if (!m.ok()) {
      spec.pairs.push_back(std::move(pair));
      continue;
    }
    if (auto from = m.text("from", true)) pair.from = *from;
    if (auto to = m.text("to", true)) pair.to = *to;
    if (const Entry* e = m.find("bidirectional")) {
      const std::string field = path + ".bidirectional";
      ctx.record(field, field, e->mark);
      bool b = true;
      if (!e->value.IsScalar() || !YAML::convert<bool>::decode(e->value, b)) {
        ctx.error(e->mark, field, field, "expected true or false");
      }
      pair.bidirectional = b;
    }
    spec.pairs.push_back(std::move(pair));
  }
  return spec;
}

hw::TopologySpec read_links(Context& ctx, const Entry& entry) {
  MapReader m(ctx, entry.value, "links", {"topology", "bus", "mesh", "default", "pairs"},
              entry.mark);
  if (!m.ok()) return fallback_topology();
  hw::Topology topology = hw::Topology::kFullMesh;
  if (auto name = m.text("topology", true)) {
    if (auto t = hw::topology_from_name(*name)) {
      topology = *t;
    } else {
      ctx.error(*m.key_mark("topology"), "links.topology", "links.topology",
                "unknown topology '" + *name + "' (valid: " + join_names(topology_names()) + ")");
      return fallback_topology();
    }
  } else {
    return fallback_topology();
  }
  // Keys that belong to another topology are mistakes, not options to ignore.
  const std::pair<const char*, hw::Topology> owners[] = {{"bus", hw::Topology::kSharedBus},
                                                         {"mesh", hw::Topology::kMesh2D},
                                                         {"default", hw::Topology::kExplicit},
                                                         {"pairs", hw::Topology::kExplicit}};
  for (const auto& [key, owner] : owners) {
    if (const YAML::Mark* mark = m.key_mark(key); mark && owner != topology) {
      ctx.error(*mark, std::string("links.") + key, std::string("links.") + key,
                std::string("only used with topology ") + std::string(hw::topology_name(owner)) +
                    ", not " + std::string(hw::topology_name(topology)));
    }
  }
  switch (topology) {
    case hw::Topology::kFullMesh:
      return hw::FullMeshSpec{};
    case hw::Topology::kSharedBus: {
      hw::SharedBusSpec bus;
      bus.bus = fallback_link();
      if (const Entry* b = m.child("bus", true)) bus.bus = read_link(ctx, *b, "links.bus");
      return bus;
    }
    case hw::Topology::kMesh2D: {
      if (const Entry* mesh = m.child("mesh", true)) return read_mesh(ctx, *mesh);
      return fallback_topology();
    }
    case hw::Topology::kExplicit:
      return read_explicit(ctx, m);
  }
  return hw::FullMeshSpec{};
}

std::vector<Diagnostic> sorted_by_line(std::vector<Diagnostic> ds) {
  std::stable_sort(ds.begin(), ds.end(), [](const Diagnostic& a, const Diagnostic& b) {
    const int la = a.line > 0 ? a.line : std::numeric_limits<int>::max();
    const int lb = b.line > 0 ? b.line : std::numeric_limits<int>::max();
    return la < lb;
  });
  return ds;
}

bool looks_like_path(std::string_view s) {
  auto ends_with = [&](std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
  };
  return s.find('/') != std::string_view::npos || ends_with(".yaml") || ends_with(".yml");
}

Result<std::string> read_text_file(const std::string& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!ec && fs::is_directory(status)) {
    return Diagnostic{path, 0, 0, "", "is a directory, not a platform YAML file"};
  }
  if (!ec && fs::is_regular_file(status)) {
    const auto size = fs::file_size(path, ec);
    if (!ec && size > kMaxPlatformFileBytes)
      return Diagnostic{path, 0, 0, "file",
                        "is " + std::to_string(size >> 10) + " KiB; a platform file is at most " +
                            std::to_string(kMaxPlatformFileBytes >> 20) + " MiB (" +
                            std::to_string(hw::kMaxDevices) + " devices fit in far less)"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return Diagnostic{
        path, 0, 0, "",
        std::string("cannot read file: ") + (err ? std::strerror(err) : "could not be opened")};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Diagnostic{path, 0, 0, "", "cannot read file: read error"};
  return text.str();
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(preset_dir(), ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".yaml") names.push_back(it->path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

Result<hw::Platform> parse_platform_yaml(std::string_view text, const std::string& file_name,
                                         const cost::KindRegistry& kinds) {
  Context ctx(file_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    Diagnostic d;
    d.file = file_name;
    d.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    d.column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    d.message = "YAML syntax error: " + e.msg;
    return d;
  }
  if (!root.IsMap()) {
    return ctx.diagnostic(root.Mark(), "",
                          root.IsNull() ? "empty document; expected a tessera.platform/1 mapping"
                                        : "expected a mapping at the top level");
  }

  MapReader top(ctx, root, "", {"format", "name", "description", "source", "devices", "links"});
  if (auto format = top.text("format", false)) {
    if (*format != kPlatformFormat) {
      // Another format or version: its other keys would only produce noise.
      return ctx.diagnostic(*top.key_mark("format"), "format",
                            "unsupported format '" + *format + "'; this reader accepts '" +
                                std::string(kPlatformFormat) + "'");
    }
  } else if (!top.find("format")) {
    top.missing("format", "format", " (write 'format: " + std::string(kPlatformFormat) + "')");
  }

  hw::PlatformSpec spec;
  spec.source_file = file_name;
  if (auto name = top.text("name", true)) spec.name = *name;
  if (auto description = top.text("description", false)) spec.description = *description;
  if (const Entry* source = top.child("source", false)) {
    MapReader s(ctx, source->value, "source", {"name", "host", "link"}, source->mark);
    if (s.ok()) {
      if (auto name = s.text("name", false)) spec.source_name = *name;
      if (auto host = s.text("host", false)) spec.source_host = *host;
      if (const Entry* link = s.child("link", false)) {
        spec.source_nic = read_link(ctx, *link, "source.link");
      }
    } else {
      spec.source_nic = fallback_link();
    }
  }
  if (const Entry* devices = top.child("devices", true)) {
    spec.devices = read_devices(ctx, devices->value, devices->mark, kinds);
  }
  if (const Entry* links = top.child("links", false)) spec.topology = read_links(ctx, *links);

  auto platform = hw::build_platform(spec);
  if (!platform.ok()) {
    for (const auto& d : platform.diagnostics()) ctx.add_builder_diagnostic(d);
  }
  if (!ctx.errors().empty()) return sorted_by_line(ctx.errors());
  return std::move(platform).value();
}

std::string preset_dir() {
  return TESSERA_PRESET_DIR;
}

Result<hw::Platform> load_platform(std::string_view name_or_path) {
  std::string path;
  if (looks_like_path(name_or_path)) {
    path = std::string(name_or_path);
  } else {
    path = preset_dir() + "/" + std::string(name_or_path) + ".yaml";
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      Diagnostic d;
      d.field = "platform";
      d.message = "unknown platform preset '" + std::string(name_or_path) +
                  "' (presets: " + join_names(preset_names()) +
                  "); a file path must contain '/' or end in .yaml or .yml";
      return d;
    }
  }
  auto text = read_text_file(path);
  if (!text.ok()) return text.diagnostics();
  return parse_platform_yaml(text.value(), path);
}

std::vector<PresetInfo> list_presets() {
  std::vector<PresetInfo> out;
  for (const auto& name : preset_names()) {
    PresetInfo info;
    info.name = name;
    info.file = preset_dir() + "/" + name + ".yaml";
    auto platform = load_platform(info.file);
    if (platform.ok()) {
      info.description = platform->description;
      info.device_count = platform->device_count();
    } else {
      info.diagnostics = platform.diagnostics();
      info.description = "(invalid: " + platform.diagnostics().front().to_string() + ")";
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace tessera::io
