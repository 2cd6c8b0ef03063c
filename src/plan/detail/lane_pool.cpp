#include "plan/detail/lane_pool.hpp"

namespace tessera::plan::detail {

LanePool::~LanePool() {
  stop();
}

void LanePool::stop() {
  if (workers_.empty()) return;
  stop_.store(true);
  generation_.fetch_add(1);
  generation_.notify_all();
  for (std::thread& w : workers_) w.join();
  workers_.clear();
  stop_.store(false);
}

void LanePool::resize(std::size_t lanes) {
  const std::size_t workers = lanes > 1 ? lanes - 1 : 0;
  if (workers == workers_.size()) return;
  stop();
  const std::uint64_t now = generation_.load();  // no run is in flight
  for (std::size_t t = 1; t <= workers; ++t) {
    workers_.emplace_back([this, t, now] { work(t, now); });
  }
}

void LanePool::work(std::size_t lane, std::uint64_t seen) {
  while (true) {
    generation_.wait(seen);  // until the generation moves on
    seen = generation_.load();
    if (stop_.load()) return;
    if (lane < used_) (*job_)(lane);
    if (remaining_.fetch_sub(1) == 1) remaining_.notify_one();
  }
}

void LanePool::run(std::size_t used, const std::function<void(std::size_t)>& job) {
  if (used <= 1 || workers_.empty()) {
    job(0);
    return;
  }
  job_ = &job;
  used_ = used;
  remaining_.store(workers_.size());
  generation_.fetch_add(1);  // publishes job_ and used_ to the workers
  generation_.notify_all();
  job(0);
  for (std::size_t left = remaining_.load(); left != 0; left = remaining_.load()) {
    remaining_.wait(left);
  }
}

}  // namespace tessera::plan::detail
