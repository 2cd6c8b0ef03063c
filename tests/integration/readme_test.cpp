// Every command of README.md's "What it does today" block runs as written (from a directory
// holding the repository's examples/ and tests/, as a fresh clone does) and exits 0.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

/// The `$T ...` commands of the README's first shell block that defines T, continuation
/// lines joined and comments dropped.
std::vector<std::string> readme_commands() {
  const fs::path source = fs::path(TESSERA_PRESET_DIR).parent_path();
  std::istringstream in(testing::read_file((source / "README.md").string()));
  std::vector<std::string> out;
  std::string line;
  bool in_block = false;
  std::string pending;
  while (std::getline(in, line)) {
    if (!in_block) {
      in_block = line == "T=build/release/tessera";
      continue;
    }
    if (line.rfind("```", 0) == 0) break;
    const auto hash = line.find(" #");
    if (hash != std::string::npos) line = line.substr(0, hash);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (line.empty()) continue;
    const bool continued = line.back() == '\\';
    if (continued) line.pop_back();
    pending += line;
    if (continued) continue;
    if (pending.rfind("$T ", 0) == 0) out.push_back(pending);
    pending.clear();
  }
  return out;
}

TEST(Readme, EveryCommandRunsAsWritten) {
  const auto commands = readme_commands();
  ASSERT_GE(commands.size(), 15U) << "the README's command block was not found";
  const fs::path source = fs::path(TESSERA_PRESET_DIR).parent_path();
  const testing::TempDir tmp;
  for (const char* dir : {"examples", "tests", "presets"})
    fs::create_directory_symlink(source / dir, fs::path(tmp.path()) / dir);
  for (const auto& command : commands) {
    const std::string script = "cd '" + tmp.path() + "' && T='" + std::string(TESSERA_CLI) +
                               "' && " + command + " > out.txt 2> err.txt";
    const int status = std::system(script.c_str());
    EXPECT_EQ(status, 0) << command << "\n" << testing::read_file(tmp.path() + "/err.txt");
  }
  // The files the commands name exist afterwards.
  for (const char* written :
       {"front.csv", "my.problem.json", "plan.html", "plan.json", "trace.json"})
    EXPECT_TRUE(fs::exists(fs::path(tmp.path()) / written)) << written;
}

}  // namespace
}  // namespace tessera
