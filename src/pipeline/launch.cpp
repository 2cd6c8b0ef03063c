#include "tessera/pipeline/launch.hpp"

#include <netdb.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <regex>

extern char** environ;

namespace tessera::pipeline {
namespace {

bool on_path(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string dirs(path);
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::vector<std::string> mpirun_command(const LaunchSpec& spec) {
  std::vector<std::string> cmd = {spec.mpirun};
  if (geteuid() == 0) cmd.emplace_back("--allow-run-as-root");
  cmd.emplace_back("--oversubscribe");
  if (spec.tcp_only) {
    cmd.insert(cmd.end(), {"--mca", "btl", "self,tcp"});
  }
  bool any_host = false;
  for (const auto& h : spec.rank_hosts) any_host = any_host || !h.empty();
  auto program = [&] {
    cmd.push_back(spec.worker);
    cmd.insert(cmd.end(), spec.worker_args.begin(), spec.worker_args.end());
  };
  if (!any_host) {
    cmd.insert(cmd.end(), {"-np", std::to_string(spec.rank_hosts.size())});
    program();
    return cmd;
  }
  for (std::size_t r = 0; r < spec.rank_hosts.size(); ++r) {
    if (r > 0) cmd.emplace_back(":");
    const std::string& h = spec.rank_hosts[r];
    cmd.insert(cmd.end(), {"-np", "1", "-host", h.empty() ? std::string("localhost") : h});
    program();
  }
  return cmd;
}

Status check_launch(const LaunchSpec& spec, const std::vector<std::string>& what) {
  std::vector<Diagnostic> problems;
  if (!on_path(spec.mpirun)) {
    problems.push_back(
        {"", 0, 0, "mpirun",
         "'" + spec.mpirun +
             "' is not on PATH: running a plan needs OpenMPI (Debian: openmpi-bin)"});
  }
  for (std::size_t r = 0; r < spec.rank_hosts.size(); ++r) {
    const std::string& h = spec.rank_hosts[r];
    if (h.empty()) continue;
    addrinfo* found = nullptr;
    const int rc = getaddrinfo(h.c_str(), nullptr, nullptr, &found);
    if (found != nullptr) freeaddrinfo(found);
    if (rc != 0) {
      problems.push_back({"", 0, 0, r < what.size() ? what[r] : "host",
                          "host '" + h + "' does not resolve (" + gai_strerror(rc) + ")"});
    }
  }
  if (!problems.empty()) return problems;
  return {};
}

Result<LaunchOutcome> launch(const std::vector<std::string>& command) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return Diagnostic{"", 0, 0, "mpirun", std::strerror(errno)};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    return Diagnostic{"", 0, 0, "mpirun",
                      "cannot start '" + command[0] + "': " + std::strerror(rc)};
  }
  // Pass mpirun's stderr through, watching for the line that names a failed rank.
  LaunchOutcome out;
  static const std::regex kFailed(
      R"(process rank (\d+) with PID \d+ on node (\S+) exited on signal (\d+))");
  FILE* err = fdopen(pipe_fds[0], "r");
  char* line = nullptr;
  std::size_t cap = 0;
  while (err != nullptr && getline(&line, &cap, err) != -1) {
    std::cerr << line;
    std::cmatch m;
    if (!out.failed_rank && std::regex_search(line, m, kFailed)) {
      int rank = 0;
      const std::string digits = m[1].str();
      std::from_chars(digits.data(), digits.data() + digits.size(), rank);
      out.failed_rank = rank;
      out.failure = "host " + m[2].str() + ", signal " + m[3].str();
    }
  }
  std::free(line);
  if (err != nullptr) fclose(err);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return out;
}

}  // namespace tessera::pipeline
