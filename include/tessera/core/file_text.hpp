#pragma once
/// Reading whole input files with a diagnostic naming the path when that fails.
#include <string>

#include "tessera/core/result.hpp"

namespace tessera {

/// The contents of `path`; fails (field "file") when it does not exist, is a directory, or
/// cannot be read.
[[nodiscard]] Result<std::string> read_text_file(const std::string& path);

/// 1-based line of a byte offset in `text`.
[[nodiscard]] int line_of_offset(std::string_view text, std::size_t offset);

}  // namespace tessera
