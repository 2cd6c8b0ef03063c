#include "tessera/hw/platform.hpp"

namespace tessera::hw {

std::string_view topology_name(Topology t) {
  switch (t) {
    case Topology::kFullMesh:
      return "full_mesh";
    case Topology::kSharedBus:
      return "shared_bus";
    case Topology::kMesh2D:
      return "mesh_2d";
    case Topology::kExplicit:
      return "explicit";
  }
  return "full_mesh";
}

std::optional<Topology> topology_from_name(std::string_view name) {
  for (auto t :
       {Topology::kFullMesh, Topology::kSharedBus, Topology::kMesh2D, Topology::kExplicit}) {
    if (topology_name(t) == name) return t;
  }
  return std::nullopt;
}

const Device* Platform::find_device(std::string_view device_name) const {
  for (const auto& d : devices) {
    if (d.name == device_name) return &d;
  }
  return nullptr;
}

}  // namespace tessera::hw
