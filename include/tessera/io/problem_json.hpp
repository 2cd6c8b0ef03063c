#pragma once
/// The problem file (`*.problem.json`, format `tessera.problem/1`): a CostTable written as
/// numbers, for users with measured profiles. docs/formats.md describes every key.
#include <string>
#include <string_view>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_table.hpp"

namespace tessera::io {

/// Most layers a problem file may list (devices: hw::kMaxDevices; microbatch: kMaxBatch).
inline constexpr std::size_t kMaxProblemLayers = 100000;

/// Parses and validates a problem document (every problem reported with its field path, and
/// JSON syntax errors with their line).
[[nodiscard]] Result<cost::CostTable> parse_problem_json(std::string_view text,
                                                         const std::string& file_name);
[[nodiscard]] Result<cost::CostTable> load_problem_json(const std::string& path);

/// Writes a CostTable as a problem document (round-trips through parse_problem_json).
[[nodiscard]] std::string problem_json(const cost::CostTable& table);

/// True for paths the CLI treats as problem files (`*.problem.json`).
[[nodiscard]] bool is_problem_path(std::string_view spec);

}  // namespace tessera::io
