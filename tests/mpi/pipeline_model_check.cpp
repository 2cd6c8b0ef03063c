// Runs under mpirun with 4 ranks (tests/CMakeLists.txt): a zoo model executed as a 3-stage
// pipeline by the oneDNN executor, stages cut so that skip connections cross them (ResNet-18 cut
// inside residual blocks; a ViT cut between encoder blocks). Rank 0 also runs the whole model in
// one executor and checks every pipelined output against it (bitwise: the same kernels with the
// same thread count run the same operations).
// Usage: pipeline_model_check MODEL FIRST_CUT SECOND_CUT
#include <cstring>
#include <iostream>
#include <string>

#include "tessera/graph/passes.hpp"
#include "tessera/graph/zoo.hpp"
#include "tessera/pipeline/mpi_pipeline.hpp"
#include "tessera/pipeline/stage_runner.hpp"
#include "tessera/pipeline/stages.hpp"

using namespace tessera;

int main(int argc, char** argv) {
  pipeline::MpiSession mpi(&argc, &argv);
  if (argc != 4) {
    std::cerr << "usage: pipeline_model_check MODEL FIRST_CUT SECOND_CUT\n";
    return 2;
  }
  auto graph = graph::build_zoo_model(argv[1]);
  if (!graph.ok()) {
    std::cerr << graph.error_text() << '\n';
    return 1;
  }
  auto chain = graph::build_layer_chain(*graph);
  if (!chain.ok()) {
    std::cerr << chain.error_text() << '\n';
    return 1;
  }
  const std::int32_t a = std::stoi(argv[2]);
  const std::int32_t b = std::stoi(argv[3]);
  plan::Plan p;
  p.stages.resize(3);
  const std::int32_t bounds[] = {0, a, b, chain->size()};
  for (std::int32_t i = 0; i < 3; ++i) {
    p.stages[static_cast<std::size_t>(i)].device = DeviceId(i);
    p.stages[static_cast<std::size_t>(i)].first_layer = LayerId(bounds[i]);
    p.stages[static_cast<std::size_t>(i)].last_layer = LayerId(bounds[i + 1] - 1);
  }
  auto stages = pipeline::pipeline_stages(*graph, *chain, p, {"a", "b", "c"});
  if (!stages.ok()) {
    std::cerr << stages.error_text() << '\n';
    return 1;
  }
  if (mpi.rank() == 0) {
    std::size_t skips = 0;
    for (const auto& s : *stages) skips += s.outputs.size() > 1 ? 1 : 0;
    std::cout << argv[1] << ": cuts at layers " << a << " and " << b
              << "; stages sending more than "
              << "one tensor (skip connections crossing): " << skips << '\n';
  }
  runtime::ExecutorOptions eo;
  eo.threads = 1;
  eo.random_weights_seed = 7;
  pipeline::StageCompute compute;
  if (mpi.rank() > 0) {
    auto made = pipeline::make_stage_compute(
        *graph, (*stages)[static_cast<std::size_t>(mpi.rank() - 1)], eo);
    if (!made.ok()) {
      std::cerr << "stage " << mpi.rank() - 1 << ": " << made.error_text() << '\n';
      mpi.abort(1);
    }
    compute = std::move(made).value();
  }
  // Rank 0: the model inputs (seeded as `tessera run` seeds them) and the whole-model reference.
  pipeline::Message input;
  pipeline::Message reference;
  if (mpi.rank() == 0) {
    auto whole = runtime::Executor::create(*graph, eo);
    if (!whole.ok()) {
      std::cerr << whole.error_text() << '\n';
      mpi.abort(1);
    }
    std::vector<runtime::HostTensor> ins;
    for (std::size_t i = 0; i < whole->input_specs().size(); ++i)
      ins.push_back(runtime::random_input(whole->input_specs()[i], i));
    auto outs = whole->run(ins);
    if (!outs.ok()) {
      std::cerr << outs.error_text() << '\n';
      mpi.abort(1);
    }
    reference = pipeline::pack_message(*outs);
    // The first stage's input cut holds the graph inputs (in its own order).
    std::vector<runtime::HostTensor> first;
    for (TensorId id : stages->front().inputs) {
      const auto& in = graph->inputs();
      const auto pos = static_cast<std::size_t>(std::find(in.begin(), in.end(), id) - in.begin());
      first.push_back(ins[pos]);
    }
    input = pipeline::pack_message(first);
  }
  int failures = 0;
  pipeline::RunOptions o;
  o.inferences = 6;
  auto run = pipeline::run_pipeline(
      mpi, *stages, o, compute, [&](std::int64_t) { return input; },
      [&](std::int64_t k, const pipeline::Message& out) {
        if (out != reference && failures++ < 3)
          std::cerr << "FAIL: pipelined output " << k << " differs from the single-process run\n";
      });
  if (!run.ok()) {
    std::cerr << "FAIL: " << run.error_text() << '\n';
    return 1;
  }
  if (mpi.rank() == 0)
    std::cout << "6 pipelined outputs " << (failures == 0 ? "equal" : "differ from")
              << " the single-process output bitwise; period " << (*run)->result.period_s * 1e3
              << " ms\n";
  return failures == 0 ? 0 : 1;
}
