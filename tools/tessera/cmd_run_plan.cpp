// `tessera run MODEL --plan PLAN.json`: the plan run as an MPI pipeline (one rank per stage plus
// the source/sink), its measured period set beside the plan's prediction and the simulation.
#include "cmd_run_plan.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "problem_source.hpp"
#include "tessera/core/file_text.hpp"
#include "tessera/io/plan_file.hpp"
#include "tessera/io/problem_json.hpp"
#include "tessera/pipeline/launch.hpp"
#include "tessera/pipeline/measurement_file.hpp"
#include "tessera/plan/evaluate_plan.hpp"
#include "tessera/problem/problem.hpp"
#include "tessera/report/html_report.hpp"
#include "tessera/report/simulation_report.hpp"
#include "tessera/sim/simulate.hpp"

namespace tessera::cli {
namespace {

/// The worker beside this executable (build tree and install alike).
std::string worker_path() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "tessera-stage";
  return (self.parent_path() / "tessera-stage").string();
}

std::string ms(double s) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(s < 0.01 ? 3 : 2) << s * 1e3 << " ms";
  return o.str();
}

}  // namespace

int run_plan(const RunPlanArgs& a) {
  auto file = io::load_plan_json(a.plan);
  if (!file.ok()) return report_bad_input(file.diagnostics());
  const bool from_problem_file = io::is_problem_path(file->inputs.model);
  if (!a.model.empty() && !from_problem_file && a.model != file->inputs.model)
    return report_bad_input(
        {{a.plan, 0, 0, "inputs.model",
          "the plan was made for model '" + file->inputs.model + "', not '" + a.model + "'"}});
  int exit_code = kOk;
  auto loaded = load_problem_or_report(file->inputs, exit_code);
  if (!loaded) return exit_code;
  if (from_problem_file) {
    // Measured costs (tessera profile): the model comes from the command line.
    if (auto attached = problem::attach_model(*loaded, a.model); !attached.ok())
      return report_bad_input(attached.diagnostics());
  }
  if (!loaded->graph)
    return report_bad_input({{a.plan, 0, 0, "inputs.model", "running a plan needs its model"}});
  const auto& table = loaded->table;
  auto stages = io::resolve_stages(*file, table);
  if (!stages.ok()) return report_bad_input(stages.diagnostics());
  plan::PlanOptions po;
  po.overlap = file->overlap;
  po.include_source_sink = file->include_source_sink;
  const auto planned = plan::evaluate_plan(table, *stages, po);
  if (!planned.feasible()) {
    for (const auto& v : planned.violations) std::cerr << "tessera: error: " << v << '\n';
    return kInfeasible;
  }

  // The simulation of the same run, for the side-by-side.
  sim::SimOptions so;
  so.inferences = a.inferences;
  so.input_queue = a.input_queue;
  so.output_queue = a.output_queue;
  so.overlap = po.overlap;
  so.include_source_sink = po.include_source_sink;
  so.topology = loaded->topology();
  so.network = loaded->network();
  auto simulated = sim::simulate(table, *stages, so);
  if (!simulated.ok()) return report_bad_input(simulated.diagnostics());

  // One rank for the source/sink, one per stage, each on its host.
  pipeline::LaunchSpec spec;
  spec.worker = worker_path();
  spec.tcp_only = a.tcp;
  // Without a platform (a problem file) every rank runs on this machine.
  const hw::Platform* platform = loaded->platform ? &*loaded->platform : nullptr;
  std::vector<std::string> what = {"source '" + table.source_name + "'"};
  spec.rank_hosts.push_back(platform ? platform->source_host : std::string());
  for (std::size_t i = 0; i < stages->size(); ++i) {
    const auto d = static_cast<std::size_t>((*stages)[i].device.value());
    spec.rank_hosts.push_back(platform ? platform->devices[d].host : std::string());
    what.push_back("stage " + std::to_string(i) + " (device '" + table.device_names[d] + "')");
  }
  if (auto ok = pipeline::check_launch(spec, what); !ok.ok()) {
    auto d = ok.diagnostics();
    for (auto& x : d)
      if (x.file.empty() && platform) x.file = platform->source_file;
    return report_bad_input(d);
  }
  const auto measurements = (std::filesystem::temp_directory_path() /
                             ("tessera-run-" + std::to_string(getpid()) + ".measurement.json"))
                                .string();
  spec.worker_args = {"--plan",         a.plan,
                      "--inferences",   std::to_string(a.inferences),
                      "--input-queue",  std::to_string(a.input_queue),
                      "--output-queue", std::to_string(a.output_queue),
                      "--measurements", measurements};
  if (a.emulate) spec.worker_args.emplace_back("--emulate");
  if (a.pin) spec.worker_args.emplace_back("--pin");
  if (from_problem_file) spec.worker_args.insert(spec.worker_args.end(), {"--model", a.model});
  if (a.random_weights >= 0)
    spec.worker_args.insert(spec.worker_args.end(),
                            {"--random-weights", std::to_string(a.random_weights)});
  if (a.threads > 0)
    spec.worker_args.insert(spec.worker_args.end(), {"--threads", std::to_string(a.threads)});
  for (const auto& in : a.inputs) spec.worker_args.insert(spec.worker_args.end(), {"--input", in});
  for (const auto& out : a.outputs)
    spec.worker_args.insert(spec.worker_args.end(), {"--output", out});
  if (!a.output_dir.empty())
    spec.worker_args.insert(spec.worker_args.end(), {"--output-dir", a.output_dir});
  const auto command = pipeline::mpirun_command(spec);
  if (a.verbose) {
    std::cerr << "tessera: launching:";
    for (const auto& c : command) std::cerr << ' ' << c;
    std::cerr << '\n';
  }
  auto outcome = pipeline::launch(command);
  if (!outcome.ok()) return report_bad_input(outcome.diagnostics());
  if (outcome->exit_code != 0) {
    std::remove(measurements.c_str());
    if (outcome->failed_rank) {
      const int r = *outcome->failed_rank;
      const std::string who =
          r == 0 ? "the source/sink"
                 : (r - 1 < static_cast<int>(what.size()) - 1 ? what[static_cast<std::size_t>(r)]
                                                              : "a rank");
      std::cerr << "tessera: error: " << who << " (MPI rank " << r << ", " << outcome->failure
                << ") ended the run"
                << (a.output_dir.empty() ? std::string()
                                         : "; outputs finished before it are in " + a.output_dir)
                << '\n';
      return kRunFailed;
    }
    // The ranks reported bad input or an unsupported operator themselves (exit 2).
    return outcome->exit_code == kBadInput ? kBadInput : kRunFailed;
  }
  auto text = read_text_file(measurements);
  std::remove(measurements.c_str());
  if (!text.ok()) return report_bad_input(text.diagnostics());
  auto measured = pipeline::parse_measurement_json(*text, measurements);
  if (!measured.ok()) return report_bad_input(measured.diagnostics());
  const auto& m = measured->result;
  if (!a.trace.empty() && !write_output(a.trace, report::chrome_trace_json(table, m)))
    return kBadInput;
  if (!a.report.empty()) {
    report::ReportInputs ri;
    ri.title = "tessera run --plan";
    ri.table = &table;
    ri.topology = std::string(hw::topology_name(loaded->topology()));
    ri.plan = &planned;
    ri.simulation = &*simulated;
    ri.measured = &m;
    if (!write_output(a.report, report::html_report(ri))) return kBadInput;
  }

  std::cout << "pipelined run of " << table.model_name << " on " << table.platform_name << " ("
            << stages->size() << " stages, " << stages->size() + 1 << " MPI ranks"
            << (a.emulate ? ", emulating the planned devices" : "") << ")\n\n";
  std::cout << "                 planned   simulated   measured\n";
  std::cout << "period         " << std::setw(10) << ms(planned.period_s) << std::setw(12)
            << ms(simulated->period_s) << std::setw(11) << ms(m.period_s) << '\n';
  std::cout << "latency p50    " << std::setw(10) << ms(planned.latency_s) << std::setw(12)
            << ms(simulated->latency_p50_s) << std::setw(11) << ms(m.latency_p50_s) << '\n';
  std::cout << "\nmeasured over " << m.inferences << " inferences (planned latency is one input "
            << "alone; simulated and measured stream back to back)\n\n"
            << report::simulation_text(m, &planned);
  return kOk;
}

}  // namespace tessera::cli
