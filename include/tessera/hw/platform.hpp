#pragma once
/// The hardware a plan runs on: devices, device classes, links and the data source/sink.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/dtype.hpp"
#include "tessera/core/ids.hpp"
#include "tessera/core/units.hpp"
#include "tessera/hw/device_params.hpp"
#include "tessera/hw/network.hpp"

namespace tessera::hw {

/// Fraction of peak compute a device reaches per operator class (roofline efficiency).
struct Efficiency {
  double conv = 0.5;
  double depthwise_conv = 0.15;
  double gemm = 0.6;    ///< fully connected layers and matrix products with weights
  double matmul = 0.5;  ///< activation-by-activation products (attention)
  double other = 1.0;   ///< elementwise, pooling, normalisation: bound by memory anyway
  double memory = 0.7;  ///< fraction of peak memory bandwidth reached
};

/// The common device fields (outside `params`) a device kind's cost model reads. A platform
/// must give the fields its kind reads; the others are optional (a CIM chip needs no roofline
/// numbers). The static power and the per-layer overhead apply to every kind.
struct DeviceFields {
  bool memory = true;
  bool peak = true;
  bool memory_bandwidth = true;
  bool energy_per_flop = true;
  bool energy_per_byte = true;

  [[nodiscard]] static constexpr DeviceFields all() { return {}; }
  [[nodiscard]] static constexpr DeviceFields none() { return {false, false, false, false, false}; }
  /// Only `memory_gib`: kinds whose rates and energies are params and whose memory holds what
  /// a stage keeps (dataflow chiplets, SoCs).
  [[nodiscard]] static constexpr DeviceFields memory_only() {
    return {true, false, false, false, false};
  }
};

struct Device {
  DeviceId id;
  std::string name;
  /// The device kind's name ("cpu", "gpu", "cim"): which kind (cost/<kind>/) reads its params
  /// and costs its layers. `hw` does not interpret it.
  std::string kind = "cpu";
  /// Interchangeable devices share a class; by default each device's class is its own name
  /// (or the name of the `count` entry it was expanded from).
  DeviceClassId class_id;
  std::string class_name;
  Bytes memory;
  /// Peak arithmetic throughput per element type; float32 is required, others optional.
  std::map<DType, FlopsPerSecond> peak;
  BytesPerSecond memory_bandwidth;
  Watts static_power;
  JoulesPerFlop energy_per_flop;
  JoulesPerByte energy_per_byte;  ///< per byte moved to or from device memory
  Efficiency efficiency;
  Seconds layer_overhead;  ///< fixed cost per layer (kernel launch, framework dispatch)
  /// The machine that runs this device's stage when a plan is run (`tessera run --plan`: an MPI
  /// host name); empty: the machine tessera is started on.
  std::string host;
  /// Kind-specific parameters (CIM array geometry, PE counts, the compute units of an SoC...),
  /// as declared by the kind's schema (checked when a platform file is read).
  ParamRecord params;
};

/// One directed connection between two endpoints: the whole route's numbers (a mesh route's
/// latency and energy count its hops). Transfers cost `transfer_seconds` / `transfer_joules`.
struct Link {
  BytesPerSecond bandwidth;
  Seconds latency;
  JoulesPerByte energy_per_byte;
  std::int32_t hops = 1;  ///< links crossed on a routed topology (2D mesh); 0 for self
};

enum class Topology { kFullMesh, kSharedBus, kMesh2D, kExplicit };

[[nodiscard]] std::string_view topology_name(Topology t);
/// Inverse of `topology_name` ("full_mesh", "shared_bus", "mesh_2d", "explicit"); nullopt if
/// unknown.
[[nodiscard]] std::optional<Topology> topology_from_name(std::string_view name);

struct Platform {
  std::string name;
  std::string description;
  std::string source_file;
  std::vector<Device> devices;
  std::vector<std::string> class_names;  ///< indexed by DeviceClassId
  Topology topology = Topology::kFullMesh;
  /// Name of the endpoint inputs come from and results return to (endpoint index D).
  std::string source_name = "source";
  /// The machine that feeds inputs and collects outputs when a plan is run; empty: this one.
  std::string source_host;
  /// Links between endpoints 0..D (device ids, then the source/sink at D), row-major
  /// (D+1)×(D+1); the diagonal is a free self link (infinite bandwidth, zero latency and
  /// energy, 0 hops).
  std::vector<Link> links;
  /// The shared channels behind `links` (a bus, mesh router links) that routes cross; the
  /// simulator shares their bandwidth between concurrent transfers.
  Network network;

  [[nodiscard]] std::int32_t device_count() const {
    return static_cast<std::int32_t>(devices.size());
  }
  [[nodiscard]] std::int32_t source_endpoint() const { return device_count(); }
  [[nodiscard]] const Link& link(std::int32_t from, std::int32_t to) const {
    return links[static_cast<std::size_t>(from) * (devices.size() + 1) +
                 static_cast<std::size_t>(to)];
  }
  /// Device by name, or nullptr.
  [[nodiscard]] const Device* find_device(std::string_view name) const;
};

}  // namespace tessera::hw
