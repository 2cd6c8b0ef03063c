#pragma once
/// Plans and Pareto fronts as people and programs read them: text tables, `tessera.plan/1` and
/// `tessera.pareto/1` JSON, CSV.
#include <string>
#include <vector>

#include "tessera/cost/cost_table.hpp"
#include "tessera/io/problem_inputs.hpp"
#include "tessera/plan/pareto_front.hpp"
#include "tessera/plan/plan_options.hpp"
#include "tessera/plan/plan_result.hpp"

namespace tessera::report {

/// A baseline plan shown beside the optimum.
struct NamedPlan {
  std::string name;
  plan::PlanResult result;
};

[[nodiscard]] std::string objective_name(plan::Objective objective);

/// Energy per sample: `per_microbatch_j` (one pass of the pipeline, as
/// `Plan::energy_per_inference_j`) divided by the microbatch, as throughput counts samples.
[[nodiscard]] double energy_per_sample_j(std::int32_t microbatch, double per_microbatch_j);

/// What every output calls a per-sample energy: "energy per sample" with a microbatch > 1,
/// "energy per inference" with 1 (the same thing then); `short_form` gives "energy/sample" or
/// "energy/inference" for table headers. The values carry their unit (mJ, J).
[[nodiscard]] std::string energy_per_sample_name(std::int32_t microbatch, bool short_form = false);

/// The throughput unit: "samples/s" with a microbatch > 1, else "inferences/s".
[[nodiscard]] std::string throughput_unit(std::int32_t microbatch);

/// The resource that sets a plan's period.
struct Bottleneck {
  /// "source_transfer" (the input's trip from the source to the first stage), "compute",
  /// "send" (a stage's output cut to the next stage or the sink) or "compute+send" (without
  /// overlap a stage takes both in turn).
  std::string resource;
  std::int32_t stage = -1;  ///< the stage, or -1 for the source transfer
  std::string device;       ///< its device ("" for the source transfer)
  double time_s = 0.0;      ///< = the period
  /// "the input transfer from the source to 'pi-0' (4.92 ms; every stage is faster)".
  std::string text;
};

/// Which resource sets `plan`'s period (the slowest of the source transfer and the stages).
[[nodiscard]] Bottleneck bottleneck(const cost::CostTable& table, const plan::Plan& plan);

/// Stage table and metrics with units.
[[nodiscard]] std::string plan_table(const cost::CostTable& table, const plan::Plan& plan);

/// {"format": "tessera.plan/1", "model", "platform", "objective", "options", "stages": [...],
///  "metrics": {...}, "solver": {"optimal", "seconds", ...}, "baselines": [...]}.
[[nodiscard]] std::string plan_json(const cost::CostTable& table, const plan::PlanResult& result,
                                    const plan::PlanOptions& options, double solver_seconds,
                                    const std::vector<NamedPlan>& baselines = {},
                                    const io::ProblemInputs* inputs = nullptr);

/// One row per front point: period, throughput, energy per sample, latency, devices, stages.
[[nodiscard]] std::string pareto_table(const cost::CostTable& table,
                                       const plan::ParetoFront& front);

/// {"format": "tessera.pareto/1", "points": [{"period_s", "throughput_per_s",
///  "energy_per_sample_j", "energy_per_inference_j" (per microbatch), "latency_s",
///  "plan": {stages, metrics}}], "latency_points": [...]}.
[[nodiscard]] std::string pareto_json(const cost::CostTable& table, const plan::ParetoFront& front,
                                      const plan::PlanOptions& options, double solver_seconds);

/// period_s,throughput_per_s,energy_per_sample_j,energy_per_inference_j,latency_s,devices_used,
/// stages (energy_per_inference_j is per microbatch)
[[nodiscard]] std::string pareto_csv(const cost::CostTable& table, const plan::ParetoFront& front);

/// "dev-a[0-3] -> dev-b[4-9]": a one-line summary of a plan's stages.
[[nodiscard]] std::string stage_summary(const cost::CostTable& table, const plan::Plan& plan);

}  // namespace tessera::report
