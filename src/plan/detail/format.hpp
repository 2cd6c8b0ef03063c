#pragma once
/// Number formatting for diagnostics (into strings; the plan module never prints).
#include <string>
#include <string_view>
#include <vector>

namespace tessera::plan::detail {

/// "1.20 GiB (1288490189 bytes)"-style text; binary prefixes, the exact count in brackets.
[[nodiscard]] std::string format_bytes(double bytes);
/// An amount of a device's capacity resource: `format_bytes` for bytes, "409 tiles" otherwise.
[[nodiscard]] std::string format_amount(double amount, std::string_view unit);
/// A number with 6 significant digits ("0.00123", "1.5e+09").
[[nodiscard]] std::string format_number(double value);
/// Joins lines with newlines.
[[nodiscard]] std::string format_lines(const std::vector<std::string>& lines);

}  // namespace tessera::plan::detail
