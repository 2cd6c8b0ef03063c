#include "plan/detail/anytime.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "plan/detail/reach_dp.hpp"

namespace tessera::plan::detail {

namespace {

constexpr std::int64_t kClockEvery = 512;  ///< inner steps between clock reads

}  // namespace

AnytimeSearch::AnytimeSearch(const Instance& instance, const CandidateSet& set)
    : in_(instance), set_(set) {
  const auto kc = static_cast<std::size_t>(in_.classes);
  price_.assign(kc, 1.0);
  std::mt19937_64 rng(0x7e55e7a5u);
  mix_.resize(kc);
  for (std::uint64_t& m : mix_) m = rng() | 1U;
  for (const std::int32_t n : in_.count) counts_fit_ = counts_fit_ && n <= 255;
}

double AnytimeSearch::period_of(const std::vector<ClassStage>& stages) const {
  if (stages.empty()) return kInf;
  double period = in_.src_s[static_cast<std::size_t>(stages.front().k)];
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const ClassStage& s = stages[i];
    const double comp = in_.period_compute(s.k, s.p, s.q);
    const double send = i + 1 < stages.size() ? in_.send_s[in_.link(s.k, stages[i + 1].k, s.q)]
                                              : in_.sink_s[static_cast<std::size_t>(s.k)];
    period = std::max(period, in_.overlap ? std::max(comp, send) : comp + send);
  }
  return period;
}

bool AnytimeSearch::expired(bool now) {
  if (clock_expired_) return true;
  if (!limits_.deadline) return false;
  if (!now && ++clock_calls_ % kClockEvery != 0) return false;
  clock_expired_ = std::chrono::steady_clock::now() >= *limits_.deadline;
  return clock_expired_;
}

bool AnytimeSearch::done() {
  const double lower = lower_s();
  if (lower >= upper_ || expired(true)) return true;
  return upper_ < kInf && lower > 0.0 && (upper_ - lower) / lower <= limits_.gap;
}

void AnytimeSearch::prepare(double limit_s) {
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = in_.classes;
  stage_ends(in_, limit_s, hi_);
  lo_.resize(static_cast<std::size_t>(kc) * static_cast<std::size_t>(num_layers + 1));
  rate_.assign(static_cast<std::size_t>(kc), 0.0);
  for (std::int32_t k = 0; k < kc; ++k) {
    std::int32_t p = 0;
    for (std::int32_t q = 0; q <= num_layers; ++q) {
      while (p < q && !within(in_.period_compute(k, p, q), limit_s)) ++p;
      lo_[in_.at(k, q)] = p;
    }
    double covered = 0.0;
    for (std::int32_t s = 0; s < num_layers; ++s) {
      covered += std::min(hi_[in_.kp(k, s)], in_.mem_any[in_.kp(k, s)]) - s;
    }
    rate_[static_cast<std::size_t>(k)] = covered / std::max(num_layers, 1);
  }
}

bool AnytimeSearch::stage_ok(std::int32_t k, std::int32_t q, std::int32_t f, double comp) const {
  // f < 0: the stage ends the plan and sends to the sink
  const double s = f < 0 ? in_.sink_s[static_cast<std::size_t>(k)] : in_.send_s[in_.link(k, f, q)];
  return in_.overlap ? within(s, limit_) : (s < kInf && comp + s <= limit_);
}

void AnytimeSearch::offer(const std::vector<ClassStage>& stages) {
  const double period = period_of(stages);
  if (period < upper_) {
    upper_ = period;
    plan_ = stages;
  }
}

double AnytimeSearch::priced_path(double limit_s) {
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = in_.classes;
  const auto positions = static_cast<std::int64_t>(num_layers + 1);
  best_.assign(static_cast<std::size_t>(kc) * static_cast<std::size_t>(positions), kInf);
  pred_.assign(best_.size(), -1);
  suffix_.resize(static_cast<std::size_t>(positions));
  suffix_at_.resize(static_cast<std::size_t>(positions));
  for (std::int32_t k = 0; k < kc; ++k) {
    const auto ku = static_cast<std::size_t>(k);
    if (in_.count[ku] > 0 && within(in_.src_s[ku], limit_s)) best_[in_.at(k, 0)] = 0.0;
  }
  double sink = kInf;
  std::int64_t sink_pred = -1;
  // Stage on k over [p, q) then a stage on f (or the sink when f < 0) at q.
  const auto relax = [&](std::int32_t k, std::int32_t q, std::int32_t f, double cost,
                         std::int32_t p) {
    const std::int64_t code = k * positions + p;
    if (f < 0) {
      if (cost < sink) {
        sink = cost;
        sink_pred = code;
      }
      return;
    }
    double& b = best_[in_.at(f, q)];
    if (cost < b) {
      b = cost;
      pred_[in_.at(f, q)] = code;
    }
  };
  for (std::int32_t q = 1; q <= num_layers; ++q) {
    for (std::int32_t k = 0; k < kc; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      if (in_.count[ku] == 0) continue;
      const std::int32_t lo = lo_[in_.at(k, q)];
      if (lo >= q) continue;
      // suffix minima over the reached starts p in [lo, q) whose stage fits
      double m = kInf;
      std::int32_t arg = -1;
      for (std::int32_t p = q - 1; p >= lo; --p) {
        const double b = best_[in_.at(k, p)];
        if (b < m && in_.mem_ok(k, p, q)) {
          m = b;
          arg = p;
        }
        suffix_[static_cast<std::size_t>(p)] = m;
        suffix_at_[static_cast<std::size_t>(p)] = arg;
      }
      if (m == kInf) continue;
      const double price = price_[ku];
      for (std::int32_t f = q == num_layers ? -1 : 0; f < (q == num_layers ? 0 : kc); ++f) {
        if (f >= 0 && in_.count[static_cast<std::size_t>(f)] == 0) continue;
        const double s = f < 0 ? in_.sink_s[ku] : in_.send_s[in_.link(k, f, q)];
        if (in_.overlap) {
          if (within(s, limit_s)) relax(k, q, f, m + price, arg);
          continue;
        }
        if (!(s < kInf)) continue;
        // smallest start whose compute + send fits (compute falls as the start grows)
        const std::int32_t a = in_.first_start_within(k, lo, q, s, limit_s);
        if (a >= q || suffix_[static_cast<std::size_t>(a)] == kInf) continue;
        relax(k, q, f, suffix_[static_cast<std::size_t>(a)] + price,
              suffix_at_[static_cast<std::size_t>(a)]);
      }
    }
  }
  states_ += static_cast<std::int64_t>(kc) * num_layers;
  path_.clear();
  if (sink == kInf) return kInf;
  std::int64_t code = sink_pred;
  std::int32_t q = num_layers;
  while (true) {
    const auto k = static_cast<std::int32_t>(code / positions);
    const auto p = static_cast<std::int32_t>(code % positions);
    path_.push_back({k, p, q});
    if (p == 0) break;
    code = pred_[in_.at(k, p)];
    q = p;
  }
  std::reverse(path_.begin(), path_.end());
  return sink;
}

AnytimeSearch::Outcome AnytimeSearch::lagrange(double limit_s, std::int32_t iterations) {
  limit_ = limit_s;
  prepare(limit_s);
  ++tests_;
  const std::int32_t kc = in_.classes;
  std::vector<std::int32_t> uses(static_cast<std::size_t>(kc), 0);
  double theta = 1.0;
  double best_value = -kInf;
  std::int32_t stalled = 0;
  for (std::int32_t it = 0; it < iterations; ++it) {
    if (expired(true)) return Outcome::kUnknown;
    // A real plan uses class k at most count_k times, so for prices >= 0 its priced cost is
    // at most Σ price_k count_k: a cheapest relaxed path above that proves none exists.
    const double cost = priced_path(limit_s);
    if (cost == kInf) return Outcome::kInfeasible;  // not even a relaxed path
    std::fill(uses.begin(), uses.end(), 0);
    for (const ClassStage& s : path_) ++uses[static_cast<std::size_t>(s.k)];
    double total = 0.0;
    double norm = 0.0;
    for (std::int32_t k = 0; k < kc; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      total += price_[ku] * in_.count[ku];
      const double g = uses[ku] - in_.count[ku];
      if (g > 0.0 || price_[ku] > 0.0) norm += g * g;
    }
    bool fits = true;
    for (std::int32_t k = 0; k < kc; ++k)
      fits = fits && uses[static_cast<std::size_t>(k)] <= in_.count[static_cast<std::size_t>(k)];
    if (fits) {
      offer(path_);  // the relaxed path is a real plan
      return Outcome::kFeasible;
    }
    const double value = cost - total;
    if (value > 1e-9 * (1.0 + total + cost)) return Outcome::kInfeasible;
    if (value > best_value) {
      best_value = value;
      stalled = 0;
    } else if (++stalled >= 4) {
      theta /= 2.0;
      stalled = 0;
    }
    // Polyak step towards a slightly positive dual value.
    const double step = theta * (1.0 - value) / std::max(norm, 1.0);
    for (std::int32_t k = 0; k < kc; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      price_[ku] = std::max(0.0, price_[ku] + step * (uses[ku] - in_.count[ku]));
    }
  }
  return Outcome::kUnknown;
}

bool AnytimeSearch::same_child(const Entry& a, const Entry& b) const {
  if (a.f != b.f) return false;
  if (a.parent == b.parent) return true;
  const auto kc = static_cast<std::size_t>(in_.classes);
  for (std::size_t j = 0; j < kc; ++j) {
    const std::uint8_t x = a.parent < 0 ? 0 : used_[static_cast<std::size_t>(a.parent) * kc + j];
    const std::uint8_t y = b.parent < 0 ? 0 : used_[static_cast<std::size_t>(b.parent) * kc + j];
    if (x != y) return false;
  }
  return true;
}

void AnytimeSearch::compact(std::vector<Entry>& bucket, std::int64_t width, bool& cut) {
  // Equal states (same devices used, same class next) keep their best-ranked entry.
  std::sort(bucket.begin(), bucket.end(), [](const Entry& a, const Entry& b) {
    return a.key != b.key ? a.key < b.key : a.score > b.score;
  });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < bucket.size(); ++i) {
    if (kept > 0 && bucket[kept - 1].key == bucket[i].key &&
        same_child(bucket[kept - 1], bucket[i]))
      continue;
    bucket[kept++] = bucket[i];
  }
  bucket.resize(kept);
  if (static_cast<std::int64_t>(bucket.size()) > width) {
    const auto w = static_cast<std::ptrdiff_t>(width);
    std::nth_element(bucket.begin(), bucket.begin() + w, bucket.end(),
                     [](const Entry& a, const Entry& b) { return a.score > b.score; });
    bucket.resize(static_cast<std::size_t>(width));
    cut = true;
  }
}

AnytimeSearch::Outcome AnytimeSearch::beam(double limit_s, std::int64_t width, std::int32_t ends,
                                           std::uint64_t seed) {
  limit_ = limit_s;
  prepare(limit_s);
  ++tests_;
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = in_.classes;
  const auto kcu = static_cast<std::size_t>(kc);
  nodes_.clear();
  used_.clear();
  pending_.resize(static_cast<std::size_t>(num_layers + 1));
  for (std::vector<Entry>& b : pending_) b.clear();
  std::mt19937_64 rng(seed);
  // Rank noise (in layers) diversifies later rounds; round 0 ranks by the score alone.
  const double noise = 0.5 * static_cast<double>(std::min<std::uint64_t>(seed, 4));
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  bool cut = !counts_fit_;
  double potential = 0.0;
  for (std::int32_t k = 0; k < kc; ++k)
    potential += rate_[static_cast<std::size_t>(k)] * in_.count[static_cast<std::size_t>(k)];
  // A state at cut q whose next stage runs on f ranks by how far f reaches from q plus what
  // the devices left could cover on average: it prefers devices that do better here than
  // elsewhere.
  const auto score = [&](std::int32_t f, std::int32_t q, double left) {
    const double reach = std::min(hi_[in_.kp(f, q)], in_.mem_any[in_.kp(f, q)]);
    return reach + left - rate_[static_cast<std::size_t>(f)] +
           (noise > 0.0 ? noise * jitter(rng) : 0.0);
  };
  const auto key_of = [&](std::uint64_t hash, std::int32_t f) {
    return (hash + mix_[static_cast<std::size_t>(f)]) ^
           (static_cast<std::uint64_t>(f + 1) * 0x9E3779B97F4A7C15ULL);
  };
  for (std::int32_t k = 0; k < kc; ++k) {
    const auto ku = static_cast<std::size_t>(k);
    if (in_.count[ku] > 0 && within(in_.src_s[ku], limit_s))
      pending_[0].push_back({-1, k, score(k, 0, potential), key_of(0, k)});
  }
  for (std::int32_t p = 0; p < num_layers; ++p) {
    std::vector<Entry>& bucket = pending_[static_cast<std::size_t>(p)];
    if (bucket.empty()) continue;
    compact(bucket, width, cut);
    for (const Entry& e : bucket) {
      if (expired(false)) return Outcome::kUnknown;
      const std::int32_t k = e.f;
      const auto ku = static_cast<std::size_t>(k);
      const Node parent =
          e.parent < 0 ? Node{-1, 0, -1, potential, 0} : nodes_[static_cast<std::size_t>(e.parent)];
      const auto idx = static_cast<std::int32_t>(nodes_.size());
      nodes_.push_back({k, p, e.parent, parent.potential - rate_[ku], parent.hash + mix_[ku]});
      const Node& node = nodes_.back();
      const std::size_t at = used_.size();
      used_.resize(at + kcu, 0);  // the parent's counts, then this stage's device
      if (e.parent >= 0) {
        std::copy_n(used_.begin() + static_cast<std::ptrdiff_t>(e.parent) * kc, kc,
                    used_.begin() + static_cast<std::ptrdiff_t>(at));
      }
      ++used_[at + ku];
      ++states_;
      std::int32_t tried = 0;
      for (std::int32_t q = hi_[in_.kp(k, p)]; q > p; --q) {
        if (!in_.mem_ok(k, p, q)) continue;
        const double comp = in_.period_compute(k, p, q);
        if (q == num_layers) {
          if (!stage_ok(k, q, -1, comp)) continue;
          std::vector<ClassStage> stages;
          std::int32_t end = num_layers;
          for (std::int32_t i = idx; i >= 0; i = nodes_[static_cast<std::size_t>(i)].parent) {
            const Node& n = nodes_[static_cast<std::size_t>(i)];
            stages.push_back({n.k, n.p, end});
            end = n.p;
          }
          std::reverse(stages.begin(), stages.end());
          offer(stages);
          return Outcome::kFeasible;
        }
        bool produced = false;
        std::vector<Entry>& next = pending_[static_cast<std::size_t>(q)];
        for (std::int32_t f = 0; f < kc; ++f) {
          const auto fu = static_cast<std::size_t>(f);
          // uint8 counters: a class of more than 255 devices offers 255 (no proof then)
          if (used_[at + fu] >= std::min(in_.count[fu], 255) || !stage_ok(k, q, f, comp)) continue;
          next.push_back({idx, f, score(f, q, node.potential), key_of(node.hash, f)});
          produced = true;
        }
        if (static_cast<std::int64_t>(next.size()) > 2 * width) compact(next, width, cut);
        if (produced && ++tried >= ends) {
          if (q - 1 > p) cut = true;
          break;
        }
      }
    }
  }
  return cut ? Outcome::kUnknown : Outcome::kInfeasible;
}

void AnytimeSearch::run(double upper_s, const AnytimeLimits& limits) {
  limits_ = limits;
  upper_ = upper_s;
  const std::int32_t num_layers = std::max(in_.layers, 1);
  const std::int64_t kc = std::max(in_.classes, 8);
  // the beam's node store stays near 2^24 count bytes
  const std::int64_t width_cap =
      std::max<std::int64_t>(64, (std::int64_t{1} << 24) / (num_layers * kc));
  const auto lower_pass = [&](std::int32_t r) {
    // The largest candidate the relaxation refutes, with more subgradient iterations each
    // round (prices carry over).
    const std::int32_t iterations = 8 << std::min(r, 6);
    double lo = refuted_;
    double hi = upper_;
    while (!done() && set_.count_between(lo, hi) > 0) {
      const double mid = set_.split(lo, hi);
      switch (lagrange(mid, iterations)) {
        case Outcome::kInfeasible:
          refuted_ = std::max(refuted_, mid);
          lo = mid;
          break;
        case Outcome::kFeasible:
          hi = std::min(mid, upper_);
          break;
        case Outcome::kUnknown:
          hi = mid;
          break;
      }
    }
  };
  const auto upper_pass = [&](std::int32_t r) {
    // A binary search over the open candidates with a wider beam each round.
    const std::int64_t width = std::min(width_cap, std::int64_t{8} << std::min(2 * r, 40));
    const std::int32_t ends = r < 3 ? 2 + 2 * r : num_layers;
    double lo = refuted_;
    double hi = upper_;
    while (!done() && set_.count_between(lo, hi) > 0) {
      const double mid = set_.split(lo, hi);
      switch (beam(mid, width, ends, static_cast<std::uint64_t>(r))) {
        case Outcome::kFeasible:
          hi = upper_;
          break;
        case Outcome::kInfeasible:
          refuted_ = std::max(refuted_, mid);
          lo = mid;
          break;
        case Outcome::kUnknown:
          lo = mid;
          break;
      }
    }
  };
  for (rounds_ = 0; !done(); ++rounds_) {
    // The first round looks for a plan first: the baselines are usually far from the optimum.
    if (rounds_ == 0) upper_pass(0);
    lower_pass(rounds_);
    if (rounds_ > 0) upper_pass(rounds_);
  }
}

}  // namespace tessera::plan::detail
