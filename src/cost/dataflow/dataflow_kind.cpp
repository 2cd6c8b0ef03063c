// The dataflow device kind: a PE-array chiplet (weight- or output-stationary) whose capacity is
// its memory in bytes (the weights its layers read from DRAM); layers run one after another.
#include <algorithm>
#include <memory>

#include "cost/dataflow/dataflow_params.hpp"
#include "tessera/core/format.hpp"
#include "tessera/cost/dataflow/dataflow_model.hpp"
#include "tessera/cost/device_kind.hpp"

namespace tessera::cost {

namespace {

double part(const OpCost& c, const char* key) {
  const auto it = c.parts.find(key);
  return it == c.parts.end() ? 0.0 : it->second;
}

class DataflowKind final : public DeviceKind {
 public:
  [[nodiscard]] std::vector<std::string> names() const override {
    return {std::string(kDataflowKindName)};
  }
  [[nodiscard]] std::string_view label() const override { return "dataflow"; }
  [[nodiscard]] const hw::ParamSchema& schema() const override {
    return dataflow::dataflow_schema();
  }
  [[nodiscard]] hw::DeviceFields device_fields() const override {
    // The array's rates and energies are params; the memory that holds the weights (the
    // chiplet's share of package DRAM) is the capacity.
    return hw::DeviceFields::memory_only();
  }

  [[nodiscard]] std::unique_ptr<CostModel> make_model(
      const CostOptions& /*options*/) const override {
    return std::make_unique<DataflowModel>();
  }

  [[nodiscard]] EstimateReport estimate_report(const hw::Device& device,
                                               const std::vector<LayerEstimate>& layers,
                                               const CostOptions& /*options*/) const override {
    EstimateReport r;
    r.columns = {{"cycles", "cycles", "", 0},
                 {"util", "utilisation", "", 3},
                 {"L2 acc", "l2_accesses", "", 0},
                 {"DRAM", "dram_bytes", "bytes"},
                 {"MAC", "mac_j", "J"},
                 {"L1", "l1_j", "J"},
                 {"L2", "l2_j", "J"},
                 {"DRAM", "dram_j", "J"}};
    double cycles = 0.0;
    double macs = 0.0;
    double parts[4] = {0.0, 0.0, 0.0, 0.0};
    for (const auto& l : layers) {
      cycles += part(l.cost, "cycles");
      macs += part(l.cost, "macs");
      parts[0] += part(l.cost, "mac_j");
      parts[1] += part(l.cost, "l1_j");
      parts[2] += part(l.cost, "l2_j");
      parts[3] += part(l.cost, "dram_j");
    }
    auto p = DataflowParams::from_device(device);
    const double pes = p.ok() ? static_cast<double>(p->pes) : 1.0;
    const double util = cycles > 0.0 ? macs / (cycles * pes) : 0.0;
    r.totals = {{"cycles", cycles}, {"utilisation", util}, {"mac_j", parts[0]},
                {"l1_j", parts[1]}, {"l2_j", parts[2]},    {"dram_j", parts[3]}};
    r.totals_text =
        ", " + fixed_digits(cycles, 0) + " cycles, utilisation " + fixed_digits(util, 3);
    if (p.ok()) {
      const bool ws = p->dataflow == Dataflow::kWeightStationary;
      r.device_section = "array";
      r.device_values = {{"dataflow", std::string(ws ? "weight_stationary" : "output_stationary")},
                         {"pes", p->pes},
                         {"cluster", p->cluster},
                         {"clock_hz", p->clock_hz},
                         {"mac_energy_j", p->mac_energy_j}};
      r.device_text = std::string(ws ? "weight-stationary" : "output-stationary") + ", " +
                      std::to_string(p->pes) + " PEs (cluster " + std::to_string(p->cluster) +
                      "), " + fixed_digits(p->clock_hz / 1e6, 0) + " MHz, " +
                      fixed_digits(p->mac_energy_j * 1e12, 3) + " pJ/MAC";
    }
    return r;
  }

 private:
  [[nodiscard]] std::vector<Diagnostic> check(const hw::ParamRecord& params,
                                              std::string_view path) const override {
    return dataflow::check_dataflow_params(params, path);
  }
};

}  // namespace

std::unique_ptr<DeviceKind> make_dataflow_kind() {
  return std::make_unique<DataflowKind>();
}

}  // namespace tessera::cost
