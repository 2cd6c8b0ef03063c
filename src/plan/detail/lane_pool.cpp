#include "plan/detail/lane_pool.hpp"

namespace tessera::plan::detail {

LanePool::~LanePool() {
  stop();
}

void LanePool::stop() {
  if (workers_.empty()) return;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    ++generation_;
  }
  start_.notify_all();
  for (std::thread& w : workers_) w.join();
  workers_.clear();
  stop_ = false;
}

void LanePool::resize(std::size_t lanes) {
  const std::size_t workers = lanes > 1 ? lanes - 1 : 0;
  if (workers == workers_.size()) return;
  stop();
  const std::uint64_t now = generation_;  // no run is in flight
  for (std::size_t t = 1; t <= workers; ++t) {
    workers_.emplace_back([this, t, now] { work(t, now); });
  }
}

void LanePool::work(std::size_t lane, std::uint64_t seen) {
  while (true) {
    const std::function<void(std::size_t)>* job = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      if (stop_) return;
      if (lane < used_) job = job_;
    }
    if (job != nullptr) (*job)(lane);
    bool last = false;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      last = --remaining_ == 0;
    }
    if (last) done_.notify_one();
  }
}

void LanePool::run(std::size_t used, const std::function<void(std::size_t)>& job) {
  if (used <= 1 || workers_.empty()) {
    job(0);
    return;
  }
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    job_ = &job;
    used_ = used;
    remaining_ = workers_.size();
    ++generation_;
  }
  start_.notify_all();
  job(0);
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return remaining_ == 0; });
}

}  // namespace tessera::plan::detail
