#pragma once
/// Platform descriptions in YAML (`format: tessera.platform/1`, documented in docs/formats.md)
/// and the presets that ship in presets/. Parsing goes parse → validate (every problem, with its
/// file, line and field) → build (`hw::build_platform`).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/kind_registry.hpp"
#include "tessera/hw/platform.hpp"

namespace tessera::io {

/// Largest platform file read: 1 MiB (1,024 devices, the most a platform may have, fit in far
/// less), checked before reading.
inline constexpr std::uintmax_t kMaxPlatformFileBytes = std::uintmax_t{1} << 20;

/// The `format` value this reader accepts.
inline constexpr std::string_view kPlatformFormat = "tessera.platform/1";

/// Parses a platform document. `file_name` is only used in diagnostics and
/// `Platform::source_file`. Every device's `params` are checked against its kind's schema
/// (from `kinds`) and stored with their defaults filled in. Fails with every problem found:
/// YAML syntax (with its line), a missing or wrong `format`, missing required fields (the
/// common device fields a kind reads: a CIM chip needs no roofline numbers), non-numeric,
/// negative or zero values where a positive one is needed, an unknown device kind or topology
/// (the valid ones are listed), a kind's param that is unknown (with a "did you mean"), of the
/// wrong type or out of range, duplicate device names, links or placements naming unknown
/// devices, unknown keys (with a "did you mean" suggestion), `count` < 1, a quantity given in
/// two units at once. Each problem is reported once, with its file, line and field.
[[nodiscard]] Result<hw::Platform> parse_platform_yaml(
    std::string_view text, const std::string& file_name,
    const cost::KindRegistry& kinds = cost::KindRegistry::builtin());

/// A preset name (`edge-cpu`: resolves to <preset dir>/edge-cpu.yaml) or a path (anything
/// containing '/' or ending in .yaml or .yml). Fails for an unknown preset (listing the known
/// ones), a file that cannot be read or is a directory, or any problem `parse_platform_yaml`
/// finds.
[[nodiscard]] Result<hw::Platform> load_platform(std::string_view name_or_path);

/// The directory presets are read from (set at build time).
[[nodiscard]] std::string preset_dir();

/// One shipped preset, as `tessera platforms` lists it.
struct PresetInfo {
  std::string name;               ///< file stem, what `--platform` accepts
  std::string description;        ///< the preset's `description`
  std::int32_t device_count = 0;  ///< device instances after `count` expansion
  std::string file;               ///< full path
  /// Empty when the preset loads; otherwise why it does not (then `device_count` is 0).
  std::vector<Diagnostic> diagnostics;
};

/// Every *.yaml file in `preset_dir()`, sorted by name.
[[nodiscard]] std::vector<PresetInfo> list_presets();

}  // namespace tessera::io
