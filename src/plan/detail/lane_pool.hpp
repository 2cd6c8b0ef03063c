#pragma once
/// Threads kept for the life of a DP, so that each level of a pass costs a wake-up instead of
/// a thread start.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tessera::plan::detail {

class LanePool {
 public:
  LanePool() = default;
  LanePool(const LanePool&) = delete;
  LanePool& operator=(const LanePool&) = delete;
  ~LanePool();

  /// Keeps `lanes` - 1 worker threads (lane 0 is the caller's).
  void resize(std::size_t lanes);
  [[nodiscard]] std::size_t lanes() const { return workers_.size() + 1; }
  /// Runs job(t) for t in [0, used) (used <= lanes()), t = 0 on the calling thread, and
  /// returns when every lane is done.
  void run(std::size_t used, const std::function<void(std::size_t)>& job);

 private:
  /// A worker's loop; `seen` is the generation when it started.
  void work(std::size_t lane, std::uint64_t seen);
  void stop();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_;  ///< the generation moved on
  std::condition_variable done_;   ///< remaining_ reached 0
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t used_ = 0;
  std::uint64_t generation_ = 0;
  std::size_t remaining_ = 0;
  bool stop_ = false;
};

}  // namespace tessera::plan::detail
