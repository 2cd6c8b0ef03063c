#include "problem_source.hpp"

#include <iostream>

#include "cli.hpp"

namespace tessera::cli {

void add_problem_options(CLI::App& cmd, ProblemArgs& args) {
  io::ProblemInputs& in = args.inputs;
  cmd.add_option("MODEL", in.model,
                 "zoo model name (tessera models), an .onnx file, or a *.problem.json file; with "
                 "--pipeedge, the "
                 "model name in MODELS.yml (also accepted as --model)");
  cmd.add_option("--model", in.model, "same as MODEL");
  cmd.add_option("--platform,-p", in.platform, "platform preset (tessera platforms) or YAML file");
  cmd.add_option("--batch", in.batch, "batch (microbatch) size (default 1; PipeEdge inputs 8)")
      ->check(whole_number_in(1, io::kMaxBatch));
  cmd.add_option("--seq-len", in.sequence_length,
                 "sequence length for transformer models (default: the model's)")
      ->check(whole_number_in(1, io::kMaxSequenceLength));
  cmd.add_option("--pipeedge", in.pipeedge,
                 "PipeEdge's MODELS.yml DEVICE_TYPES.yml DEVICES.yml, read as they are")
      ->expected(3);
  cmd.add_option("--input-buffers", in.input_buffers,
                 "activation buffers per stage for its input cut (memory check)")
      ->check(number_in(0.0, io::kMaxActivationBuffers));
  cmd.add_option("--output-buffers", in.output_buffers,
                 "activation buffers per stage for its output cut (memory check)")
      ->check(number_in(0.0, io::kMaxActivationBuffers));
  cmd.add_flag("--no-overlap", args.no_overlap,
               "a stage's time is compute + send (default: max, sending overlaps computing)");
  cmd.add_flag("--no-source-sink", args.no_source_sink,
               "do not charge the input transfer from the source nor the output to the sink");
  cmd.add_option("--period-cap-s", args.period_cap_s,
                 "only plans with period <= this (default: no cap)")
      ->check(positive_number());
  cmd.add_option("--latency-cap-s", args.latency_cap_s,
                 "only plans with latency <= this (default: no cap)")
      ->check(positive_number());
  cmd.add_option("--neurosim", in.neurosim,
                 "DEVICE=FILE: plan with a NeuroSim report's per-layer latency, energy and tiles "
                 "for a CIM device (a device name, or its class for all copies); repeatable");
}

plan::PlanOptions plan_options(const ProblemArgs& args, bool pipeedge) {
  plan::PlanOptions o;
  o.overlap = !args.no_overlap;
  o.include_source_sink = !args.no_source_sink && !pipeedge;
  if (args.period_cap_s > 0) o.period_cap_s = args.period_cap_s;
  if (args.latency_cap_s > 0) o.latency_cap_s = args.latency_cap_s;
  return o;
}

std::optional<problem::Problem> load_problem_or_report(const io::ProblemInputs& inputs,
                                                       int& exit_code,
                                                       const problem::AssembleOptions& options) {
  auto loaded = problem::assemble(inputs, options);
  if (!loaded.ok()) {
    exit_code = report_bad_input(loaded.diagnostics());
    return std::nullopt;
  }
  for (const auto& w : loaded->warnings) std::cerr << "tessera: warning: " << w.to_string() << '\n';
  return std::move(loaded).value();
}

}  // namespace tessera::cli
