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
  /// state space, Π(n_class + 1) × classes, exceeds this many states. Throughput without a
  /// latency cap stores only the states it reaches, so there the limit applies to the count
  /// vectors Π(n_class + 1) alone (2^26: 26 distinct devices).
  std::int64_t max_state_vectors = std::int64_t{1} << 26;
  /// Throughput: the tie-break at the optimal period (least energy, then fewest devices)
  /// solves only the states of plans within that period while that scans at most this many
  /// transitions, and runs the dense cost DP otherwise (unless that exceeds
  /// max_state_vectors). Both are exact; 0 forces the dense one.
  std::int64_t max_sparse_tie_break_work = std::int64_t{1} << 22;
  /// Threads (1..64) for the throughput search over candidate periods (each round tests one
  /// candidate per thread, with its own feasibility DP) and for the Pareto front and weighted
  /// objective (each forward and backward pass of their cost DPs splits the count vectors of
  /// one device count over the threads, and the relaxation runs beside the Lagrangian bound).
  /// The result does not depend on it; the statistics (DP runs, states) may. A latency cap
  /// keeps both on one thread.
  std::int32_t threads = 1;
  /// A level of a forward or backward pass (count vectors of one device count) is split over
  /// the threads only when it holds at least this many count vectors: waking a thread costs
  /// more than a small level. Tests set 1 to split every level.
  std::int64_t min_parallel_vectors = 32;
  /// The Pareto sweeps (and the weighted objective, which walks the front) stop once their
  /// DPs have done this much work in all, counted as states x layers (2^33: seconds to tens of
  /// seconds): each point found is exact, but the front is then not proven complete
  /// (ParetoFront::truncated says so).
  std::int64_t max_front_work = std::int64_t{1} << 33;
  /// Anytime mode (throughput without a latency cap; docs/planner.md, "Anytime mode"). When
  /// either of the two limits below is set and the exact search is refused by
  /// max_state_vectors, solve() runs a heuristic search with a proven lower bound on the period
  /// instead of returning the best baseline, and reports both (SolverStats). When the exact
  /// search applies it runs as usual (it is not interrupted) and reports a gap of 0.
  /// Wall-clock seconds after which the anytime search stops (>= 0); none: no time limit.
  std::optional<double> time_limit_s;
  /// The anytime search stops once (period − lower bound) / lower bound <= this fraction
  /// (>= 0; 0.01 = 1 %); none: run until the time limit or a proof of optimality. Without a
  /// time limit a gap the bound cannot certify keeps the search running.
  std::optional<double> gap;
};

}  // namespace tessera::plan
