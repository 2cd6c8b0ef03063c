#pragma once
/// Reading a `tessera.plan/1` document back: what it was planned from and its stages.
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_table.hpp"
#include "tessera/io/problem_inputs.hpp"
#include "tessera/plan/plan.hpp"

namespace tessera::io {

/// One stage as the plan file names it.
struct PlanFileStage {
  std::string device;
  std::int32_t first_layer = 0;
  std::int32_t last_layer = 0;
  /// Lines of the device name and of the layer indices in the file (for diagnostics).
  int device_line = 0;
  int first_layer_line = 0;
  int last_layer_line = 0;
};

/// The parts of a `tessera.plan/1` document that rebuild and re-run the plan.
struct PlanFile {
  std::string path;
  ProblemInputs inputs;  ///< "inputs": model, platform, batch, sequence_length, pipeedge, buffers
  bool overlap = true;   ///< "options.overlap"
  bool include_source_sink = true;  ///< "options.include_source_sink"
  std::vector<PlanFileStage> stages;
};

/// Parses `text` (named `path` in diagnostics). Fails, listing every problem, when the format
/// is not tessera.plan/1, "inputs" is missing (plans written before it existed cannot be
/// rebuilt), or a stage lacks a device or layer range.
[[nodiscard]] Result<PlanFile> parse_plan_json(const std::string& text, const std::string& path);

/// Reads and parses the plan file at `path`.
[[nodiscard]] Result<PlanFile> load_plan_json(const std::string& path);

/// The stages with device names resolved against `table`. Fails, naming the file, line and
/// field of each, on a device not in the table, a device used by two stages, and layer ranges
/// that do not continue one another from layer 0 to the table's last layer.
[[nodiscard]] Result<std::vector<plan::StageAssignment>> resolve_stages(
    const PlanFile& file, const cost::CostTable& table);

}  // namespace tessera::io
