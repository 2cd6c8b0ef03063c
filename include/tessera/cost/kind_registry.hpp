#pragma once
/// Which device kinds exist. The built-in registry holds every kind listed in
/// src/cost/kinds.def (one line per kind); tests may build their own.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_model_set.hpp"
#include "tessera/cost/device_kind.hpp"

namespace tessera::cost {

class KindRegistry {
 public:
  /// Every built-in kind (src/cost/kinds.def), built once.
  [[nodiscard]] static const KindRegistry& builtin();

  /// Adds `kind`; a name already served by another kind stays with the first.
  void add(std::unique_ptr<DeviceKind> kind);
  /// The kind serving device kind name `name` ("gpu" -> roofline), or nullptr.
  [[nodiscard]] const DeviceKind* find(std::string_view name) const;
  /// Every device kind name, in registration order ("cpu, gpu, cim").
  [[nodiscard]] std::vector<std::string> names() const;
  [[nodiscard]] const std::vector<std::unique_ptr<DeviceKind>>& kinds() const { return kinds_; }

  /// One cost model per kind, in registration order.
  [[nodiscard]] CostModelSet models(const CostOptions& options = {}) const;

  /// The kind of `device`, or a diagnostic naming the device and the known kinds.
  [[nodiscard]] Result<const DeviceKind*> kind_of(const hw::Device& device) const;

  /// `device` with its params validated and completed by its kind, or every problem (fields
  /// "device 'NAME' params.KEY").
  [[nodiscard]] Result<hw::Device> prepare(const hw::Device& device) const;

 private:
  std::vector<std::unique_ptr<DeviceKind>> kinds_;
};

}  // namespace tessera::cost
