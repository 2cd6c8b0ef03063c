#pragma once
/// Reading whole input files with a diagnostic naming the path when that fails.
#include <cstdint>
#include <string>

#include "tessera/core/result.hpp"

namespace tessera {

/// Largest text input (problem and plan JSON, NeuroSim reports; YAML inputs have their own):
/// 64 MiB, checked before reading.
inline constexpr std::uintmax_t kMaxTextFileBytes = std::uintmax_t{64} << 20;

/// The contents of `path`; fails (field "file") when it does not exist, is a directory, is
/// larger than `max_bytes`, or cannot be read.
[[nodiscard]] Result<std::string> read_text_file(const std::string& path,
                                                 std::uintmax_t max_bytes = kMaxTextFileBytes);

/// 1-based line of a byte offset in `text`.
[[nodiscard]] int line_of_offset(std::string_view text, std::size_t offset);

}  // namespace tessera
