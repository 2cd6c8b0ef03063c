// `tessera profile`: measures every layer of the planner's layer chain on this machine with the
// executor and writes the measured costs as a problem file that `tessera plan` reads.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <limits>
#include <numeric>
#include <sstream>

#include "cli.hpp"
#include "commands.hpp"
#include "problem_source.hpp"
#include "tessera/io/problem_json.hpp"
#include "tessera/report/text_table.hpp"
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
};

/// One layer measured: repeated until the standard error of the mean is below the target
/// (at least 5 runs), or the time or repetition budget is spent.
struct LayerMeasure {
  double median_s = 0;
  double relative_error = 0;  ///< standard error of the mean / mean
  int repetitions = 0;
  std::int64_t constant_bytes = 0;
  std::int64_t buffer_bytes = 0;
};

Result<LayerMeasure> measure_layer(const graph::Graph& g, const graph::Layer& layer,
                                   const ProfileArgs& a) {
  runtime::ExecutorOptions o;
  o.threads = a.threads;
  o.random_weights_seed = static_cast<std::uint64_t>(a.seed);
  o.ops = layer.ops;
  o.inputs = layer.inputs;
  o.outputs = layer.outputs;
  auto executor = runtime::Executor::create(g, o);
  if (!executor.ok()) return executor.diagnostics();
  std::vector<runtime::HostTensor> inputs;
  for (const auto& spec : executor->input_specs())
    inputs.push_back(runtime::random_input(spec, inputs.size()));
  if (auto warm = executor->run(inputs); !warm.ok()) return warm.diagnostics();
  std::vector<double> times;
  double total = 0;
  LayerMeasure m;
  for (;;) {
    const auto start = std::chrono::steady_clock::now();
    auto r = executor->run(inputs);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!r.ok()) return r.diagnostics();
    times.push_back(s);
    total += s;
    const auto n = static_cast<double>(times.size());
    const double mean = total / n;
    double var = 0;
    for (double t : times) var += (t - mean) * (t - mean);
    const double sem = times.size() > 1 ? std::sqrt(var / (n - 1) / n) : mean;
    m.relative_error = mean > 0 ? sem / mean : 0;
    if (times.size() >= 5 &&
        (m.relative_error < a.target_relative_error || total > a.max_seconds_per_layer ||
         static_cast<int>(times.size()) >= a.max_repetitions))
      break;
  }
  std::sort(times.begin(), times.end());
  m.median_s = times[times.size() / 2];
  m.repetitions = static_cast<int>(times.size());
  m.constant_bytes = executor->constant_bytes();
  m.buffer_bytes = executor->buffer_bytes();
  return m;
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
  std::vector<LayerMeasure> measured;
  for (const auto& layer : chain.layers) {
    auto m = measure_layer(*loaded->graph, layer, a);
    if (!m.ok()) {
      auto d = m.diagnostics();
      for (auto& x : d)
        if (x.file.empty() || x.file == loaded->graph->name) x.file = a.inputs.model;
      return report_bad_input(d);
    }
    measured.push_back(*m);
  }
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
      table.time_s[table.at(d, l)] = m.median_s;
      if (table.unit(d) == kBytesUnit)
        table.memory[table.at(d, l)] = static_cast<double>(m.constant_bytes);
      table.workspace_bytes[table.at(d, l)] = static_cast<double>(m.buffer_bytes);
    }
    total_s += m.median_s;
    model_total_s += model_s;
    text.add_row({chain.layers[static_cast<std::size_t>(l)].name, fmt(m.median_s * 1e3, 3),
                  own_platform ? "-" : fmt(model_s * 1e3, 3),
                  own_platform || model_s <= 0 ? "-" : fmt(m.median_s / model_s, 2),
                  std::to_string(m.repetitions),
                  fmt(static_cast<double>(m.constant_bytes) / 1e6, 2),
                  fmt(static_cast<double>(m.buffer_bytes) / 1e6, 2)});
  }
  if (!write_output(a.out, io::problem_json(table))) return kBadInput;
  std::cout << text.render();
  std::cout << "total: measured " << fmt(total_s * 1e3, 3) << " ms";
  if (!own_platform) std::cout << ", model " << fmt(model_total_s * 1e3, 3) << " ms";
  std::cout << " (batch " << loaded->inputs.batch << ")\n";
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
  cmd->add_option("--batch", args->inputs.batch, "batch size")->check(CLI::PositiveNumber);
  cmd->add_option("--seq-len", args->inputs.sequence_length,
                  "sequence length for transformer models (default: the model's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", args->threads, "worker threads (default: one per core)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--random-weights", args->seed,
                  "seed for weights the model file lacks (timing does not depend on values)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-seconds-per-layer", args->max_seconds_per_layer,
                  "time budget per layer (default 0.5)")
      ->check(CLI::PositiveNumber);
  cmd->callback([args, &exit_code] {
    if (!io::is_problem_path(args->out)) {
      exit_code = report_bad_input({{args->out, 0, 0, "--out",
                                     "must end in .problem.json (the planner reads it by that "
                                     "suffix)"}});
      return;
    }
    exit_code = profile(*args);
  });
}

}  // namespace tessera::cli
