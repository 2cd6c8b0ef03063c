#include "tessera/problem/problem.hpp"

#include "tessera/cost/cim/neurosim_report.hpp"
#include "tessera/cost/cost_table_builder.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/io/model_loader.hpp"
#include "tessera/io/neurosim_import.hpp"
#include "tessera/io/pipeedge.hpp"
#include "tessera/io/platform_yaml.hpp"
#include "tessera/io/problem_json.hpp"

namespace tessera::problem {

namespace {

/// PipeEdge's scheduler costs a microbatch of 8 unless told otherwise.
constexpr std::int64_t kPipeEdgeDefaultBatch = 8;

void append(std::vector<Diagnostic>& to, const std::vector<Diagnostic>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

/// PipeEdge's models, device types and devices files.
Result<Problem> from_pipeedge(Problem p) {
  const auto& in = p.inputs;
  if (in.pipeedge.size() != 3) {
    return Diagnostic{"", 0, 0, "--pipeedge",
                      "expected MODELS.yml DEVICE_TYPES.yml DEVICES.yml (three files)"};
  }
  if (in.model.empty()) {
    return Diagnostic{"", 0, 0, "--model", "PipeEdge inputs need the model name (--model NAME)"};
  }
  if (p.inputs.batch <= 0) p.inputs.batch = kPipeEdgeDefaultBatch;
  auto pe =
      io::load_pipeedge(in.pipeedge[0], in.pipeedge[1], in.pipeedge[2], in.model, p.inputs.batch);
  if (!pe.ok()) return pe.diagnostics();
  p.table = std::move(pe->table);
  p.pipeedge = true;
  p.warnings = pe->warnings;
  return p;
}

/// A model (zoo name or ONNX file) on a platform: chain, platform and cost table.
Result<Problem> from_model(Problem p, const AssembleOptions& options) {
  const auto& in = p.inputs;
  if (in.platform.empty()) {
    return Diagnostic{"", 0, 0, "--platform", "a platform is required (tessera platforms)"};
  }
  if (p.inputs.batch <= 0) p.inputs.batch = 1;
  io::ModelOptions mo;
  mo.batch = p.inputs.batch;
  mo.sequence_length = in.sequence_length;
  mo.read_weight_data = options.read_weight_data;
  auto platform = io::load_platform(in.platform);
  auto model = io::load_model_with_warnings(in.model, mo);
  std::vector<Diagnostic> problems;
  if (!platform.ok()) append(problems, platform.diagnostics());
  if (!model.ok()) append(problems, model.diagnostics());
  if (!problems.empty()) return problems;
  for (const auto& w : model->warnings) p.warnings.push_back({in.model, 0, 0, "", w});
  auto chain = graph::build_layer_chain(model->graph);
  if (!chain.ok()) return chain.diagnostics();
  cost::CostTableOptions co;
  co.input_buffers = in.input_buffers;
  co.output_buffers = in.output_buffers;
  auto table = cost::build_cost_table(model->graph, chain.value(), platform.value(),
                                      cost::KindRegistry::builtin().models(options.cost), co);
  if (!table.ok()) return table.diagnostics();
  p.graph = std::move(model->graph);
  p.chain = std::move(chain).value();
  p.platform = std::move(platform).value();
  p.table = std::move(table).value();
  return p;
}

/// Every `DEVICE=FILE` of `inputs.neurosim`: the report's per-layer costs replace the CIM
/// device's (or device class's) entries. Collects every problem.
Status apply_neurosim_reports(Problem& p) {
  std::vector<Diagnostic> problems;
  for (const auto& spec : p.inputs.neurosim) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      problems.push_back({"", 0, 0, "--neurosim", "expected DEVICE=FILE, got '" + spec + "'"});
      continue;
    }
    const std::string device = spec.substr(0, eq);
    const std::string file = spec.substr(eq + 1);
    auto report = io::load_neurosim_report(file);
    if (!report.ok()) {
      append(problems, report.diagnostics());
      continue;
    }
    auto applied = cost::apply_neurosim_report(p.table, device, report.value(), file);
    if (!applied.ok()) append(problems, applied.diagnostics());
  }
  if (!problems.empty()) return problems;
  return {};
}

}  // namespace

hw::Topology Problem::topology() const {
  return platform ? platform->topology : hw::Topology::kFullMesh;
}

hw::Network Problem::network() const {
  return platform ? platform->network : hw::Network::dedicated();
}

Result<Problem> assemble(const io::ProblemInputs& inputs, const AssembleOptions& options) {
  if (auto checked = io::check_problem_inputs(inputs, "", "--"); !checked.ok())
    return checked.diagnostics();
  Problem p;
  p.inputs = inputs;
  Result<Problem> made = Diagnostic{"", 0, 0, "MODEL", "a model is required"};
  if (!inputs.pipeedge.empty()) {
    made = from_pipeedge(std::move(p));
  } else if (inputs.model.empty()) {
    return made;
  } else if (io::is_problem_path(inputs.model)) {
    auto table = io::load_problem_json(inputs.model);
    if (!table.ok()) return table.diagnostics();
    p.table = std::move(table).value();
    p.inputs.batch = p.table.microbatch;
    made = std::move(p);
  } else {
    made = from_model(std::move(p), options);
  }
  if (!made.ok()) return made;
  auto applied = apply_neurosim_reports(made.value());
  if (!applied.ok()) return applied.diagnostics();
  return made;
}

}  // namespace tessera::problem
