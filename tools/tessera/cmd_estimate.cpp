#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "problem_source.hpp"
#include "tessera/cost/device_estimate.hpp"
#include "tessera/io/problem_inputs.hpp"
#include "tessera/report/estimate_report.hpp"

namespace tessera::cli {

void register_estimate(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "estimate", "Per-layer latency, energy and memory (tiles and area for CIM) on one device");
  struct Args {
    io::ProblemInputs inputs;
    std::string device;
    std::string json;
    bool neurosim = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("MODEL", args->inputs.model, "zoo model name or .onnx file")->required();
  cmd->add_option("--platform,-p", args->inputs.platform, "preset name or platform YAML file")
      ->required();
  cmd->add_option("--device", args->device, "device name in the platform")->required();
  cmd->add_option("--batch", args->inputs.batch, "batch size (default 1)")
      ->check(whole_number_in(1, io::kMaxBatch));
  cmd->add_option("--seq-len", args->inputs.sequence_length,
                  "sequence length for transformer models (default: the model's)")
      ->check(whole_number_in(1, io::kMaxSequenceLength));
  cmd->add_option("--json", args->json, "write tessera.estimate/1 JSON to FILE (- for stdout)");
  cmd->add_flag("--neurosim-conventions", args->neurosim,
                "CIM: count as NeuroSim does (output positions without padding; TOPS/W / 1.22)");
  cmd->callback([args, &exit_code] {
    problem::AssembleOptions assemble;
    assemble.cost.reference_conventions = args->neurosim;
    auto loaded = load_problem_or_report(args->inputs, exit_code, assemble);
    if (!loaded) return;
    if (!loaded->platform || !loaded->graph) {
      exit_code = report_bad_input({Diagnostic{args->inputs.model, 0, 0, "MODEL",
                                               "estimate needs a model (zoo name or .onnx file) "
                                               "and a platform, not a problem file"}});
      return;
    }
    const hw::Platform& platform = *loaded->platform;
    const hw::Device* device = platform.find_device(args->device);
    if (device == nullptr) {
      std::string names;
      for (const auto& d : platform.devices) names += (names.empty() ? "" : ", ") + d.name;
      exit_code = report_bad_input(
          {Diagnostic{platform.source_file, 0, 0, "--device",
                      "no device '" + args->device + "' in platform; devices: " + names}});
      return;
    }
    auto estimate = cost::estimate_device(*loaded->graph, *loaded->chain, *device, assemble.cost);
    if (!estimate.ok()) {
      exit_code = report_bad_input(estimate.diagnostics());
      return;
    }
    if (!args->json.empty()) {
      if (!write_output(args->json, report::estimate_json(estimate.value(), platform.name))) {
        exit_code = kBadInput;
        return;
      }
      if (args->json == "-") {
        exit_code = kOk;
        return;
      }
    }
    std::cout << report::estimate_text(estimate.value(), platform.name);
    exit_code = kOk;
  });
}

}  // namespace tessera::cli
