#include "tessera/pipeline/stage_runner.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

namespace tessera::pipeline {

std::vector<runtime::HostTensor> unpack_message(const graph::Graph& graph,
                                                const std::vector<TensorId>& tensors,
                                                const Message& message) {
  std::vector<runtime::HostTensor> out;
  std::size_t at = 0;
  for (TensorId id : tensors) {
    const graph::Tensor& t = graph.tensor(id);
    runtime::HostTensor h = runtime::make_host_tensor(t.name, t.shape, t.dtype);
    const auto n = static_cast<std::size_t>(h.bytes());
    if (at + n <= message.size()) std::memcpy(h.data.data(), message.data() + at, n);
    at += n;
    out.push_back(std::move(h));
  }
  return out;
}

Message make_message(std::size_t payload_bytes) {
  Message m;
  m.reserve(payload_bytes + kMessageIndexBytes);
  m.resize(payload_bytes);
  return m;
}

Message pack_message(const std::vector<runtime::HostTensor>& tensors) {
  std::size_t bytes = 0;
  for (const auto& t : tensors) bytes += t.data.size();
  Message m;
  m.reserve(bytes + kMessageIndexBytes);
  for (const auto& t : tensors) m.insert(m.end(), t.data.begin(), t.data.end());
  return m;
}

Result<StageCompute> make_stage_compute(const graph::Graph& graph, const PipelineStage& stage,
                                        const runtime::ExecutorOptions& base) {
  // What the operators read from outside the stage, and what they produce.
  std::set<TensorId> produced;
  std::set<TensorId> read;
  for (OpId id : stage.ops) {
    const graph::Op& op = graph.op(id);
    for (TensorId t : op.inputs) read.insert(t);
    for (TensorId t : op.outputs) produced.insert(t);
  }
  runtime::ExecutorOptions o = base;
  o.ops = stage.ops;
  o.inputs.clear();
  o.outputs.clear();
  std::vector<std::size_t> fed;  // positions in stage.inputs given to the executor
  for (std::size_t i = 0; i < stage.inputs.size(); ++i) {
    if (read.count(stage.inputs[i]) != 0) {
      o.inputs.push_back(stage.inputs[i]);
      fed.push_back(i);
    }
  }
  // Each output tensor: from the executor (position in its outputs), or forwarded from the
  // input cut (position there).
  struct Source {
    bool forwarded = false;
    std::size_t index = 0;
  };
  std::vector<Source> sources;
  for (TensorId t : stage.outputs) {
    if (produced.count(t) != 0) {
      sources.push_back({false, o.outputs.size()});
      o.outputs.push_back(t);
      continue;
    }
    const auto it = std::find(stage.inputs.begin(), stage.inputs.end(), t);
    if (it == stage.inputs.end()) {
      return Diagnostic{"", 0, 0, "stage " + std::to_string(stage.index),
                        "tensor '" + graph.tensor(t).name +
                            "' crosses the stage's output cut but is neither received nor "
                            "produced by it"};
    }
    sources.push_back({true, static_cast<std::size_t>(it - stage.inputs.begin())});
  }
  auto made = runtime::Executor::create(graph, o);
  if (!made.ok()) return made.diagnostics();
  auto executor = std::make_shared<runtime::Executor>(std::move(made).value());
  const graph::Graph* g = &graph;
  const PipelineStage st = stage;
  return StageCompute([executor, g, st, fed, sources](const Message& input) -> Result<Message> {
    auto all = unpack_message(*g, st.inputs, input);
    std::vector<runtime::HostTensor> feed;
    feed.reserve(fed.size());
    for (std::size_t i : fed) feed.push_back(all[i]);
    auto produced_now = executor->run(feed);
    if (!produced_now.ok()) return produced_now.diagnostics();
    Message out;
    out.reserve(static_cast<std::size_t>(st.output_bytes) + kMessageIndexBytes);
    for (const Source& s : sources) {
      const auto& t = s.forwarded ? all[s.index] : (*produced_now)[s.index];
      out.insert(out.end(), t.data.begin(), t.data.end());
    }
    return out;
  });
}

}  // namespace tessera::pipeline
