#pragma once
/// Aligned plain-text tables for the CLI.
#include <string>
#include <vector>

namespace tessera::io {

class TextTable {
 public:
  enum class Align { kLeft, kRight };
  explicit TextTable(std::vector<std::string> headers, std::vector<Align> align = {});
  void add_row(std::vector<std::string> cells);
  /// A horizontal rule before the next row.
  void add_rule();
  [[nodiscard]] std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;  ///< an empty row is a rule
};

/// 1234567 -> "1,234,567".
[[nodiscard]] std::string group_digits(long long value);
/// Bytes with a binary prefix: "1.50 MiB".
[[nodiscard]] std::string human_bytes(double bytes);
/// A count with an SI prefix: "4.09 G".
[[nodiscard]] std::string human_count(double value);
/// Seconds with a readable unit: "12.3 ms".
[[nodiscard]] std::string human_seconds(double seconds);
/// Joules with a readable unit: "4.20 mJ".
[[nodiscard]] std::string human_joules(double joules);

}  // namespace tessera::io
