#pragma once
/// The dataflow device kind: a PE-array chiplet with a weight-stationary (NVDLA-like) or an
/// output-stationary (ShiDianNao-like) dataflow, an L1 per PE, a shared L2 and an off-chip
/// (DRAM) interface. Its cost model is a reduced MAESTRO-style analysis (Kwon et al., MICRO 2019,
/// maestro-project/maestro): every compute layer is lowered to matrix products, tiled over the
/// array with the dataflow's fixed spatial unrolling, and each tile costs the double-buffered
/// max(ingress, compute, egress) cycles; buffer accesses come from the same tiles and energy from
/// MAESTRO's per-access ratios. Formulas: docs/formats.md, "Dataflow device parameters".
#include <cstdint>
#include <string_view>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_model.hpp"
#include "tessera/hw/platform.hpp"

namespace tessera::cost {

inline constexpr std::string_view kDataflowKindName = "dataflow";

enum class Dataflow : std::uint8_t {
  /// NVDLA-like (MAESTRO's KC-P): a cluster of PEs reduces one output over `cluster` input
  /// channels whose filters it holds; clusters take different output channels; the output
  /// positions stream through.
  kWeightStationary,
  /// ShiDianNao-like (MAESTRO's YX-P): each PE accumulates one output pixel in place; the array
  /// covers pes/cluster output rows × `cluster` output columns; channels stream through.
  kOutputStationary,
};

/// A dataflow chiplet's parameters (the kind's schema, bound).
struct DataflowParams {
  Dataflow dataflow = Dataflow::kWeightStationary;
  std::int64_t pes = 4096;
  /// Weight-stationary: PEs per cluster (input channels spatially unrolled); output-
  /// stationary: output columns per array row.
  std::int64_t cluster = 64;
  double l1_bytes = 512.0;               ///< per PE
  double l2_bytes = 10.0 * 1024 * 1024;  ///< shared by the PEs
  double noc_bytes_per_cycle = 1024.0;   ///< L2 to the PEs and back, each direction
  double clock_hz = 500e6;
  double bytes_per_element = 1.0;
  double mac_energy_j = 0.23e-12;     ///< one multiply-accumulate
  double l1_energy_macs = 1.68;       ///< one L1 access, in MAC energies
  double l2_energy_macs = 18.61;      ///< one L2 access, in MAC energies
  double offchip_bytes_per_s = 64e9;  ///< DRAM to L2
  double dram_energy_j_per_byte = 14.8e-12 * 8.0;

  [[nodiscard]] static Result<DataflowParams> from_device(const hw::Device& device);
  [[nodiscard]] double noc_elements_per_cycle() const {
    return noc_bytes_per_cycle / bytes_per_element;
  }
};

/// One matrix product as the array sees it: `groups` independent products over m output
/// positions (rows of `width` columns: a convolution's output image, one column for a matrix
/// product), k reduction channels, `taps` filter taps per channel (a convolution's R·S, 1 for
/// a matrix product) and n outputs per position. `input_reuse` is how many positions use one
/// input element on average (a convolution's R·S / stride², at least 1).
struct GemmShape {
  std::int64_t m = 0;
  std::int64_t k = 0;
  std::int64_t n = 0;
  std::int64_t groups = 1;
  double input_reuse = 1.0;
  std::int64_t taps = 1;
  std::int64_t width = 1;
};

/// Cycles and buffer accesses of a product on the array (elements, not bytes).
struct ArrayCost {
  double cycles = 0.0;
  double macs = 0.0;
  double l1_reads = 0.0;
  double l1_writes = 0.0;
  double l2_reads = 0.0;
  double l2_writes = 0.0;
  std::int64_t rows = 0;  ///< spatial tile: WS reduction channels, OS output rows
  std::int64_t cols = 0;  ///< spatial tile: WS output channels, OS output columns

  ArrayCost& operator+=(const ArrayCost& o);
  [[nodiscard]] double utilisation(std::int64_t pes) const {
    return cycles > 0.0 ? macs / (cycles * static_cast<double>(pes)) : 0.0;
  }
};

/// The tile-level cost of `shape` on the array (no fills from or drains to L2's producers).
[[nodiscard]] ArrayCost array_cost(const DataflowParams& p, const GemmShape& shape);

class DataflowModel final : public CostModel {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "dataflow"; }

 private:
  [[nodiscard]] bool do_supports(const graph::Op& op,
                                 const hw::Device& device) const noexcept override;
  [[nodiscard]] OpCost do_estimate(const graph::Graph& graph, const graph::Op& op,
                                   const hw::Device& device,
                                   std::int64_t fused_bytes_saved) const override;
  [[nodiscard]] Result<OpCost> do_estimate_layer(const graph::Graph& graph,
                                                 const graph::Layer& layer,
                                                 const hw::Device& device) const override;
};

}  // namespace tessera::cost
