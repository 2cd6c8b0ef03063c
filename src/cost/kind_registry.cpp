#include "tessera/cost/kind_registry.hpp"

#include "tessera/core/spelling.hpp"

namespace tessera::cost {

// Each kind's factory, declared from the one list of kinds.
#define TESSERA_KIND(factory) std::unique_ptr<DeviceKind> factory();
#include "cost/kinds.def"
#undef TESSERA_KIND

const KindRegistry& KindRegistry::builtin() {
  static const KindRegistry kBuiltin = [] {
    KindRegistry registry;
#define TESSERA_KIND(factory) registry.add(factory());
#include "cost/kinds.def"
#undef TESSERA_KIND
    return registry;
  }();
  return kBuiltin;
}

void KindRegistry::add(std::unique_ptr<DeviceKind> kind) {
  kinds_.push_back(std::move(kind));
}

const DeviceKind* KindRegistry::find(std::string_view name) const {
  for (const auto& k : kinds_) {
    for (const auto& n : k->names()) {
      if (n == name) return k.get();
    }
  }
  return nullptr;
}

std::vector<std::string> KindRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& k : kinds_) {
    for (const auto& n : k->names()) out.push_back(n);
  }
  return out;
}

CostModelSet KindRegistry::models(const CostOptions& options) const {
  CostModelSet set;
  for (const auto& k : kinds_) set.add(k->make_model(options));
  return set;
}

Result<const DeviceKind*> KindRegistry::kind_of(const hw::Device& device) const {
  if (const DeviceKind* k = find(device.kind)) return k;
  std::string message = "unknown device kind '" + device.kind + "'";
  if (auto guess = closest_name(device.kind, names()))
    message += "; did you mean '" + *guess + "'?";
  message += " (valid: " + join_names(names()) + ")";
  return Diagnostic{"", 0, 0, "device '" + device.name + "' kind", message};
}

Result<hw::Device> KindRegistry::prepare(const hw::Device& device) const {
  auto kind = kind_of(device);
  if (!kind.ok()) return kind.diagnostics();
  auto params = (*kind)->validate(device.params, "device '" + device.name + "' params");
  if (!params.ok()) return params.diagnostics();
  hw::Device out = device;
  out.params = std::move(params).value();
  return out;
}

}  // namespace tessera::cost
