#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "problem_source.hpp"
#include "tessera/cost/soc/soc_split.hpp"
#include "tessera/report/split_report.hpp"

namespace tessera::cli {

namespace {

namespace soc = cost::soc;

struct SplitArgs {
  io::ProblemInputs inputs;
  std::string device;
  std::string objective = "latency";
  double alpha = 0.5;
  double budget = 1.0;
  bool budget_given = false;  ///< otherwise the device's low_precision_budget
  std::string scope = "layer";
  std::string json;
  std::string report;
  bool front = false;
};

/// The SoC device named by --device, or the platform's first `kind: soc` device.
const hw::Device* find_soc(const hw::Platform& platform, const SplitArgs& args, int& exit_code) {
  std::string socs;
  for (const auto& d : platform.devices) {
    if (!soc::is_soc_device(d)) continue;
    if (args.device.empty() || d.name == args.device) return &d;
    socs += (socs.empty() ? "" : ", ") + d.name;
  }
  exit_code = report_bad_input({Diagnostic{
      platform.source_file, 0, 0, args.device.empty() ? "--platform" : "--device",
      args.device.empty() ? "platform '" + platform.name + "' has no device of kind soc"
                          : "no SoC device '" + args.device + "' in platform '" + platform.name +
                                "'" + (socs.empty() ? "" : "; SoC devices: " + socs)}});
  return nullptr;
}

int infeasible(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) std::cerr << "tessera: infeasible: " << d.to_string() << '\n';
  return kInfeasible;
}

void run_split(const SplitArgs& args, int& exit_code) {
  if (args.budget_given && !(args.budget >= 0.0 && args.budget <= 1.0)) {
    exit_code = report_bad_input({Diagnostic{
        "", 0, 0, "--budget",
        "the low-precision budget is a share in [0, 1], got " + std::to_string(args.budget)}});
    return;
  }
  if (!(args.alpha >= 0.0 && args.alpha <= 1.0)) {
    exit_code = report_bad_input({Diagnostic{
        "", 0, 0, "--alpha", "alpha must be in [0, 1], got " + std::to_string(args.alpha)}});
    return;
  }
  auto loaded = load_problem_or_report(args.inputs, exit_code);
  if (!loaded) return;
  if (!loaded->platform || !loaded->graph) {
    exit_code = report_bad_input({Diagnostic{args.inputs.model, 0, 0, "MODEL",
                                             "split needs a model (zoo name or .onnx file) and an "
                                             "SoC platform, not a problem file"}});
    return;
  }
  const hw::Device* device = find_soc(*loaded->platform, args, exit_code);
  if (device == nullptr) return;
  auto chip = soc::Soc::from_device(*device);
  if (!chip.ok()) {
    exit_code = report_bad_input(chip.diagnostics());
    return;
  }
  soc::SplitOptions options;
  options.objective = args.objective == "energy"     ? soc::SplitObjective::kEnergy
                      : args.objective == "weighted" ? soc::SplitObjective::kWeighted
                                                     : soc::SplitObjective::kLatency;
  options.alpha = args.alpha;
  options.budget = args.budget_given ? args.budget : chip->low_precision_budget;
  options.scope = args.scope == "total" ? soc::BudgetScope::kTotal : soc::BudgetScope::kLayer;

  auto tables = soc::network_tables(*chip, *loaded->graph, *loaded->chain);
  if (!tables.ok()) {
    exit_code = infeasible(tables.diagnostics());
    return;
  }
  auto optimal = soc::optimise_network(*chip, tables->tables, options);
  if (!optimal.ok()) {
    exit_code = infeasible(optimal.diagnostics());
    return;
  }
  auto weights = soc::cost_weights(*chip, tables->tables, options);
  if (!weights.ok()) {
    exit_code = infeasible(weights.diagnostics());
    return;
  }
  report::SplitReport r{loaded->graph->name, loaded->platform->name,     *chip, options,
                        tables->tables,      std::move(optimal).value(), {},    {}};
  for (std::size_t u = 0; u < chip->units.size(); ++u) {
    auto b = soc::baseline_all_on(*chip, r.tables, u, *weights);
    if (b.ok()) r.baselines.push_back(std::move(b).value());
  }
  soc::SplitOptions whole = options;
  whole.whole_layers = true;
  for (auto b : {soc::baseline_whole_layer(*chip, r.tables, *weights),
                 soc::baseline_proportional(*chip, r.tables, *weights),
                 soc::optimise_network(*chip, r.tables, whole)}) {
    if (b.ok()) r.baselines.push_back(std::move(b).value());
  }
  if (args.front) {
    auto front = soc::budget_front(*chip, r.tables, options);
    if (!front.ok()) {
      exit_code = infeasible(front.diagnostics());
      return;
    }
    r.front = std::move(front).value();
  }
  if (!args.report.empty() && !write_output(args.report, report::split_html(r))) {
    exit_code = kBadInput;
    return;
  }
  if (!args.json.empty()) {
    if (!write_output(args.json, report::split_json(r))) {
      exit_code = kBadInput;
      return;
    }
    if (args.json == "-") {
      exit_code = kOk;
      return;
    }
  }
  std::cout << report::split_text(r);
  exit_code = kOk;
}

}  // namespace

void register_split(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "split", "Exact output-channel splits of every layer across an SoC's compute units");
  auto args = std::make_shared<SplitArgs>();
  cmd->add_option("MODEL", args->inputs.model, "zoo model name or .onnx file")->required();
  cmd->add_option("--platform", args->inputs.platform,
                  "preset name or platform YAML file with a kind: soc device")
      ->required();
  cmd->add_option("--device", args->device, "the SoC device (default: the first kind: soc)");
  cmd->add_option("--batch", args->inputs.batch, "batch size (default 1)")
      ->check(whole_number_in(1, io::kMaxBatch));
  cmd->add_option("--objective", args->objective, "latency, energy or weighted")
      ->check(CLI::IsMember({"latency", "energy", "weighted"}));
  auto* alpha = cmd->add_option("--alpha", args->alpha,
                                "weighted objective only: alpha x latency/latency* + (1 - alpha) "
                                "x energy/energy* (default 0.5)")
                    ->check(number_in(0.0, 1.0));
  auto* budget =
      cmd->add_option("--budget", args->budget,
                      "largest share in [0, 1] of channels on low-precision units (default: the "
                      "device's low_precision_budget)")
          ->check(number_in(0.0, 1.0));
  cmd->add_option("--budget-scope", args->scope, "layer (each layer) or total (the network)")
      ->check(CLI::IsMember({"layer", "total"}));
  cmd->add_flag("--front", args->front, "also print the exact front of cost against the budget");
  cmd->add_option("--json", args->json, "write tessera.split/1 JSON to FILE (- for stdout)");
  cmd->add_option("--report", args->report,
                  "write an HTML report (per-layer stacked bars of the split) to FILE.html");
  cmd->callback([args, alpha, budget, &exit_code] {
    if (alpha->count() > 0 && args->objective != "weighted") {
      // Was silently ignored.
      exit_code = report_bad_input({Diagnostic{
          "", 0, 0, "--alpha",
          "applies to --objective weighted only (the objective is " + args->objective + ")"}});
      return;
    }
    args->budget_given = budget->count() > 0;
    run_split(*args, exit_code);
  });
}

}  // namespace tessera::cli
