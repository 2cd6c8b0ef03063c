// Writes a seeded random planning problem (tests/support/random_instance.cpp) as a
// tessera.problem/1 file, so that the CLI can plan instances of any size:
//   random_problem LAYERS DEVICES SEED OUT.json   (distinct devices, memory tightness 0.5)
//   tessera plan OUT.json --time-limit 5 --gap 1%
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "support/random_instance.hpp"
#include "tessera/io/problem_json.hpp"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: random_problem LAYERS DEVICES SEED OUT.json\n";
    return 2;
  }
  tessera::testing::RandomInstanceSpec spec;
  spec.layers = std::atoi(argv[1]);
  const int devices = std::atoi(argv[2]);
  spec.seed = std::strtoull(argv[3], nullptr, 10);
  if (spec.layers < 1 || devices < 1) {
    std::cerr << "random_problem: LAYERS and DEVICES must be at least 1\n";
    return 2;
  }
  spec.class_sizes.assign(static_cast<std::size_t>(devices), 1);
  spec.memory_tightness = 0.5;
  std::ofstream out(argv[4]);
  out << tessera::io::problem_json(tessera::testing::random_cost_table(spec));
  if (!out) {
    std::cerr << "random_problem: cannot write " << argv[4] << '\n';
    return 2;
  }
  return 0;
}
