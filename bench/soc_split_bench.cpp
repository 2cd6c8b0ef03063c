// The SoC split optimiser: the exact split of every layer of ResNet-50 on a 3-unit SoC whose
// three units all run convolutions (the most splits per layer), and ResNet-18's exact network
// optimum under a total low-precision budget and its exact budget front on DIANA.
#include <benchmark/benchmark.h>

#include "tessera/cost/soc/soc_split.hpp"
#include "tessera/graph/passes.hpp"
#include "tessera/graph/zoo.hpp"
#include "tessera/io/platform_yaml.hpp"

namespace {

namespace soc = tessera::cost::soc;

struct Model {
  tessera::graph::Graph graph;
  tessera::graph::LayerChain chain;
};

Model model(const char* name) {
  auto g = tessera::graph::build_zoo_model(name);
  auto c = tessera::graph::build_layer_chain(*g);
  return {std::move(g).value(), std::move(c).value()};
}

/// DIANA's two arrays plus a 16 MAC/cycle core cluster that also runs convolutions.
soc::Soc three_unit_soc() {
  auto p = tessera::io::load_platform("diana");
  auto chip = soc::Soc::from_device(p->devices.at(0));
  soc::Soc s = std::move(chip).value();
  s.power = soc::PowerForm::kPerUnit;
  soc::Unit cores;
  cores.name = "cores";
  cores.form = soc::UnitForm::kMacArray;
  cores.macs_per_cycle = 16;
  cores.runs_conv = cores.runs_depthwise = cores.runs_fc = true;
  cores.active_power_mw = 20;
  s.units.push_back(cores);
  return s;
}

void BM_SplitEveryResnet50LayerOn3Units(benchmark::State& state) {
  const Model m = model("resnet50");
  const soc::Soc s = three_unit_soc();
  for (auto _ : state) {
    auto tables = soc::network_tables(s, m.graph, m.chain);
    double total = 0.0;
    for (const auto& t : tables->tables) {
      auto split = soc::best_split(s, t, soc::CostWeights{}, t.shape.c_out);
      total += split->cycles;
    }
    benchmark::DoNotOptimize(total);
  }
}

void BM_BudgetedOptimumAndFrontResnet18OnDiana(benchmark::State& state) {
  const Model m = model("resnet18");
  auto p = tessera::io::load_platform("diana");
  const soc::Soc s = soc::Soc::from_device(p->devices.at(0)).value();
  soc::SplitOptions o;
  o.objective = soc::SplitObjective::kEnergy;
  o.budget = 0.5;
  o.scope = soc::BudgetScope::kTotal;
  for (auto _ : state) {
    auto tables = soc::network_tables(s, m.graph, m.chain);
    auto best = soc::optimise_network(s, tables->tables, o);
    auto front = soc::budget_front(s, tables->tables, o);
    benchmark::DoNotOptimize(best->cost);
    benchmark::DoNotOptimize(front->size());
  }
}

}  // namespace

BENCHMARK(BM_SplitEveryResnet50LayerOn3Units)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BudgetedOptimumAndFrontResnet18OnDiana)->Unit(benchmark::kMillisecond);
