#include "tessera/problem/schedule_problem.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "tessera/cost/kind_registry.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/io/model_loader.hpp"
#include "tessera/io/platform_yaml.hpp"

namespace tessera::problem {

namespace {

constexpr std::string_view kDataflow = "dataflow";

/// A chiplet's class: its params without the DRAM-interface flag (position, not design).
hw::ParamRecord class_key(const hw::Device& d) {
  hw::ParamRecord r;
  for (const auto& [k, v] : d.params) {
    if (k != "dram_interface") r[k] = v;
  }
  return r;
}

std::string class_label(const hw::ParamRecord& r) {
  const std::string df = r.word("dataflow") == "output_stationary" ? "os" : "ws";
  return df + "-" + std::to_string(r.integer("pes"));
}

Result<plan::ScheduleInstance> build_instance(const ScheduleProblem& sp,
                                              const std::vector<graph::Graph>& graphs,
                                              const hw::Platform& platform) {
  std::vector<Diagnostic> problems;
  const std::string file = platform.source_file;
  plan::ScheduleInstance inst;
  auto& pkg = inst.package;
  const auto& kinds = cost::KindRegistry::builtin();
  const cost::DeviceKind* kind = kinds.find(kDataflow);
  std::vector<hw::ParamRecord> classes;
  std::vector<const hw::Device*> representative;
  for (const auto& d : platform.devices) {
    if (d.kind != kDataflow) {
      problems.push_back({file, 0, 0, "devices." + d.name,
                          "tessera schedule needs a package of dataflow chiplets; device '" +
                              d.name + "' is of kind " + d.kind});
      continue;
    }
    const hw::ParamRecord key = class_key(d);
    auto it = std::find(classes.begin(), classes.end(), key);
    if (it == classes.end()) {
      classes.push_back(key);
      representative.push_back(&d);
      it = classes.end() - 1;
    }
    pkg.chiplet_names.push_back(d.name);
    pkg.chiplet_class.push_back(static_cast<std::int32_t>(it - classes.begin()));
    pkg.chiplet_memory_bytes.push_back(d.memory.value());
  }
  if (!problems.empty()) return problems;
  if (platform.devices.empty()) {
    return Diagnostic{file, 0, 0, "devices", "the platform has no chiplets"};
  }
  std::map<std::string, int> label_count;
  for (const auto& c : classes) {
    std::string label = class_label(c);
    if (label_count[label]++ > 0) label += "-" + std::to_string(label_count[label]);
    pkg.class_names.push_back(label);
  }
  const auto n = static_cast<std::int32_t>(platform.devices.size());
  // Hops and per-hop constants: the mesh's (uniform) numbers, read back from any routed pair.
  bool have_hop = false;
  for (std::int32_t a = 0; a < n; ++a) {
    for (std::int32_t b = 0; b < n; ++b) {
      const auto& l = platform.link(a, b);
      pkg.hops.push_back(a == b ? 0 : std::max(l.hops, 1));
      if (a != b && !have_hop) {
        const double h = std::max(l.hops, 1);
        pkg.hop_latency_s = l.latency.value() / h;
        pkg.nop_bytes_per_s = l.bandwidth.value();
        pkg.nop_j_per_byte_hop = l.energy_per_byte.value() / h;
        have_hop = true;
      }
    }
  }
  if (!have_hop) pkg.nop_bytes_per_s = 1.0;
  // DRAM: through the nearest chiplet with an interface (else the source endpoint).
  bool any_interface = false;
  for (const auto& d : platform.devices) any_interface |= d.params.flag("dram_interface");
  for (std::int32_t a = 0; a < n; ++a) {
    std::int32_t best = std::numeric_limits<std::int32_t>::max();
    if (any_interface) {
      for (std::int32_t b = 0; b < n; ++b) {
        if (platform.devices[static_cast<std::size_t>(b)].params.flag("dram_interface")) {
          best = std::min(best, pkg.hops[static_cast<std::size_t>(a * n + b)]);
        }
      }
    } else {
      best = std::max(platform.link(a, platform.source_endpoint()).hops - 1, 0);
    }
    pkg.dram_hops.push_back(best);
  }
  const hw::Device& first = platform.devices.front();
  pkg.dram_latency_s = first.params.number("dram_latency_ns") * 1e-9;
  pkg.dram_bytes_per_s = first.params.number("offchip_gb_per_s") * 1e9;
  pkg.dram_j_per_byte = first.params.number("dram_energy_pj_per_bit") * 8e-12;

  auto model = kind->make_model(cost::CostOptions{});
  for (std::size_t mi = 0; mi < graphs.size(); ++mi) {
    const auto& wm = sp.workload.models[mi];
    const auto& g = graphs[mi];
    const auto& chain = sp.chains[mi];
    plan::ScheduleModel m;
    m.name = g.name;
    m.batch = wm.batch;
    m.weight = wm.weight;
    m.deadline_s = wm.deadline_s;
    for (const auto& l : chain.layers) m.layer_names.push_back(l.name);
    const auto layers = chain.layers.size();
    m.weight_bytes.assign(layers, 0.0);
    for (std::size_t c = 0; c < classes.size(); ++c) {
      const hw::Device& dev = *representative[c];
      std::vector<double> t(layers), cj(layers), l2(layers), dj(layers);
      for (std::size_t l = 0; l < layers; ++l) {
        auto cost = model->estimate_layer(g, chain.layers[l], dev);
        if (!cost.ok()) {
          for (auto d : cost.diagnostics()) {
            d.file = sp.workload.file;
            d.line = wm.line;
            d.field = wm.field + ".model";
            problems.push_back(std::move(d));
          }
          return problems;
        }
        auto part = [&](const char* k) {
          const auto it = cost->parts.find(k);
          return it == cost->parts.end() ? 0.0 : it->second;
        };
        t[l] = cost->time.value();
        cj[l] = part("mac_j") + part("l1_j");
        l2[l] = part("l2_j");
        dj[l] = part("dram_j");
        m.weight_bytes[l] = cost->memory.value();
      }
      m.time_s.push_back(std::move(t));
      m.compute_j.push_back(std::move(cj));
      m.l2_j.push_back(std::move(l2));
      m.dram_j.push_back(std::move(dj));
    }
    // Cut tensors in the chiplets' element width.
    const double bpe = first.params.number("bytes_per_element");
    for (const auto& cut : chain.cut_tensors) {
      double elements = 0.0;
      for (auto t : cut) elements += static_cast<double>(g.tensor(t).elements());
      m.cut_bytes.push_back(elements * bpe);
    }
    inst.models.push_back(std::move(m));
  }
  return inst;
}

}  // namespace

Result<ScheduleProblem> assemble_schedule(const io::Workload& workload, std::string_view platform) {
  ScheduleProblem sp;
  sp.workload = workload;
  std::vector<Diagnostic> problems;
  auto p = io::load_platform(platform);
  if (!p.ok()) {
    for (const auto& d : p.diagnostics()) problems.push_back(d);
  }
  std::vector<graph::Graph> graphs;
  for (const auto& wm : workload.models) {
    io::ModelOptions mo;
    mo.batch = 1;
    mo.sequence_length = wm.sequence_length;
    mo.read_weight_data = false;
    auto g = io::load_model(wm.model, mo);
    if (!g.ok()) {
      for (auto d : g.diagnostics()) {
        d.message = "model '" + wm.model + "': " + d.message;
        d.field = wm.field + (d.field == "sequence_length" ? ".seq_len" : ".model");
        d.file = workload.file;
        d.line = wm.line;
        problems.push_back(std::move(d));
      }
      continue;
    }
    auto chain = graph::build_layer_chain(*g);
    if (!chain.ok()) {
      for (auto d : chain.diagnostics()) {
        d.file = workload.file;
        d.line = wm.line;
        d.field = wm.field + ".model";
        problems.push_back(std::move(d));
      }
      continue;
    }
    graphs.push_back(std::move(g).value());
    sp.chains.push_back(std::move(chain).value());
  }
  if (!problems.empty()) return problems;
  sp.platform = std::move(p).value();
  auto inst = build_instance(sp, graphs, sp.platform);
  if (!inst.ok()) return inst.diagnostics();
  sp.instance = std::move(inst).value();
  return sp;
}

Result<plan::ScheduleInstance> homogeneous_instance(const ScheduleProblem& problem,
                                                    std::string_view dataflow) {
  hw::Platform p = problem.platform;
  for (auto& d : p.devices) d.params["dataflow"] = std::string(dataflow);
  std::vector<graph::Graph> graphs;
  for (const auto& wm : problem.workload.models) {
    io::ModelOptions mo;
    mo.batch = 1;
    mo.sequence_length = wm.sequence_length;
    mo.read_weight_data = false;
    auto g = io::load_model(wm.model, mo);
    if (!g.ok()) return g.diagnostics();
    graphs.push_back(std::move(g).value());
  }
  return build_instance(problem, graphs, p);
}

}  // namespace tessera::problem
