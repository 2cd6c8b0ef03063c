#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/io/model_loader.hpp"
#include "tessera/io/problem_inputs.hpp"
#include "tessera/report/model_report.hpp"

namespace tessera::cli {

void register_inspect(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "inspect", "Layers after fusion with shapes, MACs, bytes and the bytes crossing every cut");
  struct Args {
    std::string model;
    io::ModelOptions options;
    std::string json;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("MODEL", args->model, "zoo model name (tessera models) or an .onnx file")
      ->required();
  cmd->add_option("--batch", args->options.batch, "batch size (default 1)")
      ->check(whole_number_in(1, io::kMaxBatch));
  cmd->add_option("--seq-len", args->options.sequence_length,
                  "sequence length for transformer models (default: the model's)")
      ->check(whole_number_in(1, io::kMaxSequenceLength));
  cmd->add_option("--json", args->json, "write tessera.model/1 JSON to FILE (- for stdout)");
  cmd->callback([args, &exit_code] {
    args->options.read_weight_data = false;  // inspecting needs weight shapes only
    auto loaded = io::load_model_with_warnings(args->model, args->options);
    if (!loaded.ok()) {
      exit_code = report_bad_input(loaded.diagnostics());
      return;
    }
    for (const auto& w : loaded->warnings)
      std::cerr << "tessera: warning: " << args->model << ": " << w << '\n';
    const auto& model = loaded->graph;
    auto chain = graph::build_layer_chain(model);
    if (!chain.ok()) {
      exit_code = report_bad_input(chain.diagnostics());
      return;
    }
    if (!args->json.empty()) {
      if (!write_output(args->json, report::model_json(model, chain.value()))) {
        exit_code = kBadInput;
        return;
      }
      if (args->json == "-") {
        exit_code = kOk;
        return;
      }
    }
    std::cout << report::model_table(model, chain.value());
    exit_code = kOk;
  });
}

}  // namespace tessera::cli
