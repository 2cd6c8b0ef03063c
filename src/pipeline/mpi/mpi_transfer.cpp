#include "tessera/pipeline/mpi_transfer.hpp"

#include <mpi.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace tessera::pipeline {
namespace {

/// Calls `test` back to back for kSpinSeconds, then yielding the CPU between calls for `yield_s`,
/// then with short sleeps between calls, until it returns true.
template <typename Test>
void poll_until(Test test, double yield_s) {
  using Clock = std::chrono::steady_clock;
  const auto spin_until = Clock::now() + std::chrono::duration<double>(kSpinSeconds);
  const auto yield_until = spin_until + std::chrono::duration<double>(yield_s);
  const auto pause = std::chrono::duration<double>(kPollSleepSeconds);
  while (!test()) {
    const auto now = Clock::now();
    if (now >= yield_until)
      std::this_thread::sleep_for(pause);
    else if (now >= spin_until)
      std::this_thread::yield();
  }
}

/// Waits for a message from `source` with `tag` (probes as poll_until tests, yielding for
/// kYieldSeconds) and returns its handle.
MPI_Message probe(int source, int tag) {
  MPI_Message message = MPI_MESSAGE_NULL;
  poll_until(
      [&] {
        int found = 0;
        MPI_Improbe(source, tag, MPI_COMM_WORLD, &found, &message, MPI_STATUS_IGNORE);
        return found != 0;
      },
      kYieldSeconds);
  return message;
}

}  // namespace

void LinkSender::take_ack() {
  MPI_Message ack = probe(dest_, tag_ + kAckTagOffset);
  MPI_Mrecv(nullptr, 0, MPI_BYTE, &ack, MPI_STATUS_IGNORE);
  credited_ += kLinkWindow;
}

void LinkSender::send(Message& payload, std::int64_t inference) {
  while (sent_ - credited_ >= kLinkWindow) take_ack();
  const std::size_t bytes = payload.size();
  payload.resize(bytes + kMessageIndexBytes);  // within capacity for a make_message buffer
  std::memcpy(payload.data() + bytes, &inference, kMessageIndexBytes);
  MPI_Request request = MPI_REQUEST_NULL;
  // run_pipeline refuses cuts that do not fit one MPI message with the index.
  MPI_Isend(payload.data(), static_cast<int>(payload.size()), MPI_BYTE, dest_, tag_, MPI_COMM_WORLD,
            &request);
  // The sender moves the data of a large message in pieces as the transport takes them: keep
  // testing (yielding between tests) for as long as the copy takes at kSlowestCopyBytesPerSecond.
  poll_until(
      [&request] {
        int done = 0;
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        return done != 0;
      },
      kYieldSeconds + static_cast<double>(bytes) / kSlowestCopyBytesPerSecond);
  payload.resize(bytes);
  ++sent_;
}

void LinkSender::finish() {
  while (credited_ + kLinkWindow <= sent_) take_ack();
}

std::int64_t LinkReceiver::receive(Message& payload) {
  // Wait until the message is announced (a probe that yields, then sleeps, between tests), then
  // receive it with the transport polled back to back: the wait for an inference holds no core,
  // the copy runs at full speed.
  const std::size_t bytes = payload.size();
  payload.resize(bytes + kMessageIndexBytes);
  MPI_Message message = probe(source_, tag_);
  MPI_Status status;
  MPI_Mrecv(payload.data(), static_cast<int>(payload.size()), MPI_BYTE, &message, &status);
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  std::int64_t index = -1;
  if (static_cast<std::size_t>(count) == payload.size())
    std::memcpy(&index, payload.data() + bytes, kMessageIndexBytes);
  payload.resize(bytes);
  if (++taken_ % kLinkWindow == 0)
    MPI_Send(nullptr, 0, MPI_BYTE, source_, tag_ + kAckTagOffset, MPI_COMM_WORLD);
  return index;
}

}  // namespace tessera::pipeline
