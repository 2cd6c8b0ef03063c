#pragma once
/// Exact output-channel splits of layers across an SoC's compute units, alone and for a whole
/// network under a budget on low-precision channels, the exact Pareto front of cost against
/// that budget, and the baselines ODiMO compares with (docs/results.md).
///
/// Exactness: a layer of C output channels on k accepting units has C(C+k-1, k-1) splits; for
/// k <= 3 (the kind allows at most 3 units) every one is evaluated, which is at most
/// (C+1)(C+2)/2 closed-form evaluations read from per-unit tables. The network optimum under a
/// total budget is a knapsack over layers solved by dynamic programming over the number of
/// low-precision channels used (exact: every layer's best cost for each count is known).
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/soc/soc.hpp"

namespace tessera::cost::soc {

/// One layer's per-unit cycle tables: cycles[u][c] for c = 0..C output channels; empty for a
/// unit that does not accept the layer.
struct LayerTable {
  LayerShape shape;
  std::vector<std::vector<double>> cycles;
};

[[nodiscard]] LayerTable make_layer_table(const Soc& soc, const LayerShape& shape);

/// A split of one layer: channels and busy cycles per unit (indexed as Soc::units), the
/// layer's latency (the slowest unit) and energy.
struct LayerSplit {
  std::vector<std::int64_t> channels;
  std::vector<double> unit_cycles;
  double cycles = 0.0;
  double energy_mw_cycles = 0.0;
  std::int64_t low_precision_channels = 0;
};

/// The split with exactly these channels per unit.
[[nodiscard]] LayerSplit evaluate_split(const Soc& soc, const LayerTable& table,
                                        const std::vector<std::int64_t>& channels);

/// Energy (mW x cycles) of a layer whose units are busy `unit_cycles` (per unit).
[[nodiscard]] double split_energy(const Soc& soc, const std::vector<double>& unit_cycles);

/// Each unit's part of a split's energy (mW x cycles; they sum to the layer's energy):
/// per_unit form, its active power while busy and idle power while waiting; levels form, its
/// power alone after the overlap plus a share of the both-busy energy in proportion to its power
/// alone.
[[nodiscard]] std::vector<double> unit_energies(const Soc& soc, const LayerSplit& split);

/// A split's cost: latency_weight x cycles + energy_weight x energy (mW x cycles).
struct CostWeights {
  double latency = 1.0;
  double energy = 0.0;
  [[nodiscard]] double of(const LayerSplit& s) const {
    return latency * s.cycles + energy * s.energy_mw_cycles;
  }
};

/// For every x = 0..C, the lowest-cost split giving at most x channels to low-precision units
/// (ties: the lower energy when only latency counts, else the lower latency, then the first in
/// enumeration order, so results are deterministic). Entry x is absent (channels empty) when no
/// split fits. `whole_layers`: only splits that give the whole layer to one unit. An error
/// naming the layer when no unit accepts it.
[[nodiscard]] Result<std::vector<LayerSplit>> best_splits_by_low_channels(
    const Soc& soc, const LayerTable& table, const CostWeights& w, bool whole_layers = false);

/// The lowest-cost split of one layer with at most `max_low` low-precision channels.
[[nodiscard]] Result<LayerSplit> best_split(const Soc& soc, const LayerTable& table,
                                            const CostWeights& w, std::int64_t max_low);

enum class BudgetScope {
  kLayer,  ///< every layer gives at most budget x its channels to low-precision units
  kTotal,  ///< the network gives at most budget x all its channels to them
};

struct SplitOptions {
  SplitObjective objective = SplitObjective::kLatency;
  /// kWeighted: alpha x latency / latency* + (1 - alpha) x energy / energy*, starred = the
  /// network's unconstrained optima.
  double alpha = 0.5;
  double budget = 1.0;  ///< share in [0, 1] of channels low-precision units may take
  BudgetScope scope = BudgetScope::kLayer;
  /// Only mappings that put each layer wholly on one unit: the best "manual" mapping within
  /// the same budget, the baseline that shows what splitting inside layers adds.
  bool whole_layers = false;
};

/// Splits of every layer and their totals.
struct NetworkSplit {
  std::string method;  ///< "optimal", "all on <unit>", "whole layer", "proportional"
  std::vector<LayerSplit> layers;
  double cycles = 0.0;
  double energy_mw_cycles = 0.0;
  double cost = 0.0;  ///< under the options' weights
  std::int64_t low_precision_channels = 0;
  std::int64_t channels = 0;
  [[nodiscard]] double low_precision_share() const {
    return channels > 0 ? static_cast<double>(low_precision_channels) / channels : 0.0;
  }
};

/// The weights `options` stand for on `tables` (kWeighted normalises by the network's optima).
[[nodiscard]] Result<CostWeights> cost_weights(const Soc& soc,
                                               const std::vector<LayerTable>& tables,
                                               const SplitOptions& options);

/// The exact optimum of the network under the options' objective and budget; infeasible (an
/// error naming the layer and the budget) when a layer cannot meet the budget.
[[nodiscard]] Result<NetworkSplit> optimise_network(const Soc& soc,
                                                    const std::vector<LayerTable>& tables,
                                                    const SplitOptions& options);

/// One point of the cost-vs-budget front.
struct BudgetPoint {
  double budget = 0.0;  ///< the smallest budget share that reaches this cost
  NetworkSplit split;
};

/// The exact Pareto front of the network's cost against the budget (in the options' scope;
/// `options.budget` is ignored): every budget at which the optimum strictly improves, from the
/// smallest feasible budget to the unconstrained optimum.
[[nodiscard]] Result<std::vector<BudgetPoint>> budget_front(const Soc& soc,
                                                            const std::vector<LayerTable>& tables,
                                                            const SplitOptions& options);

/// Baselines: every layer wholly on `unit` (layers it cannot run wholly on the fastest unit
/// that can); every layer wholly on the unit that runs it fastest (ODiMO's "manual heuristic"
/// style mapping); channels in proportion to each accepting unit's throughput on the layer.
[[nodiscard]] Result<NetworkSplit> baseline_all_on(const Soc& soc,
                                                   const std::vector<LayerTable>& tables,
                                                   std::size_t unit, const CostWeights& w);
[[nodiscard]] Result<NetworkSplit> baseline_whole_layer(const Soc& soc,
                                                        const std::vector<LayerTable>& tables,
                                                        const CostWeights& w);
[[nodiscard]] Result<NetworkSplit> baseline_proportional(const Soc& soc,
                                                         const std::vector<LayerTable>& tables,
                                                         const CostWeights& w);

/// The layers of a chain that have an anchor the SoC costs (convolution or fully connected),
/// as tables; `layer_index[i]` is table i's layer in the chain.
struct NetworkTables {
  std::vector<LayerTable> tables;
  std::vector<std::int32_t> layer_index;
};
[[nodiscard]] Result<NetworkTables> network_tables(const Soc& soc, const graph::Graph& graph,
                                                   const graph::LayerChain& chain);

}  // namespace tessera::cost::soc
