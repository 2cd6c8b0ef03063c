// The roofline device kind: CPUs and GPUs described by peak compute, memory bandwidth and
// energies per FLOP and per byte; their capacity is their memory in bytes.
#include <memory>

#include "tessera/core/format.hpp"
#include "tessera/cost/device_kind.hpp"
#include "tessera/cost/roofline/roofline_model.hpp"

namespace tessera::cost {

namespace {

class RooflineKind final : public DeviceKind {
 public:
  [[nodiscard]] std::vector<std::string> names() const override { return roofline_kind_names(); }
  [[nodiscard]] std::string_view label() const override { return "roofline"; }
  [[nodiscard]] const hw::ParamSchema& schema() const override {
    // Every number a roofline device needs is a common device field; it takes no params.
    static const hw::ParamSchema kNone("roofline");
    return kNone;
  }
  [[nodiscard]] hw::DeviceFields device_fields() const override { return hw::DeviceFields::all(); }

  [[nodiscard]] std::unique_ptr<CostModel> make_model(
      const CostOptions& /*options*/) const override {
    return std::make_unique<RooflineModel>();
  }

  [[nodiscard]] EstimateReport estimate_report(const hw::Device& /*device*/,
                                               const std::vector<LayerEstimate>& layers,
                                               const CostOptions& /*options*/) const override {
    EstimateReport r;
    r.columns = {
        {"compute", "compute_s", "s"}, {"memory", "memory_s", "s"}, {"weights", "", "bytes"}};
    double weights = 0.0;
    for (const auto& l : layers) weights += l.cost.memory.value();
    r.totals_text = ", weights " + human_bytes(weights);
    return r;
  }
};

}  // namespace

std::unique_ptr<DeviceKind> make_roofline_kind() {
  return std::make_unique<RooflineKind>();
}

}  // namespace tessera::cost
