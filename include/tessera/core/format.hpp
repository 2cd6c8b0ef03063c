#pragma once
/// Quantities as people read them ("12.3 ms", "1.50 MiB"), for reports and messages. Formatting
/// into strings only: nothing here prints.
#include <cstdint>
#include <string>

namespace tessera {

/// Bytes with a binary prefix: "1.50 MiB".
[[nodiscard]] std::string human_bytes(double bytes);
/// A count with an SI prefix: "4.09 G".
[[nodiscard]] std::string human_count(double value);
/// Seconds with a readable unit: "12.3 ms".
[[nodiscard]] std::string human_seconds(double seconds);
/// Joules with a readable unit: "4.20 mJ".
[[nodiscard]] std::string human_joules(double joules);
/// A fixed-point number: fixed_digits(3.14159, 2) = "3.14".
[[nodiscard]] std::string fixed_digits(double value, int digits);
/// An amount of a capacity resource in its unit: bytes with a binary prefix ("1.50 MiB"),
/// any other unit as a plain count ("7 tiles").
[[nodiscard]] std::string human_amount(double amount, const std::string& unit);
/// "1 device", "3 devices": a count and a noun, plural unless the count is 1 (`plural` when
/// the noun does not just take an "s").
[[nodiscard]] std::string count_of(std::int64_t n, const std::string& noun,
                                   const std::string& plural = "");

}  // namespace tessera
