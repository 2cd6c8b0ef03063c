// The SoC device kind: compute units that split each layer's output channels between them and
// run in parallel (ODiMO's DIANA and Darkside models, Garofalo's heterogeneous IMC cluster);
// its capacity is the on-chip memory in bytes; layers run one after another.
#include <memory>

#include "cost/soc/soc_params.hpp"
#include "tessera/core/format.hpp"
#include "tessera/cost/device_kind.hpp"
#include "tessera/cost/soc/soc.hpp"
#include "tessera/cost/soc/soc_model.hpp"

namespace tessera::cost {

namespace {

class SocKind final : public DeviceKind {
 public:
  [[nodiscard]] std::vector<std::string> names() const override {
    return {std::string(soc::kSocKindName)};
  }
  [[nodiscard]] std::string_view label() const override { return "SoC"; }
  [[nodiscard]] const hw::ParamSchema& schema() const override { return soc::soc_schema(); }
  [[nodiscard]] hw::DeviceFields device_fields() const override {
    // The units' cycles and powers are params; the memory that holds weights and activations
    // is the capacity.
    return hw::DeviceFields::memory_only();
  }

  [[nodiscard]] std::unique_ptr<CostModel> make_model(
      const CostOptions& /*options*/) const override {
    return std::make_unique<SocModel>();
  }

  [[nodiscard]] EstimateReport estimate_report(const hw::Device& device,
                                               const std::vector<LayerEstimate>& layers,
                                               const CostOptions& /*options*/) const override {
    EstimateReport r;
    for (const auto& u : device.params.records("units")) {
      r.columns.push_back({u.word("name") + " ch", u.word("name") + "_channels", "", 0});
    }
    for (const auto& u : device.params.records("units")) {
      r.columns.push_back({u.word("name"), u.word("name") + "_s", "s"});
    }
    r.columns.push_back({"weights", "", "bytes"});
    double weights = 0.0;
    for (const auto& l : layers) weights += l.cost.memory.value();
    r.totals_text = ", weights " + human_bytes(weights);
    r.device_section = "soc";
    r.device_values = {{"clock_hz", device.params.number("clock_mhz") * 1e6},
                       {"split_objective", device.params.word("split_objective")},
                       {"low_precision_budget", device.params.number("low_precision_budget")}};
    r.device_text = fixed_digits(device.params.number("clock_mhz"), 0) + " MHz, " +
                    std::to_string(device.params.records("units").size()) + " units, split for " +
                    device.params.word("split_objective");
    return r;
  }

 private:
  [[nodiscard]] std::vector<Diagnostic> check(const hw::ParamRecord& params,
                                              std::string_view path) const override {
    return soc::check_soc_params(params, path);
  }
};

}  // namespace

std::unique_ptr<DeviceKind> make_soc_kind() {
  return std::make_unique<SocKind>();
}

}  // namespace tessera::cost
