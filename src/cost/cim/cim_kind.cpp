// The CIM device kind: NeuroSim-class crossbar chips whose capacity is their tiles and whose
// layers stream as a pipeline (DNN+NeuroSim's default).
#include <algorithm>
#include <memory>

#include "cost/cim/cim_params.hpp"
#include "tessera/core/format.hpp"
#include "tessera/cost/cim/cim_model.hpp"
#include "tessera/cost/device_kind.hpp"

namespace tessera::cost {

namespace {

/// NeuroSim divides its TOPS/W by a post-layout factor its printed energy leaves out. Checked on
/// the shared VGG8 run: 1.232e9 ops / (34.756 + 0.298) uJ = 35.15 TOPS/W = 1.22 x its printed
/// 28.804 TOPS/W.
constexpr double kNeuroSimPostLayoutFactor = 1.22;

double part(const OpCost& c, const char* key) {
  const auto it = c.parts.find(key);
  return it == c.parts.end() ? 0.0 : it->second;
}

class CimKind final : public DeviceKind {
 public:
  [[nodiscard]] std::vector<std::string> names() const override { return {"cim"}; }
  [[nodiscard]] std::string_view label() const override { return "CIM"; }
  [[nodiscard]] const hw::ParamSchema& schema() const override { return cim_schema(); }
  [[nodiscard]] hw::DeviceFields device_fields() const override {
    // CimModel reads only params and the per-layer overhead; memory, peaks, bandwidth and the
    // roofline energies describe nothing it uses.
    return hw::DeviceFields::none();
  }

  [[nodiscard]] Capacity capacity(const hw::Device& device) const override {
    return {static_cast<double>(device.params.integer("tiles")), "tiles"};
  }
  [[nodiscard]] bool pipelines_layers(const hw::Device& device) const override {
    // Every layer keeps its weights in its own tiles: with params.pipeline (NeuroSim's
    // default) inferences stream through the layers, see CostTable::pipelined_layers.
    return device.params.flag("pipeline");
  }

  [[nodiscard]] std::unique_ptr<CostModel> make_model(const CostOptions& options) const override {
    return std::make_unique<CimModel>(
        CimOptions{.neurosim_conventions = options.reference_conventions});
  }

  [[nodiscard]] EstimateReport estimate_report(const hw::Device& device,
                                               const std::vector<LayerEstimate>& layers,
                                               const CostOptions& options) const override;

 private:
  [[nodiscard]] std::vector<Diagnostic> check(const hw::ParamRecord& params,
                                              std::string_view path) const override {
    return check_cim_params(params, path);
  }
};

EstimateReport CimKind::estimate_report(const hw::Device& device,
                                        const std::vector<LayerEstimate>& layers,
                                        const CostOptions& options) const {
  EstimateReport r;
  r.columns = {{"ADC", "adc_j", "J"},
               {"accum", "accumulation_j", "J"},
               {"periph", "periphery_j", "J"},
               {"buffer", "buffer_j", "J"},
               {"IC", "interconnect_j", "J"},
               {"tiles", "", "tiles", 0},
               {"area mm2", "area_mm2", "mm2", 2}};
  double energy_j = 0.0;
  double tiles = 0.0;
  double area_mm2 = 0.0;
  double ops = 0.0;
  std::vector<CimLayerLeakage> leaks;
  for (const auto& l : layers) {
    const double t = l.cost.time.value();
    energy_j += l.cost.energy.value();
    tiles += l.cost.memory.value();
    area_mm2 += part(l.cost, "area_mm2");
    leaks.push_back(
        {t, part(l.cost, "leakage_w"), part(l.cost, "leakage_busy_w"), l.cost.memory.value()});
    // NeuroSim's TOPS/W counts convolutions on their input map (CimModel's "ops" part under
    // its conventions); otherwise 2 x MACs.
    ops += options.reference_conventions ? part(l.cost, "ops") : l.ops;
  }
  // Every tile leaks for the whole period: the slowest layer when the layers are pipelined,
  // else one inference's whole latency, as `plan` and the estimate's period count it
  // (cim_chip_leakage: busy while its own layer computes, idle otherwise).
  const bool pipelined = pipelines_layers(device);
  const CimLeakage leak = cim_chip_leakage(leaks, pipelined, options.reference_conventions);
  const double leakage_j = leak.energy_j;
  const double leakage_w = leak.power_w;
  const double tops_per_w =
      (energy_j + leakage_j) > 0.0
          ? ops / (energy_j + leakage_j) / 1e12 /
                (options.reference_conventions ? kNeuroSimPostLayoutFactor : 1.0)
          : 0.0;
  r.totals = {{"area_mm2", area_mm2},
              {"leakage_j", leakage_j},
              {"leakage_w", leakage_w},
              {"tops_per_w", tops_per_w}};
  r.totals_text = " + leakage " + human_joules(leakage_j) + ", " + fixed_digits(tiles, 0) +
                  " tiles, " + fixed_digits(area_mm2, 1) + " mm2, " + fixed_digits(tops_per_w, 2) +
                  " TOPS/W";

  // The chip's constants at its node (clock and energies scale with technology_nm).
  auto chip = CimParams::from_device(device);
  if (chip.ok()) {
    const CimPhysics ph = cim_physics(*chip);
    const std::string gap = cim_calibration_gap(*chip);
    r.device_section = "chip";
    r.device_values = {{"cell", chip->cell},
                       {"technology_nm", chip->technology_nm},
                       {"clock_s", ph.clock_s},
                       {"adc_bits", chip->adc_bits},
                       {"rows_parallel", chip->rows_parallel},
                       {"conversion_energy_j", ph.conversion_energy_pj * 1e-12},
                       {"subarray_area_um2", ph.subarray_area_um2},
                       {"outside_calibration", gap}};
    r.device_text = chip->cell + " " + fixed_digits(chip->technology_nm, 0) + " nm, clock " +
                    fixed_digits(ph.clock_s * 1e9, 4) + " ns, " + std::to_string(chip->adc_bits) +
                    "-bit ADC, Rp " + std::to_string(chip->rows_parallel) + ", " +
                    fixed_digits(ph.conversion_energy_pj, 4) + " pJ per conversion";
    if (!gap.empty()) {
      r.device_text += "\noutside CimModel's calibration: " + gap + " (docs/results.md)";
    }
  }
  return r;
}

}  // namespace

std::unique_ptr<DeviceKind> make_cim_kind() {
  return std::make_unique<CimKind>();
}

}  // namespace tessera::cost
