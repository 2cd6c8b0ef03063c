// Tensor transfer of the MPI pipeline against OpenMPI's own ping-pong, side by side in one run.
//
//   mpirun -np 2 [--mca btl self,tcp --mca btl_tcp_if_include lo] pipeline_transfer [--rounds N]
//
// For each message size, rank 0 and rank 1 bounce a message back and forth N times, first with
// blocking MPI_Send/MPI_Recv (OpenMPI's own ping-pong: the transport polled in a tight loop),
// then with the pipeline's LinkSender/LinkReceiver (the payload and its inference index as one
// message, a credit window of four messages, waits that test back to back for 100 us, yield the
// CPU between tests for 1 ms, then sleep). Prints the bandwidth of each (bytes moved one way per
// second, 2 x size x N / time) and their ratio.
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "tessera/pipeline/mpi_transfer.hpp"

namespace {

constexpr int kTag = 11;

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double raw_pingpong(std::vector<std::byte>& buf, int rank, int rounds) {
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = now_s();
  const int n = static_cast<int>(buf.size());
  for (int i = 0; i < rounds; ++i) {
    if (rank == 0) {
      MPI_Send(buf.data(), n, MPI_BYTE, 1, kTag, MPI_COMM_WORLD);
      MPI_Recv(buf.data(), n, MPI_BYTE, 1, kTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(buf.data(), n, MPI_BYTE, 0, kTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(buf.data(), n, MPI_BYTE, 0, kTag, MPI_COMM_WORLD);
    }
  }
  return now_s() - start;
}

double pipeline_pingpong(std::vector<std::byte>& buf, int rank, int rounds) {
  using tessera::pipeline::Message;
  const int peer = 1 - rank;
  tessera::pipeline::LinkSender out(peer, kTag);
  tessera::pipeline::LinkReceiver in(peer, kTag);
  Message m = tessera::pipeline::make_message(buf.size());
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = now_s();
  for (int i = 0; i < rounds; ++i) {
    if (rank == 0) {
      out.send(m, i);
      if (in.receive(m) != i) MPI_Abort(MPI_COMM_WORLD, 1);
    } else {
      if (in.receive(m) != i) MPI_Abort(MPI_COMM_WORLD, 1);
      out.send(m, i);
    }
  }
  out.finish();
  return now_s() - start;
}

}  // namespace

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int rounds_scale = 1;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--rounds") == 0) rounds_scale = std::max(1, std::atoi(argv[i + 1]));
  if (size != 2) {
    if (rank == 0) std::fprintf(stderr, "pipeline_transfer needs exactly 2 ranks\n");
    MPI_Finalize();
    return 2;
  }
  if (rank == 0)
    std::printf(
        "| message | OpenMPI ping-pong (MB/s) | pipeline transfer (MB/s) | ratio |\n"
        "|---:|---:|---:|---:|\n");
  for (std::size_t bytes : {std::size_t{4} << 10, std::size_t{64} << 10, std::size_t{256} << 10,
                            std::size_t{1} << 20, std::size_t{4} << 20, std::size_t{16} << 20}) {
    std::vector<std::byte> buf(bytes, std::byte{1});
    // About 0.2 s per measurement at a few GB/s; small messages get more rounds.
    const int rounds =
        rounds_scale * static_cast<int>(std::max<std::size_t>(20, (256u << 20) / bytes / 4));
    raw_pingpong(buf, rank, rounds / 10 + 1);  // warm-up of both paths
    pipeline_pingpong(buf, rank, rounds / 10 + 1);
    // Alternate the two, three times each; keep each one's best.
    double raw = 1e300, piped = 1e300;
    for (int rep = 0; rep < 3; ++rep) {
      raw = std::min(raw, raw_pingpong(buf, rank, rounds));
      piped = std::min(piped, pipeline_pingpong(buf, rank, rounds));
    }
    if (rank == 0) {
      const double moved = 2.0 * static_cast<double>(bytes) * rounds / 1e6;
      std::printf("| %zu KiB | %.0f | %.0f | %.2f |\n", bytes >> 10, moved / raw, moved / piped,
                  raw / piped);
    }
  }
  MPI_Finalize();
  return 0;
}
