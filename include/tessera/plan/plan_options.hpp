#pragma once
/// What a planner optimises and which plan semantics it uses (see docs/formats.md,
/// "Plan semantics").
#include <cstdint>
#include <optional>

namespace tessera::plan {

/// The quantity a solver minimises.
enum class Objective {
  kThroughput,  ///< smallest period (largest throughput)
  kLatency,     ///< smallest source-to-sink latency of one inference
  kEnergy,      ///< smallest energy per inference (dynamic + link + static × period)
  kWeighted,    ///< alpha · period/period* + (1 − alpha) · energy/energy* over the Pareto front
};

struct PlanOptions {
  Objective objective = Objective::kThroughput;
  /// Weight of the normalised period in the weighted objective, in [0, 1].
  double alpha = 0.5;
  /// true: a stage's time is max(compute, send) (sending overlaps the next computation);
  /// false: compute + send.
  bool overlap = true;
  /// true: the input cut travels from the source endpoint to the first stage and the last
  /// stage sends the output cut to the sink. false (PipeEdge compatibility): neither is charged.
  bool include_source_sink = true;
  /// Plans whose period exceeds this are infeasible (every objective and the Pareto front).
  std::optional<double> period_cap_s;
  /// Plans whose latency exceeds this are infeasible (every objective and the Pareto front).
  std::optional<double> latency_cap_s;
  /// pareto_front() also computes the exact (latency, energy) front.
  bool latency_energy_front = false;
  /// Exact search is refused (the best baseline is returned with optimal = false) when the
  /// state space, Π(n_class + 1) × classes, exceeds this many states.
  std::int64_t max_state_vectors = std::int64_t{1} << 26;
  /// The Pareto sweeps (and the weighted objective, which walks the front) stop once their
  /// DPs have done this much work in all, counted as states x layers (2^33: seconds to tens of
  /// seconds): each point found is exact, but the front is then not proven complete
  /// (ParetoFront::truncated says so).
  std::int64_t max_front_work = std::int64_t{1} << 33;
};

}  // namespace tessera::plan
