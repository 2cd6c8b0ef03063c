#pragma once
/// Multi-model scheduling on a chiplet package (SCAR, Odema et al., MICRO 2024): several models
/// run at once, each on its own chiplets; a model's layers are cut into contiguous segments, one
/// per chiplet, pipelined over the model's batch (one sample per micro-batch). Pure: the costs
/// come in a ScheduleInstance (per model, per chiplet class, per layer), built by `problem`.
///
/// Semantics (docs/formats.md, "Schedule semantics"):
/// - segment time = its layers' compute on the chiplet's class + the transfer in (the model
///   input from DRAM for the first segment, the cut from the previous chiplet otherwise) + the
///   transfer out (the cut to the next chiplet, the model output to DRAM for the last) + the
///   hops its weights cross from the nearest DRAM interface;
/// - model latency = Σ segments + (batch − 1) × the slowest segment (SCAR's pipelining formula
///   with one-sample micro-batches); model energy = batch × Σ segment energies;
/// - package latency = the slowest model (each scaled by its weight), energy = Σ models,
///   EDP = latency × energy, period = the slowest segment of any model.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace tessera::plan {

enum class ScheduleObjective : std::uint8_t { kLatency, kEnergy, kEdp, kThroughput };

/// The chiplets and the network between them.
struct SchedulePackage {
  std::vector<std::string> chiplet_names;
  std::vector<std::int32_t> chiplet_class;  ///< index into class_names, per chiplet
  std::vector<std::string> class_names;
  std::vector<std::int32_t> hops;       ///< C × C, row-major
  std::vector<std::int32_t> dram_hops;  ///< per chiplet: hops to the nearest DRAM interface
  /// Per chiplet: the weight bytes a segment may hold (empty: no limit).
  std::vector<double> chiplet_memory_bytes;
  double hop_latency_s = 0.0;
  double nop_bytes_per_s = 1.0;
  double nop_j_per_byte_hop = 0.0;
  double dram_latency_s = 0.0;
  double dram_bytes_per_s = 1.0;
  double dram_j_per_byte = 0.0;

  [[nodiscard]] std::int32_t size() const {
    return static_cast<std::int32_t>(chiplet_class.size());
  }
  [[nodiscard]] std::int32_t hop(std::int32_t a, std::int32_t b) const {
    return hops[static_cast<std::size_t>(a) * chiplet_class.size() + static_cast<std::size_t>(b)];
  }
};

/// One model: per-sample costs of each layer on each chiplet class.
struct ScheduleModel {
  std::string name;
  std::int64_t batch = 1;
  double weight = 1.0;
  double deadline_s = std::numeric_limits<double>::infinity();
  std::vector<std::string> layer_names;
  /// [class][layer]
  std::vector<std::vector<double>> time_s;
  std::vector<std::vector<double>> compute_j;  ///< MACs and L1
  std::vector<std::vector<double>> l2_j;
  std::vector<std::vector<double>> dram_j;  ///< the chiplet's own DRAM reads (weights, spills)
  std::vector<double> weight_bytes;         ///< per layer
  std::vector<double> cut_bytes;            ///< layers + 1: before layer k (0: input, L: output)

  [[nodiscard]] std::int32_t layers() const {
    return static_cast<std::int32_t>(layer_names.size());
  }
};

struct ScheduleInstance {
  SchedulePackage package;
  std::vector<ScheduleModel> models;
};

struct ScheduleSegment {
  std::int32_t chiplet = 0;
  std::int32_t first_layer = 0;
  std::int32_t last_layer = 0;  ///< inclusive
};

/// Segments per model, in layer order.
struct Schedule {
  std::vector<std::vector<ScheduleSegment>> models;
};

struct EnergyBreakdown {
  double compute_j = 0.0;  ///< MACs and L1
  double l2_j = 0.0;
  double nop_j = 0.0;
  double dram_j = 0.0;
  [[nodiscard]] double total() const { return compute_j + l2_j + nop_j + dram_j; }
};

struct ModelMetrics {
  double latency_s = 0.0;
  double energy_j = 0.0;
  double period_s = 0.0;  ///< its slowest segment
  std::vector<double> segment_s;
  EnergyBreakdown energy;
};

struct ScheduleMetrics {
  double latency_s = 0.0;           ///< slowest model
  double weighted_latency_s = 0.0;  ///< slowest weight × model latency (what objectives use)
  double energy_j = 0.0;
  double edp_j_s = 0.0;  ///< weighted latency × energy
  double period_s = 0.0;
  double samples_per_s = 0.0;  ///< Σ batches / latency
  EnergyBreakdown energy;
  std::vector<ModelMetrics> models;
};

/// Checks that `s` covers every layer of every model with contiguous segments on distinct
/// chiplets; returns an empty string or what is wrong.
[[nodiscard]] std::string check_schedule(const ScheduleInstance& inst, const Schedule& s);
/// The metrics of a valid schedule (the one place they are computed).
[[nodiscard]] ScheduleMetrics evaluate_schedule(const ScheduleInstance& inst, const Schedule& s);
/// The objective's value (smaller is better): weighted latency, energy, EDP or period.
[[nodiscard]] double objective_value(const ScheduleMetrics& m, ScheduleObjective objective);

struct ScheduleOptions {
  ScheduleObjective objective = ScheduleObjective::kEdp;
  /// Exact search: at most this many (sequence, cut) evaluations in all; beyond it the largest
  /// number of chiplets per model that fits is used and the result is not proven optimal.
  double work_limit = 2e8;
  /// Beyond the exact search's space: the branch and bound that tries to prove the local
  /// search's schedule optimal (or finds the optimum) stops after this many evaluations, and
  /// the result is then not proven.
  double proof_work_limit = 5e7;
  /// Packages larger than this are not searched exactly (the combination step is over subsets
  /// of chiplets).
  std::int32_t exact_max_chiplets = 16;
  /// Local search after a restricted or heuristic start: improving moves tried at most.
  std::int64_t local_search_moves = 200000;
  /// Iterated local search: further rounds from the best schedule, each with its own seed.
  std::int32_t restarts = 16;
  std::uint64_t seed = 1;
};

struct ScheduleResult {
  bool feasible = false;
  /// Infeasible: the binding constraint (a model whose deadline no schedule meets, too few
  /// chiplets).
  std::string infeasible;
  Schedule schedule;
  ScheduleMetrics metrics;
  bool optimal = false;
  std::string method;  ///< "exact", "exact (at most k chiplets per model) + local search", ...
  std::int32_t max_chiplets_per_model = 0;
  double evaluations = 0.0;
  /// A lower bound on the objective (0 when none is known).
  double lower_bound = 0.0;
};

/// The best schedule under `options.objective`: exact over every provisioning, segmentation and
/// placement where the work allows (docs/formats.md); beyond, a restricted exact search and
/// local search, then a branch and bound pruned by that schedule, which makes the result exact
/// when it finishes within `proof_work_limit`.
[[nodiscard]] ScheduleResult solve_schedule(const ScheduleInstance& inst,
                                            const ScheduleOptions& options);

/// Exact over schedules that give each model at most `max_per_model` chiplets (the building
/// block of solve_schedule; `max_per_model` 1 is the standalone baseline).
[[nodiscard]] ScheduleResult solve_schedule_exact(const ScheduleInstance& inst,
                                                  const ScheduleOptions& options,
                                                  std::int32_t max_per_model);

/// SCAR's heuristic in one time window: proportional provisioning by expected latency, top-k
/// segmentation per model on the chiplet-mix-weighted layer latencies, then a constrained
/// depth-first placement of each model's segments on neighbouring free chiplets.
[[nodiscard]] ScheduleResult scar_heuristic(const ScheduleInstance& inst,
                                            const ScheduleOptions& options, std::int32_t top_k = 4);

/// Improves `start` by moving cuts, splitting a segment onto a free chiplet, merging neighbours
/// and swapping chiplets, keeping improving moves (seeded, at most options.local_search_moves).
[[nodiscard]] ScheduleResult local_search(const ScheduleInstance& inst,
                                          const ScheduleOptions& options, Schedule start);

/// Lower bound on the objective over every schedule: no transfers, each model's layers split
/// fractionally over the whole chiplets it gets (every model at least one, the best division of
/// the package's chiplets among the models), energy at each layer's cheapest class.
[[nodiscard]] double schedule_lower_bound(const ScheduleInstance& inst,
                                          ScheduleObjective objective);

/// Time windows (SCAR's MCM-Reconfig): the package is rescheduled between windows; a model's
/// layers are cut into consecutive chunks, one per window (possibly empty), and every chunk's
/// input and output go through DRAM. Window latency = its slowest model; latency and energy add
/// up over the windows.
struct WindowedSchedule {
  /// [window][model]: the model's layers in that window, {first, last}; first > last: none.
  std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> ranges;
  std::vector<ScheduleResult> windows;            ///< per window, over the models with layers in it
  std::vector<std::vector<std::int32_t>> models;  ///< per window: the original model indices
  double latency_s = 0.0;
  double energy_j = 0.0;
  double edp_j_s = 0.0;
  bool feasible = false;
  std::string infeasible;
};

/// SCAR's first-fit window packing (Algorithm 1): the time horizon (the largest expected model
/// latency, layers at the chiplet-mix mean, times the batch) is cut into `n_splits` + 1
/// windows of equal budget, the last unbounded; each model's layers, in order, go to the current
/// window while its expected time fits the model's remaining budget there.
[[nodiscard]] std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> scar_windows(
    const ScheduleInstance& inst, std::int32_t n_splits);

/// The instance restricted to each model's layer range (models without layers left out;
/// `kept` receives the original indices).
[[nodiscard]] ScheduleInstance window_instance(
    const ScheduleInstance& inst, const std::vector<std::pair<std::int32_t, std::int32_t>>& ranges,
    std::vector<std::int32_t>& kept);

/// Solves every window of `ranges` with solve_schedule and adds them up.
[[nodiscard]] WindowedSchedule solve_windows(
    const ScheduleInstance& inst,
    const std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>>& ranges,
    const ScheduleOptions& options);

}  // namespace tessera::plan
