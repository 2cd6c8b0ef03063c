// The executor's convolutions against oneDNN's primitive alone, shape by shape.
//
// Usage: runtime_conv_shapes [MODEL] [BATCH] [THREADS] [RUNS]   (default resnet50 1 1 20)
//
// Runs MODEL (a zoo model, random weights) through the executor with per-step timing, takes
// the fastest time of every convolution step over the runs, groups the steps by convolution shape,
// and for the shapes that take the most time in total creates the same convolution as a oneDNN
// primitive alone (layouts chosen by oneDNN, inputs already in them, bias, no fused
// BatchNorm or activation) and times its execution, with cold caches (as inside a model,
// where the layers before evict the weights) and warm (back to back). Prints a Markdown table;
// efficiency = oneDNN alone / executor step (1.0 = the executor adds nothing).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <vector>

#include "tessera/graph/zoo.hpp"
#include "tessera/runtime/executor.hpp"

namespace {

using tessera::graph::Op;
using Dims = std::vector<std::int64_t>;

struct Shape {
  Dims x, w;
  Dims strides, pads, dilations;
  std::int64_t groups;
  auto key() const { return std::tie(x, w, strides, pads, dilations, groups); }
  bool operator<(const Shape& o) const { return key() < o.key(); }
  std::string text() const {
    auto join = [](const Dims& d) {
      std::string s;
      for (auto v : d) s += (s.empty() ? "" : "x") + std::to_string(v);
      return s;
    };
    return "in " + join(x) + ", W " + join(w) + ", stride " + std::to_string(strides[0]) +
           (groups > 1 ? ", groups " + std::to_string(groups) : "");
  }
};

/// The fastest of the runs: on a shared machine a run that lost the CPU to another process for
/// a scheduler quantum (several ms) says nothing about the kernel, so the minimum is the
/// statistic that compares kernels.
double fastest(const std::vector<double>& v) {
  return *std::min_element(v.begin(), v.end());
}

/// Evicts the caches (writes a buffer larger than the last-level cache), as the layers before a
/// convolution do inside a model.
void evict_caches() {
  static std::vector<char> junk(std::size_t{64} << 20);
  for (std::size_t i = 0; i < junk.size(); i += 64) junk[i] = static_cast<char>(junk[i] + 1);
}

/// Median time of the primitive alone: with its data in cache (re-run back to back) or cold.
double onednn_alone_ms(const Shape& s, int runs, bool cold) {
  using namespace dnnl;
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  const std::int64_t oc = s.w[0];
  Dims wd = s.w;
  if (s.groups > 1) {
    wd = {s.groups, s.w[0] / s.groups};
    wd.insert(wd.end(), s.w.begin() + 1, s.w.end());
  }
  const std::size_t n = s.x.size() - 2;
  Dims y = {s.x[0], oc};
  Dims pl(s.pads.begin(), s.pads.begin() + static_cast<long>(n)),
      pr(s.pads.begin() + static_cast<long>(n), s.pads.end()), dil;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t ext = (s.w[i + 2] - 1) * s.dilations[i] + 1;
    y.push_back((s.x[i + 2] + pl[i] + pr[i] - ext) / s.strides[i] + 1);
    dil.push_back(s.dilations[i] - 1);
  }
  auto any = [](const Dims& d) {
    return memory::desc(d, memory::data_type::f32, memory::format_tag::any);
  };
  const memory::desc bmd({oc}, memory::data_type::f32, memory::format_tag::a);
  convolution_forward::desc d(prop_kind::forward_inference, algorithm::convolution_direct, any(s.x),
                              any(wd), bmd, any(y), s.strides, dil, pl, pr);
  convolution_forward::primitive_desc pd(d, eng);
  memory src(pd.src_desc(), eng), wei(pd.weights_desc(), eng), bias(bmd, eng),
      dst(pd.dst_desc(), eng);
  for (memory* m : {&src, &wei, &bias}) {
    auto* p = static_cast<float*>(m->get_data_handle());
    for (std::size_t i = 0; i < m->get_desc().get_size() / 4; ++i)
      p[i] = 0.01F * static_cast<float>(i % 17);
  }
  convolution_forward conv(pd);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, dst}};
  conv.execute(strm, args);
  strm.wait();
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    if (cold) evict_caches();
    const auto start = std::chrono::steady_clock::now();
    conv.execute(strm, args);
    strm.wait();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count());
  }
  return fastest(t);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model = argc > 1 ? argv[1] : "resnet50";
  const std::int64_t batch = argc > 2 ? std::stoll(argv[2]) : 1;
  const int threads = argc > 3 ? std::stoi(argv[3]) : 1;
  const int runs = argc > 4 ? std::stoi(argv[4]) : 20;
  omp_set_num_threads(threads);
  tessera::graph::ZooOptions zo;
  zo.batch = batch;
  auto g = tessera::graph::build_zoo_model(model, zo);
  if (!g.ok()) {
    std::fprintf(stderr, "%s\n", g.error_text().c_str());
    return 2;
  }
  tessera::runtime::ExecutorOptions o;
  o.threads = threads;
  o.random_weights_seed = 1;
  auto e = tessera::runtime::Executor::create(*g, o);
  if (!e.ok()) {
    std::fprintf(stderr, "%s\n", e.error_text().c_str());
    return 2;
  }
  std::vector<tessera::runtime::HostTensor> in;
  for (const auto& s : e->input_specs()) in.push_back(tessera::runtime::random_input(s, 0));
  std::vector<std::vector<double>> step_ms;
  std::vector<tessera::runtime::StepTiming> timing;
  std::vector<std::vector<tessera::OpId>> step_ops;
  for (int r = 0; r <= runs; ++r) {
    auto y = e->run_timed(in, timing);
    if (!y.ok()) return 1;
    if (r == 0) {  // warm-up
      step_ms.assign(timing.size(), {});
      for (const auto& t : timing) step_ops.push_back(t.ops);
      continue;
    }
    for (std::size_t i = 0; i < timing.size(); ++i) step_ms[i].push_back(timing[i].seconds * 1e3);
  }
  std::map<Shape, std::pair<int, double>> shapes;  // shape -> (count, total of the fastest ms)
  double total_ms = 0;
  for (std::size_t i = 0; i < step_ops.size(); ++i) {
    const double ms = fastest(step_ms[i]);
    total_ms += ms;
    if (step_ops[i].empty()) continue;
    const Op& op = g->op(step_ops[i][0]);
    if (op.kind != tessera::graph::OpKind::kConv) continue;
    Shape s{g->tensor(op.inputs[0]).shape,
            g->tensor(op.inputs[1]).shape,
            op.attrs.strides,
            op.attrs.pads,
            op.attrs.dilations,
            op.attrs.groups};
    auto& entry = shapes[s];
    entry.first += 1;
    entry.second += ms;
  }
  std::vector<std::pair<Shape, std::pair<int, double>>> sorted(shapes.begin(), shapes.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.second > b.second.second; });
  std::printf("%s, batch %lld, %d thread(s), %d runs (fastest); executor total %.2f ms\n\n",
              model.c_str(), static_cast<long long>(batch), threads, runs, total_ms);
  std::printf(
      "| convolution | count | share of model time | executor step ms | oneDNN alone, cold "
      "caches, ms | efficiency (cold) | oneDNN alone, warm, ms | efficiency (warm) |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (std::size_t i = 0; i < sorted.size() && i < 6; ++i) {
    const auto& [s, v] = sorted[i];
    const double step = v.second / v.first;
    const double cold = onednn_alone_ms(s, runs, true);
    const double warm = onednn_alone_ms(s, runs, false);
    std::printf("| %s | %d | %.0f%% | %.3f | %.3f | %.2f | %.3f | %.2f |\n", s.text().c_str(),
                v.first, 100.0 * v.second / total_ms, step, cold, cold / step, warm, warm / step);
  }
  return 0;
}
