#pragma once
/// What a discrete-event run of a plan measured: plain data, readable without SimGrid.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace tessera::sim {

/// What a trace event records.
enum class EventKind {
  kCompute,   ///< a stage computing one inference on its device
  kTransfer,  ///< one cut moving between two endpoints (the source/sink included)
};

/// One interval of simulated time, for traces and Gantt charts.
struct TraceEvent {
  EventKind kind = EventKind::kCompute;
  std::int32_t stage = 0;          ///< stage index; for transfers the receiving stage (-1 = sink)
  std::int64_t inference = 0;      ///< 0-based inference number
  std::int32_t from_endpoint = 0;  ///< device id, or the table's source endpoint (D)
  std::int32_t to_endpoint = 0;    ///< equal to from_endpoint for compute events
  double start_s = 0.0;            ///< simulated time since the run started
  double end_s = 0.0;
  double bytes = 0.0;  ///< transferred bytes (0 for compute)
};

/// Time and energy of one device that the plan uses.
struct DeviceStats {
  std::int32_t device = 0;  ///< device id in the cost table
  std::string name;
  double busy_s = 0.0;            ///< total time spent computing
  double utilisation = 0.0;       ///< busy_s / makespan_s
  double static_energy_j = 0.0;   ///< static power × makespan (powered for the whole run)
  double dynamic_energy_j = 0.0;  ///< inferences × (layer energies + energy of its sends)
  double energy_j = 0.0;          ///< static + dynamic
};

/// Occupancy of one stage's bounded queues, averaged over the run's simulated time.
struct QueueStats {
  std::int32_t stage = 0;
  std::int32_t input_capacity = 0;
  std::int32_t output_capacity = 0;
  /// Input slots in use: reserved by an incoming transfer or holding an input not yet consumed.
  double input_mean = 0.0;
  std::int32_t input_max = 0;
  /// Output slots in use: results computed but not yet delivered to the next stage.
  double output_mean = 0.0;
  std::int32_t output_max = 0;
};

/// The measurements of one simulation.
struct SimulationResult {
  std::int64_t inferences = 0;
  std::int32_t microbatch = 1;
  std::string topology;     ///< network model used ("full_mesh", "shared_bus", ...)
  double rate_per_s = 0.0;  ///< injection rate; 0 = back-to-back
  double makespan_s = 0.0;  ///< from the first injection to the last completion
  /// Steady-state time between completions: mean over the second half of the run.
  double period_s = 0.0;
  double throughput_per_s = 0.0;  ///< microbatch / period_s
  double latency_p50_s = 0.0;
  double latency_p99_s = 0.0;
  double latency_max_s = 0.0;
  double latency_mean_s = 0.0;
  double energy_j = 0.0;  ///< Σ device energies + source transfer energy
  double energy_per_inference_j = 0.0;
  /// False for a run measured on real hardware: nothing meters its power, so its energy fields
  /// stay 0 and reports say "not measured" rather than 0 J.
  bool has_energy = true;
  std::vector<double> arrival_s;     ///< per inference: when it entered the pipeline
  std::vector<double> completion_s;  ///< per inference: when the sink received it
  std::vector<DeviceStats> devices;  ///< in stage order
  std::vector<QueueStats> queues;    ///< one per stage
  std::vector<TraceEvent> events;    ///< empty unless SimOptions::record_trace
};

// Shared by the simulator and measured pipeline runs, so both are summarised alike. Inline: a
// measured run's processes must not link SimGrid, whose SMPI exports the MPI symbols.

/// Nearest-rank percentile (q in [0, 1]) of `v`; 0 for no samples.
inline double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  // Nearest rank: the smallest value with at least q of the samples at or below it.
  const auto n = static_cast<double>(v.size());
  auto rank = static_cast<std::size_t>(std::ceil(q * n));
  rank = std::clamp<std::size_t>(rank, 1, v.size());
  return v[rank - 1];
}

inline  /// Fills the timing summary of `r` (makespan, steady-state period, throughput, latency
        /// mean,
    /// p50, p99 and max) from `r.arrival_s`, `r.completion_s` and `r.microbatch`: the period is the
    /// mean time between completions over the second half of the run (one inference: its latency).
    void
    summarise_timing(SimulationResult& r) {
  const std::size_t n = std::min(r.arrival_s.size(), r.completion_s.size());
  if (n == 0) return;
  r.makespan_s = r.completion_s[n - 1];
  if (n == 1) {
    r.period_s = r.completion_s[0] - r.arrival_s[0];
  } else {
    const std::size_t w = std::min(n / 2, n - 2);
    r.period_s = (r.completion_s[n - 1] - r.completion_s[w]) / static_cast<double>(n - 1 - w);
  }
  r.throughput_per_s = r.period_s > 0.0 ? static_cast<double>(r.microbatch) / r.period_s : 0.0;
  std::vector<double> latency(n);
  double sum = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    latency[k] = r.completion_s[k] - r.arrival_s[k];
    sum += latency[k];
  }
  r.latency_p50_s = percentile(latency, 0.50);
  r.latency_p99_s = percentile(latency, 0.99);
  r.latency_max_s = *std::max_element(latency.begin(), latency.end());
  r.latency_mean_s = sum / static_cast<double>(n);
}

}  // namespace tessera::sim
