#include "tessera/pipeline/mpi_pipeline.hpp"

#include "tessera/pipeline/mpi_transfer.hpp"

#include <mpi.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include <algorithm>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>
#include <utility>

namespace tessera::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

/// Seconds since the run's common start (taken on every rank right after a barrier).
class RunClock {
 public:
  void start() { t0_ = Clock::now(); }
  [[nodiscard]] double now() const {
    return std::chrono::duration<double>(Clock::now() - t0_).count();
  }
  /// Sleeps until `until_s` on this clock (emulation's waiting out of a modelled time).
  void wait_until(double until_s) const {
    const double left = until_s - now();
    if (left > 0.0) std::this_thread::sleep_for(std::chrono::duration<double>(left));
  }

 private:
  Clock::time_point t0_ = Clock::now();
};

/// A bounded FIFO of messages with time-weighted occupancy.
class BoundedQueue {
 public:
  BoundedQueue(std::int32_t capacity, const RunClock& clock) : cap_(capacity), clock_(clock) {}

  void push(Message m) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return static_cast<std::int32_t>(q_.size()) < cap_; });
    account();
    q_.push_back(std::move(m));
    max_ = std::max(max_, static_cast<std::int32_t>(q_.size()));
    cv_.notify_all();
  }
  /// Blocks until there is room for one more (the receiver reserves a slot before receiving).
  void wait_for_room() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return static_cast<std::int32_t>(q_.size()) < cap_; });
  }
  Message pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !q_.empty(); });
    account();
    Message m = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return m;
  }
  [[nodiscard]] double mean(double end_s) {
    std::lock_guard lock(mu_);
    account_until(end_s);
    return end_s > 0.0 ? area_ / end_s : 0.0;
  }
  [[nodiscard]] std::int32_t max() const { return max_; }

 private:
  void account() { account_until(clock_.now()); }
  void account_until(double t) {
    area_ += static_cast<double>(q_.size()) * std::max(0.0, t - last_);
    last_ = std::max(last_, t);
  }

  std::int32_t cap_;
  const RunClock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Message> q_;
  double area_ = 0.0;
  double last_ = 0.0;
  std::int32_t max_ = 0;
};

constexpr int kDataTag = 7;
constexpr std::size_t kEventFields = 8;
constexpr std::size_t kStatFields = 5;

/// Events, busy time and queue statistics of one rank, as doubles for MPI_Gatherv. Busy time
/// counts every inference; the trace keeps the events of the first kTracedInferences, so a
/// long run's memory stays flat.
struct RankLog {
  std::mutex mu;
  std::vector<sim::TraceEvent> events;
  double busy_s = 0.0;

  void add(sim::TraceEvent e) {
    std::lock_guard lock(mu);
    if (e.kind == sim::EventKind::kCompute) busy_s += e.end_s - e.start_s;
    if (e.inference < kTracedInferences) events.push_back(e);
  }
};

std::vector<double> pack(const RankLog& log, const std::vector<double>& stats) {
  std::vector<double> out(stats);
  for (const auto& e : log.events) {
    out.insert(out.end(),
               {e.kind == sim::EventKind::kCompute ? 0.0 : 1.0, static_cast<double>(e.stage),
                static_cast<double>(e.inference), static_cast<double>(e.from_endpoint),
                static_cast<double>(e.to_endpoint), e.start_s, e.end_s, e.bytes});
  }
  return out;
}

void unpack(const double* p, std::size_t n, std::vector<sim::TraceEvent>& events) {
  for (std::size_t i = 0; i + kEventFields <= n; i += kEventFields) {
    sim::TraceEvent e;
    e.kind = p[i] == 0.0 ? sim::EventKind::kCompute : sim::EventKind::kTransfer;
    e.stage = static_cast<std::int32_t>(p[i + 1]);
    e.inference = static_cast<std::int64_t>(p[i + 2]);
    e.from_endpoint = static_cast<std::int32_t>(p[i + 3]);
    e.to_endpoint = static_cast<std::int32_t>(p[i + 4]);
    e.start_s = p[i + 5];
    e.end_s = p[i + 6];
    e.bytes = p[i + 7];
    events.push_back(e);
  }
}

/// What a receiver got where it expected another inference (LinkReceiver::receive's -1: a short
/// message).
std::string received_text(std::int64_t got) {
  return got < 0 ? "a message shorter than its cut" : "inference " + std::to_string(got);
}

/// Stage rank: receive, compute and send threads over two bounded queues.
void run_stage(const MpiSession& mpi, const std::vector<PipelineStage>& stages, const RunOptions& o,
               const StageCompute& compute, const RunClock& clock, RankLog& log,
               std::vector<double>& stats) {
  const auto i = static_cast<std::size_t>(mpi.rank() - 1);
  const PipelineStage& st = stages[i];
  const int prev = mpi.rank() - 1;
  const int next = i + 1 == stages.size() ? 0 : mpi.rank() + 1;
  const std::int32_t to = i + 1 == stages.size() ? o.source_endpoint : stages[i + 1].device_id;
  BoundedQueue in(o.input_queue, clock);
  BoundedQueue out(o.output_queue, clock);
  const auto n = o.inferences;

  std::thread receiver([&] {
    LinkReceiver link(prev, kDataTag);
    for (std::int64_t k = 0; k < n; ++k) {
      in.wait_for_room();
      Message m = make_message(static_cast<std::size_t>(st.input_bytes));
      const std::int64_t got = link.receive(m);
      if (got != k) {
        std::cerr << "tessera: error: stage " << st.index << " (device '" << st.device << "', rank "
                  << mpi.rank() << ", host " << mpi.host() << ") received " << received_text(got)
                  << " where inference " << k << " was due (lost or reordered)\n";
        mpi.abort(1);
      }
      in.push(std::move(m));
    }
  });
  std::thread sender([&] {
    LinkSender link(next, kDataTag);
    for (std::int64_t k = 0; k < n; ++k) {
      Message m = out.pop();
      const double start = clock.now();
      link.send(m, k);
      if (o.emulate) clock.wait_until(start + st.planned_send_s);
      log.add({sim::EventKind::kTransfer, next == 0 ? -1 : st.index + 1, k, st.device_id, to, start,
               clock.now(), static_cast<double>(m.size())});
    }
    link.finish();
  });
  for (std::int64_t k = 0; k < n; ++k) {
    Message input = in.pop();
    const double start = clock.now();
    auto output = compute(input);
    if (!output.ok()) {
      std::cerr << "tessera: error: stage " << st.index << " (device '" << st.device << "', rank "
                << mpi.rank() << ", host " << mpi.host() << "), inference " << k << ": "
                << output.error_text() << '\n';
      mpi.abort(2);
    }
    if (static_cast<std::int64_t>(output->size()) != st.output_bytes) {
      std::cerr << "tessera: error: stage " << st.index << " produced " << output->size()
                << " bytes where its cut has " << st.output_bytes << '\n';
      mpi.abort(1);
    }
    if (o.emulate) clock.wait_until(start + st.planned_compute_s);
    log.add({sim::EventKind::kCompute, st.index, k, st.device_id, st.device_id, start, clock.now(),
             0.0});
    out.push(std::move(output).value());
  }
  receiver.join();
  sender.join();
  const double end = clock.now();
  stats = {log.busy_s, in.mean(end), static_cast<double>(in.max()), out.mean(end),
           static_cast<double>(out.max())};
}

/// Rank 0: a source thread feeds inputs back to back; this thread collects the outputs.
void run_source_sink(const std::vector<PipelineStage>& stages, const RunOptions& o,
                     const SourceFn& source, const SinkFn& sink, const RunClock& clock,
                     RankLog& log, std::vector<double>& arrival, std::vector<double>& completion) {
  const auto n = o.inferences;
  const int last = static_cast<int>(stages.size());
  arrival.assign(static_cast<std::size_t>(n), 0.0);
  completion.assign(static_cast<std::size_t>(n), 0.0);
  std::thread feeder([&] {
    LinkSender link(1, kDataTag);
    for (std::int64_t k = 0; k < n; ++k) {
      Message m = source(k);
      const double start = clock.now();
      arrival[static_cast<std::size_t>(k)] = start;
      link.send(m, k);
      if (o.emulate) clock.wait_until(start + o.source_send_s);
      log.add({sim::EventKind::kTransfer, 0, k, o.source_endpoint, stages.front().device_id, start,
               clock.now(), static_cast<double>(m.size())});
    }
    link.finish();
  });
  LinkReceiver link(last, kDataTag);
  for (std::int64_t k = 0; k < n; ++k) {
    Message m = make_message(static_cast<std::size_t>(stages.back().output_bytes));
    const std::int64_t got = link.receive(m);
    if (got != k) {
      std::cerr << "tessera: error: the sink received " << received_text(got) << " where inference "
                << k << " was due (lost or reordered)\n";
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
    completion[static_cast<std::size_t>(k)] = clock.now();
    sink(k, m);
  }
  feeder.join();
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
#if defined(__SANITIZE_ADDRESS__)
  // Sanitizer builds: an MPI rank checks for leaks here, before MPI_Init, instead of at exit (ASan
  // and UBSan stay on throughout). OpenMPI's components, loaded with dlopen and closed at
  // MPI_Finalize, and its own threads leave allocations that LeakSanitizer reports without a
  // usable stack, so they can be neither fixed here nor suppressed by library name.
  __lsan_do_leak_check();
#endif
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  if (provided < MPI_THREAD_MULTIPLE) {
    if (rank_ == 0)
      std::cerr << "tessera: error: this MPI library does not support MPI_THREAD_MULTIPLE\n";
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
}

MpiSession::~MpiSession() {
  MPI_Finalize();
}

std::string MpiSession::host() const {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int len = 0;
  MPI_Get_processor_name(name, &len);
  return std::string(name, static_cast<std::size_t>(std::max(len, 0)));
}

void MpiSession::abort(int code) const {
  std::cerr.flush();
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

bool MpiSession::launched_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr;
}

Result<std::optional<MeasuredRun>> run_pipeline(const MpiSession& mpi,
                                                const std::vector<PipelineStage>& stages,
                                                const RunOptions& o, const StageCompute& compute,
                                                const SourceFn& source, const SinkFn& sink) {
  const auto expected = static_cast<int>(stages.size()) + 1;
  if (mpi.size() != expected) {
    return Diagnostic{"", 0, 0, "ranks",
                      "the plan has " + std::to_string(stages.size()) + " stages and needs " +
                          std::to_string(expected) + " MPI ranks (the source/sink and one per " +
                          "stage); this run has " + std::to_string(mpi.size())};
  }
  if (o.inferences < 1) return Diagnostic{"", 0, 0, "inferences", "must be >= 1"};
  if (o.input_queue < 1 || o.output_queue < 1)
    return Diagnostic{"", 0, 0, "queues", "input and output queues must hold >= 1"};
  for (const auto& s : stages) {
    constexpr auto kMaxCut = static_cast<std::int64_t>(INT_MAX - kMessageIndexBytes);
    if (s.input_bytes > kMaxCut || s.output_bytes > kMaxCut)
      return Diagnostic{"", 0, 0, "stages[" + std::to_string(s.index) + "]",
                        "a cut larger than 2 GiB is not supported by one MPI message"};
  }

  RunClock clock;
  RankLog log;
  std::vector<double> stats(kStatFields, 0.0);
  std::vector<double> arrival;
  std::vector<double> completion;
  MPI_Barrier(MPI_COMM_WORLD);
  clock.start();
  if (mpi.rank() == 0) {
    run_source_sink(stages, o, source, sink, clock, log, arrival, completion);
  } else {
    run_stage(mpi, stages, o, compute, clock, log, stats);
  }

  // Gather every rank's events and statistics, and its host name, on rank 0.
  const std::vector<double> mine = pack(log, stats);
  const int count = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(mpi.size()), 0);
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(counts.size(), 0);
  for (std::size_t r = 1; r < counts.size(); ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
  std::vector<double> all(mpi.rank() == 0 ? static_cast<std::size_t>(offsets.back() + counts.back())
                                          : 0);
  MPI_Gatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE,
              0, MPI_COMM_WORLD);
  char host[MPI_MAX_PROCESSOR_NAME] = {};
  const std::string my_host = mpi.host();
  std::copy_n(my_host.begin(), std::min<std::size_t>(my_host.size(), MPI_MAX_PROCESSOR_NAME - 1),
              host);
  std::vector<char> hosts(
      mpi.rank() == 0 ? static_cast<std::size_t>(mpi.size()) * MPI_MAX_PROCESSOR_NAME : 0);
  MPI_Gather(host, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, hosts.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
             0, MPI_COMM_WORLD);
  if (mpi.rank() != 0) return std::optional<MeasuredRun>{};

  MeasuredRun run;
  sim::SimulationResult& r = run.result;
  r.inferences = o.inferences;
  r.microbatch = o.microbatch;
  r.topology = "measured (MPI)";
  r.arrival_s = std::move(arrival);
  r.completion_s = std::move(completion);
  sim::summarise_timing(r);
  for (int rank = 0; rank < mpi.size(); ++rank) {
    const double* p = all.data() + offsets[static_cast<std::size_t>(rank)];
    const auto n = static_cast<std::size_t>(counts[static_cast<std::size_t>(rank)]);
    run.hosts.emplace_back(hosts.data() + static_cast<std::size_t>(rank) * MPI_MAX_PROCESSOR_NAME);
    unpack(p + kStatFields, n - kStatFields, r.events);
    if (rank == 0) continue;
    const PipelineStage& st = stages[static_cast<std::size_t>(rank - 1)];
    sim::DeviceStats d;
    d.device = st.device_id;
    d.name = st.device;
    d.busy_s = p[0];
    d.utilisation = r.makespan_s > 0.0 ? d.busy_s / r.makespan_s : 0.0;
    r.devices.push_back(d);
    sim::QueueStats q;
    q.stage = st.index;
    q.input_capacity = o.input_queue;
    q.output_capacity = o.output_queue;
    q.input_mean = p[1];
    q.input_max = static_cast<std::int32_t>(p[2]);
    q.output_mean = p[3];
    q.output_max = static_cast<std::int32_t>(p[4]);
    r.queues.push_back(q);
  }
  std::sort(
      r.events.begin(), r.events.end(),
      [](const sim::TraceEvent& a, const sim::TraceEvent& b) { return a.start_s < b.start_s; });
  return std::optional<MeasuredRun>(std::move(run));
}

}  // namespace tessera::pipeline
