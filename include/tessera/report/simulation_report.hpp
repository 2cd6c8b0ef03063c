#pragma once
/// Simulation results as documents: `tessera.simulation/1` JSON and Chrome trace-event JSON.
#include <string>

#include "tessera/cost/cost_table.hpp"
#include "tessera/plan/plan.hpp"
#include "tessera/sim/simulation_result.hpp"

namespace tessera::report {

/// {"format": "tessera.simulation/1", "model", "platform", "inferences", "topology",
///  "period_s", "throughput_per_s", "latency_p50_s", "latency_p99_s", "latency_max_s",
///  "latency_mean_s", "makespan_s", "energy_j", "energy_per_inference_j",
///  "energy_accounting", "analytic": {period_s, latency_s, ...} (from `analytic`, if given),
///  "devices": [{name, busy_s, utilisation, static_energy_j, dynamic_energy_j, energy_j}],
///  "queues": [{stage, input_capacity, input_mean, input_max, output_...}]}.
[[nodiscard]] std::string simulation_json(const cost::CostTable& table,
                                          const sim::SimulationResult& result,
                                          const plan::Plan* analytic = nullptr);

/// The recorded events in the Chrome trace-event format (JSON object with "traceEvents";
/// opens in Perfetto and chrome://tracing): one process, one thread per stage's compute and
/// per stage's outgoing transfers, complete ("X") events in microseconds.
[[nodiscard]] std::string chrome_trace_json(const cost::CostTable& table,
                                            const sim::SimulationResult& result);

/// Short text summary: period, throughput, latency percentiles, per-device utilisation.
[[nodiscard]] std::string simulation_text(const sim::SimulationResult& result,
                                          const plan::Plan* analytic = nullptr);

}  // namespace tessera::report
