#pragma once
/// A JSON input file parsed once, with the line of every value: validators name the line of a
/// bad field, not only syntax errors. Private to io (problem and plan files).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tessera/core/result.hpp"

namespace tessera::io::detail {

/// Nesting deeper than this is refused (no Tessera format nests more than five levels).
inline constexpr std::size_t kMaxJsonDepth = 64;

class JsonDocument {
 public:
  nlohmann::json root;

  /// 1-based line of the value at `field` ("devices[2].layer_time_s[5]", the validators'
  /// spelling); the line of its nearest recorded ancestor when the value itself is absent, 0
  /// when none is known.
  [[nodiscard]] int line_of(std::string_view field) const;

  /// Records where a value starts (used while parsing).
  void record_member(std::string path, int line) { member_lines_[std::move(path)] = line; }
  void record_element(const std::string& array_path, int line) {
    element_lines_[array_path].push_back(line);
  }

 private:
  std::unordered_map<std::string, int> member_lines_;                ///< object members
  std::unordered_map<std::string, std::vector<int>> element_lines_;  ///< per array, per element
};

/// Parses `text` (the contents of `file`). Syntax errors, numbers out of double range and
/// nesting deeper than kMaxJsonDepth are diagnostics with line and column; the message shows
/// no raw bytes and no library exception names.
[[nodiscard]] Result<JsonDocument> parse_json_document(std::string_view text,
                                                       const std::string& file);

/// `"devices[3].name"`: the spelling of a field path the validators use.
[[nodiscard]] std::string member_path(const std::string& parent, std::string_view key);
[[nodiscard]] std::string element_path(const std::string& parent, std::size_t index);

/// "a number", "a string", "an array", "an object", "null", "true or false": what a value is,
/// for messages such as "must be a string, got a number".
[[nodiscard]] std::string json_kind(const nlohmann::json& value);

}  // namespace tessera::io::detail
