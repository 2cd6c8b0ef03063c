#include "tessera/cost/device_kind.hpp"

#include "tessera/core/format.hpp"

namespace tessera::cost {

Result<hw::ParamRecord> DeviceKind::validate(const hw::ParamRecord& given,
                                             std::string_view path) const {
  std::vector<Diagnostic> problems;
  hw::ParamRecord record = schema().read(given, path, problems);
  for (auto& d : check(record, path)) problems.push_back(std::move(d));
  if (!problems.empty()) return problems;
  return record;
}

Capacity DeviceKind::capacity(const hw::Device& device) const {
  return {device.memory.value(), std::string(kBytesUnit)};
}

bool DeviceKind::pipelines_layers(const hw::Device& /*device*/) const {
  return false;
}

EstimateReport DeviceKind::estimate_report(const hw::Device& /*device*/,
                                           const std::vector<LayerEstimate>& layers,
                                           const CostOptions& /*options*/) const {
  EstimateReport r;
  r.columns = {{"memory", "", ""}};
  double memory = 0.0;
  for (const auto& l : layers) memory += l.cost.memory.value();
  r.totals_text = ", memory " + fixed_digits(memory, 0);
  return r;
}

std::vector<Diagnostic> DeviceKind::check(const hw::ParamRecord& /*params*/,
                                          std::string_view /*path*/) const {
  return {};
}

}  // namespace tessera::cost
