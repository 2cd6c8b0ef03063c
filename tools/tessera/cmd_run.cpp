// `tessera run`: one process executes a model on this machine's CPU and reports its latency.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "cli.hpp"
#include "cmd_run_plan.hpp"
#include "commands.hpp"
#include "tessera/core/format.hpp"
#include "tessera/io/model_loader.hpp"
#include "tessera/io/npy.hpp"
#include "tessera/io/problem_inputs.hpp"
#include "tessera/runtime/executor.hpp"

namespace tessera::cli {

namespace {

struct RunArgs {
  std::string model;
  io::ModelOptions options;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  int inferences = 10;
  int warmup = 2;
  int threads = 0;
  std::int64_t random_weights = -1;
  std::string json;
  // --plan: the plan as an MPI pipeline.
  std::string plan;
  bool emulate = false;
  bool tcp = false;
  bool verbose = false;
  std::string output_dir;
  std::string trace;
  std::string report;
  bool pin = false;
  std::int32_t input_queue = 2;
  std::int32_t output_queue = 2;
};

/// The p-th percentile (0..100) of sorted `v`, nearest rank.
double percentile(const std::vector<double>& sorted, double p) {
  const auto rank =
      static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

double peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
}

int run_model(const RunArgs& a) {
  auto loaded = io::load_model_with_warnings(a.model, a.options);
  if (!loaded.ok()) return report_bad_input(loaded.diagnostics());
  for (const auto& w : loaded->warnings)
    std::cerr << "tessera: warning: " << a.model << ": " << w << '\n';
  runtime::ExecutorOptions options;
  options.threads = a.threads;
  if (a.random_weights >= 0)
    options.random_weights_seed = static_cast<std::uint64_t>(a.random_weights);
  auto executor = runtime::Executor::create(loaded->graph, options);
  if (!executor.ok()) {
    auto diagnostics = executor.diagnostics();
    for (auto& d : diagnostics)
      if (d.file.empty() || d.file == loaded->graph.name) d.file = a.model;
    return report_bad_input(diagnostics);
  }
  const auto& specs = executor->input_specs();
  if (!a.inputs.empty() && a.inputs.size() != specs.size())
    return report_bad_input(
        {{a.model, 0, 0, "--input",
          count_of(static_cast<std::int64_t>(a.inputs.size()), "file") + " given, the model has " +
              count_of(static_cast<std::int64_t>(specs.size()), "input")}});
  std::vector<runtime::HostTensor> inputs;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (a.inputs.empty()) {
      inputs.push_back(runtime::random_input(specs[i], i));
      continue;
    }
    auto array = io::read_npy(a.inputs[i]);
    if (!array.ok()) return report_bad_input(array.diagnostics());
    if (array->shape != specs[i].shape || array->dtype != specs[i].dtype)
      return report_bad_input(
          {{a.inputs[i], 0, 0, "shape",
            std::string(dtype_name(array->dtype)) + " " + graph::shape_to_string(array->shape) +
                " does not match input '" + specs[i].name + "' (" +
                std::string(dtype_name(specs[i].dtype)) + " " +
                graph::shape_to_string(specs[i].shape) + ")"}});
    runtime::HostTensor t = specs[i];
    t.data = std::move(array->data);
    inputs.push_back(std::move(t));
  }
  if (a.outputs.size() > executor->output_specs().size())
    return report_bad_input({{a.model, 0, 0, "--output",
                              std::to_string(a.outputs.size()) + " files given, the model has " +
                                  std::to_string(executor->output_specs().size()) + " outputs"}});

  Result<std::vector<runtime::HostTensor>> result = std::vector<runtime::HostTensor>{};
  for (int i = 0; i < a.warmup; ++i) {
    result = executor->run(inputs);
    if (!result.ok()) return report_bad_input(result.diagnostics());
  }
  std::vector<double> ms;
  for (int i = 0; i < a.inferences; ++i) {
    const auto start = std::chrono::steady_clock::now();
    result = executor->run(inputs);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    if (!result.ok()) return report_bad_input(result.diagnostics());
  }
  for (std::size_t i = 0; i < a.outputs.size(); ++i) {
    const auto& t = (*result)[i];
    if (auto s = io::write_npy(a.outputs[i], {t.shape, t.dtype, t.data}); !s.ok())
      return report_bad_input(s.diagnostics());
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  const double p50 = percentile(sorted, 50), p99 = percentile(sorted, 99);
  const auto batch = static_cast<double>(a.options.batch);
  const double per_s = 1000.0 / mean;
  const double rss = peak_rss_bytes();

  nlohmann::json doc;
  doc["format"] = "tessera.run/1";
  doc["model"] = a.model;
  doc["batch"] = a.options.batch;
  doc["threads"] = a.threads;
  doc["inferences"] = a.inferences;
  doc["warmup_inferences"] = a.warmup;
  doc["weights"] =
      a.random_weights >= 0 ? "random seed " + std::to_string(a.random_weights) : "file";
  doc["steps"] = executor->step_count();
  doc["reorder_steps"] = executor->reorder_count();
  doc["latency_ms"] = {
      {"mean", mean}, {"p50", p50}, {"p99", p99}, {"min", sorted.front()}, {"max", sorted.back()}};
  doc["throughput_inferences_per_s"] = per_s;
  doc["throughput_samples_per_s"] = per_s * batch;
  doc["peak_rss_bytes"] = rss;
  for (const auto& t : *result)
    doc["outputs"].push_back(
        {{"name", t.name}, {"shape", t.shape}, {"dtype", std::string(dtype_name(t.dtype))}});
  if (!a.json.empty()) {
    if (!write_output(a.json, doc.dump(2) + "\n")) return kBadInput;
    if (a.json == "-") return kOk;
  }
  std::ostringstream out;
  out << std::fixed << std::setprecision(3);
  out << "model: " << a.model << " (batch " << a.options.batch << ", threads "
      << (a.threads > 0 ? std::to_string(a.threads) : std::string("default")) << ", weights "
      << doc["weights"].get<std::string>() << ")\n";
  out << "steps: " << executor->step_count() << " (" << executor->reorder_count()
      << " layout reorders)\n";
  out << "latency_ms: mean " << mean << "  p50 " << p50 << "  p99 " << p99 << "  (" << a.inferences
      << " inferences after " << a.warmup << " warm-up)\n";
  out << std::setprecision(1) << "throughput: " << per_s << " inferences/s (" << per_s * batch
      << " samples/s)\n";
  out << "peak_rss_mb: " << rss / 1e6 << "\n";
  for (const auto& t : *result)
    out << "output '" << t.name << "': " << dtype_name(t.dtype) << " "
        << graph::shape_to_string(t.shape) << "\n";
  std::cout << out.str();
  return kOk;
}

}  // namespace

void register_run(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "run", "Run a model on this machine's CPU (oneDNN, fp32) and report latency and throughput");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("MODEL", args->model, "zoo model name (tessera models) or an .onnx file")
      ->required();
  cmd->add_option("--input", args->inputs,
                  "input .npy file, one per model input in order (default: seeded random data)");
  cmd->add_option("--output", args->outputs, "write the model's outputs, in order, to .npy files");
  cmd->add_option("--inferences", args->inferences, "timed inferences")
      ->check(whole_number_in(1, kMaxRunInferences));
  cmd->add_option("--warmup", args->warmup, "untimed inferences first")
      ->check(whole_number_in(0, kMaxRunInferences));
  cmd->add_option("--batch", args->options.batch, "batch size (default 1)")
      ->check(whole_number_in(1, io::kMaxBatch));
  cmd->add_option("--seq-len", args->options.sequence_length,
                  "sequence length for transformer models (default: the model's)")
      ->check(whole_number_in(1, io::kMaxSequenceLength));
  cmd->add_option("--threads", args->threads, "worker threads (default: one per core)")
      ->check(whole_number_in(0, runtime::kMaxThreads));
  cmd->add_option("--random-weights", args->random_weights,
                  "fill weights that have no values (zoo models, graph-only files) from SEED "
                  "(default: none; such a weight is then an error)")
      ->check(whole_number_in(0, kMaxSeed));
  cmd->add_option("--json", args->json, "write tessera.run/1 JSON to FILE (- for stdout)");
  auto* plan = cmd->add_option("--plan", args->plan,
                               "run a tessera.plan/1 file as an MPI pipeline: one rank per stage "
                               "plus the source/sink, started with mpirun");
  cmd->add_flag("--emulate", args->emulate,
                "with --plan: each stage and transfer takes at least its planned time")
      ->needs(plan);
  cmd->add_flag("--tcp", args->tcp,
                "with --plan: MPI's TCP transport only (the loopback on one machine)")
      ->needs(plan);
  cmd->add_option("--output-dir", args->output_dir,
                  "with --plan: every inference's outputs, written as they complete")
      ->needs(plan);
  cmd->add_option("--trace", args->trace, "with --plan: Chrome trace of the measured run")
      ->needs(plan);
  cmd->add_option("--input-queue", args->input_queue, "with --plan: input slots per stage")
      ->check(whole_number_in(1, kMaxQueueSlots))
      ->needs(plan);
  cmd->add_option("--output-queue", args->output_queue, "with --plan: output slots per stage")
      ->check(whole_number_in(1, kMaxQueueSlots))
      ->needs(plan);
  cmd->add_flag("--verbose,-v", args->verbose, "with --plan: print the mpirun command")
      ->needs(plan);
  cmd->add_option("--report", args->report,
                  "with --plan: HTML report with the planned, simulated and measured periods")
      ->needs(plan);
  cmd->add_flag("--pin", args->pin,
                "with --plan: pin stage i to the i-th CPU this machine gives the run (modulo "
                "their count; the source/sink is not pinned)")
      ->needs(plan);
  cmd->callback([args, &exit_code] {
    if (args->plan.empty()) {
      exit_code = run_model(*args);
      return;
    }
    RunPlanArgs p;
    p.model = args->model;
    p.plan = args->plan;
    p.inferences = args->inferences;
    p.inputs = args->inputs;
    p.outputs = args->outputs;
    p.output_dir = args->output_dir;
    p.emulate = args->emulate;
    p.tcp = args->tcp;
    p.verbose = args->verbose;
    p.random_weights = args->random_weights;
    p.threads = args->threads;
    p.input_queue = args->input_queue;
    p.output_queue = args->output_queue;
    p.trace = args->trace;
    p.report = args->report;
    p.pin = args->pin;
    exit_code = run_plan(p);
  });
}

}  // namespace tessera::cli
