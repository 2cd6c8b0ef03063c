#pragma once
/// `tessera schedule` as people and programs read it: the schedule (segments per model and
/// chiplet), its metrics and energy breakdown, the baselines, the `tessera.schedule/1` JSON
/// document and an HTML page with a per-chiplet Gantt chart.
#include <string>
#include <vector>

#include "tessera/plan/schedule.hpp"

namespace tessera::report {

struct ScheduleBaseline {
  std::string name;  ///< "standalone", "scar-heuristic", "pipelined-ws", ...
  plan::ScheduleResult result;
};

struct ScheduleReport {
  std::string workload;
  std::string platform;
  plan::ScheduleObjective objective = plan::ScheduleObjective::kEdp;
  const plan::ScheduleInstance* instance = nullptr;
  plan::ScheduleResult result;
  double seconds = 0.0;  ///< the solver's wall time
  std::vector<ScheduleBaseline> baselines;
  /// With `--windows N` (N > 1): the workload over SCAR's first-fit windows, each window
  /// scheduled by the same search (nullptr: not asked for).
  const plan::WindowedSchedule* windowed = nullptr;
};

[[nodiscard]] std::string objective_name(plan::ScheduleObjective o);

/// {"format": "tessera.schedule/1", "workload", "platform", "objective", "metrics":
/// {"latency_s", "weighted_latency_s", "energy_j", "edp_j_s", "throughput_per_s", "period_s"},
/// "energy_breakdown": {"compute_j", "l2_j", "nop_j", "dram_j"}, "models": [{"name", "batch",
/// "latency_s", "energy_j", "period_s", "segments": [{"chiplet", "chiplet_class",
/// "first_layer", "last_layer", "first_layer_name", "last_layer_name", "time_s"}]}],
/// "baselines": [{"name", "method", "feasible", "metrics", "models"}], "solver": {"optimal",
/// "method", "seconds", "evaluations", "max_chiplets_per_model", "lower_bound", "gap"}, and with
/// windows "windows": {"latency_s", "energy_j", "edp_j_s", "feasible", "windows": [{"latency_s",
/// "energy_j", "method", "models": [{"name", "first_layer", "last_layer", "segments": [...]}]}]}
/// (segment layers counted from the model's first layer)}.
[[nodiscard]] std::string schedule_json(const ScheduleReport& r);

/// The segments per model, the metrics and the baselines with their ratios to the schedule.
[[nodiscard]] std::string schedule_text(const ScheduleReport& r);

/// A self-contained HTML page: summary, a per-chiplet Gantt chart of one window (every sample
/// of every model through its segments), the segment table and the baselines.
[[nodiscard]] std::string schedule_html(const ScheduleReport& r);

}  // namespace tessera::report
