#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "problem_source.hpp"
#include "sim_support.hpp"
#include "tessera/core/format.hpp"
#include "tessera/io/plan_file.hpp"
#include "tessera/plan/evaluate_plan.hpp"
#include "tessera/report/charts.hpp"
#include "tessera/report/simulation_report.hpp"
#include "tessera/sim/simulate.hpp"

namespace tessera::cli {

void register_simulate(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "simulate", "Stream inferences through a plan in a discrete-event simulation (SimGrid)");
  struct Args {
    std::string plan;
    std::int64_t inferences = 100;
    double rate = 0.0;
    std::int32_t input_queue = 2;
    std::int32_t output_queue = 2;
    std::string trace;
    std::string gantt;
    std::string json;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--plan", args->plan, "a tessera.plan/1 file (tessera plan --json)")->required();
  cmd->add_option("--inferences,-n", args->inferences, "inferences to stream through the plan")
      ->check(whole_number_in(1, kMaxSimulatedInferences));
  cmd->add_option("--rate", args->rate, "inferences injected per second (default: back-to-back)")
      ->check(positive_number());
  cmd->add_option("--input-queue", args->input_queue, "input queue slots per stage")
      ->check(whole_number_in(1, kMaxQueueSlots));
  cmd->add_option("--output-queue", args->output_queue, "output queue slots per stage")
      ->check(whole_number_in(1, kMaxQueueSlots));
  cmd->add_option("--trace", args->trace,
                  "write a Chrome trace-event JSON file (Perfetto, chrome://tracing)");
  cmd->add_option("--gantt", args->gantt, "write a Gantt chart of the first inferences as SVG");
  cmd->add_option("--json", args->json, "write tessera.simulation/1 JSON to FILE (- for stdout)");
  cmd->callback([args, &exit_code] {
    auto file = io::load_plan_json(args->plan);
    if (!file.ok()) {
      exit_code = report_bad_input(file.diagnostics());
      return;
    }
    auto loaded = load_problem_or_report(file->inputs, exit_code);
    if (!loaded) return;
    const auto& table = loaded->table;
    auto stages = io::resolve_stages(file.value(), table);
    if (!stages.ok()) {
      exit_code = report_bad_input(stages.diagnostics());
      return;
    }
    plan::PlanOptions po;
    po.overlap = file->overlap;
    po.include_source_sink = file->include_source_sink;
    const auto analytic = plan::evaluate_plan(table, stages.value(), po);

    sim::SimOptions so;
    so.inferences = args->inferences;
    so.rate_per_s = args->rate;
    so.input_queue = args->input_queue;
    so.output_queue = args->output_queue;
    so.overlap = po.overlap;
    so.include_source_sink = po.include_source_sink;
    so.topology = loaded->topology();
    so.network = loaded->network();
    so.record_trace = !args->trace.empty() || !args->gantt.empty();
    Progress progress("simulating " + count_of(args->inferences, "inference"));
    so.progress = [&progress](double f) { progress.update(f); };
    auto result = sim::simulate(table, stages.value(), so);
    if (!result.ok()) {
      auto problems = result.diagnostics();
      for (auto& d : problems)
        if (d.file.empty()) d.file = args->plan;
      exit_code = report_bad_input(problems);
      return;
    }
    const auto& r = result.value();
    if (!args->trace.empty() && !write_output(args->trace, report::chrome_trace_json(table, r))) {
      exit_code = kBadInput;
      return;
    }
    if (!args->gantt.empty() && !write_output(args->gantt, report::gantt_svg(table, r))) {
      exit_code = kBadInput;
      return;
    }
    if (!args->json.empty() &&
        !write_output(args->json, report::simulation_json(table, r, &analytic))) {
      exit_code = kBadInput;
      return;
    }
    if (args->json != "-")
      std::cout << "simulation of " << table.model_name << " on " << table.platform_name << " ("
                << count_of(static_cast<std::int64_t>(stages->size()), "stage") << ")\n\n"
                << report::simulation_text(r, &analytic);
    exit_code = kOk;
  });
}

}  // namespace tessera::cli
