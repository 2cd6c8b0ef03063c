#include "sim_support.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli.hpp"

namespace tessera::cli {

namespace {

std::string svg_alpha(double alpha) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", alpha);
  return buf;
}

}  // namespace

Progress::Progress(std::string label)
    : label_(std::move(label)),
      enabled_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {
  if (enabled_) thread_ = std::thread([this] { tick(); });
}

Progress::~Progress() {
  finish();
}

void Progress::finish() {
  if (!thread_.joinable()) return;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (shown_) std::fprintf(stderr, "\r\033[K");
}

void Progress::tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  // Quiet for the first second: short work never prints.
  if (cv_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) return;
  while (!done_) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double f = fraction_.load();
    if (f >= 0.0)
      std::fprintf(stderr, "\r\033[Ktessera: %s %3.0f%% (%.1f s)", label_.c_str(), 100.0 * f,
                   elapsed);
    else
      std::fprintf(stderr, "\r\033[Ktessera: %s... (%.1f s)", label_.c_str(), elapsed);
    std::fflush(stderr);
    shown_ = true;
    cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return done_; });
  }
}

std::optional<sim::SimulationResult> simulate_for_report(const cost::CostTable& table,
                                                         const plan::Plan& plan,
                                                         const plan::PlanOptions& options,
                                                         const problem::Problem& problem,
                                                         std::int64_t inferences) {
  sim::SimOptions so;
  // The inferences asked for (--simulate N), so that the report and the terminal agree; else
  // enough to fill the pipeline and reach steady state, few enough to draw.
  so.inferences = inferences > 0 ? inferences
                                 : std::max<std::int64_t>(
                                       24, 4 * static_cast<std::int64_t>(plan.stages.size()));
  so.overlap = options.overlap;
  so.include_source_sink = options.include_source_sink;
  so.topology = problem.topology();
  so.network = problem.network();
  so.record_trace = true;
  auto r = sim::simulate(table, plan.assignment(), so);
  if (!r.ok()) {
    std::cerr << "tessera: warning: the report has no simulation: " << r.error_text() << '\n';
    return std::nullopt;
  }
  return std::move(r).value();
}

bool write_plan_report(const std::string& path, const std::string& title,
                       const problem::Problem& problem, const plan::PlanOptions& options,
                       const plan::Plan& chosen, const std::vector<report::NamedPlan>& baselines,
                       const plan::ParetoFront* front, std::int64_t inferences) {
  const cost::CostTable& table = problem.table;
  std::optional<plan::ParetoFront> computed;
  if (front == nullptr) {
    Progress progress("computing the Pareto front for the report");
    computed = plan::pareto_front(table, options);
    front = &*computed;
  }
  const auto topology = problem.topology();
  const auto simulation = simulate_for_report(table, chosen, options, problem, inferences);
  report::ReportInputs in;
  in.title = title;
  in.table = &table;
  in.topology = std::string(hw::topology_name(topology));
  in.objective = report::objective_name(options.objective);
  if (options.objective == plan::Objective::kWeighted)
    in.objective += " (alpha " + svg_alpha(options.alpha) + ")";
  in.plan = &chosen;
  in.front = front->infeasible ? nullptr : front;
  in.baselines = baselines;
  in.simulation = simulation ? &*simulation : nullptr;
  return write_output(path, report::html_report(in));
}

}  // namespace tessera::cli
