#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "tessera/cost/device_estimate.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/io/model_loader.hpp"
#include "tessera/io/platform_yaml.hpp"
#include "tessera/report/estimate_report.hpp"

namespace tessera::cli {

void register_estimate(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "estimate", "Per-layer latency, energy and memory (tiles and area for CIM) on one device");
  struct Args {
    std::string model;
    std::string platform;
    std::string device;
    io::ModelOptions options;
    std::string json;
    bool neurosim = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("MODEL", args->model, "zoo model name or .onnx file")->required();
  cmd->add_option("--platform", args->platform, "preset name or platform YAML file")->required();
  cmd->add_option("--device", args->device, "device name in the platform")->required();
  cmd->add_option("--batch", args->options.batch, "batch size")->check(CLI::PositiveNumber);
  cmd->add_option("--json", args->json, "write tessera.estimate/1 JSON to FILE (- for stdout)");
  cmd->add_flag("--neurosim-conventions", args->neurosim,
                "CIM: count as NeuroSim does (output positions without padding; TOPS/W / 1.22)");
  cmd->callback([args, &exit_code] {
    auto graph = io::load_model(args->model, args->options);
    if (!graph.ok()) {
      exit_code = report_bad_input(graph.diagnostics());
      return;
    }
    auto chain = graph::build_layer_chain(graph.value());
    if (!chain.ok()) {
      exit_code = report_bad_input(chain.diagnostics());
      return;
    }
    auto platform = io::load_platform(args->platform);
    if (!platform.ok()) {
      exit_code = report_bad_input(platform.diagnostics());
      return;
    }
    const hw::Device* device = platform->find_device(args->device);
    if (device == nullptr) {
      std::string names;
      for (const auto& d : platform->devices) names += (names.empty() ? "" : ", ") + d.name;
      exit_code = report_bad_input(
          {Diagnostic{platform->source_file, 0, 0, "--device",
                      "no device '" + args->device + "' in platform; devices: " + names}});
      return;
    }
    const cost::CostOptions options{.reference_conventions = args->neurosim};
    auto estimate = cost::estimate_device(graph.value(), chain.value(), *device, options);
    if (!estimate.ok()) {
      exit_code = report_bad_input(estimate.diagnostics());
      return;
    }
    if (!args->json.empty()) {
      if (!write_output(args->json, report::estimate_json(estimate.value(), platform->name))) {
        exit_code = kBadInput;
        return;
      }
      if (args->json == "-") {
        exit_code = kOk;
        return;
      }
    }
    std::cout << report::estimate_text(estimate.value(), platform->name);
    exit_code = kOk;
  });
}

}  // namespace tessera::cli
