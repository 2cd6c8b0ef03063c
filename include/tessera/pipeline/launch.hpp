#pragma once
/// Starting a pipeline run with OpenMPI's mpirun: one rank per endpoint of the plan (rank 0 the
/// source/sink, rank i + 1 stage i), each placed on its host, and watching it end.
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/result.hpp"

namespace tessera::pipeline {

struct LaunchSpec {
  std::string mpirun = "mpirun";  ///< the launcher (found on PATH)
  std::string worker;             ///< the program every rank runs
  std::vector<std::string> worker_args;
  /// Host of each rank ("" = this machine). All empty: every rank here, shared memory and TCP.
  std::vector<std::string> rank_hosts;
  /// Use only MPI's TCP transport (over the loopback on one machine), so the network path is
  /// exercised as between hosts.
  bool tcp_only = false;
};

/// The mpirun command line: `-np N worker args` when every rank is local, else one `-np 1 -host
/// H worker args` section per rank (MPMD form: rank i runs on rank_hosts[i]). As root it adds
/// `--allow-run-as-root`; `--oversubscribe` always (stages may outnumber cores).
[[nodiscard]] std::vector<std::string> mpirun_command(const LaunchSpec& spec);

/// Fails naming each host that does not resolve (device names in `what`, same order as hosts),
/// and when `mpirun` is not on PATH.
[[nodiscard]] Status check_launch(const LaunchSpec& spec, const std::vector<std::string>& what);

struct LaunchOutcome {
  int exit_code = 0;
  /// The rank mpirun reported as failed ("process rank N ... exited on signal S"), if any.
  std::optional<int> failed_rank;
  std::string failure;  ///< mpirun's line about it
};

/// Runs the command, passing its output through to this process's stderr/stdout, and waits.
[[nodiscard]] Result<LaunchOutcome> launch(const std::vector<std::string>& command);

}  // namespace tessera::pipeline
