#pragma once
/// PipeEdge compatibility: reads PipeEdge's three scheduler inputs (models.yml,
/// device_types.yml, devices.yml) into a CostTable that reproduces PipeEdge's cost model, and
/// writes plans back in PipeEdge's schedule format.
///
/// PipeEdge (usc-isi/PipeEdge, src-native/schedule.cpp, BSD-3-Clause) models a stage on device
/// type t over layers l..r (1-indexed) as max(Σ time_s[t][l..r], out_bytes(r) / bandwidth), with
/// bandwidth min(bw_Mbps[t], bw_Mbps[t_next])·2^20/8 bytes/s and no send after the last stage;
/// the stage fits when mem_MB[t]·2^20 > Σ mem_MB[l..r]·2^20 + in_bytes(l)·(l > 1 ? 3 : 1)
/// + 3·out_bytes(r) (2 in / 2 out queue buffers plus one processing buffer each), where
/// in_bytes and out_bytes are 4·batch·elements (float32 only).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cost_table.hpp"

namespace tessera::io {

/// A PipeEdge scheduling problem as a CostTable, one device per host.
///
/// Plan it with the source/sink left out (PipeEdge charges neither the input nor the result
/// transfer); the source endpoint's links hold finite stand-in values. Device classes are the
/// PipeEdge device types, so hosts of one type are interchangeable.
struct PipeEdgeProblem {
  /// Devices are the hosts of every participating type; types in name order (as PipeEdge's
  /// std::map iterates them), hosts in file order within a type. Times for one microbatch of
  /// `batch` inputs; energy, workspace and static power are 0 (PipeEdge has no energy model).
  cost::CostTable table;
  /// Device index -> host name (the same as `table.device_names`).
  std::vector<std::string> hosts;
  /// Device index -> PipeEdge device type name.
  std::vector<std::string> host_types;
  /// Problems PipeEdge tolerates, kept for the caller to show: hosts of undefined types
  /// (PipeEdge ignores them silently), types skipped for want of a matching profile or of
  /// hosts, parameters_out shorter than the model (PipeEdge repeats it).
  std::vector<Diagnostic> warnings;
};

/// PipeEdge's data element size: it schedules float32 only (sched-pipeline.cpp, `--dtype`).
inline constexpr double kPipeEdgeDtypeBytes = 4.0;

/// Largest PipeEdge YAML file read: 1 MiB, checked before reading (yaml-cpp takes about 250 MB
/// and 2 s to parse 1 MiB of numbers; PipeEdge's own examples are a few KB).
inline constexpr std::uintmax_t kMaxPipeEdgeFileBytes = std::uintmax_t{1} << 20;
/// Most layers a PipeEdge model may have, as a problem file (kMaxProblemLayers).
inline constexpr std::int64_t kMaxPipeEdgeLayers = 100000;
/// The only profile dtype PipeEdge's scheduler accepts.
inline constexpr const char* kPipeEdgeDtype = "torch.float32";

/// Reads PipeEdge's scheduler inputs for `model_name` at microbatch size `batch` (PipeEdge's
/// default is 8). A device type takes part when it has a profile for the model with that
/// batch size and dtype torch.float32 and at least one host; other types are skipped with a
/// warning, as PipeEdge does.
///
/// Fails, naming the file, line and field of every problem found: a missing file, YAML syntax,
/// an unknown model (the known ones are listed), a missing or non-numeric field, a negative or
/// non-finite number, list lengths that disagree with `layers`, a host listed twice, or no
/// participating device type at all.
[[nodiscard]] Result<PipeEdgeProblem> load_pipeedge(const std::string& models_yml,
                                                    const std::string& device_types_yml,
                                                    const std::string& devices_yml,
                                                    const std::string& model_name,
                                                    std::int64_t batch = 8);

/// PipeEdge's three files already in memory (`*_name` names them in diagnostics).
struct PipeEdgeTexts {
  std::string models_name = "models.yml";
  std::string models;
  std::string device_types_name = "device_types.yml";
  std::string device_types;
  std::string devices_name = "devices.yml";
  std::string devices;
};

/// load_pipeedge on texts instead of files (the fuzz harness's entry point).
[[nodiscard]] Result<PipeEdgeProblem> parse_pipeedge(const PipeEdgeTexts& texts,
                                                     const std::string& model_name,
                                                     std::int64_t batch = 8);

/// PipeEdge's schedule YAML, as its sched-pipeline prints it (yaml-cpp emitter): one line
/// `- host: [first, last]` per stage in pipeline order, layers 1-indexed inclusive; `[]` for an
/// empty schedule. Ends with a newline. `layer_ranges_0_based_inclusive[i]` is the stage on
/// `hosts_in_stage_order[i]`; throws std::invalid_argument when the two sizes differ.
[[nodiscard]] std::string emit_pipeedge_schedule(
    const std::vector<std::string>& hosts_in_stage_order,
    const std::vector<std::pair<std::int32_t, std::int32_t>>& layer_ranges_0_based_inclusive);

}  // namespace tessera::io
