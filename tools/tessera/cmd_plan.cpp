#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>

#include "cli.hpp"
#include "commands.hpp"
#include "problem_source.hpp"
#include "sim_support.hpp"
#include "tessera/io/pipeedge.hpp"
#include "tessera/io/problem_json.hpp"
#include "tessera/plan/baselines.hpp"
#include "tessera/plan/solve.hpp"
#include "tessera/report/charts.hpp"
#include "tessera/report/plan_report.hpp"
#include "tessera/report/simulation_report.hpp"
#include "tessera/report/text_table.hpp"

namespace tessera::cli {

namespace {

std::string pipeedge_schedule(const cost::CostTable& t, const plan::Plan& p) {
  std::vector<std::string> hosts;
  std::vector<std::pair<std::int32_t, std::int32_t>> ranges;
  for (const auto& s : p.stages) {
    hosts.push_back(t.device_names[s.device.index()]);
    ranges.emplace_back(s.first_layer.value(), s.last_layer.value());
  }
  return io::emit_pipeedge_schedule(hosts, ranges);
}

/// "0.01" or "1%" as a fraction >= 0; nullopt for anything else (negative, nan, junk).
std::optional<double> parse_gap(std::string text) {
  double scale = 1.0;
  if (!text.empty() && text.back() == '%') {
    text.pop_back();
    scale = 0.01;
  }
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size() || !std::isfinite(value) || value < 0.0) return std::nullopt;
  return value * scale;
}

/// A fraction as a percentage with enough digits to tell 0.3% from 0%.
std::string format_percent(double fraction) {
  if (!std::isfinite(fraction)) return "an unknown share";
  char buf[64];
  std::snprintf(buf, sizeof buf, fraction < 0.001 ? "%.4g%%" : "%.2f%%", fraction * 100.0);
  return buf;
}

}  // namespace

void register_plan(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("plan", "Find the optimal pipelined plan of a model on a platform");
  struct Args {
    ProblemArgs problem;
    std::string objective = "throughput";
    double alpha = 0.5;
    std::string json;
    std::string emit;
    std::string save_problem;
    std::string report;
    std::int64_t simulate = 0;
    std::int64_t threads = 1;
    double time_limit_s = -1.0;  // not given
    std::string gap;
  };
  auto args = std::make_shared<Args>();
  add_problem_options(*cmd, args->problem);
  cmd->add_option("--objective", args->objective, "what to optimise")
      ->check(CLI::IsMember({"throughput", "latency", "energy", "weighted"}));
  auto* alpha = cmd->add_option("--alpha", args->alpha,
                                "weighted objective only: alpha * period/period* + (1 - alpha) * "
                                "energy/energy* (default 0.5)")
                    ->check(number_in(0.0, 1.0));
  cmd->add_option("--json", args->json, "write tessera.plan/1 JSON to FILE (- for stdout)");
  cmd->add_option("--emit", args->emit, "print the plan in another tool's format")
      ->check(CLI::IsMember({"pipeedge"}));
  cmd->add_option("--save-problem", args->save_problem,
                  "write the cost table as a tessera.problem/1 file");
  cmd->add_option("--report", args->report,
                  "write a self-contained HTML report (plan, Pareto front, simulated Gantt)");
  cmd->add_option(
         "--simulate", args->simulate,
         "also simulate N inferences of the plan (SimGrid) and print the results (default: none)")
      ->check(whole_number_in(1, kMaxSimulatedInferences));
  cmd->add_option("--threads", args->threads,
                  "throughput: test this many candidate periods at once, one thread each; "
                  "weighted: split the front's DP passes over this many threads (the plan does "
                  "not depend on it; default 1)")
      ->check(whole_number_in(1, 64));
  auto* time_limit =
      cmd->add_option("--time-limit", args->time_limit_s,
                      "throughput: anytime mode beyond the exact search's reach; stop after "
                      "SECONDS with the best plan and a proven lower bound (default: none)")
          ->check(number_in(0.0, 1e9));
  auto* gap = cmd->add_option(
      "--gap", args->gap,
      "throughput: anytime mode; stop once the plan is proven within this fraction of the "
      "optimal period (0.01 or 1%; default: none)");
  cmd->callback([args, alpha, time_limit, gap, &exit_code] {
    if (alpha->count() > 0 && args->objective != "weighted") {
      exit_code = report_bad_input({Diagnostic{
          "", 0, 0, "--alpha",
          "applies to --objective weighted only (the objective is " + args->objective + ")"}});
      return;
    }
    std::optional<double> gap_fraction;
    if (gap->count() > 0) {
      gap_fraction = parse_gap(args->gap);
      if (!gap_fraction) {
        exit_code = report_bad_input({Diagnostic{
            "", 0, 0, "--gap",
            "must be a fraction or a percentage >= 0 (0.01 or 1%), got '" + args->gap + "'"}});
        return;
      }
    }
    const bool anytime = time_limit->count() > 0 || gap_fraction.has_value();
    if (anytime && args->objective != "throughput") {
      exit_code = report_bad_input({Diagnostic{
          "", 0, 0, time_limit->count() > 0 ? "--time-limit" : "--gap",
          "anytime mode supports --objective throughput only (the objective is " + args->objective +
              "); latency and energy use the exact search (or, beyond max_state_vectors, the "
              "best baseline)"}});
      return;
    }
    if (anytime && args->problem.latency_cap_s > 0.0) {
      exit_code =
          report_bad_input({Diagnostic{"", 0, 0, time_limit->count() > 0 ? "--time-limit" : "--gap",
                                       "anytime mode does not take --latency-cap-s"}});
      return;
    }
    auto loaded = load_problem_or_report(args->problem.inputs, exit_code);
    if (!loaded) return;
    const auto& table = loaded->table;
    if (!args->save_problem.empty() && !write_output(args->save_problem, io::problem_json(table))) {
      exit_code = kBadInput;
      return;
    }
    auto options = plan_options(args->problem, loaded->pipeedge);
    static const std::map<std::string, plan::Objective> kObjectives = {
        {"throughput", plan::Objective::kThroughput},
        {"latency", plan::Objective::kLatency},
        {"energy", plan::Objective::kEnergy},
        {"weighted", plan::Objective::kWeighted}};
    options.objective = kObjectives.at(args->objective);
    options.alpha = args->alpha;
    options.threads = static_cast<std::int32_t>(args->threads);
    if (time_limit->count() > 0) options.time_limit_s = args->time_limit_s;
    options.gap = gap_fraction;

    const auto start = std::chrono::steady_clock::now();
    Progress planning("planning");
    const auto result = plan::solve(table, options);
    planning.finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<report::NamedPlan> baselines;
    baselines.push_back({"best single device", plan::best_single_device(table, options)});
    baselines.push_back({"even split", plan::even_split(table, options)});
    baselines.push_back({"greedy", plan::greedy(table, options)});

    if (!args->json.empty()) {
      if (!write_output(args->json, report::plan_json(table, result, options, seconds, baselines,
                                                      &loaded->inputs))) {
        exit_code = kBadInput;
        return;
      }
    }
    if (!result.has_plan()) {
      std::cerr << "tessera: infeasible: " << result.infeasible().constraint << '\n';
      exit_code = kInfeasible;
      return;
    }
    if (!args->report.empty() &&
        !write_plan_report(args->report, "tessera plan", *loaded, options, result.plan(), baselines,
                           nullptr, args->simulate)) {
      exit_code = kBadInput;
      return;
    }
    if (args->emit == "pipeedge") {
      std::cout << pipeedge_schedule(table, result.plan());
      exit_code = kOk;
      return;
    }
    if (args->json == "-") {
      exit_code = kOk;
      return;
    }
    std::cout << "plan of " << table.model_name << " on " << table.platform_name << " ("
              << count_of(table.num_layers, "layer") << ", "
              << count_of(table.num_devices, "device") << "), objective "
              << report::objective_name(options.objective);
    if (options.objective == plan::Objective::kWeighted)
      std::cout << " alpha " << args->alpha << (alpha->count() == 0 ? " (the default)" : "");
    std::cout << "\n\n" << report::plan_table(table, result.plan());
    std::cout << "solver                 " << result.stats().method << ", "
              << (result.stats().optimal ? "proven optimal" : "NOT proven optimal") << ", "
              << human_seconds(seconds) << "\n";
    if (!anytime && options.objective == plan::Objective::kThroughput &&
        result.stats().method.rfind("baseline: exact search skipped", 0) == 0) {
      std::cout << "hint                   --time-limit SECONDS searches further (anytime mode) "
                   "and reports a proven gap to the optimum\n";
    }
    if (result.stats().gap && result.stats().period_lower_bound_s) {
      std::cout << "anytime                within " << format_percent(*result.stats().gap)
                << " of optimal (lower bound "
                << human_seconds(*result.stats().period_lower_bound_s) << " period)\n";
    }
    std::cout << '\n';
    using A = report::TextTable::Align;
    // Energy per sample, as the plan's own line above (throughput counts samples).
    report::TextTable cmp(
        {"baseline", "period", report::energy_per_sample_name(table.microbatch, true), "latency",
         "devices"},
        {A::kLeft, A::kRight, A::kRight, A::kRight, A::kRight});
    for (const auto& b : baselines) {
      if (b.result.has_plan()) {
        const auto& p = b.result.plan();
        cmp.add_row(
            {b.name, human_seconds(p.period_s),
             human_joules(report::energy_per_sample_j(table.microbatch, p.energy_per_inference_j)),
             human_seconds(p.latency_s), std::to_string(p.devices_used)});
      } else {
        cmp.add_row({b.name, "infeasible", "", "", ""});
      }
    }
    std::cout << cmp.render();
    if (args->simulate > 0) {
      sim::SimOptions so;
      so.inferences = args->simulate;
      so.overlap = options.overlap;
      so.include_source_sink = options.include_source_sink;
      so.topology = loaded->topology();
      so.network = loaded->network();
      Progress progress("simulating");
      so.progress = [&progress](double f) { progress.update(f); };
      auto simulated = sim::simulate(table, result.plan().assignment(), so);
      progress.finish();
      if (!simulated.ok()) {
        exit_code = report_bad_input(simulated.diagnostics());
        return;
      }
      std::cout << "\nsimulation (SimGrid)\n\n"
                << report::simulation_text(simulated.value(), &result.plan());
    }
    exit_code = kOk;
  });
}

void register_pareto(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("pareto", "The exact throughput-energy Pareto front");
  struct Args {
    ProblemArgs problem;
    std::string json;
    std::string csv;
    bool latency = false;
    std::string svg;
    std::string report;
    std::int64_t threads = 1;
  };
  auto args = std::make_shared<Args>();
  add_problem_options(*cmd, args->problem);
  cmd->add_option("--threads", args->threads,
                  "split the DP passes of the sweep over this many threads (the front does not "
                  "depend on it; default 1)")
      ->check(whole_number_in(1, 64));
  cmd->add_option("--json", args->json, "write tessera.pareto/1 JSON to FILE (- for stdout)");
  cmd->add_option("--csv", args->csv, "write the front as CSV to FILE (- for stdout)");
  cmd->add_flag("--latency", args->latency, "also compute the (latency, energy) front");
  cmd->add_option("--svg", args->svg,
                  "write the front as an SVG plot (weighted alpha 0.5 plan and baselines marked)");
  cmd->add_option("--report", args->report,
                  "write a self-contained HTML report (front, alpha 0.5 plan, simulated Gantt)");
  cmd->callback([args, &exit_code] {
    auto loaded = load_problem_or_report(args->problem.inputs, exit_code);
    if (!loaded) return;
    const auto& table = loaded->table;
    auto options = plan_options(args->problem, loaded->pipeedge);
    options.latency_energy_front = args->latency;
    options.threads = static_cast<std::int32_t>(args->threads);
    const auto start = std::chrono::steady_clock::now();
    Progress sweeping("computing the Pareto front");
    const auto front = plan::pareto_front(table, options);
    sweeping.finish();
    if (!front.truncated.empty()) std::cerr << "tessera: warning: " << front.truncated << '\n';
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!args->json.empty() &&
        !write_output(args->json, report::pareto_json(table, front, options, seconds))) {
      exit_code = kBadInput;
      return;
    }
    if (!args->csv.empty() && !write_output(args->csv, report::pareto_csv(table, front))) {
      exit_code = kBadInput;
      return;
    }
    if (front.infeasible) {
      std::cerr << "tessera: infeasible: " << front.infeasible->constraint << '\n';
      exit_code = kInfeasible;
      return;
    }
    if (!args->svg.empty() || !args->report.empty()) {
      // The highlighted point: the weighted optimum at alpha 0.5 (a point of the front).
      auto chosen_options = options;
      chosen_options.objective = plan::Objective::kWeighted;
      chosen_options.alpha = 0.5;
      const auto chosen = plan::solve(table, chosen_options);
      std::vector<report::NamedPlan> baselines;
      baselines.push_back({"best single device", plan::best_single_device(table, options)});
      baselines.push_back({"even split", plan::even_split(table, options)});
      baselines.push_back({"greedy", plan::greedy(table, options)});
      const plan::Plan* chosen_plan = chosen.has_plan() ? &chosen.plan() : nullptr;
      if (!args->svg.empty() &&
          !write_output(args->svg, report::pareto_svg(table, front, chosen_plan, baselines))) {
        exit_code = kBadInput;
        return;
      }
      if (!args->report.empty() && chosen_plan != nullptr &&
          !write_plan_report(args->report, "tessera pareto", *loaded, chosen_options, *chosen_plan,
                             baselines, &front)) {
        exit_code = kBadInput;
        return;
      }
    }
    if (args->json == "-" || args->csv == "-") {
      exit_code = kOk;
      return;
    }
    std::cout << "Pareto front (period, energy) of " << table.model_name << " on "
              << table.platform_name << ": "
              << count_of(static_cast<std::int64_t>(front.points.size()), "point") << ", "
              << (front.stats.optimal ? "exact" : "NOT proven exact") << ", "
              << human_seconds(seconds) << "\n\n"
              << report::pareto_table(table, front);
    if (args->latency) {
      plan::ParetoFront by_latency;
      by_latency.points = front.latency_points;
      std::cout << "\nPareto front (latency, energy): "
                << count_of(static_cast<std::int64_t>(front.latency_points.size()), "point")
                << "\n\n"
                << report::pareto_table(table, by_latency);
    }
    exit_code = kOk;
  });
}

}  // namespace tessera::cli
