#pragma once
/// Shared pieces of the `tessera` command line: exit codes and output.
#include <string>

#include "tessera/core/result.hpp"

namespace tessera::cli {

/// The CLI contract (DESIGN.md): 0 success, 1 internal error, 2 bad input, 3 infeasible.
enum ExitCode : int { kOk = 0, kInternalError = 1, kBadInput = 2, kInfeasible = 3 };

/// Prints "tessera: error: ..." for each diagnostic and returns kBadInput.
int report_bad_input(const std::vector<Diagnostic>& diagnostics);

/// Writes `text` to `path` ("-" = stdout). Returns false and reports when the file cannot be
/// written.
bool write_output(const std::string& path, const std::string& text);

}  // namespace tessera::cli
