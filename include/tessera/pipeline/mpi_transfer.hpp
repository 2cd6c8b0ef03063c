#pragma once
/// Point-to-point transfers of the MPI pipeline, shared by the ranks and the transfer benchmark.
///
/// Every message carries the inference index it belongs to, so a receiver can tell a lost or
/// reordered inference from the next one. The index and the payload travel as one MPI message
/// (an hindexed datatype over both buffers: no copy of the payload).
///
/// Waiting does not hold a core. OpenMPI's blocking calls poll the transport in a loop; a stage's
/// receive and send threads would then take the core its compute thread needs while they wait
/// for the next inference or for room downstream (on a machine with one core per stage the
/// period doubles). A receive probes for the message with short sleeps between probes (after
/// `kSpinSeconds` back to back), then takes it with the transport polled at full speed; a send
/// tests its request back to back for `kSpinSeconds` plus the time the copy takes at
/// `kSlowestCopyBytesPerSecond`, then with short sleeps.
#include <cstdint>

#include "tessera/pipeline/mpi_pipeline.hpp"

namespace tessera::pipeline {

/// How long a wait tests without sleeping before it starts sleeping between tests.
inline constexpr double kSpinSeconds = 100e-6;
/// The sleep between tests after that (the kernel's timer slack adds ~50 us).
inline constexpr double kPollSleepSeconds = 20e-6;
/// A send keeps testing back to back while its payload could still be in flight at this rate
/// (loopback TCP on a loaded machine; shared memory is several times faster).
inline constexpr double kSlowestCopyBytesPerSecond = 500e6;

/// Sends inference `inference`'s `payload` to rank `dest` synchronously (MPI_Issend: returns when
/// the receiver has matched it, which gives a pipeline its back-pressure).
void send_message(const Message& payload, std::int64_t inference, int dest, int tag);

/// Receives one message from rank `source` into `payload`, which the caller sizes to the
/// expected byte count; returns the inference index the message carries. A message of another
/// size is an MPI error (MPI_ERR_TRUNCATE ends the job).
[[nodiscard]] std::int64_t receive_message(Message& payload, int source, int tag);

}  // namespace tessera::pipeline
