// Runs under mpirun (see tests/CMakeLists.txt): a 3-stage pipeline over MPI's TCP transport on the
// loopback. Each stage transforms its input in a way that depends on the stage and the
// inference, so the sink can check that every output arrived, in order, from every stage. With
// `--emulate` the stages wait out planned times (stage 1 is the 80 ms bottleneck) and the check
// asserts that the measured period is that bottleneck within 5 %.
// Exit 0 when every check passes; rank 0 prints what failed otherwise.
#include <cmath>
#include <cstring>
#include <iostream>
#include <string>

#include "tessera/pipeline/mpi_pipeline.hpp"

using namespace tessera;
using namespace tessera::pipeline;

namespace {

std::vector<PipelineStage> three_stages(bool emulate) {
  std::vector<PipelineStage> s(3);
  const std::int64_t bytes[] = {4096, 1 << 20, 256, 64};  // cuts 0..3: 1 MiB in the middle
  const double compute[] = {0.030, 0.080, 0.050};
  for (std::int32_t i = 0; i < 3; ++i) {
    auto& st = s[static_cast<std::size_t>(i)];
    st.index = i;
    st.device = "dev" + std::to_string(i);
    st.device_id = i;
    st.input_bytes = bytes[i];
    st.output_bytes = bytes[i + 1];
    st.planned_compute_s = emulate ? compute[i] : 0.0;
    st.planned_send_s = emulate ? 0.010 : 0.0;
  }
  return s;
}

/// Stage i's output byte j: (sum of its input bytes + i + j) mod 251, so every byte of the output
/// depends on the whole input.
Message transform(std::int32_t stage, const Message& in, std::int64_t out_bytes) {
  std::uint32_t sum = 0;
  for (std::byte b : in) sum += static_cast<std::uint32_t>(b);
  Message out(static_cast<std::size_t>(out_bytes));
  for (std::size_t j = 0; j < out.size(); ++j)
    out[j] = static_cast<std::byte>((sum + static_cast<std::uint32_t>(stage) + j) % 251);
  return out;
}

Message input_of(std::int64_t k) {
  Message m(4096);
  for (std::size_t j = 0; j < m.size(); ++j) m[j] = static_cast<std::byte>((k * 31 + j) % 256);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  MpiSession mpi(&argc, &argv);
  const bool emulate = argc > 1 && std::strcmp(argv[1], "--emulate") == 0;
  const auto stages = three_stages(emulate);
  RunOptions o;
  o.inferences = emulate ? 30 : 200;
  o.emulate = emulate;
  o.source_endpoint = 3;
  int failures = 0;
  std::int64_t next_expected = 0;
  const auto compute = [&](const Message& in) -> Result<Message> {
    const auto i = static_cast<std::size_t>(mpi.rank() - 1);
    return transform(stages[i].index, in, stages[i].output_bytes);
  };
  const auto sink = [&](std::int64_t k, const Message& out) {
    Message expect = input_of(k);
    for (const auto& st : stages) expect = transform(st.index, expect, st.output_bytes);
    if (k != next_expected++ || out != expect) {
      if (failures++ < 5) std::cerr << "FAIL: output " << k << " is not the pipeline's result\n";
    }
  };
  auto run = run_pipeline(mpi, stages, o, compute, input_of, sink);
  if (!run.ok()) {
    std::cerr << "FAIL: " << run.error_text() << '\n';
    return 1;
  }
  if (mpi.rank() != 0) return 0;
  const auto& r = (*run)->result;
  if (next_expected != o.inferences) {
    std::cerr << "FAIL: " << next_expected << " of " << o.inferences << " outputs arrived\n";
    ++failures;
  }
  if (r.devices.size() != 3 || r.queues.size() != 3) {
    std::cerr << "FAIL: expected statistics of 3 stages\n";
    ++failures;
  }
  std::size_t computes = 0;
  for (const auto& e : r.events) computes += e.kind == sim::EventKind::kCompute ? 1 : 0;
  if (computes != static_cast<std::size_t>(3 * o.inferences)) {
    std::cerr << "FAIL: " << computes << " compute events\n";
    ++failures;
  }
  std::cout << "period " << r.period_s * 1e3 << " ms, latency p50 " << r.latency_p50_s * 1e3
            << " ms, stage 1 utilisation " << r.devices[1].utilisation << '\n';
  if (emulate && std::fabs(r.period_s - 0.080) > 0.05 * 0.080) {
    std::cerr << "FAIL: emulated period " << r.period_s << " s, planned bottleneck 0.080 s\n";
    ++failures;
  }
  return failures == 0 ? 0 : 1;
}
