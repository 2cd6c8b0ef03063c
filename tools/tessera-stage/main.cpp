// tessera-stage: one rank of a plan run as an MPI pipeline. `tessera run MODEL --plan PLAN.json`
// starts it under mpirun (one rank for the source/sink and one per stage); on a cluster it can be
// started directly: mpirun -np <stages + 1> tessera-stage --plan PLAN.json [...].
// It never links SimGrid: SimGrid's SMPI exports the MPI symbols.

#include <malloc.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tessera/core/format.hpp"
#include "tessera/io/npy.hpp"
#include "tessera/io/plan_file.hpp"
#include "tessera/pipeline/measurement_file.hpp"
#include "tessera/pipeline/mpi_pipeline.hpp"
#include "tessera/pipeline/stage_runner.hpp"
#include "tessera/pipeline/stages.hpp"
#include "tessera/plan/evaluate_plan.hpp"
#include "tessera/problem/problem.hpp"
#include "tessera/runtime/affinity.hpp"
#include "tessera/runtime/executor.hpp"

using namespace tessera;

namespace {

struct Args {
  std::string plan;
  std::string model;
  std::int64_t inferences = 20;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::string output_dir;
  bool emulate = false;
  std::int64_t random_weights = -1;
  int threads = 0;
  std::int32_t input_queue = 2;
  std::int32_t output_queue = 2;
  std::string measurements;
  bool pin = false;
};

void report(const pipeline::MpiSession& mpi, const std::vector<Diagnostic>& problems) {
  if (mpi.rank() != 0) return;
  for (const auto& d : problems) std::cerr << "tessera: error: " << d.to_string() << '\n';
}

/// Pins the calling thread (and so the executor's threads, started later) to one CPU of those
/// this process may use: stage rank r to the (r - 1)-th, modulo their count. Returns the CPU.
Result<int> pin_stage(int rank) {
  auto cpus = runtime::allowed_cpus();
  if (!cpus.ok()) return cpus.diagnostics();
  const int cpu = (*cpus)[static_cast<std::size_t>(rank - 1) % cpus->size()];
  if (auto pinned = runtime::pin_this_thread(cpu); !pinned.ok()) return pinned.diagnostics();
  return cpu;
}

/// Rank 0's model inputs: the files given, else the seeded data `tessera run` uses (input i of
/// the graph from seed i), packed in the order of the first stage's input cut.
Result<pipeline::Message> model_inputs(const graph::Graph& g, const pipeline::PipelineStage& first,
                                       const Args& a) {
  const auto& graph_inputs = g.inputs();
  if (!a.inputs.empty() && a.inputs.size() != graph_inputs.size())
    return Diagnostic{"", 0, 0, "--input",
                      count_of(static_cast<std::int64_t>(a.inputs.size()), "file") +
                          " given, the model has " +
                          count_of(static_cast<std::int64_t>(graph_inputs.size()), "input")};
  std::vector<runtime::HostTensor> tensors;
  for (TensorId id : first.inputs) {
    const auto& t = g.tensor(id);
    runtime::HostTensor spec = runtime::make_host_tensor(t.name, t.shape, t.dtype);
    const auto pos = static_cast<std::size_t>(
        std::find(graph_inputs.begin(), graph_inputs.end(), id) - graph_inputs.begin());
    if (a.inputs.empty()) {
      tensors.push_back(runtime::random_input(spec, pos));
      continue;
    }
    const std::string& path = a.inputs[std::min(pos, a.inputs.size() - 1)];
    auto array = io::read_npy(path);
    if (!array.ok()) return array.diagnostics();
    if (array->shape != spec.shape || array->dtype != spec.dtype)
      return Diagnostic{path, 0, 0, "shape",
                        graph::shape_to_string(array->shape) + " does not match input '" + t.name +
                            "' " + graph::shape_to_string(spec.shape)};
    spec.data = std::move(array->data);
    tensors.push_back(std::move(spec));
  }
  return pipeline::pack_message(tensors);
}

}  // namespace

int main(int argc, char** argv) {
  // Every inference allocates its messages and tensors anew; keep freed memory mapped so they
  // reuse pages instead of faulting fresh zeroed ones in (a third of a stage's time on a
  // virtual machine, where a page fault is expensive).
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  pipeline::MpiSession mpi(&argc, &argv);
  CLI::App app{"One rank of a plan run as an MPI pipeline (started by tessera run --plan)"};
  Args a;
  app.add_option("--plan", a.plan, "a tessera.plan/1 file")->required();
  app.add_option("--model", a.model,
                 "the model, for a plan made from a problem file (measured costs)");
  app.add_option("--inferences", a.inferences)->check(CLI::PositiveNumber);
  app.add_option("--input", a.inputs, "input .npy files, one per model input");
  app.add_option("--output", a.outputs, "write the last inference's outputs to .npy files");
  app.add_option("--output-dir", a.output_dir,
                 "write every inference's outputs as they complete: DIR/output-K[-I].npy");
  app.add_flag("--emulate", a.emulate, "wait out the planned compute and transfer times");
  app.add_option("--random-weights", a.random_weights)->check(CLI::NonNegativeNumber);
  app.add_option("--threads", a.threads)->check(CLI::NonNegativeNumber);
  app.add_option("--input-queue", a.input_queue)->check(CLI::PositiveNumber);
  app.add_option("--output-queue", a.output_queue)->check(CLI::PositiveNumber);
  app.add_option("--measurements", a.measurements, "rank 0 writes tessera.measurement/1 here");
  app.add_flag("--pin", a.pin,
               "pin stage i's threads to the i-th CPU this process may use (modulo their count)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (mpi.rank() == 0) app.exit(e);
    return 2;
  }

  auto file = io::load_plan_json(a.plan);
  if (!file.ok()) return report(mpi, file.diagnostics()), 2;
  problem::AssembleOptions ao;
  ao.read_weight_data = true;
  auto problem = problem::assemble(file->inputs, ao);
  if (!problem.ok()) return report(mpi, problem.diagnostics()), 2;
  if (!a.model.empty()) {
    if (auto attached = problem::attach_model(*problem, a.model, ao); !attached.ok())
      return report(mpi, attached.diagnostics()), 2;
  }
  if (!problem->graph || !problem->chain)
    return report(mpi, {{a.plan, 0, 0, "inputs.model",
                         "running a plan needs its model (a zoo name or an ONNX file)"}}),
           2;
  const auto& table = problem->table;
  auto assignment = io::resolve_stages(*file, table);
  if (!assignment.ok()) return report(mpi, assignment.diagnostics()), 2;
  plan::PlanOptions po;
  po.overlap = file->overlap;
  po.include_source_sink = file->include_source_sink;
  const plan::Plan planned = plan::evaluate_plan(table, *assignment, po);
  auto stages =
      pipeline::pipeline_stages(*problem->graph, *problem->chain, planned, table.device_names);
  if (!stages.ok()) {
    auto d = stages.diagnostics();
    for (auto& x : d) x.file = a.plan;
    return report(mpi, d), 2;
  }

  pipeline::RunOptions ro;
  ro.inferences = a.inferences;
  ro.input_queue = a.input_queue;
  ro.output_queue = a.output_queue;
  ro.emulate = a.emulate;
  ro.source_send_s = planned.source_transfer_s;
  ro.source_endpoint = table.source_endpoint();
  ro.microbatch = table.microbatch;

  pipeline::StageCompute compute;
  pipeline::SourceFn source;
  pipeline::SinkFn sink;
  const graph::Graph& g = *problem->graph;
  if (mpi.rank() > 0 && mpi.rank() <= static_cast<int>(stages->size())) {
    const auto& st = (*stages)[static_cast<std::size_t>(mpi.rank() - 1)];
    if (a.pin) {
      auto cpu = pin_stage(mpi.rank());
      if (!cpu.ok()) {
        std::cerr << "tessera: error: stage " << st.index << ": " << cpu.error_text() << '\n';
        mpi.abort(2);
      }
    }
    runtime::ExecutorOptions eo;
    eo.threads = a.threads;
    if (a.random_weights >= 0)
      eo.random_weights_seed = static_cast<std::uint64_t>(a.random_weights);
    auto made = pipeline::make_stage_compute(g, st, eo);
    if (!made.ok()) {
      std::cerr << "tessera: error: stage " << st.index << " (device '" << st.device
                << "'): " << made.error_text() << '\n';
      mpi.abort(2);
    }
    compute = std::move(made).value();
  }
  pipeline::Message input;
  if (mpi.rank() == 0) {
    auto in = model_inputs(g, stages->front(), a);
    if (!in.ok()) {
      report(mpi, in.diagnostics());
      mpi.abort(2);
    }
    input = std::move(in).value();
    source = [&input](std::int64_t) {
      pipeline::Message m = pipeline::make_message(input.size());
      std::copy(input.begin(), input.end(), m.begin());
      return m;
    };
    const auto& outs = stages->back().outputs;
    if (!a.output_dir.empty()) std::filesystem::create_directories(a.output_dir);
    sink = [&](std::int64_t k, const pipeline::Message& m) {
      const auto tensors = pipeline::unpack_message(g, outs, m);
      for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& t = tensors[i];
        if (!a.output_dir.empty()) {
          const std::string name = a.output_dir + "/output-" + std::to_string(k) +
                                   (tensors.size() > 1 ? "-" + std::to_string(i) : "") + ".npy";
          if (auto s = io::write_npy(name, {t.shape, t.dtype, t.data}); !s.ok()) {
            std::cerr << "tessera: error: " << s.error_text() << '\n';
            mpi.abort(2);
          }
        }
        if (k + 1 == a.inferences && i < a.outputs.size()) {
          if (auto s = io::write_npy(a.outputs[i], {t.shape, t.dtype, t.data}); !s.ok()) {
            std::cerr << "tessera: error: " << s.error_text() << '\n';
            mpi.abort(2);
          }
        }
      }
    };
  }

  auto run = pipeline::run_pipeline(mpi, *stages, ro, compute, source, sink);
  if (!run.ok()) return report(mpi, run.diagnostics()), 2;
  if (mpi.rank() == 0 && !a.measurements.empty()) {
    std::ofstream out(a.measurements);
    out << pipeline::measurement_json(**run);
    if (!out) {
      std::cerr << "tessera: error: cannot write " << a.measurements << '\n';
      return 2;
    }
  }
  return 0;
}
