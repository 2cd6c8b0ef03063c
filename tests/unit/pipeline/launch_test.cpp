// The mpirun command line for a plan's ranks, and the checks before launching.
#include "tessera/pipeline/launch.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

namespace tessera::pipeline {
namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& a : v) out += (out.empty() ? "" : " ") + a;
  return out;
}

std::string root_flag() {
  return geteuid() == 0 ? "--allow-run-as-root " : "";
}

TEST(MpirunCommand, RunsEveryRankHereWithOneSection) {
  LaunchSpec s;
  s.worker = "/bin/tessera-stage";
  s.worker_args = {"--plan", "p.json"};
  s.rank_hosts = {"", "", ""};
  s.tcp_only = true;
  EXPECT_EQ(joined(mpirun_command(s)), "mpirun " + root_flag() +
                                           "--oversubscribe --mca btl self,tcp -np 3 "
                                           "/bin/tessera-stage --plan p.json");
}

TEST(MpirunCommand, PlacesEachRankOnItsHost) {
  LaunchSpec s;
  s.worker = "w";
  s.rank_hosts = {"", "node-0", "node-1"};
  EXPECT_EQ(joined(mpirun_command(s)), "mpirun " + root_flag() +
                                           "--oversubscribe -np 1 -host localhost w : "
                                           "-np 1 -host node-0 w : -np 1 -host node-1 w");
}

TEST(CheckLaunch, NamesTheDeviceWhoseHostDoesNotResolve) {
  LaunchSpec s;
  s.worker = "w";
  s.rank_hosts = {"", "localhost", "no-such-host.invalid"};
  const auto st = check_launch(s, {"source", "stage 0 (device 'a')", "stage 1 (device 'b')"});
  ASSERT_FALSE(st.ok());
  ASSERT_EQ(st.diagnostics().size(), 1u) << st.error_text();
  EXPECT_EQ(st.diagnostics()[0].field, "stage 1 (device 'b')");
  EXPECT_NE(st.error_text().find("no-such-host.invalid"), std::string::npos);
}

TEST(CheckLaunch, SaysWhenMpirunIsMissing) {
  LaunchSpec s;
  s.mpirun = "mpirun-that-does-not-exist";
  s.rank_hosts = {""};
  const auto st = check_launch(s, {"source"});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error_text().find("openmpi-bin"), std::string::npos) << st.error_text();
}

TEST(Launch, ReportsTheExitCodeOfTheCommand) {
  const auto ok = launch({"true"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->exit_code, 0);
  const auto bad = launch({"false"});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->exit_code, 1);
  EXPECT_FALSE(launch({"/nonexistent/program"}).ok());
}

}  // namespace
}  // namespace tessera::pipeline
