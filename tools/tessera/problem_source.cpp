#include "problem_source.hpp"

#include <iostream>

#include "cli.hpp"
#include "tessera/cost/cim/neurosim_report.hpp"
#include "tessera/cost/cost_table_builder.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/io/neurosim_import.hpp"
#include "tessera/io/pipeedge.hpp"
#include "tessera/io/platform_yaml.hpp"
#include "tessera/io/problem_json.hpp"

namespace tessera::cli {

void add_problem_options(CLI::App& cmd, ProblemArgs& args) {
  cmd.add_option("MODEL", args.model,
                 "zoo model name (tessera models), an .onnx file, or a *.problem.json file; with "
                 "--pipeedge, the "
                 "model name in MODELS.yml (also accepted as --model)");
  cmd.add_option("--model", args.model, "same as MODEL");
  cmd.add_option("--platform,-p", args.platform,
                 "platform preset (tessera platforms) or YAML file");
  cmd.add_option("--batch", args.batch, "batch (microbatch) size; PipeEdge inputs default to 8")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--seq-len", args.model_options.sequence_length,
                 "sequence length for transformer models")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--pipeedge", args.pipeedge,
                 "PipeEdge's MODELS.yml DEVICE_TYPES.yml DEVICES.yml, read as they are")
      ->expected(3);
  cmd.add_option("--input-buffers", args.input_buffers,
                 "activation buffers per stage for its input cut (memory check)")
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--output-buffers", args.output_buffers,
                 "activation buffers per stage for its output cut (memory check)")
      ->check(CLI::NonNegativeNumber);
  cmd.add_flag("--no-overlap", args.no_overlap,
               "a stage's time is compute + send (default: max, sending overlaps computing)");
  cmd.add_flag("--no-source-sink", args.no_source_sink,
               "do not charge the input transfer from the source nor the output to the sink");
  cmd.add_option("--period-cap-s", args.period_cap_s, "only plans with period <= this")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--latency-cap-s", args.latency_cap_s, "only plans with latency <= this")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--neurosim", args.neurosim,
                 "DEVICE=FILE: plan with a NeuroSim report's per-layer latency, energy and tiles "
                 "for a CIM device (a device name, or its class for all copies); repeatable");
}

namespace {

/// Applies every `--neurosim DEVICE=FILE` to the table, collecting all problems.
Status apply_neurosim_options(const ProblemArgs& args, cost::CostTable& table) {
  std::vector<Diagnostic> problems;
  for (const auto& spec : args.neurosim) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      problems.push_back({"", 0, 0, "--neurosim", "expected DEVICE=FILE, got '" + spec + "'"});
      continue;
    }
    const std::string device = spec.substr(0, eq);
    const std::string file = spec.substr(eq + 1);
    auto report = io::load_neurosim_report(file);
    if (!report.ok()) {
      problems.insert(problems.end(), report.diagnostics().begin(), report.diagnostics().end());
      continue;
    }
    auto applied = cost::apply_neurosim_report(table, device, report.value(), file);
    if (!applied.ok()) {
      problems.insert(problems.end(), applied.diagnostics().begin(), applied.diagnostics().end());
    }
  }
  if (!problems.empty()) return problems;
  return {};
}

/// The cost table MODEL + --platform, a problem file or PipeEdge's files describe.
Result<LoadedProblem> load_problem_table(const ProblemArgs& args) {
  LoadedProblem out;
  if (!args.pipeedge.empty()) {
    if (args.model.empty())
      return Diagnostic{"", 0, 0, "--model", "PipeEdge inputs need the model name (--model NAME)"};
    auto pe = io::load_pipeedge(args.pipeedge[0], args.pipeedge[1], args.pipeedge[2], args.model,
                                args.batch > 0 ? args.batch : 8);
    if (!pe.ok()) return pe.diagnostics();
    out.table = std::move(pe->table);
    out.pipeedge = true;
    out.warnings = pe->warnings;
    return out;
  }
  if (args.model.empty()) return Diagnostic{"", 0, 0, "MODEL", "a model is required"};
  if (io::is_problem_path(args.model)) {
    auto t = io::load_problem_json(args.model);
    if (!t.ok()) return t.diagnostics();
    out.table = std::move(t).value();
    return out;
  }
  if (args.platform.empty())
    return Diagnostic{"", 0, 0, "--platform", "a platform is required (tessera platforms)"};
  auto platform = io::load_platform(args.platform);
  io::ModelOptions mo = args.model_options;
  mo.batch = args.batch > 0 ? args.batch : 1;
  mo.read_weight_data = false;  // planning needs weight shapes only
  auto loaded_model = io::load_model_with_warnings(args.model, mo);
  std::vector<Diagnostic> problems;
  if (!platform.ok()) problems = platform.diagnostics();
  if (!loaded_model.ok())
    problems.insert(problems.end(), loaded_model.diagnostics().begin(),
                    loaded_model.diagnostics().end());
  if (!problems.empty()) return problems;
  const graph::Graph& graph = loaded_model->graph;
  for (const auto& w : loaded_model->warnings) out.warnings.push_back({args.model, 0, 0, "", w});
  auto chain = graph::build_layer_chain(graph);
  if (!chain.ok()) return chain.diagnostics();
  cost::CostTableOptions co;
  co.input_buffers = args.input_buffers;
  co.output_buffers = args.output_buffers;
  auto table = cost::build_cost_table(graph, chain.value(), platform.value(),
                                      cost::CostModelSet::defaults(), co);
  if (!table.ok()) return table.diagnostics();
  out.table = std::move(table).value();
  return out;
}

}  // namespace

Result<LoadedProblem> load_problem(const ProblemArgs& args) {
  auto loaded = load_problem_table(args);
  if (!loaded.ok()) return loaded;
  auto applied = apply_neurosim_options(args, loaded->table);
  if (!applied.ok()) return applied.diagnostics();
  return loaded;
}

plan::PlanOptions plan_options(const ProblemArgs& args, bool pipeedge) {
  plan::PlanOptions o;
  o.overlap = !args.no_overlap;
  o.include_source_sink = !args.no_source_sink && !pipeedge;
  if (args.period_cap_s > 0) o.period_cap_s = args.period_cap_s;
  if (args.latency_cap_s > 0) o.latency_cap_s = args.latency_cap_s;
  return o;
}

std::optional<LoadedProblem> load_problem_or_report(const ProblemArgs& args, int& exit_code) {
  auto loaded = load_problem(args);
  if (!loaded.ok()) {
    exit_code = report_bad_input(loaded.diagnostics());
    return std::nullopt;
  }
  for (const auto& w : loaded->warnings) std::cerr << "tessera: warning: " << w.to_string() << '\n';
  return std::move(loaded).value();
}

}  // namespace tessera::cli
