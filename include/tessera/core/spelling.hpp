#pragma once
/// "Did you mean" suggestions for misspelt names in inputs.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera {

/// Levenshtein distance (insertions, deletions, substitutions) between `a` and `b`.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` when it is close enough to be a likely typo: at most
/// max(2, |word| / 3) edits away; nullopt otherwise.
[[nodiscard]] std::optional<std::string> closest_name(std::string_view word,
                                                      const std::vector<std::string>& candidates);

/// Items joined by `separator`.
[[nodiscard]] std::string join_names(const std::vector<std::string>& items,
                                     std::string_view separator = ", ");

}  // namespace tessera
