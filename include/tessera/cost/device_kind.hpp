#pragma once
/// The seam every device kind plugs into. A kind (cost/<kind>/) declares its parameter schema,
/// its traits (capacity resource and unit, whether it pipelines its layers, which common device
/// fields it reads), its cost model, and what `tessera estimate` shows for it; it is registered
/// with one line in src/cost/kinds.def. Nothing outside its folder tests which kind a device is.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_model.hpp"
#include "tessera/hw/device_params.hpp"
#include "tessera/hw/platform.hpp"

namespace tessera::cost {

/// Options that change how a kind counts work.
struct CostOptions {
  /// Count as the kind's reference tool does (CIM: NeuroSim's unpadded output positions and its
  /// post-layout TOPS/W factor); kinds without a reference tool ignore it.
  bool reference_conventions = false;
};

/// The resource a stage's layers use up on a device: the device's amount of it and its unit.
/// A layer's `OpCost::memory` and `CostTable::memory` are in the same unit. In "bytes" the
/// stage's activation buffers count against it too; in any other unit (CIM tiles) they do not.
struct Capacity {
  double amount = 0.0;
  std::string unit{kBytesUnit};
};

/// One layer as `tessera estimate` shows it.
struct LayerEstimate {
  std::string name;
  OpCost cost;
  double ops = 0.0;  ///< 2 x MACs
};

/// A named number (or word) with its unit, for reports: a JSON key and a value.
struct ReportValue {
  std::string key;  ///< JSON key, with the unit in it ("area_mm2", "leakage_j")
  std::variant<double, std::int64_t, std::string> value;
};

/// A per-layer column of `tessera estimate`: one entry of OpCost::parts, or the layer's memory.
struct EstimateColumn {
  std::string header;
  std::string part;  ///< key of OpCost::parts; empty: the layer's memory
  /// How the number prints: "s" and "J" with a readable prefix, "bytes" with a binary prefix,
  /// anything else as a fixed-point number with `digits` digits.
  std::string unit;
  int digits = 0;
};

/// What `tessera estimate` shows for a device beyond latency, energy and memory.
struct EstimateReport {
  std::vector<EstimateColumn> columns;  ///< after the layer, latency and energy columns
  /// JSON "totals" entries after latency, period, throughput, energy, ops and memory.
  std::vector<ReportValue> totals;
  std::string totals_text;  ///< appended to the summary line ("latency ..., energy ...")
  /// The device's own constants (JSON object `device_section`, text line `device_text`);
  /// empty section: none.
  std::string device_section;
  std::vector<ReportValue> device_values;
  std::string device_text;
};

class DeviceKind {
 public:
  virtual ~DeviceKind() = default;
  DeviceKind() = default;
  DeviceKind(const DeviceKind&) = delete;
  DeviceKind& operator=(const DeviceKind&) = delete;

  /// The `kind:` names of the devices this kind serves ("cpu", "gpu").
  [[nodiscard]] virtual std::vector<std::string> names() const = 0;
  /// The kind in messages ("CIM", "roofline").
  [[nodiscard]] virtual std::string_view label() const = 0;
  /// Its `params`: names, types, units, ranges, defaults.
  [[nodiscard]] virtual const hw::ParamSchema& schema() const = 0;
  /// The common device fields its cost model reads; the platform reader requires those and
  /// makes the others optional.
  [[nodiscard]] virtual hw::DeviceFields device_fields() const = 0;

  /// The schema's checks, then the kind's own checks across parameters. Returns the params
  /// with every default filled in, or every problem (fields under `path`, e.g. `params.tiles`).
  [[nodiscard]] Result<hw::ParamRecord> validate(const hw::ParamRecord& given,
                                                 std::string_view path = "params") const;

  /// The device's capacity resource; `device.params` has passed `validate`. By default its
  /// memory in bytes (a kind whose capacity is another resource, CIM's tiles, overrides it).
  [[nodiscard]] virtual Capacity capacity(const hw::Device& device) const;
  /// True when the device streams inferences through its layers (CostTable::pipelined_layers).
  [[nodiscard]] virtual bool pipelines_layers(const hw::Device& device) const;

  /// A cost model for devices of this kind.
  [[nodiscard]] virtual std::unique_ptr<CostModel> make_model(const CostOptions& options) const = 0;

  /// The kind's columns, totals and device constants for `tessera estimate` of `layers` on
  /// `device` (validated params). The default shows the layer's memory only.
  [[nodiscard]] virtual EstimateReport estimate_report(const hw::Device& device,
                                                       const std::vector<LayerEstimate>& layers,
                                                       const CostOptions& options) const;

 private:
  /// Checks that involve several parameters of a schema-valid record (`path` as in validate).
  [[nodiscard]] virtual std::vector<Diagnostic> check(const hw::ParamRecord& params,
                                                      std::string_view path) const;
};

}  // namespace tessera::cost
