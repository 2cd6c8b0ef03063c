#pragma once
/// A plan run as a real pipeline over MPI: rank 0 is the source and sink, rank i + 1 runs stage
/// i. Every stage overlaps receiving, computing and sending (three threads, bounded queues of
/// the plan's depths); a link holds at most four messages its receiver has not taken (credits,
/// mpi_transfer.hpp), so a full queue holds its sender back as in the simulator. With emulation a
/// stage's compute takes at least its planned device's time and a send at least its planned link's
/// time, so a plan for other hardware runs here with that hardware's timing. Clocks:
/// std::chrono::steady_clock, aligned by a barrier at the start (exact on one host; across hosts
/// the barrier's skew remains).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/pipeline/stages.hpp"
#include "tessera/sim/simulation_result.hpp"

namespace tessera::pipeline {

/// One inference's tensors crossing a cut, laid end to end (see message_bytes).
using Message = std::vector<std::byte>;
/// Bytes a message carries on the wire after its tensors: its inference index.
inline constexpr std::size_t kMessageIndexBytes = sizeof(std::int64_t);
/// A message of `payload_bytes` (zeros) with room for the inference index after them, so a send
/// or receive appends the index without moving the payload.
[[nodiscard]] Message make_message(std::size_t payload_bytes);
/// A stage's work on one inference: its input message to its output message.
using StageCompute = std::function<Result<Message>(const Message& input)>;
/// Rank 0: the model inputs of inference k; and what to do with its outputs (called in order,
/// as each completes, so outputs are on disk before the run ends).
using SourceFn = std::function<Message(std::int64_t inference)>;
using SinkFn = std::function<void(std::int64_t inference, const Message& output)>;

struct RunOptions {
  std::int64_t inferences = 10;
  std::int32_t input_queue = 2;      ///< inputs a stage holds (received, not yet computed)
  std::int32_t output_queue = 2;     ///< outputs a stage holds (computed, not yet sent)
  bool emulate = false;              ///< wait out each stage's planned compute and send times
  double source_send_s = 0.0;        ///< planned time of the source's send (emulation)
  std::int32_t source_endpoint = 0;  ///< the source/sink's endpoint id in traces (the table's D)
  std::int32_t microbatch = 1;
};

/// MPI for the process: initialised with MPI_THREAD_MULTIPLE, finalised on destruction.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] std::string host() const;
  /// Ends every rank of the run (MPI_Abort) after printing nothing: the caller reports first.
  [[noreturn]] void abort(int code) const;
  /// True when this process was started by mpirun (OpenMPI sets OMPI_COMM_WORLD_SIZE).
  [[nodiscard]] static bool launched_by_mpirun();

 private:
  int rank_ = 0;
  int size_ = 1;
};

/// The measured trace (events of computes and sends) covers the first this many inferences;
/// timing, busy time and queue statistics cover all of them.
inline constexpr std::int64_t kTracedInferences = 2000;

/// Measurements of a run, gathered on rank 0: the simulator's result type (timing summary,
/// per-stage busy time and utilisation, queue occupancy, a trace of every compute and send), so
/// the same reports, traces and Gantt charts show it. Energy is not measured (0).
struct MeasuredRun {
  sim::SimulationResult result;
  std::vector<std::string> hosts;  ///< per rank
};

/// Runs this rank's part of the pipeline. The run needs stages.size() + 1 ranks. Rank 0 uses
/// `source` and `sink`, the others `compute` (for stage rank - 1). Returns the gathered
/// measurements on rank 0 and nullopt elsewhere; a stage whose compute fails reports on stderr
/// and aborts the whole run.
[[nodiscard]] Result<std::optional<MeasuredRun>> run_pipeline(
    const MpiSession& mpi, const std::vector<PipelineStage>& stages, const RunOptions& options,
    const StageCompute& compute, const SourceFn& source, const SinkFn& sink);

}  // namespace tessera::pipeline
