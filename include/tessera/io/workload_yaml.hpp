#pragma once
/// The input of `tessera schedule`: a multi-model workload (tessera.workload/1 YAML).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"

namespace tessera::io {

inline constexpr std::string_view kWorkloadFormat = "tessera.workload/1";

/// Most models in a workload (each is built and costed; a package has at most 1,024 chiplets),
/// checked on the list's length before any entry is read.
inline constexpr std::size_t kMaxWorkloadModels = 1024;
/// Largest workload file read: 1 MiB, checked before reading (as a platform file).
inline constexpr std::uintmax_t kMaxWorkloadFileBytes = std::uintmax_t{1} << 20;

/// One model of a workload, with where it was written (for diagnostics).
struct WorkloadModel {
  std::string model;  ///< zoo name, or an .onnx path (relative to the workload file's folder)
  std::int64_t batch = 1;
  std::int64_t sequence_length = 0;  ///< 0: the model's default
  double weight = 1.0;               ///< scales its latency in the objectives
  double deadline_s = std::numeric_limits<double>::infinity();
  std::string field;  ///< "models[2]"
  int line = 0;
};

struct Workload {
  std::string name;
  std::string file;
  std::vector<WorkloadModel> models;
};

/// Parses `text`: format, name (optional), models (a non-empty list of at most
/// kMaxWorkloadModels mappings with `model`, `batch` 1 to kMaxBatch, optional `seq_len` 1 to
/// kMaxSequenceLength, `weight` > 0, `deadline_s` > 0). Every problem is
/// reported with file, line and field; unknown keys with a "did you mean".
[[nodiscard]] Result<Workload> parse_workload_yaml(std::string_view text, const std::string& file);

/// Reads and parses the file at `path`.
[[nodiscard]] Result<Workload> load_workload(const std::string& path);

}  // namespace tessera::io
