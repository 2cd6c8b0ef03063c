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

/// A fresh directory under /tmp for one test, removed with its contents when the object goes
/// out of scope (also when an ASSERT returns early).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// The whole file at `path` (empty when it cannot be read).
[[nodiscard]] std::string read_file(const std::string& path);

/// The text of presets/NAME.yaml.
[[nodiscard]] std::string preset_text(const std::string& name);

/// Writes `text` to `path`.
void write_file(const std::string& path, const std::string& text);

}  // namespace tessera::testing
