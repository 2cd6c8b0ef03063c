// tessera schedule WORKLOAD.yaml --platform P: several models at once on a chiplet package.
#include <chrono>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "tessera/io/workload_yaml.hpp"
#include "tessera/problem/schedule_problem.hpp"
#include "tessera/report/schedule_report.hpp"

namespace tessera::cli {

namespace {

struct ScheduleArgs {
  std::string workload;
  std::string platform;
  std::string objective = "edp";
  std::string json;
  std::string report;
  double work_limit = 2e8;
  double proof_work_limit = 5e7;
  std::uint64_t seed = 1;
  bool no_baselines = false;
  std::int32_t windows = 1;
};

plan::ScheduleObjective objective_of(const std::string& s) {
  if (s == "latency") return plan::ScheduleObjective::kLatency;
  if (s == "energy") return plan::ScheduleObjective::kEnergy;
  if (s == "throughput") return plan::ScheduleObjective::kThroughput;
  return plan::ScheduleObjective::kEdp;
}

void run_schedule(const ScheduleArgs& args, int& exit_code) {
  auto workload = io::load_workload(args.workload);
  if (!workload.ok()) {
    exit_code = report_bad_input(workload.diagnostics());
    return;
  }
  auto problem = problem::assemble_schedule(*workload, args.platform);
  if (!problem.ok()) {
    exit_code = report_bad_input(problem.diagnostics());
    return;
  }
  plan::ScheduleOptions options;
  options.objective = objective_of(args.objective);
  options.work_limit = args.work_limit;
  options.proof_work_limit = args.proof_work_limit;
  options.seed = args.seed;
  const auto& inst = problem->instance;
  const auto start = std::chrono::steady_clock::now();
  plan::ScheduleResult result = plan::solve_schedule(inst, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!result.feasible) {
    std::cerr << "tessera: infeasible: " << result.infeasible << '\n';
    exit_code = kInfeasible;
    return;
  }
  report::ScheduleReport r;
  r.workload = workload->name;
  r.platform = problem->platform.name;
  r.objective = options.objective;
  r.instance = &inst;
  r.result = std::move(result);
  r.seconds = seconds;
  if (!args.no_baselines) {
    r.baselines.push_back({"standalone", plan::solve_schedule_exact(inst, options, 1)});
    r.baselines.push_back({"scar-heuristic", plan::scar_heuristic(inst, options)});
    // The homogeneous packages: costs of every layer on the other dataflow, same positions.
    for (const char* df : {"weight_stationary", "output_stationary"}) {
      auto homo = problem::homogeneous_instance(*problem, df);
      if (!homo.ok()) continue;
      const std::string tag = std::string(df) == "weight_stationary" ? "ws" : "os";
      auto standalone = plan::solve_schedule_exact(*homo, options, 1);
      auto pipelined = plan::solve_schedule(*homo, options);
      // Their schedules refer to this instance's chiplets by index: same package, so the
      // metrics are those computed on the homogeneous costs.
      r.baselines.push_back({"standalone-" + tag, std::move(standalone)});
      r.baselines.push_back({"pipelined-" + tag, std::move(pipelined)});
    }
  }
  plan::WindowedSchedule windowed;
  if (args.windows > 1) {
    windowed = plan::solve_windows(inst, plan::scar_windows(inst, args.windows - 1), options);
    r.windowed = &windowed;
  }
  if (!args.report.empty() && !write_output(args.report, report::schedule_html(r))) {
    exit_code = kBadInput;
    return;
  }
  if (!args.json.empty()) {
    if (!write_output(args.json, report::schedule_json(r))) {
      exit_code = kBadInput;
      return;
    }
    if (args.json == "-") {
      exit_code = kOk;
      return;
    }
  }
  std::cout << report::schedule_text(r);
  exit_code = kOk;
}

}  // namespace

void register_schedule(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "schedule",
      "Several models at once on a chiplet package: provisioning, segments and placement");
  auto args = std::make_shared<ScheduleArgs>();
  cmd->add_option("WORKLOAD", args->workload, "tessera.workload/1 YAML file")->required();
  cmd->add_option("--platform", args->platform,
                  "preset name or platform YAML file of dataflow chiplets")
      ->required();
  cmd->add_option("--objective", args->objective, "latency, energy, edp (default) or throughput")
      ->check(CLI::IsMember({"latency", "energy", "edp", "throughput"}));
  cmd->add_option("--work-limit", args->work_limit,
                  "largest number of (placement, cut) evaluations of the exact search")
      ->check(positive_number());
  cmd->add_option("--proof-work-limit", args->proof_work_limit,
                  "largest number of evaluations of the branch and bound that proves (or "
                  "improves) the local search's schedule beyond the exact search")
      ->check(positive_number());
  cmd->add_option("--seed", args->seed, "seed of the local search beyond the exact space");
  cmd->add_flag("--no-baselines", args->no_baselines, "skip the baselines");
  cmd->add_option("--windows", args->windows,
                  "also schedule over N time windows (SCAR's first-fit packing, N - 1 splits)")
      ->check(whole_number_in(1, 64));
  cmd->add_option("--json", args->json, "write tessera.schedule/1 JSON to FILE (- for stdout)");
  cmd->add_option("--report", args->report,
                  "write an HTML report (per-chiplet Gantt chart) to FILE.html");
  cmd->callback([args, &exit_code] { run_schedule(*args, exit_code); });
}

}  // namespace tessera::cli
