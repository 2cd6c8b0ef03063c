// `tessera profile`: measures every layer of the planner's layer chain on this machine with the
// executor and writes the measured costs as a problem file that `tessera plan` reads.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>
#include <thread>

#include "cli.hpp"
#include "commands.hpp"
#include "problem_source.hpp"
#include "tessera/io/problem_json.hpp"
#include "tessera/report/text_table.hpp"
#include "tessera/runtime/affinity.hpp"
#include "tessera/runtime/executor.hpp"

namespace tessera::cli {

namespace {

struct ProfileArgs {
  io::ProblemInputs inputs;
  std::string device;
  std::string out;
  int threads = 0;
  std::int64_t seed = 0;
  double max_seconds_per_layer = 0.5;
  int max_repetitions = 200;
  double target_relative_error = 0.02;
  bool co_run = false;
};

/// One layer measured: its mean time over the whole-chain runs, and the memory its executor
/// lays out when it runs alone (a stage holds its layers' weights and buffers).
struct LayerMeasure {
  double mean_s = 0;
  int repetitions = 0;
  std::int64_t constant_bytes = 0;
  std::int64_t buffer_bytes = 0;
};

/// Every layer measured in place: the whole chain runs back to back, as a pipeline stage runs its
/// layers (each layer meets the caches the previous one left, rather than caches warmed by
/// repeating it alone, which made the sum of the layers 25-30 % faster than the model on this
/// machine), each executor step timed and its time given to the layer its operators belong to
/// (a step outside every layer, such as a layout reorder, to the next layer). Runs repeat
/// until the standard error of the whole run's mean is below the target (at least 5 runs), or
/// the time or repetition budget is spent; a layer's time is its mean over the runs (a pipeline's
/// period is its bottleneck's mean time per inference; a median leaves out the slow runs, which
/// made the profiled model 2-3 % faster than its mean run under --co-run).
/// The load a pipeline puts on this machine while one of its stages computes: every CPU but the
/// measuring one runs the whole model single-threaded, in a loop, until destroyed. On CPUs that
/// share a core (SMT siblings), caches or the memory bus, a layer is slower under that load than
/// alone, and a pipeline's stages all compute at once.
class CoRunners {
 public:
  /// Pins the calling thread to `cpus[0]` and starts one runner on each other CPU; returns once
  /// every runner has finished one run (so timing starts under steady load).
  static Result<std::unique_ptr<CoRunners>> start(const graph::Graph& g,
                                                  const runtime::ExecutorOptions& options,
                                                  const std::vector<int>& cpus) {
    auto runners = std::unique_ptr<CoRunners>(new CoRunners());
    if (auto pinned = runtime::pin_this_thread(cpus.front()); !pinned.ok())
      return pinned.diagnostics();
    for (std::size_t i = 1; i < cpus.size(); ++i) {
      auto executor = runtime::Executor::create(g, options);
      if (!executor.ok()) return executor.diagnostics();
      std::vector<runtime::HostTensor> inputs;
      for (const auto& spec : executor->input_specs())
        inputs.push_back(runtime::random_input(spec, inputs.size()));
      runners->threads_.emplace_back([r = runners.get(), cpu = cpus[i], e = std::move(*executor),
                                      in = std::move(inputs)]() mutable {
        if (!runtime::pin_this_thread(cpu).ok()) r->failed_ = true;
        while (!r->stop_) {
          if (!e.run(in).ok()) {
            r->failed_ = true;
            break;
          }
          ++r->runs_;
        }
      });
    }
    const auto wanted = static_cast<std::int64_t>(cpus.size() - 1);
    while (runners->runs_ < wanted && !runners->failed_)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (runners->failed_)
      return Diagnostic{"", 0, 0, "--co-run", "a co-running copy of the model failed"};
    return runners;
  }
  CoRunners(const CoRunners&) = delete;
  CoRunners& operator=(const CoRunners&) = delete;
  ~CoRunners() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }
  [[nodiscard]] std::int64_t runs() const { return runs_; }
  [[nodiscard]] bool failed() const { return failed_; }

 private:
  CoRunners() = default;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::atomic<std::int64_t> runs_{0};
};

Result<std::vector<LayerMeasure>> measure_layers(const graph::Graph& g,
                                                 const graph::LayerChain& chain,
                                                 const ProfileArgs& a, double& relative_error,
                                                 std::int64_t& co_runs) {
  runtime::ExecutorOptions o;
  o.threads = a.threads;
  o.random_weights_seed = static_cast<std::uint64_t>(a.seed);
  if (chain.layers.empty()) return Diagnostic{"", 0, 0, "MODEL", "the model has no layers"};
  std::vector<LayerMeasure> out(chain.layers.size());
  // Memory: each layer's executor alone (created, not run).
  for (std::size_t l = 0; l < chain.layers.size(); ++l) {
    runtime::ExecutorOptions lo = o;
    lo.ops = chain.layers[l].ops;
    lo.inputs = chain.layers[l].inputs;
    lo.outputs = chain.layers[l].outputs;
    auto alone = runtime::Executor::create(g, lo);
    if (!alone.ok()) return alone.diagnostics();
    out[l].constant_bytes = alone->constant_bytes();
    out[l].buffer_bytes = alone->buffer_bytes();
  }
  std::vector<std::int64_t> layer_of(g.ops().size(), -1);
  for (std::size_t l = 0; l < chain.layers.size(); ++l)
    for (OpId op : chain.layers[l].ops) layer_of[op.index()] = static_cast<std::int64_t>(l);

  std::unique_ptr<CoRunners> co_runners;
  if (a.co_run) {
    auto cpus = runtime::allowed_cpus();
    if (!cpus.ok()) return cpus.diagnostics();
    if (cpus->size() < 2)
      return Diagnostic{"", 0, 0, "--co-run",
                        "needs at least 2 CPUs to run on; this process may use 1"};
    auto started = CoRunners::start(g, o, *cpus);
    if (!started.ok()) return started.diagnostics();
    co_runners = std::move(*started);
  }
  auto executor = runtime::Executor::create(g, o);
  if (!executor.ok()) return executor.diagnostics();
  std::vector<runtime::HostTensor> inputs;
  for (const auto& spec : executor->input_specs())
    inputs.push_back(runtime::random_input(spec, inputs.size()));
  if (auto warm = executor->run(inputs); !warm.ok()) return warm.diagnostics();
  const double budget_s = a.max_seconds_per_layer * static_cast<double>(chain.layers.size());
  std::vector<double> layer_sum(chain.layers.size(), 0.0);  // over the runs
  std::vector<runtime::StepTiming> steps;
  double sum = 0, sum_sq = 0, spent = 0;
  int runs = 0;
  for (;;) {
    if (auto r = executor->run_timed(inputs, steps); !r.ok()) return r.diagnostics();
    std::vector<double> this_run(chain.layers.size(), 0.0);
    double pending = 0, total = 0;
    for (const auto& step : steps) {
      std::int64_t layer = -1;
      for (OpId op : step.ops)
        if (layer_of[op.index()] >= 0) layer = layer_of[op.index()];
      total += step.seconds;
      if (layer < 0) {
        pending += step.seconds;
        continue;
      }
      this_run[static_cast<std::size_t>(layer)] += step.seconds + pending;
      pending = 0;
    }
    if (pending > 0 && !this_run.empty()) this_run.back() += pending;
    for (std::size_t l = 0; l < this_run.size(); ++l) layer_sum[l] += this_run[l];
    ++runs;
    sum += total;
    sum_sq += total * total;
    spent += total;
    const double n = runs;
    const double mean = sum / n;
    const double var = runs > 1 ? std::max(0.0, (sum_sq - n * mean * mean) / (n - 1)) : 0.0;
    relative_error = mean > 0 && runs > 1 ? std::sqrt(var / n) / mean : 1.0;
    if (runs >= 5 &&
        (relative_error < a.target_relative_error || spent > budget_s || runs >= a.max_repetitions))
      break;
  }
  if (co_runners && co_runners->failed())
    return Diagnostic{"", 0, 0, "--co-run", "a co-running copy of the model failed"};
  co_runs = co_runners ? co_runners->runs() : 0;
  for (std::size_t l = 0; l < out.size(); ++l) {
    out[l].mean_s = layer_sum[l] / static_cast<double>(runs);
    out[l].repetitions = runs;
  }
  return out;
}

/// A table of one device, this machine, for profiles without a platform: the source is this
/// process, so moving a cut costs nothing (latency 0, a bandwidth no cut can notice).
cost::CostTable single_device_table(const graph::LayerChain& chain, const std::string& device,
                                    std::int64_t batch) {
  cost::CostTable t;
  t.model_name = chain.model_name;
  t.platform_name = "this-machine";
  t.num_layers = chain.size();
  t.num_devices = 1;
  t.microbatch = static_cast<std::int32_t>(batch);
  for (const auto& l : chain.layers) t.layer_names.push_back(l.name);
  t.device_names = {device};
  t.device_kinds = {"cpu"};
  t.device_class = {0};
  t.class_names = {device};
  const auto L = static_cast<std::size_t>(t.num_layers);
  t.time_s.assign(L, 0.0);
  t.energy_j.assign(L, 0.0);
  t.memory.assign(L, 0.0);
  t.workspace_bytes.assign(L, 0.0);
  const double pages = static_cast<double>(sysconf(_SC_PHYS_PAGES));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  t.capacity = {pages * page};
  t.static_power_w = {0.0};
  for (std::int64_t b : chain.cut_bytes) t.cut_bytes.push_back(static_cast<double>(b));
  t.link_latency_s.assign(4, 0.0);
  t.link_bandwidth_bytes_per_s.assign(4, 1e18);
  t.link_energy_j_per_byte.assign(4, 0.0);
  return t;
}

int profile(const ProfileArgs& a) {
  int exit_code = kOk;
  io::ProblemInputs inputs = a.inputs;
  const bool own_platform = inputs.platform.empty();
  if (own_platform) inputs.platform = "desktop-cpu";  // only to assemble the model's chain
  problem::AssembleOptions options;
  options.read_weight_data = true;
  auto loaded = load_problem_or_report(inputs, exit_code, options);
  if (!loaded) return exit_code;
  if (!loaded->graph || !loaded->chain)
    return report_bad_input(
        {{a.inputs.model, 0, 0, "MODEL",
          "profile needs a model (zoo name or .onnx file), not a problem file"}});
  cost::CostTable table = own_platform
                              ? single_device_table(*loaded->chain, a.device, loaded->inputs.batch)
                              : loaded->table;
  const auto& names = table.device_names;
  const auto it = std::find(names.begin(), names.end(), a.device);
  if (it == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return report_bad_input({{inputs.platform, 0, 0, "--device",
                              "no device '" + a.device + "' in platform; devices: " + list}});
  }
  const auto device = static_cast<std::int32_t>(it - names.begin());
  const auto& chain = *loaded->chain;
  using A = report::TextTable::Align;
  report::TextTable text(
      {"layer", "measured_ms", "model_ms", "measured/model", "runs", "weights_mb", "workspace_mb"},
      {A::kLeft, A::kRight, A::kRight, A::kRight, A::kRight, A::kRight, A::kRight});
  double total_s = 0, model_total_s = 0;
  double relative_error = 0;
  std::int64_t co_runs = 0;
  auto measured_or = measure_layers(*loaded->graph, chain, a, relative_error, co_runs);
  if (!measured_or.ok()) {
    auto d = measured_or.diagnostics();
    for (auto& x : d)
      if (x.file.empty() || x.file == loaded->graph->name) x.file = a.inputs.model;
    return report_bad_input(d);
  }
  const std::vector<LayerMeasure>& measured = *measured_or;
  std::ostringstream num;
  auto fmt = [&](double v, int precision) {
    num.str("");
    num << std::fixed << std::setprecision(precision) << v;
    return num.str();
  };
  for (std::int32_t l = 0; l < chain.size(); ++l) {
    const auto& m = measured[static_cast<std::size_t>(l)];
    const double model_s = own_platform ? 0.0 : table.time_s[table.at(device, l)];
    // Every device of the profiled device's class is this hardware: it takes the measured row.
    for (std::int32_t d = 0; d < table.num_devices; ++d) {
      if (table.device_class[static_cast<std::size_t>(d)] !=
          table.device_class[static_cast<std::size_t>(device)])
        continue;
      table.time_s[table.at(d, l)] = m.mean_s;
      if (table.unit(d) == kBytesUnit)
        table.memory[table.at(d, l)] = static_cast<double>(m.constant_bytes);
      table.workspace_bytes[table.at(d, l)] = static_cast<double>(m.buffer_bytes);
    }
    total_s += m.mean_s;
    model_total_s += model_s;
    text.add_row({chain.layers[static_cast<std::size_t>(l)].name, fmt(m.mean_s * 1e3, 3),
                  own_platform ? "-" : fmt(model_s * 1e3, 3),
                  own_platform || model_s <= 0 ? "-" : fmt(m.mean_s / model_s, 2),
                  std::to_string(m.repetitions),
                  fmt(static_cast<double>(m.constant_bytes) / 1e6, 2),
                  fmt(static_cast<double>(m.buffer_bytes) / 1e6, 2)});
  }
  if (!write_output(a.out, io::problem_json(table))) return kBadInput;
  std::cout << text.render();
  std::cout << "total: measured " << fmt(total_s * 1e3, 3) << " ms";
  if (!own_platform) std::cout << ", model " << fmt(model_total_s * 1e3, 3) << " ms";
  std::cout << " (batch " << loaded->inputs.batch << "; layers timed in place over "
            << measured.front().repetitions << " whole-model runs, standard error of the mean "
            << fmt(relative_error * 100.0, 1) << " %"
            << (a.co_run ? "; meanwhile every other CPU ran the model, " + std::to_string(co_runs) +
                               " runs in all"
                         : "")
            << ")\n";
  std::cout << "wrote " << a.out << " (tessera.problem/1; plan with: tessera plan " << a.out
            << ")\n";
  return kOk;
}

}  // namespace

void register_profile(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "profile",
      "Measure every layer of the layer chain on this machine's CPU and write a problem file "
      "with the measured costs for `tessera plan`");
  auto args = std::make_shared<ProfileArgs>();
  cmd->add_option("MODEL", args->inputs.model, "zoo model name or .onnx file")->required();
  cmd->add_option("--device", args->device,
                  "the device this machine is (in --platform; without one, the name to give it)")
      ->required();
  cmd->add_option("--platform", args->inputs.platform,
                  "preset or platform YAML: the device's row (and its class's) is replaced by the "
                  "measurements, the other devices keep their model costs");
  cmd->add_option("--out", args->out, "problem file to write (NAME.problem.json)")->required();
  cmd->add_option("--batch", args->inputs.batch, "batch size (default 1)")
      ->check(whole_number_in(1, io::kMaxBatch));
  cmd->add_option("--seq-len", args->inputs.sequence_length,
                  "sequence length for transformer models (default: the model's)")
      ->check(whole_number_in(1, io::kMaxSequenceLength));
  cmd->add_option("--threads", args->threads, "worker threads (default: one per core)")
      ->check(whole_number_in(0, runtime::kMaxThreads));
  cmd->add_option("--random-weights", args->seed,
                  "seed for weights the model file lacks (timing does not depend on values)")
      ->check(whole_number_in(0, kMaxSeed));
  cmd->add_flag("--co-run", args->co_run,
                "time the layers single-threaded on the first CPU this process may use while "
                "every other one runs the model too, as a pipeline's stages compute at once "
                "(`tessera run --plan --pin`); CPUs that share a core or memory are slower so");
  cmd->add_option(
         "--max-seconds-per-layer", args->max_seconds_per_layer,
         "time budget per layer: the whole-model runs stop after this times the layer count")
      ->check(number_in(1e-6, 3600.0));
  cmd->callback([args, &exit_code] {
    if (!io::is_problem_path(args->out)) {
      exit_code = report_bad_input({{args->out, 0, 0, "--out",
                                     "must end in .problem.json (the planner reads it by that "
                                     "suffix)"}});
      return;
    }
    if (args->co_run && args->threads > 1) {
      exit_code = report_bad_input(
          {{"", 0, 0, "--threads",
            "--co-run times single-thread stages (one per CPU): give --threads 1 or leave it "
            "out, got " +
                std::to_string(args->threads)}});
      return;
    }
    if (args->co_run) args->threads = 1;
    exit_code = profile(*args);
  });
}

}  // namespace tessera::cli
