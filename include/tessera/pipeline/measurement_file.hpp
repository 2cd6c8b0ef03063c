#pragma once
/// A measured pipeline run as a file (`tessera.measurement/1` JSON): what the MPI ranks measured,
/// written by rank 0 and read back by `tessera run --plan`, which sets it beside the plan's
/// prediction and the simulation.
#include <string>

#include "tessera/core/result.hpp"
#include "tessera/pipeline/mpi_pipeline.hpp"

namespace tessera::pipeline {

[[nodiscard]] std::string measurement_json(const MeasuredRun& run);
/// Fails naming `path` and the field on anything but a document measurement_json wrote.
[[nodiscard]] Result<MeasuredRun> parse_measurement_json(const std::string& text,
                                                         const std::string& path);

}  // namespace tessera::pipeline
