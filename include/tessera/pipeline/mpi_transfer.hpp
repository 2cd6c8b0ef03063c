#pragma once
/// Point-to-point transfers of the MPI pipeline, shared by the ranks and the transfer benchmark.
///
/// A message is the payload followed by the inference index it belongs to (kMessageIndexBytes),
/// one contiguous buffer: the payload is sent in place (a message made by make_message has room
/// for the index), and a receiver can tell a lost or reordered inference from the next one.
///
/// Back-pressure by credits: a link holds at most kLinkWindow messages its receiver has not taken;
/// the receiver acknowledges every kLinkWindow-th message it takes (a zero-byte message on the
/// data tag plus kAckTagOffset), which returns kLinkWindow credits. A full queue downstream thus
/// holds its sender back, as in the simulator, with at most kLinkWindow messages between them,
/// and an acknowledgement costs a message only every kLinkWindow messages. (A synchronous send
/// per message, one in flight, costs a reply for every message: over loopback TCP a 4 KiB
/// transfer then reaches about 0.65 of OpenMPI's ping-pong; a window of two, about 0.77; of four,
/// about 0.85.)
///
/// Waiting does not hold a core. OpenMPI's blocking calls poll the transport in a loop; a stage's
/// receive and send threads would then take the core its compute thread needs while they wait
/// for the next inference or for room downstream (on a machine with one core per stage the
/// period doubles). A wait here tests back to back for `kSpinSeconds`, then with sched_yield
/// between tests (the CPU goes to this rank's compute thread, or any other, when it has work;
/// otherwise the test comes right back) for `kYieldSeconds` (a send: plus the time its copy takes
/// at `kSlowestCopyBytesPerSecond`), then with short sleeps between tests. A receive then takes
/// its message with the transport polled at full speed.
#include <cstdint>

#include "tessera/pipeline/mpi_pipeline.hpp"

namespace tessera::pipeline {

/// How long a wait tests back to back before it yields the CPU between tests.
inline constexpr double kSpinSeconds = 100e-6;
/// How long it then tests with sched_yield between tests before it sleeps between tests. A peer's
/// answer often takes longer than kSpinSeconds on a shared machine (a rank descheduled for a
/// moment); a sleep would add the timer's slack to every such wait.
inline constexpr double kYieldSeconds = 1e-3;
/// The sleep between tests after that (the kernel's timer slack adds ~50 us).
inline constexpr double kPollSleepSeconds = 20e-6;
/// A send keeps testing (yielding between tests) while its payload could still be in flight at
/// this rate (loopback TCP on a loaded machine; shared memory is several times faster).
inline constexpr double kSlowestCopyBytesPerSecond = 500e6;
/// Messages a link holds that its receiver has not taken, and the number each acknowledgement
/// returns.
inline constexpr std::int64_t kLinkWindow = 4;
/// Tags of acknowledgements: the data tag plus this.
inline constexpr int kAckTagOffset = 1 << 12;

/// The sending end of one link: this rank to rank `dest`, messages tagged `tag`.
class LinkSender {
 public:
  LinkSender(int dest, int tag) : dest_(dest), tag_(tag) {}

  /// Sends inference `inference`'s `payload` once the link has room; returns when the payload
  /// has left `payload`'s buffer (which it borrows to append the index, then restores).
  void send(Message& payload, std::int64_t inference);
  /// Takes the acknowledgements still due (call after the last send, before MPI_Finalize).
  void finish();

 private:
  void take_ack();

  int dest_;
  int tag_;
  std::int64_t sent_ = 0;
  std::int64_t credited_ = 0;  ///< messages the receiver has acknowledged
};

/// The receiving end of one link: messages from rank `source` tagged `tag`.
class LinkReceiver {
 public:
  LinkReceiver(int source, int tag) : source_(source), tag_(tag) {}

  /// Receives the next message into `payload`, which the caller sizes to the expected byte count
  /// (make_message gives it room for the index); returns the inference index it carries, or -1
  /// for a message shorter than expected. A longer message is an MPI error (MPI_ERR_TRUNCATE ends
  /// the job).
  [[nodiscard]] std::int64_t receive(Message& payload);

 private:
  int source_;
  int tag_;
  std::int64_t taken_ = 0;
};

}  // namespace tessera::pipeline
