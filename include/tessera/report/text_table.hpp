#pragma once
/// Aligned plain-text tables for the CLI.
#include <string>
#include <vector>

#include "tessera/core/format.hpp"

namespace tessera::report {

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

}  // namespace tessera::report
