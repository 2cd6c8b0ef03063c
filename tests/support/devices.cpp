#include "support/devices.hpp"

namespace tessera::testing {

hw::Device round_number_cpu() {
  hw::Device d;
  d.id = DeviceId(0);
  d.name = "cpu";
  d.kind = "cpu";
  d.class_id = DeviceClassId(0);
  d.class_name = "cpu";
  d.memory = Bytes(8.0 * 1024 * 1024 * 1024);
  d.peak[DType::kFloat32] = FlopsPerSecond(100e9);
  d.memory_bandwidth = BytesPerSecond(10e9);
  d.static_power = Watts(5.0);
  d.energy_per_flop = JoulesPerFlop(1e-12);
  d.energy_per_byte = JoulesPerByte(10e-12);
  d.efficiency = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
  d.layer_overhead = Seconds(0.0);
  return d;
}

}  // namespace tessera::testing
