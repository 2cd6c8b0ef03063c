#pragma once
/// Runs the `tessera` binary the build produced and captures what it printed.
#include <string>
#include <vector>

namespace tessera::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs TESSERA_CLI with `args` (each passed as one argument, shell-quoted).
[[nodiscard]] CliResult run_cli(const std::vector<std::string>& args);

/// A fresh temporary directory for one test, removed by the caller if it likes.
[[nodiscard]] std::string make_temp_dir();

/// Writes `text` to `path`.
void write_file(const std::string& path, const std::string& text);

}  // namespace tessera::testing
