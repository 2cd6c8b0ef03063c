#include "support/milp/throughput_milp.hpp"

#include <coin/Cbc_C_Interface.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace tessera::testing {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The formats.md rules, evaluated directly on the table.
struct Rules {
  const cost::CostTable& t;
  const plan::PlanOptions& o;

  [[nodiscard]] double compute(std::int32_t d, std::int32_t p, std::int32_t q) const {
    double sum = 0.0;
    double most = 0.0;
    for (std::int32_t l = p; l < q; ++l) {
      const double x = t.time_s[t.at(d, l)];
      sum += x;
      most = std::max(most, x);
    }
    return t.pipelined(d) ? most : sum;
  }
  [[nodiscard]] bool fits(std::int32_t d, std::int32_t p, std::int32_t q) const {
    double memory = 0.0;
    double workspace = 0.0;
    for (std::int32_t l = p; l < q; ++l) {
      memory += t.memory[t.at(d, l)];
      workspace = std::max(workspace, t.workspace_bytes[t.at(d, l)]);
    }
    const double in_buffers = p == 0 && t.first_stage_input_buffers >= 0.0
                                  ? t.first_stage_input_buffers
                                  : t.input_buffers;
    const double need =
        memory + workspace +
        t.buffer_scale(d) * (in_buffers * t.cut_bytes[static_cast<std::size_t>(p)] +
                             t.output_buffers * t.cut_bytes[static_cast<std::size_t>(q)]);
    return need <= t.capacity[static_cast<std::size_t>(d)];
  }
  /// Cut q from d to device e, or to the sink (e = num_devices).
  [[nodiscard]] double send(std::int32_t d, std::int32_t q, std::int32_t e) const {
    if (e == t.num_devices && !o.include_source_sink) return 0.0;
    return t.transfer_s(q, d, e);
  }
  [[nodiscard]] double stage(double comp, double send) const {
    return o.overlap ? std::max(comp, send) : comp + send;
  }
  [[nodiscard]] double source(std::int32_t d) const {
    return o.include_source_sink ? t.transfer_s(0, t.num_devices, d) : 0.0;
  }
};

struct Arc {
  std::int32_t d, p, q, e;  ///< e = num_devices: the sink
  double time_s;
};

}  // namespace

MilpAnswer solve_throughput_milp(const cost::CostTable& table, const plan::PlanOptions& options) {
  const Rules rules{table, options};
  const std::int32_t num_layers = table.num_layers;
  const std::int32_t num_devices = table.num_devices;
  std::vector<Arc> arcs;
  for (std::int32_t d = 0; d < num_devices; ++d) {
    for (std::int32_t p = 0; p < num_layers; ++p) {
      for (std::int32_t q = p + 1; q <= num_layers; ++q) {
        const double comp = rules.compute(d, p, q);
        if (!std::isfinite(comp) || !rules.fits(d, p, q)) continue;
        for (std::int32_t e = 0; e <= num_devices; ++e) {
          if (e == d || (e == num_devices) != (q == num_layers)) continue;
          const double time = rules.stage(comp, rules.send(d, q, e));
          if (std::isfinite(time)) arcs.push_back({d, p, q, e, time});
        }
      }
    }
  }
  std::vector<double> source(static_cast<std::size_t>(num_devices));
  double scale = 0.0;  // times in units of the largest one keep CBC's tolerances relative
  for (std::int32_t d = 0; d < num_devices; ++d) {
    source[static_cast<std::size_t>(d)] = rules.source(d);
    if (std::isfinite(source[static_cast<std::size_t>(d)]))
      scale = std::max(scale, source[static_cast<std::size_t>(d)]);
  }
  for (const Arc& a : arcs) scale = std::max(scale, a.time_s);
  if (scale <= 0.0) scale = 1.0;

  MilpAnswer answer;
  answer.arcs = static_cast<std::int32_t>(arcs.size());
  const std::unique_ptr<Cbc_Model, void (*)(Cbc_Model*)> model(Cbc_newModel(), Cbc_deleteModel);
  Cbc_Model* m = model.get();
  Cbc_setLogLevel(m, 0);
  Cbc_setAllowableGap(m, 0.0);
  Cbc_setAllowableFractionGap(m, 0.0);
  // Columns: 0 = T, then y[d] (only finite sources), then the arcs.
  Cbc_addCol(m, "T", 0.0, kInf, 1.0, 0, 0, nullptr, nullptr);
  std::vector<int> y(static_cast<std::size_t>(num_devices), -1);
  int columns = 1;
  for (std::int32_t d = 0; d < num_devices; ++d) {
    if (!std::isfinite(source[static_cast<std::size_t>(d)])) continue;
    Cbc_addCol(m, "y", 0.0, 1.0, 0.0, 1, 0, nullptr, nullptr);
    y[static_cast<std::size_t>(d)] = columns++;
  }
  const int first_arc = columns;
  for (std::size_t i = 0; i < arcs.size(); ++i)
    Cbc_addCol(m, "x", 0.0, 1.0, 0.0, 1, 0, nullptr, nullptr);

  std::vector<int> cols;
  std::vector<double> coefs;
  const auto row = [&](char sense, double rhs) {
    Cbc_addRow(m, "r", static_cast<int>(cols.size()), cols.data(), coefs.data(), sense, rhs);
    cols.clear();
    coefs.clear();
  };
  const auto term = [&](int col, double coef) {
    cols.push_back(col);
    coefs.push_back(coef);
  };
  // One source arc.
  for (std::int32_t d = 0; d < num_devices; ++d) {
    if (y[static_cast<std::size_t>(d)] >= 0) term(y[static_cast<std::size_t>(d)], 1.0);
  }
  row('E', 1.0);
  // Flow conservation at (d, p): in = out; each device starts at most one stage.
  for (std::int32_t d = 0; d < num_devices; ++d) {
    for (std::int32_t p = 0; p < num_layers; ++p) {
      if (p == 0 && y[static_cast<std::size_t>(d)] >= 0) term(y[static_cast<std::size_t>(d)], 1.0);
      for (std::size_t i = 0; i < arcs.size(); ++i) {
        if (arcs[i].e == d && arcs[i].q == p) term(first_arc + static_cast<int>(i), 1.0);
        if (arcs[i].d == d && arcs[i].p == p) term(first_arc + static_cast<int>(i), -1.0);
      }
      row('E', 0.0);
    }
    for (std::size_t i = 0; i < arcs.size(); ++i) {
      if (arcs[i].d == d) term(first_arc + static_cast<int>(i), 1.0);
    }
    row('L', 1.0);
  }
  // One sink arc.
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    if (arcs[i].e == num_devices) term(first_arc + static_cast<int>(i), 1.0);
  }
  row('E', 1.0);
  // T >= the time of every chosen arc and source transfer.
  for (std::int32_t d = 0; d < num_devices; ++d) {
    if (y[static_cast<std::size_t>(d)] < 0) continue;
    term(0, 1.0);
    term(y[static_cast<std::size_t>(d)], -source[static_cast<std::size_t>(d)] / scale);
    row('G', 0.0);
  }
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    term(0, 1.0);
    term(first_arc + static_cast<int>(i), -arcs[i].time_s / scale);
    row('G', 0.0);
  }

  Cbc_solve(m);
  if (Cbc_isProvenInfeasible(m) != 0) {
    answer.solved = true;
    return answer;
  }
  if (Cbc_isProvenOptimal(m) == 0) return answer;
  answer.solved = true;
  answer.feasible = true;
  answer.objective_s = Cbc_getObjValue(m) * scale;
  const double* x = Cbc_getColSolution(m);
  std::int32_t device = -1;
  for (std::int32_t d = 0; d < num_devices; ++d) {
    if (y[static_cast<std::size_t>(d)] >= 0 && x[y[static_cast<std::size_t>(d)]] > 0.5) device = d;
  }
  answer.period_s = source[static_cast<std::size_t>(device)];
  for (std::int32_t p = 0; p < num_layers;) {
    const Arc* next = nullptr;
    for (std::size_t i = 0; i < arcs.size(); ++i) {
      if (arcs[i].d == device && arcs[i].p == p && x[first_arc + static_cast<int>(i)] > 0.5)
        next = &arcs[i];
    }
    if (next == nullptr) break;
    answer.stages.push_back({DeviceId(next->d), LayerId(next->p), LayerId(next->q - 1)});
    answer.period_s = std::max(answer.period_s, next->time_s);
    device = next->e;
    p = next->q;
  }
  return answer;
}

}  // namespace tessera::testing
