#pragma once
/// The CPUs this process may run on, and pinning the calling thread to one of them: pipeline
/// stages (`tessera run --plan --pin`) and co-run profiles (`tessera profile --co-run`) place
/// their work on the same CPUs in the same order.
#include <vector>

#include "tessera/core/result.hpp"

namespace tessera::runtime {

/// The CPUs in this process's affinity mask, ascending; an error if it cannot be read.
[[nodiscard]] Result<std::vector<int>> allowed_cpus();

/// Pins the calling thread (and the threads it starts afterwards) to `cpu`.
[[nodiscard]] Status pin_this_thread(int cpu);

}  // namespace tessera::runtime
