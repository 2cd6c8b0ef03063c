#include "tessera/pipeline/mpi_transfer.hpp"

#include <mpi.h>

#include <chrono>
#include <thread>

namespace tessera::pipeline {
namespace {

/// One message = the inference index followed by the payload, described in place.
class Envelope {
 public:
  Envelope(std::int64_t* index, std::byte* payload, std::size_t bytes) {
    MPI_Aint addresses[2];
    MPI_Get_address(index, &addresses[0]);
    MPI_Get_address(payload, &addresses[1]);
    // run_pipeline refuses cuts over INT_MAX bytes before any transfer.
    int lengths[2] = {static_cast<int>(sizeof(std::int64_t)), static_cast<int>(bytes)};
    MPI_Type_create_hindexed(2, lengths, addresses, MPI_BYTE, &type_);
    MPI_Type_commit(&type_);
  }
  ~Envelope() { MPI_Type_free(&type_); }
  Envelope(const Envelope&) = delete;
  Envelope& operator=(const Envelope&) = delete;
  [[nodiscard]] MPI_Datatype type() const { return type_; }

 private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
};

/// Calls `test` back to back for `spin_s`, then with short sleeps between calls, until it
/// returns true.
template <typename Test>
void poll_until(Test test, double spin_s) {
  using Clock = std::chrono::steady_clock;
  const auto spin_until = Clock::now() + std::chrono::duration<double>(spin_s);
  const auto pause = std::chrono::duration<double>(kPollSleepSeconds);
  while (!test())
    if (Clock::now() >= spin_until) std::this_thread::sleep_for(pause);
}

}  // namespace

void send_message(const Message& payload, std::int64_t inference, int dest, int tag) {
  std::int64_t index = inference;
  Envelope envelope(&index, const_cast<std::byte*>(payload.data()), payload.size());
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Issend(MPI_BOTTOM, 1, envelope.type(), dest, tag, MPI_COMM_WORLD, &request);
  // The sender moves the data of a large message in pieces as the transport takes them: test
  // back to back for as long as the copy takes at kSlowestCopyBytesPerSecond, then sleep.
  poll_until(
      [&request] {
        int done = 0;
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        return done != 0;
      },
      kSpinSeconds + static_cast<double>(payload.size()) / kSlowestCopyBytesPerSecond);
}

std::int64_t receive_message(Message& payload, int source, int tag) {
  // Idle until the message is announced (a probe that sleeps between tests), then receive it
  // with the transport polled back to back: the wait for an inference costs no core, the copy
  // runs at full speed.
  MPI_Message message = MPI_MESSAGE_NULL;
  poll_until(
      [&] {
        int found = 0;
        MPI_Improbe(source, tag, MPI_COMM_WORLD, &found, &message, MPI_STATUS_IGNORE);
        return found != 0;
      },
      kSpinSeconds);
  std::int64_t index = -1;
  Envelope envelope(&index, payload.data(), payload.size());
  MPI_Mrecv(MPI_BOTTOM, 1, envelope.type(), &message, MPI_STATUS_IGNORE);
  return index;
}

}  // namespace tessera::pipeline
