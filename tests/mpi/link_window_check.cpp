// Runs under mpirun with 2 ranks (see tests/CMakeLists.txt): one pipeline link, rank 0 to rank 1,
// over OpenMPI's TCP transport on the loopback.
//  - Back-pressure: while rank 1 takes nothing, rank 0's sender completes exactly kLinkWindow
//    sends of small (eager) messages and then waits (one more would otherwise leave at once).
//  - Every message arrives in order with its payload and inference index, small and 1 MiB alike.
//  - A message shorter than the receiver expects is reported as such (index -1).
// Exit 0 when every check passes; the failing rank prints what failed otherwise.
#include <mpi.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <iostream>
#include <thread>

#include "tessera/pipeline/mpi_pipeline.hpp"
#include "tessera/pipeline/mpi_transfer.hpp"

using namespace tessera::pipeline;

namespace {

constexpr int kTag = 21;
constexpr int kGoTag = 22;
constexpr std::int64_t kSmall = 9;  // small messages sent before the large ones
constexpr std::int64_t kLarge = 3;

std::size_t bytes_of(std::int64_t k) {
  return k < kSmall ? 100 : std::size_t{1} << 20;
}

Message payload_of(std::int64_t k) {
  Message m = make_message(bytes_of(k));
  for (std::size_t j = 0; j < m.size(); ++j) m[j] = static_cast<std::byte>((k * 37 + j) % 253);
  return m;
}

int sender() {
  std::atomic<std::int64_t> sent{0};
  std::atomic<int> failures{0};
  std::thread link_thread([&sent, &failures] {
    LinkSender link(1, kTag);
    for (std::int64_t k = 0; k < kSmall + kLarge; ++k) {
      Message m = payload_of(k);
      link.send(m, k);
      if (m != payload_of(k)) {
        std::cerr << "FAIL: send " << k << " changed its payload\n";
        failures.fetch_add(1);
      }
      sent.fetch_add(1);
    }
    Message shorter = make_message(50);
    link.send(shorter, kSmall + kLarge);
    link.finish();
  });
  while (sent.load() < kLinkWindow) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::int64_t held = sent.load();
  const int go = 1;
  MPI_Send(&go, 1, MPI_INT, 1, kGoTag, MPI_COMM_WORLD);
  link_thread.join();
  if (held != kLinkWindow) {
    std::cerr << "FAIL: " << held << " sends completed while the receiver took none; the window is "
              << kLinkWindow << '\n';
    return 1;
  }
  return failures.load() == 0 ? 0 : 1;
}

int receiver() {
  int go = 0;
  MPI_Recv(&go, 1, MPI_INT, 0, kGoTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  LinkReceiver link(0, kTag);
  int failures = 0;
  for (std::int64_t k = 0; k < kSmall + kLarge; ++k) {
    Message m = make_message(bytes_of(k));
    const std::int64_t got = link.receive(m);
    if (got != k || m != payload_of(k)) {
      std::cerr << "FAIL: message " << k << " arrived as inference " << got
                << (m != payload_of(k) ? " with another payload" : "") << '\n';
      ++failures;
    }
  }
  Message expected_longer = make_message(100);
  if (const std::int64_t got = link.receive(expected_longer); got != -1) {
    std::cerr << "FAIL: a 50-byte message where 100 bytes were due returned index " << got << '\n';
    ++failures;
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  MpiSession mpi(&argc, &argv);
  if (mpi.size() != 2) {
    if (mpi.rank() == 0) std::cerr << "FAIL: link_window_check needs 2 ranks\n";
    return 1;
  }
  const int failed = mpi.rank() == 0 ? sender() : receiver();
  int any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any;
}
