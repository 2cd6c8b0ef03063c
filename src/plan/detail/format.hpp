#pragma once
/// Number formatting for diagnostics (into strings; the plan module never prints).
#include <string>
#include <vector>

namespace tessera::plan::detail {

/// "1.20 GiB (1288490189 bytes)"-style text; binary prefixes, the exact count in brackets.
[[nodiscard]] std::string format_bytes(double bytes);
/// A number with 6 significant digits ("0.00123", "1.5e+09").
[[nodiscard]] std::string format_number(double value);
/// Joins lines with newlines.
[[nodiscard]] std::string format_lines(const std::vector<std::string>& lines);

}  // namespace tessera::plan::detail
