#include "tessera/sim/simulate.hpp"

#include <xbt/log.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <simgrid/s4u.hpp>
#include <string>

namespace tessera::sim {

namespace {

namespace sg4 = simgrid::s4u;

/// Simulated host speed: compute of c seconds executes c × kHostSpeed flops. The value only
/// scales SimGrid's work amounts; the times come from the cost table.
constexpr double kHostSpeed = 1e9;
/// SimGrid rejects infinite bandwidths; faster links are clamped to this (bytes/s).
constexpr double kMaxBandwidth = 1e18;

/// SimGrid keeps one engine per process and its configuration can be set only after the first
/// engine exists and before the first platform does, so it is set once; each run builds a fresh
/// engine and platform and measures times from the clock at its start (the clock is not reset
/// between engines).
void configure_simgrid_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Keep SimGrid quiet: only critical messages reach stderr.
    xbt_log_control_set("root.thresh:critical");
    // CM02 without TCP gamma, cross-traffic or latency/bandwidth correction factors: a lone
    // transfer takes exactly latency + bytes / bandwidth, the model the planner uses.
    sg4::Engine::set_config("network/model:CM02");
    sg4::Engine::set_config("network/TCP-gamma:0");
    sg4::Engine::set_config("network/crosstraffic:0");
  });
}

/// Time-weighted occupancy of one bounded queue.
struct Occupancy {
  std::int32_t now = 0;
  std::int32_t max = 0;
  double last_change_s = 0.0;
  double area = 0.0;  ///< ∫ occupancy dt
  void change(double t, std::int32_t delta) {
    area += static_cast<double>(now) * (t - last_change_s);
    last_change_s = t;
    now += delta;
    max = std::max(max, now);
  }
  [[nodiscard]] double mean(double end_s, double start_s) const {
    const double total = area + static_cast<double>(now) * (end_s - last_change_s);
    return end_s > start_s ? total / (end_s - start_s) : 0.0;
  }
};

struct StageData {
  std::int32_t device = 0;
  std::int32_t in_cut = 0;   ///< cut the stage receives (its first layer)
  std::int32_t out_cut = 0;  ///< cut it sends (after its last layer)
  double compute_s = 0.0;    ///< device time per inference: Σ time_s, or max when pipelined
  double latency_s = 0.0;    ///< one inference from start to output: Σ time_s
  double compute_j = 0.0;
  double send_j = 0.0;
  sg4::Host* host = nullptr;
  sg4::SemaphorePtr in_free, in_items, out_free, out_items;
  Occupancy in_occ, out_occ;
  double busy_s = 0.0;
  /// The device pipelines its layers and a stage's latency exceeds its compute: after its
  /// compute_s on the device, an inference's output is ready latency_s after it started. A
  /// fill actor waits out that delay per inference without blocking the next one.
  bool fill = false;
  std::int32_t layers = 1;
  sg4::SemaphorePtr in_flight;  ///< inferences inside the device's layer pipeline (≤ layers)
  sg4::SemaphorePtr filled;     ///< outputs the fill actor has still to release
  std::deque<double> ready_s;   ///< when each of those is ready (in order)
  sg4::MutexPtr turn;           ///< without overlap: compute and sends take turns on the device
};

std::vector<Diagnostic> validate(const cost::CostTable& t,
                                 const std::vector<plan::StageAssignment>& stages,
                                 const SimOptions& o) {
  std::vector<Diagnostic> problems;
  auto error = [&](std::string field, std::string message) {
    problems.push_back(Diagnostic{"", 0, 0, std::move(field), std::move(message)});
  };
  if (stages.empty()) error("stages", "the plan has no stages");
  if (o.inferences < 1)
    error("inferences", "must be >= 1 (got " + std::to_string(o.inferences) + ")");
  if (!(o.rate_per_s >= 0.0) || !std::isfinite(o.rate_per_s))
    error("rate", "must be a finite number >= 0 (0 = back-to-back)");
  if (o.input_queue < 1) error("input_queue", "must be >= 1");
  if (o.output_queue < 1) error("output_queue", "must be >= 1");
  std::vector<bool> used(static_cast<std::size_t>(std::max(t.num_devices, 0)), false);
  std::int32_t expected_first = 0;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const auto& s = stages[i];
    const std::string field = "stages[" + std::to_string(i) + "]";
    const auto d = s.device.value();
    if (d < 0 || d >= t.num_devices) {
      error(field + ".device", "device id " + std::to_string(d) + " is not in the table (" +
                                   std::to_string(t.num_devices) + " devices)");
      continue;
    }
    if (used[static_cast<std::size_t>(d)])
      error(field + ".device", "device '" + t.device_names[static_cast<std::size_t>(d)] +
                                   "' runs more than one stage");
    used[static_cast<std::size_t>(d)] = true;
    if (s.first_layer.value() != expected_first || s.last_layer.value() < s.first_layer.value() ||
        s.last_layer.value() >= t.num_layers) {
      error(field, "layers " + std::to_string(s.first_layer.value()) + "-" +
                       std::to_string(s.last_layer.value()) +
                       " do not continue the previous stage (expected first layer " +
                       std::to_string(expected_first) + ", at most layer " +
                       std::to_string(t.num_layers - 1) + ")");
      continue;
    }
    for (auto l = s.first_layer.value(); l <= s.last_layer.value(); ++l)
      if (!std::isfinite(t.time_s[t.at(d, l)]))
        error(field, "device '" + t.device_names[static_cast<std::size_t>(d)] +
                         "' cannot run layer " + std::to_string(l) + " (infinite time)");
    expected_first = s.last_layer.value() + 1;
  }
  if (problems.empty() && expected_first != t.num_layers)
    error("stages", "the stages end at layer " + std::to_string(expected_first - 1) +
                        " but the "
                        "model has " +
                        std::to_string(t.num_layers) + " layers");
  return problems;
}

/// The simulation of one run: platform, actors and what they record.
class Run {
 public:
  Run(const cost::CostTable& t, const std::vector<plan::StageAssignment>& stages,
      const SimOptions& o)
      : t_(t), o_(o), n_(o.inferences) {
    static int run_counter = 0;
    prefix_ = "run" + std::to_string(run_counter++) + "_";
    for (const auto& s : stages) {
      StageData sd;
      sd.device = s.device.value();
      sd.in_cut = s.first_layer.value();
      sd.out_cut = s.last_layer.value() + 1;
      double slowest = 0.0;
      for (auto l = s.first_layer.value(); l <= s.last_layer.value(); ++l) {
        sd.latency_s += t.time_s[t.at(sd.device, l)];
        slowest = std::max(slowest, t.time_s[t.at(sd.device, l)]);
        sd.compute_j += t.energy_j[t.at(sd.device, l)];
      }
      // A device that pipelines its layers (CostTable::pipelined_layers) takes a new inference
      // every slowest-layer time; each inference still needs the sum to pass every layer.
      const bool pipelined = t.pipelined(sd.device);
      sd.compute_s = pipelined ? slowest : sd.latency_s;
      sd.fill = pipelined && sd.latency_s > sd.compute_s;
      sd.layers = s.last_layer.value() - s.first_layer.value() + 1;
      stages_.push_back(std::move(sd));
    }
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      const bool last = i + 1 == stages_.size();
      if (!last || o_.include_source_sink)
        stages_[i].send_j = t.transfer_j(stages_[i].out_cut, stages_[i].device,
                                         last ? t.source_endpoint() : stages_[i + 1].device);
    }
    arrival_.assign(static_cast<std::size_t>(n_), 0.0);
    completion_.assign(static_cast<std::size_t>(n_), 0.0);
  }

  SimulationResult run() {
    int argc = 1;
    char name[] = "tessera-sim";
    char* argv[] = {name, nullptr};
    sg4::Engine engine(&argc, argv);
    configure_simgrid_once();
    build_platform();
    start_ = sg4::Engine::get_clock();
    spawn_actors();
    engine.run();
    return collect();
  }

 private:
  std::string endpoint_name(std::int32_t e) const {
    return prefix_ + (e == t_.source_endpoint() ? std::string("source") : "d" + std::to_string(e));
  }

  void build_platform() {
    auto* zone = sg4::create_full_zone(prefix_ + "platform");
    source_host_ = zone->create_host(endpoint_name(t_.source_endpoint()), kHostSpeed);
    for (auto& s : stages_) {
      s.host = zone->create_host(endpoint_name(s.device), kHostSpeed);
    }
    // The routes a run needs: source -> first, stage -> stage, last -> sink.
    std::vector<std::pair<std::int32_t, std::int32_t>> pairs;
    pairs.emplace_back(t_.source_endpoint(), stages_.front().device);
    for (std::size_t i = 0; i + 1 < stages_.size(); ++i)
      pairs.emplace_back(stages_[i].device, stages_[i + 1].device);
    pairs.emplace_back(stages_.back().device, t_.source_endpoint());

    auto bandwidth = [&](std::int32_t a, std::int32_t b) {
      const double bw = t_.link_bandwidth_bytes_per_s[t_.link_at(a, b)];
      return std::isfinite(bw) && bw > 0.0 ? std::min(bw, kMaxBandwidth) : kMaxBandwidth;
    };
    // Channels the routes cross, created once each; they are shared among concurrent transfers.
    std::map<std::int32_t, sg4::Link*> channels;
    auto channel = [&](std::int32_t c) {
      auto it = channels.find(c);
      if (it != channels.end()) return it->second;
      const hw::Channel& ch = o_.network.channels()[static_cast<std::size_t>(c)];
      const double bw = ch.bandwidth.value();
      auto* link = zone->create_link(
          prefix_ + "channel" + std::to_string(c),
          std::isfinite(bw) && bw > 0.0 ? std::min(bw, kMaxBandwidth) : kMaxBandwidth);
      link->set_sharing_policy(sg4::Link::SharingPolicy::SHARED);
      link->set_latency(0.0);  // the pair's link carries the route's latency
      link->seal();
      channels.emplace(c, link);
      return link;
    };
    auto host_of = [&](std::int32_t e) {
      if (e == t_.source_endpoint()) return source_host_;
      for (auto& s : stages_)
        if (s.device == e) return s.host;
      return source_host_;
    };
    for (std::size_t p = 0; p < pairs.size(); ++p) {
      const auto [a, b] = pairs[p];
      const bool endpoint_pair = p == 0 || p + 1 == pairs.size();
      const bool free = endpoint_pair && !o_.include_source_sink;
      const double latency = free ? 0.0 : t_.link_latency_s[t_.link_at(a, b)];
      auto* link = zone->create_link(prefix_ + "link" + std::to_string(p),
                                     free ? kMaxBandwidth : bandwidth(a, b));
      link->set_latency(std::isfinite(latency) ? latency : 0.0);
      // The pair's own link limits its rate but is never shared: only channels are.
      link->set_sharing_policy(sg4::Link::SharingPolicy::FATPIPE);
      link->seal();
      std::vector<sg4::LinkInRoute> route{sg4::LinkInRoute(link)};
      if (!free)
        for (std::int32_t c : o_.network.route(a, b)) route.emplace_back(channel(c));
      zone->add_route(host_of(a)->get_netpoint(), host_of(b)->get_netpoint(), nullptr, nullptr,
                      route, false);
    }
    zone->seal();
  }

  double now() const { return sg4::Engine::get_clock() - start_; }

  std::uint64_t cut_bytes(std::int32_t cut, bool endpoint_transfer) const {
    if (endpoint_transfer && !o_.include_source_sink) return 0;
    const double b = t_.cut_bytes[static_cast<std::size_t>(cut)];
    return b > 0.0 ? static_cast<std::uint64_t>(std::llround(b)) : 0;
  }

  void record(EventKind kind, std::int32_t stage, std::int64_t k, std::int32_t from,
              std::int32_t to, double start, double end, double bytes) {
    if (o_.record_trace) events_.push_back({kind, stage, k, from, to, start, end, bytes});
  }

  /// Moves inference k out of stage i (i = -1: the source) to stage i + 1 or to the sink.
  void deliver(std::int32_t i, std::int64_t k) {
    const auto count = static_cast<std::int32_t>(stages_.size());
    const std::int32_t to = i + 1;
    const std::int32_t from_ep =
        i < 0 ? t_.source_endpoint() : stages_[static_cast<std::size_t>(i)].device;
    const bool to_sink = to == count;
    const std::int32_t to_ep =
        to_sink ? t_.source_endpoint() : stages_[static_cast<std::size_t>(to)].device;
    if (!to_sink) {
      auto& next = stages_[static_cast<std::size_t>(to)];
      next.in_free->acquire();
      next.in_occ.change(now(), +1);
    }
    const std::int32_t cut =
        i < 0 ? stages_.front().in_cut : stages_[static_cast<std::size_t>(i)].out_cut;
    const auto bytes = cut_bytes(cut, i < 0 || to_sink);
    const double begin = now();
    if (i < 0 && o_.rate_per_s <= 0.0) arrival_[static_cast<std::size_t>(k)] = begin;
    sg4::Comm::sendto(i < 0 ? source_host_ : stages_[static_cast<std::size_t>(i)].host,
                      to_sink ? source_host_ : stages_[static_cast<std::size_t>(to)].host, bytes);
    record(EventKind::kTransfer, to_sink ? -1 : to, k, from_ep, to_ep, begin, now(),
           static_cast<double>(bytes));
    if (to_sink)
      complete(k);
    else
      stages_[static_cast<std::size_t>(to)].in_items->release();
  }

  /// The sink received inference k.
  void complete(std::int64_t k) {
    completion_[static_cast<std::size_t>(k)] = now();
    const std::int64_t step = std::max<std::int64_t>(1, n_ / 100);
    if (o_.progress && ((k + 1) % step == 0 || k + 1 == n_))
      o_.progress(static_cast<double>(k + 1) / static_cast<double>(n_));
  }

  void spawn_actors() {
    const auto count = static_cast<std::int32_t>(stages_.size());
    for (auto& s : stages_) {
      s.in_free = sg4::Semaphore::create(static_cast<unsigned>(o_.input_queue));
      s.in_items = sg4::Semaphore::create(0);
      s.out_free = sg4::Semaphore::create(static_cast<unsigned>(o_.output_queue));
      s.out_items = sg4::Semaphore::create(0);
      if (s.fill) {
        s.in_flight = sg4::Semaphore::create(static_cast<unsigned>(s.layers));
        s.filled = sg4::Semaphore::create(0);
        s.turn = sg4::Mutex::create();
      }
    }
    sg4::Actor::create(prefix_ + "source", source_host_, [this] {
      for (std::int64_t k = 0; k < n_; ++k) {
        if (o_.rate_per_s > 0.0) {
          const double at = static_cast<double>(k) / o_.rate_per_s;
          arrival_[static_cast<std::size_t>(k)] = at;
          if (at > now()) sg4::this_actor::sleep_until(start_ + at);
        }
        deliver(-1, k);
      }
    });
    for (std::int32_t i = 0; i < count; ++i) {
      auto& s = stages_[static_cast<std::size_t>(i)];
      sg4::Actor::create(prefix_ + "compute" + std::to_string(i), s.host, [this, &s, i] {
        for (std::int64_t k = 0; k < n_; ++k) {
          s.in_items->acquire();
          if (s.fill) {
            s.in_flight->acquire();
          } else if (o_.overlap) {
            s.out_free->acquire();
          }
          if (s.fill && !o_.overlap) s.turn->lock();
          const double begin = now();
          sg4::this_actor::execute(s.compute_s * kHostSpeed);
          const double end = now();
          if (s.fill && !o_.overlap) s.turn->unlock();
          s.busy_s += end - begin;
          record(EventKind::kCompute, i, k, s.device, s.device, begin, end, 0.0);
          s.in_occ.change(end, -1);
          s.in_free->release();
          if (s.fill) {
            s.ready_s.push_back(begin + s.latency_s);
            s.filled->release();
          } else if (o_.overlap) {
            s.out_occ.change(end, +1);
            s.out_items->release();
          } else {
            deliver(i, k);
          }
        }
      });
      if (s.fill) {
        // The layer pipeline's fill delay: the output of an inference that started at t is
        // ready at t + latency_s; then it is sent (or queued for the sender) as usual.
        sg4::Actor::create(prefix_ + "fill" + std::to_string(i), s.host, [this, &s, i] {
          for (std::int64_t k = 0; k < n_; ++k) {
            s.filled->acquire();
            const double ready = s.ready_s.front();
            s.ready_s.pop_front();
            if (ready > now()) sg4::this_actor::sleep_until(start_ + ready);
            if (o_.overlap) {
              s.out_free->acquire();
              s.out_occ.change(now(), +1);
              s.out_items->release();
            } else {
              s.turn->lock();
              deliver(i, k);
              s.turn->unlock();
            }
            s.in_flight->release();
          }
        });
      }
      if (o_.overlap) {
        sg4::Actor::create(prefix_ + "send" + std::to_string(i), s.host, [this, &s, i] {
          for (std::int64_t k = 0; k < n_; ++k) {
            s.out_items->acquire();
            deliver(i, k);
            s.out_occ.change(now(), -1);
            s.out_free->release();
          }
        });
      }
    }
  }

  SimulationResult collect() {
    SimulationResult r;
    r.inferences = n_;
    r.microbatch = t_.microbatch;
    r.topology = std::string(hw::topology_name(o_.topology));
    r.rate_per_s = o_.rate_per_s;
    r.arrival_s = arrival_;
    r.completion_s = completion_;
    summarise_timing(r);
    const double inferences = static_cast<double>(n_);
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      const auto& s = stages_[i];
      DeviceStats d;
      d.device = s.device;
      d.name = t_.device_names[static_cast<std::size_t>(s.device)];
      d.busy_s = s.busy_s;
      d.utilisation = r.makespan_s > 0.0 ? s.busy_s / r.makespan_s : 0.0;
      d.static_energy_j = t_.static_power_w[static_cast<std::size_t>(s.device)] * r.makespan_s;
      d.dynamic_energy_j = inferences * (s.compute_j + s.send_j);
      d.energy_j = d.static_energy_j + d.dynamic_energy_j;
      r.energy_j += d.energy_j;
      r.devices.push_back(std::move(d));
      QueueStats q;
      q.stage = static_cast<std::int32_t>(i);
      q.input_capacity = o_.input_queue;
      q.output_capacity = o_.overlap ? o_.output_queue : 0;
      q.input_mean = s.in_occ.mean(r.makespan_s, 0.0);
      q.input_max = s.in_occ.max;
      q.output_mean = s.out_occ.mean(r.makespan_s, 0.0);
      q.output_max = s.out_occ.max;
      r.queues.push_back(q);
    }
    if (o_.include_source_sink)
      r.energy_j += inferences * t_.transfer_j(stages_.front().in_cut, t_.source_endpoint(),
                                               stages_.front().device);
    r.energy_per_inference_j = r.energy_j / inferences;
    std::sort(events_.begin(), events_.end(),
              [](const TraceEvent& a, const TraceEvent& b) { return a.start_s < b.start_s; });
    r.events = std::move(events_);
    return r;
  }

  const cost::CostTable& t_;
  const SimOptions& o_;
  std::int64_t n_;
  std::string prefix_;
  std::vector<StageData> stages_;
  sg4::Host* source_host_ = nullptr;
  double start_ = 0.0;
  std::vector<double> arrival_;
  std::vector<double> completion_;
  std::vector<TraceEvent> events_;
};

}  // namespace

Result<SimulationResult> simulate(const cost::CostTable& table,
                                  const std::vector<plan::StageAssignment>& stages,
                                  const SimOptions& options) {
  auto problems = validate(table, stages, options);
  if (!problems.empty()) return problems;
  // SimGrid's engine is process-wide: one simulation at a time.
  static std::mutex engine_mutex;
  const std::lock_guard<std::mutex> lock(engine_mutex);
  Run run(table, stages, options);
  return run.run();
}

}  // namespace tessera::sim
