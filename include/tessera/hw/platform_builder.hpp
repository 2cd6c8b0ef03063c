#pragma once
/// Pure construction of a `Platform` from a description: expands `count` entries into device
/// instances, assigns device classes, and fills the (D+1)×(D+1) link matrix from a topology.
/// Nothing here reads files; `io` turns YAML into a `PlatformSpec`, and tests build one in code.
///
/// Diagnostics name the field they are about with a path such as `devices[2].memory` or
/// `links.pairs[0].from`. Paths use the quantity's name without a unit suffix (the YAML reader
/// maps them back to the key that was written, e.g. `memory_gib`, and to its line).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/core/units.hpp"
#include "tessera/hw/platform.hpp"

namespace tessera::hw {

/// Bandwidth, latency and energy per byte of one network interface, shared medium or link.
struct LinkSpec {
  BytesPerSecond bandwidth;       ///< must be > 0
  Seconds latency;                ///< must be >= 0
  JoulesPerByte energy_per_byte;  ///< must be >= 0
};

/// A switched network in which every endpoint has its own NIC (`Endpoint::nic`, required).
/// The link a→b gets bandwidth min(bw_a, bw_b), latency (lat_a + lat_b) / 2 and energy per byte
/// (e_a + e_b) / 2. Reason: a NIC's numbers are read as "a link between two endpoints that both
/// have this NIC", so two like endpoints get exactly their NIC's numbers and unlike ones the
/// mean (a slow NIC at either end still bounds the bandwidth). Considered and rejected: the sum
/// of latencies (counts a like-to-like link twice) and the max (hides a fast receiver).
struct FullMeshSpec {};

/// One medium shared by all endpoints (a bus, a hub, a NoC crossbar): every pair gets the bus's
/// numbers. Contention between simultaneous transfers is modelled by `sim`, not here.
struct SharedBusSpec {
  LinkSpec bus;
};

/// Where one endpoint (device instance or the source) sits on a 2D mesh.
struct MeshPlacement {
  std::string endpoint;
  GridPosition position;
};

/// A rows×cols grid of routers with XY (dimension-order) routing: a transfer a→b crosses
/// hops = |row_a − row_b| + |col_a − col_b| links, so its latency is hops × hop_latency, its
/// energy per byte hops × energy_per_byte_per_hop, and its bandwidth that of one link (every
/// link is alike and a transfer streams through them). Each node hosts at most one endpoint.
struct Mesh2DSpec {
  std::int32_t rows = 0;
  std::int32_t cols = 0;
  Seconds hop_latency;
  BytesPerSecond link_bandwidth;
  JoulesPerByte energy_per_byte_per_hop;
  /// Empty: endpoints are placed row-major in endpoint order (devices, then the source).
  /// Otherwise every endpoint must be placed exactly once.
  std::vector<MeshPlacement> placement;
};

/// One explicitly given link between two named endpoints.
struct PairLinkSpec {
  std::string from;
  std::string to;
  LinkSpec link;
  bool bidirectional = true;  ///< also set to→from
};

/// Per-pair links; ordered pairs not given take `default_link`, or are an error without one.
struct ExplicitLinksSpec {
  std::optional<LinkSpec> default_link;
  std::vector<PairLinkSpec> pairs;
};

using TopologySpec = std::variant<FullMeshSpec, SharedBusSpec, Mesh2DSpec, ExplicitLinksSpec>;

/// The `Topology` tag of a topology description.
[[nodiscard]] Topology topology_of(const TopologySpec& spec);

/// One endpoint of the link matrix: a device instance or the source/sink.
struct Endpoint {
  std::string name;
  /// Network interface; required by `FullMeshSpec`, ignored otherwise.
  std::optional<LinkSpec> nic;
  /// Field path of the entry it came from, for diagnostics ("devices[2]", "source").
  std::string field;
};

/// The links between endpoints and the shared channels behind them.
struct LinkMatrix {
  std::vector<Link> links;  ///< row-major E×E
  Network network;
};

/// The row-major (E)×(E) link matrix for endpoints 0..E-1 (for a platform: the D devices, then
/// the source). The diagonal is a free self link: infinite bandwidth, zero latency and energy,
/// 0 hops. Collects every problem (bad numbers, missing NICs, duplicate endpoint names, pairs or
/// placements naming unknown endpoints, missing pairs without a default) before failing.
[[nodiscard]] Result<LinkMatrix> build_link_matrix(const std::vector<Endpoint>& endpoints,
                                                   const TopologySpec& topology);

/// Most device instances a platform may have: the link matrix holds (D+1)² links.
inline constexpr std::int64_t kMaxDevices = 1024;

/// One `devices` entry before `count` expansion.
struct DeviceSpec {
  /// The device's numbers; `name` is the entry name; `id` and `class_id` are assigned by
  /// `build_platform`; an empty `class_name` means the entry name.
  Device device;
  /// Instances to create: 1 keeps `name`; N > 1 gives `name-0` … `name-(N-1)`, one class. An
  /// `{i}` in `device.host` becomes the instance number (`rpi-{i}` → rpi-0, rpi-1, ...).
  std::int32_t count = 1;
  /// Network interface of every instance (full mesh topology).
  std::optional<LinkSpec> nic;
  /// The common fields the device's kind reads (DeviceKind::device_fields): those must be
  /// valid; the others are checked only when given (non-zero).
  DeviceFields fields = DeviceFields::all();
};

/// Everything needed to build a `Platform`.
struct PlatformSpec {
  std::string name;
  std::string description;
  std::string source_file;  ///< copied into diagnostics and `Platform::source_file`
  std::string source_name = "source";
  std::optional<LinkSpec> source_nic;
  std::string source_host;
  std::vector<DeviceSpec> devices;
  TopologySpec topology;
};

/// Validates `spec` (collecting every problem), expands `count` entries into instances with ids
/// in order, assigns class ids in order of first appearance of each class name, and fills the
/// link matrix. Checks: non-empty names; count >= 1; memory, a float32 peak and memory bandwidth
/// > 0 where the device's kind reads them (`DeviceSpec::fields`), and when given otherwise; every
/// given peak > 0; static power, energies and layer overhead >= 0; efficiencies in (0, 1]; all
/// numbers finite; plus everything `build_link_matrix` checks. Kind-specific `params` are checked
/// by the kind (cost::DeviceKind::validate), not here.
[[nodiscard]] Result<Platform> build_platform(const PlatformSpec& spec);

}  // namespace tessera::hw
