#include "tessera/runtime/affinity.hpp"

#include <sched.h>

#include <string>

namespace tessera::runtime {

Result<std::vector<int>> allowed_cpus() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
    return Diagnostic{"", 0, 0, "--pin", "cannot read this process's CPU affinity"};
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
  if (cpus.empty()) return Diagnostic{"", 0, 0, "--pin", "no CPU is available to this process"};
  return cpus;
}

Status pin_this_thread(int cpu) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0)
    return Diagnostic{"", 0, 0, "--pin", "cannot pin to CPU " + std::to_string(cpu)};
  return {};
}

}  // namespace tessera::runtime
