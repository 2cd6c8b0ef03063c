#pragma once
/// What a discrete-event run of a plan measured: plain data, readable without SimGrid.
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
  std::vector<double> arrival_s;     ///< per inference: when it entered the pipeline
  std::vector<double> completion_s;  ///< per inference: when the sink received it
  std::vector<DeviceStats> devices;  ///< in stage order
  std::vector<QueueStats> queues;    ///< one per stage
  std::vector<TraceEvent> events;    ///< empty unless SimOptions::record_trace
};

}  // namespace tessera::sim
