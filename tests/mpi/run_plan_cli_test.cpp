// `tessera run MODEL --plan PLAN.json`: a plan executed as an MPI pipeline (one rank per stage
// plus the source/sink, OpenMPI over TCP on the loopback), its outputs and its failures.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/cli_runner.hpp"

namespace tessera::testing {
namespace {

const std::string kPiPair = std::string(TESSERA_SOURCE_DIR) + "/examples/pi-pair.yaml";

/// A resnet18 plan on two Raspberry Pi 4 boards: two stages, cut at layer 9 (inside a residual
/// block, so the block's input crosses the cut beside the convolution's output).
std::string resnet18_plan(const TempDir& dir) {
  const std::string plan = dir.path() + "/plan.json";
  const auto r = run_cli({"plan", "resnet18", "--platform", kPiPair, "--json", plan});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return plan;
}

TEST(RunPlan, PipelinedOutputsEqualTheSingleProcessRun) {
  TempDir dir;
  const auto plan = resnet18_plan(dir);
  const auto single = run_cli({"run", "resnet18", "--random-weights", "3", "--threads", "1",
                               "--inferences", "1", "--output", dir.path() + "/single.npy"});
  ASSERT_EQ(single.exit_code, 0) << single.err;
  const auto piped =
      run_cli({"run", "resnet18", "--plan", plan, "--random-weights", "3", "--threads", "1",
               "--inferences", "4", "--tcp", "--pin", "--output", dir.path() + "/piped.npy",
               "--trace", dir.path() + "/trace.json", "--report", dir.path() + "/run.html"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_NE(piped.out.find("planned   simulated   measured"), std::string::npos) << piped.out;
  EXPECT_NE(piped.out.find("rpi4-1"), std::string::npos) << piped.out;
  // Nothing meters a real run's power: its energy is said to be unmeasured, not 0 J.
  EXPECT_NE(piped.out.find("energy per inference   not measured"), std::string::npos) << piped.out;
  EXPECT_EQ(piped.out.find(" 0 J"), std::string::npos) << piped.out;
  const auto a = read_file(dir.path() + "/single.npy");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, read_file(dir.path() + "/piped.npy")) << "the same kernels on the same threads";
  EXPECT_NE(read_file(dir.path() + "/trace.json").find("traceEvents"), std::string::npos);
  // The HTML report sets the measured period beside the planned and simulated ones.
  const std::string html = read_file(dir.path() + "/run.html");
  EXPECT_NE(html.find("<h2>Measured run (measured (MPI))</h2>"), std::string::npos) << html;
  EXPECT_NE(html.find("<th>planned</th><th>simulated</th><th>measured</th>"), std::string::npos);
  EXPECT_NE(html.find("from the plan's over 4 inferences"), std::string::npos);
}

TEST(RunPlan, AStageThatDoesNotFitItsDeviceIsInfeasibleBeforeAnythingStarts) {
  // Planned for 4 GiB boards; the boards then shrink to 16 MiB: stage 1 holds ~40 MiB of
  // ResNet-18's weights.
  TempDir dir;
  std::string yaml = read_file(kPiPair);
  const std::string big = "    memory_gib: 4\n";
  const auto at = yaml.find(big);
  ASSERT_NE(at, std::string::npos);
  write_file(dir.path() + "/pis.yaml", yaml);
  const std::string plan = dir.path() + "/plan.json";
  ASSERT_EQ(run_cli({"plan", "resnet18", "--platform", dir.path() + "/pis.yaml", "--json", plan})
                .exit_code,
            0);
  yaml.replace(at, big.size(), "    memory_gib: 0.015625\n");
  write_file(dir.path() + "/pis.yaml", yaml);
  const auto r = run_cli({"run", "resnet18", "--plan", plan, "--random-weights", "1"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("rpi4-1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("but has 16.00 MiB"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("measured"), std::string::npos) << "nothing ran";
}

TEST(RunPlan, RejectsAPlanMadeForAnotherModel) {
  TempDir dir;
  const auto plan = resnet18_plan(dir);
  const auto r = run_cli({"run", "vgg8", "--plan", plan});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("made for model 'resnet18'"), std::string::npos) << r.err;
}

TEST(RunPlan, NamesTheDeviceWhoseHostDoesNotResolve) {
  TempDir dir;
  std::string yaml = read_file(kPiPair);
  const auto at = yaml.find("    count: 2\n");
  ASSERT_NE(at, std::string::npos);
  yaml.insert(at, "    host: no-such-host-{i}.invalid\n");
  write_file(dir.path() + "/hosts.yaml", yaml);
  const std::string plan = dir.path() + "/plan.json";
  ASSERT_EQ(run_cli({"plan", "resnet18", "--platform", dir.path() + "/hosts.yaml", "--json", plan})
                .exit_code,
            0);
  const auto r = run_cli({"run", "resnet18", "--plan", plan, "--random-weights", "1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("device 'rpi4-0'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no-such-host-0.invalid"), std::string::npos) << r.err;
}

/// The PID of the tessera-stage process that is MPI rank `rank`, or 0.
pid_t stage_pid(int rank) {
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmd(e.path() / "cmdline");
    std::string line;
    std::getline(cmd, line, '\0');
    if (line.find("tessera-stage") == std::string::npos) continue;
    std::ifstream env(e.path() / "environ");
    std::string var;
    while (std::getline(env, var, '\0'))
      if (var == "OMPI_COMM_WORLD_RANK=" + std::to_string(rank)) return std::stoi(name);
  }
  return 0;
}

TEST(RunPlan, AStageKilledMidRunEndsTheRunNamingItAndKeepsFinishedOutputs) {
  TempDir dir;
  const auto plan = resnet18_plan(dir);
  const std::string outs = dir.path() + "/outputs";
  const std::string log = dir.path() + "/err.txt";
  const pid_t child = fork();
  if (child == 0) {
    const std::string cmd = std::string(TESSERA_CLI) + " run resnet18 --plan " + plan +
                            " --random-weights 1 --threads 1 --inferences 100000 --tcp" +
                            " --output-dir " + outs + " 2> " + log;
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait for two finished outputs, then kill stage 1 (MPI rank 2) with SIGKILL.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(outs + "/output-1.npy") &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(std::filesystem::exists(outs + "/output-1.npy")) << read_file(log);
  const pid_t victim = stage_pid(2);
  ASSERT_NE(victim, 0);
  const auto killed_at = std::chrono::steady_clock::now();
  kill(victim, SIGKILL);
  int status = 0;
  pid_t done = 0;
  while ((done = waitpid(child, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() - killed_at < std::chrono::seconds(20))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (done == 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    FAIL() << "the run did not end after a stage was killed";
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  EXPECT_LT(seconds, 5.0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 4) << read_file(log);
  const std::string err = read_file(log);
  EXPECT_NE(err.find("stage 1 (device 'rpi4-1')"), std::string::npos) << err;
  EXPECT_NE(err.find("MPI rank 2"), std::string::npos) << err;
  EXPECT_TRUE(std::filesystem::exists(outs + "/output-0.npy"));
  EXPECT_FALSE(read_file(outs + "/output-0.npy").empty());
}

}  // namespace
}  // namespace tessera::testing
