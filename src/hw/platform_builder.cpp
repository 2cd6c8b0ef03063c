#include "tessera/hw/platform_builder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <utility>

namespace tessera::hw {
namespace {

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// Collects diagnostics about numbers and names; every check reports and continues.
class Checker {
 public:
  explicit Checker(std::vector<Diagnostic>& out) : out_(out) {}

  void error(std::string field, std::string message) {
    Diagnostic d;
    d.field = std::move(field);
    d.message = std::move(message);
    out_.push_back(std::move(d));
  }

  void positive(double v, const std::string& field) {
    if (!std::isfinite(v)) {
      error(field, "must be a finite number (got " + format_number(v) + ")");
    } else if (v <= 0.0) {
      error(field, "must be > 0 (got " + format_number(v) + ")");
    }
  }

  void non_negative(double v, const std::string& field) {
    if (!std::isfinite(v)) {
      error(field, "must be a finite number (got " + format_number(v) + ")");
    } else if (v < 0.0) {
      error(field, "must be >= 0 (got " + format_number(v) + ")");
    }
  }

  void fraction(double v, const std::string& field) {
    if (!std::isfinite(v) || v <= 0.0 || v > 1.0) {
      error(field, "must be in (0, 1] (got " + format_number(v) + ")");
    }
  }

  void link(const LinkSpec& l, const std::string& field) {
    positive(l.bandwidth.value(), field + ".bandwidth");
    non_negative(l.latency.value(), field + ".latency");
    non_negative(l.energy_per_byte.value(), field + ".energy_per_byte");
  }

 private:
  std::vector<Diagnostic>& out_;
};

Link self_link() {
  Link l;
  l.bandwidth = BytesPerSecond(std::numeric_limits<double>::infinity());
  l.latency = Seconds(0.0);
  l.energy_per_byte = JoulesPerByte(0.0);
  l.hops = 0;
  return l;
}

Link from_spec(const LinkSpec& s, std::int32_t hops) {
  Link l;
  l.bandwidth = s.bandwidth;
  l.latency = s.latency;
  l.energy_per_byte = s.energy_per_byte;
  l.hops = hops;
  return l;
}

/// Endpoint index by name; the first endpoint wins on duplicates (reported separately).
std::map<std::string, std::size_t, std::less<>> index_endpoints(
    const std::vector<Endpoint>& endpoints, Checker& check) {
  std::map<std::string, std::size_t, std::less<>> index;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const auto& e = endpoints[i];
    if (e.name.empty()) {
      check.error(e.field + ".name", "must not be empty");
      continue;
    }
    auto [it, inserted] = index.emplace(e.name, i);
    if (!inserted) {
      check.error(e.field + ".name", "duplicate name '" + e.name + "' (already used by " +
                                         endpoints[it->second].field + ")");
    }
  }
  return index;
}

std::string endpoint_list(const std::vector<Endpoint>& endpoints) {
  std::string out;
  for (std::size_t i = 0; i < endpoints.size() && i < 12; ++i) {
    if (i) out += ", ";
    out += endpoints[i].name;
  }
  if (endpoints.size() > 12) out += ", ...";
  return out;
}

void fill_full_mesh(const std::vector<Endpoint>& endpoints, std::vector<Link>& links,
                    Checker& check) {
  const std::size_t n = endpoints.size();
  bool all_nics = true;
  for (const auto& e : endpoints) {
    if (!e.nic) {
      check.error(e.field + ".link",
                  "a network interface (link) is required by the full_mesh "
                  "topology");
      all_nics = false;
    } else {
      check.link(*e.nic, e.field + ".link");
    }
  }
  if (!all_nics) return;
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) {
      if (a == b) continue;
      const LinkSpec& na = *endpoints[a].nic;
      const LinkSpec& nb = *endpoints[b].nic;
      LinkSpec s;
      s.bandwidth = std::min(na.bandwidth, nb.bandwidth);
      s.latency = (na.latency + nb.latency) / 2.0;
      s.energy_per_byte = (na.energy_per_byte + nb.energy_per_byte) / 2.0;
      links[a * n + b] = from_spec(s, 1);
    }
  }
}

void fill_shared_bus(const SharedBusSpec& bus, std::size_t n, std::vector<Link>& links,
                     Network& network, Checker& check) {
  network = Network::shared_bus(bus.bus.bandwidth);
  check.link(bus.bus, "links.bus");
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) {
      if (a != b) links[a * n + b] = from_spec(bus.bus, 1);
    }
  }
}

void fill_mesh_2d(const Mesh2DSpec& mesh, const std::vector<Endpoint>& endpoints,
                  const std::map<std::string, std::size_t, std::less<>>& index,
                  std::vector<Link>& links, Network& network, Checker& check) {
  const std::size_t n = endpoints.size();
  bool ok = true;
  if (mesh.rows < 1) {
    check.error("links.mesh.rows", "must be >= 1 (got " + std::to_string(mesh.rows) + ")");
    ok = false;
  }
  if (mesh.cols < 1) {
    check.error("links.mesh.cols", "must be >= 1 (got " + std::to_string(mesh.cols) + ")");
    ok = false;
  }
  check.non_negative(mesh.hop_latency.value(), "links.mesh.hop_latency");
  check.positive(mesh.link_bandwidth.value(), "links.mesh.link_bandwidth");
  check.non_negative(mesh.energy_per_byte_per_hop.value(), "links.mesh.energy_per_byte_per_hop");
  if (!ok) return;
  const auto nodes = static_cast<std::int64_t>(mesh.rows) * mesh.cols;
  if (static_cast<std::int64_t>(n) > nodes) {
    check.error("links.mesh", "a " + std::to_string(mesh.rows) + "x" + std::to_string(mesh.cols) +
                                  " mesh has " + std::to_string(nodes) + " nodes but there are " +
                                  std::to_string(n) + " endpoints (devices and the source)");
    return;
  }

  std::vector<std::optional<GridPosition>> where(n);
  if (mesh.placement.empty()) {
    for (std::size_t i = 0; i < n; ++i) {
      where[i] = GridPosition{static_cast<std::int32_t>(i / static_cast<std::size_t>(mesh.cols)),
                              static_cast<std::int32_t>(i % static_cast<std::size_t>(mesh.cols))};
    }
  } else {
    std::map<std::pair<std::int32_t, std::int32_t>, std::string> occupied;
    for (const auto& p : mesh.placement) {
      const std::string field = "links.mesh.placement." + p.endpoint;
      auto it = index.find(p.endpoint);
      if (it == index.end()) {
        check.error(field, "unknown endpoint '" + p.endpoint +
                               "' (known: " + endpoint_list(endpoints) + ")");
        continue;
      }
      const auto& pos = p.position;
      if (pos.row < 0 || pos.row >= mesh.rows || pos.col < 0 || pos.col >= mesh.cols) {
        check.error(field, "position [" + std::to_string(pos.row) + ", " + std::to_string(pos.col) +
                               "] is outside the " + std::to_string(mesh.rows) + "x" +
                               std::to_string(mesh.cols) + " mesh (rows and columns count from 0)");
        continue;
      }
      if (where[it->second]) {
        check.error(field, "'" + p.endpoint + "' is placed more than once");
        continue;
      }
      auto [occ, inserted] = occupied.emplace(std::make_pair(pos.row, pos.col), p.endpoint);
      if (!inserted) {
        check.error(field, "node [" + std::to_string(pos.row) + ", " + std::to_string(pos.col) +
                               "] already hosts '" + occ->second + "'");
        continue;
      }
      where[it->second] = pos;
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!where[i] && !endpoints[i].name.empty()) {
        check.error("links.mesh.placement",
                    "endpoint '" + endpoints[i].name + "' has no position on the mesh");
      }
    }
  }

  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) {
      if (a == b || !where[a] || !where[b]) continue;
      const std::int32_t hops =
          std::abs(where[a]->row - where[b]->row) + std::abs(where[a]->col - where[b]->col);
      LinkSpec s;
      s.bandwidth = mesh.link_bandwidth;
      s.latency = mesh.hop_latency * static_cast<double>(hops);
      s.energy_per_byte = mesh.energy_per_byte_per_hop * static_cast<double>(hops);
      links[a * n + b] = from_spec(s, hops);
    }
  }
  std::vector<GridPosition> at(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!where[i]) return;  // reported above
    at[i] = *where[i];
  }
  network = Network::mesh_2d(mesh.rows, mesh.cols, mesh.link_bandwidth, std::move(at));
}

void fill_explicit(const ExplicitLinksSpec& spec, const std::vector<Endpoint>& endpoints,
                   const std::map<std::string, std::size_t, std::less<>>& index,
                   std::vector<Link>& links, Checker& check) {
  const std::size_t n = endpoints.size();
  if (spec.default_link) check.link(*spec.default_link, "links.default");
  // Which pairs entry set each ordered pair, to report conflicts.
  std::vector<std::optional<std::size_t>> set_by(n * n);
  for (std::size_t j = 0; j < spec.pairs.size(); ++j) {
    const auto& p = spec.pairs[j];
    const std::string field = "links.pairs[" + std::to_string(j) + "]";
    check.link(p.link, field);
    auto from = index.find(p.from);
    auto to = index.find(p.to);
    if (from == index.end()) {
      check.error(field + ".from",
                  "unknown endpoint '" + p.from + "' (known: " + endpoint_list(endpoints) + ")");
    }
    if (to == index.end()) {
      check.error(field + ".to",
                  "unknown endpoint '" + p.to + "' (known: " + endpoint_list(endpoints) + ")");
    }
    if (from == index.end() || to == index.end()) continue;
    if (from->second == to->second) {
      check.error(field, "a link from '" + p.from + "' to itself is always free; remove it");
      continue;
    }
    auto set = [&](std::size_t a, std::size_t b) {
      auto& by = set_by[a * n + b];
      if (by) {
        check.error(field, "the link from '" + endpoints[a].name + "' to '" + endpoints[b].name +
                               "' is already given by links.pairs[" + std::to_string(*by) + "]");
        return;
      }
      by = j;
      links[a * n + b] = from_spec(p.link, 1);
    };
    set(from->second, to->second);
    if (p.bidirectional) set(to->second, from->second);
  }
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) {
      if (a == b || set_by[a * n + b]) continue;
      if (spec.default_link) {
        links[a * n + b] = from_spec(*spec.default_link, 1);
      } else if (!endpoints[a].name.empty() && !endpoints[b].name.empty()) {
        check.error("links.pairs", "no link from '" + endpoints[a].name + "' to '" +
                                       endpoints[b].name + "' and no links.default");
      }
    }
  }
}

void check_device(const DeviceSpec& spec, const std::string& field, Checker& check) {
  const Device& d = spec.device;
  const DeviceFields& need = spec.fields;
  if (d.name.empty()) check.error(field + ".name", "must not be empty");
  if (spec.count < 1) {
    check.error(field + ".count", "must be >= 1 (got " + std::to_string(spec.count) + ")");
  }
  if (need.memory || d.memory.value() != 0.0) check.positive(d.memory.value(), field + ".memory");
  if (need.peak && d.peak.find(DType::kFloat32) == d.peak.end()) {
    check.error(field + ".peak", "a float32 peak is required");
  }
  for (const auto& [dtype, flops] : d.peak) {
    check.positive(flops.value(), field + ".peak." + std::string(dtype_name(dtype)));
  }
  if (need.memory_bandwidth || d.memory_bandwidth.value() != 0.0) {
    check.positive(d.memory_bandwidth.value(), field + ".memory_bandwidth");
  }
  check.non_negative(d.static_power.value(), field + ".static_power");
  check.non_negative(d.energy_per_flop.value(), field + ".energy_per_flop");
  check.non_negative(d.energy_per_byte.value(), field + ".energy_per_byte");
  check.non_negative(d.layer_overhead.value(), field + ".layer_overhead");
  const Efficiency& e = d.efficiency;
  const std::pair<double, const char*> fractions[] = {
      {e.conv, "conv"},   {e.depthwise_conv, "depthwise_conv"},
      {e.gemm, "gemm"},   {e.matmul, "matmul"},
      {e.other, "other"}, {e.memory, "memory"}};
  for (const auto& [v, key] : fractions) check.fraction(v, field + ".efficiency." + key);
}

std::string instance_name(const DeviceSpec& spec, std::int32_t i) {
  if (spec.count == 1) return spec.device.name;
  return spec.device.name + "-" + std::to_string(i);
}

}  // namespace

Topology topology_of(const TopologySpec& spec) {
  struct Visitor {
    Topology operator()(const FullMeshSpec&) const { return Topology::kFullMesh; }
    Topology operator()(const SharedBusSpec&) const { return Topology::kSharedBus; }
    Topology operator()(const Mesh2DSpec&) const { return Topology::kMesh2D; }
    Topology operator()(const ExplicitLinksSpec&) const { return Topology::kExplicit; }
  };
  return std::visit(Visitor{}, spec);
}

Result<LinkMatrix> build_link_matrix(const std::vector<Endpoint>& endpoints,
                                     const TopologySpec& topology) {
  std::vector<Diagnostic> diagnostics;
  Checker check(diagnostics);
  const std::size_t n = endpoints.size();
  LinkMatrix matrix;
  std::vector<Link>& links = matrix.links;
  links.resize(n * n);
  for (std::size_t i = 0; i < n; ++i) links[i * n + i] = self_link();
  const auto index = index_endpoints(endpoints, check);

  if (std::holds_alternative<FullMeshSpec>(topology)) {
    fill_full_mesh(endpoints, links, check);
  } else if (const auto* bus = std::get_if<SharedBusSpec>(&topology)) {
    fill_shared_bus(*bus, n, links, matrix.network, check);
  } else if (const auto* mesh = std::get_if<Mesh2DSpec>(&topology)) {
    fill_mesh_2d(*mesh, endpoints, index, links, matrix.network, check);
  } else if (const auto* ex = std::get_if<ExplicitLinksSpec>(&topology)) {
    fill_explicit(*ex, endpoints, index, links, check);
  }
  if (!diagnostics.empty()) return diagnostics;
  return matrix;
}

Result<Platform> build_platform(const PlatformSpec& spec) {
  std::vector<Diagnostic> diagnostics;
  Checker check(diagnostics);
  if (spec.name.empty()) check.error("name", "must not be empty");
  if (spec.devices.empty()) check.error("devices", "at least one device is required");

  Platform platform;
  platform.name = spec.name;
  platform.description = spec.description;
  platform.source_file = spec.source_file;
  platform.source_name = spec.source_name;
  platform.source_host = spec.source_host;
  platform.topology = topology_of(spec.topology);

  std::int64_t instances = 0;
  for (const auto& entry : spec.devices) instances += std::max<std::int32_t>(entry.count, 0);
  if (instances > kMaxDevices) {
    check.error("devices", "at most " + std::to_string(kMaxDevices) +
                               " device instances are supported (got " + std::to_string(instances) +
                               " after count expansion)");
  }

  std::vector<Endpoint> endpoints;
  std::map<std::string, std::int32_t, std::less<>> class_ids;
  for (std::size_t i = 0; i < spec.devices.size() && instances <= kMaxDevices; ++i) {
    const DeviceSpec& entry = spec.devices[i];
    const std::string field = "devices[" + std::to_string(i) + "]";
    check_device(entry, field, check);
    const std::string class_name =
        entry.device.class_name.empty() ? entry.device.name : entry.device.class_name;
    auto [cls, inserted] =
        class_ids.emplace(class_name, static_cast<std::int32_t>(platform.class_names.size()));
    if (inserted) platform.class_names.push_back(class_name);
    for (std::int32_t k = 0; k < entry.count; ++k) {
      Device d = entry.device;
      d.id = DeviceId(static_cast<std::int32_t>(platform.devices.size()));
      d.name = instance_name(entry, k);
      for (auto at = d.host.find("{i}"); at != std::string::npos; at = d.host.find("{i}"))
        d.host.replace(at, 3, std::to_string(k));
      d.class_id = DeviceClassId(cls->second);
      d.class_name = class_name;
      platform.devices.push_back(std::move(d));
      endpoints.push_back(Endpoint{platform.devices.back().name, entry.nic, field});
    }
  }
  endpoints.push_back(Endpoint{spec.source_name, spec.source_nic, "source"});

  auto links = build_link_matrix(endpoints, spec.topology);
  if (!links.ok()) {
    for (const auto& d : links.diagnostics()) diagnostics.push_back(d);
  }

  if (!diagnostics.empty()) {
    // Instances of one entry share its numbers; report each problem once.
    std::vector<Diagnostic> unique;
    std::set<std::pair<std::string, std::string>> seen;
    for (auto& d : diagnostics) {
      if (!seen.emplace(d.field, d.message).second) continue;
      d.file = spec.source_file;
      unique.push_back(std::move(d));
    }
    return unique;
  }
  platform.links = std::move(links->links);
  platform.network = std::move(links->network);
  return platform;
}

}  // namespace tessera::hw
