#include "plan/detail/cost_dp.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <functional>
#include <thread>

#include "plan/detail/bits.hpp"

namespace tessera::plan::detail {

void Costs::build(const Instance& in, const CostSpec& spec) {
  const double tw = spec.time_weight;
  const double ew = spec.energy_weight;
  const std::int32_t num_layers = in.layers;
  const std::int32_t kc = in.classes;
  const auto positions = static_cast<std::size_t>(num_layers + 1);
  a.resize(static_cast<std::size_t>(kc) * positions);
  b.resize(static_cast<std::size_t>(kc) * positions);
  stage_const.resize(static_cast<std::size_t>(kc));
  tr.resize(static_cast<std::size_t>(kc) * static_cast<std::size_t>(kc) * positions);
  src_val.resize(static_cast<std::size_t>(kc));
  sink_val.resize(static_cast<std::size_t>(kc));
  for (std::int32_t k = 0; k < kc; ++k) {
    const auto ku = static_cast<std::size_t>(k);
    for (std::int32_t q = 0; q <= num_layers; ++q) {
      const long double tp = in.time_prefix[in.at(k, q)];
      const long double v = static_cast<long double>(tw) * tp +
                            static_cast<long double>(ew) * in.energy_prefix[in.at(k, q)];
      a[in.at(k, q)] = static_cast<double>(v);
      b[in.at(k, q)] = static_cast<double>(v + static_cast<long double>(ew * in.static_w[ku]) * tp);
    }
    stage_const[ku] = ew * in.static_w[ku] * spec.charge_s;
    src_val[ku] = tw * in.src_s[ku] + ew * in.src_j[ku];
    sink_val[ku] = tw * in.sink_s[ku] + ew * in.sink_j[ku];
    for (std::int32_t f = 0; f < kc; ++f) {
      for (std::int32_t q = 0; q <= num_layers; ++q) {
        const std::size_t i = in.link(k, f, q);
        tr[i] = in.send_s[i] < kInf ? tw * in.send_s[i] + ew * in.send_j[i] : kInf;
      }
    }
  }
  stage_ends(in, spec.limit_s, hi);
  if (spec.floor_charge) {
    stage_ends(in, spec.charge_s, charge_end);
  } else {
    charge_end.assign(hi.size(), num_layers);
  }
  // A pipelined class's period compute (max time_s) is no prefix difference, so its stages are
  // charged on charge_s alone: still a lower bound on static power × period when the period
  // is at least charge_s, and the same value where every stage time is <= charge_s.
  for (std::int32_t k = 0; k < kc; ++k) {
    if (in.pipelined[static_cast<std::size_t>(k)] == 0) continue;
    for (std::int32_t p = 0; p < num_layers; ++p) charge_end[in.kp(k, p)] = num_layers;
  }
  const auto starts_within = [&](double limit, std::vector<std::int32_t>& out) {
    out.resize(static_cast<std::size_t>(kc) * positions);
    for (std::int32_t k = 0; k < kc; ++k) {
      std::int32_t p = 0;
      for (std::int32_t q = 0; q <= num_layers; ++q) {
        while (p < q && !within(in.period_compute(k, p, q), limit)) ++p;
        out[in.at(k, q)] = p;
      }
    }
  };
  starts_within(spec.limit_s, lo);
  if (spec.floor_charge) {
    starts_within(spec.charge_s, charge_lo);
  } else {
    charge_lo.assign(static_cast<std::size_t>(kc) * positions, 0);
  }
  for (std::int32_t k = 0; k < kc; ++k) {  // as charge_end: pipelined classes on charge_s
    if (in.pipelined[static_cast<std::size_t>(k)] == 0) continue;
    for (std::int32_t q = 0; q <= num_layers; ++q) charge_lo[in.at(k, q)] = 0;
  }
}

void relaxed_forward(const Instance& in, const Costs& costs, const CostSpec& spec,
                     std::int32_t layers_bound, std::vector<double>& start) {
  const std::int32_t num_layers = in.layers;
  const std::int32_t kc = in.classes;
  const double limit = spec.limit_s;
  const bool coupled = !in.overlap && limit < kInf;
  const auto plane = static_cast<std::size_t>(kc) * static_cast<std::size_t>(num_layers + 1);
  const std::int32_t jmax = layers_bound;
  start.assign(static_cast<std::size_t>(jmax + 1) * plane, kInf);
  std::vector<double> end(start.size(), kInf);
  const auto at = [&](std::int32_t j, std::int32_t k, std::int32_t p) {
    return static_cast<std::size_t>(j) * plane + in.at(k, p);
  };
  for (std::int32_t k = 0; k < kc; ++k) {
    const auto ku = static_cast<std::size_t>(k);
    if (in.count[ku] > 0 && within(in.src_s[ku], limit)) start[at(0, k, 0)] = costs.src_val[ku];
  }
  for (std::int32_t p = 0; p < num_layers; ++p) {
    if (p > 0) {
      for (std::int32_t j = jmax == 0 ? 0 : 1; j <= std::min(jmax, p); ++j) {
        for (std::int32_t k = 0; k < kc; ++k) {
          double best = kInf;
          for (std::int32_t d = 0; d < kc; ++d) {
            const double s = in.send_s[in.link(d, k, p)];
            if (!(s < kInf) || (!coupled && !(s <= limit))) continue;
            double fe = j > 0 ? end[at(j - 1, d, p)] : kInf;
            if (j == jmax) fe = std::min(fe, end[at(jmax, d, p)]);
            if (!(fe < kInf)) continue;
            best = std::min(best, fe + costs.tr[in.link(d, k, p)]);
          }
          start[at(j, k, p)] = best;
        }
      }
    }
    for (std::int32_t j = 0; j <= std::min(jmax, p); ++j) {
      for (std::int32_t d = 0; d < kc; ++d) {
        const double fs = start[at(j, d, p)];
        if (!(fs < kInf)) continue;
        const std::int32_t h = costs.hi[in.kp(d, p)];
        for (std::int32_t q = p + 1; q <= h; ++q) {
          if (!in.mem_ok(d, p, q)) continue;
          double& fe = end[at(j, d, q)];
          fe = std::min(fe, costs.through(in, d, p, q, fs));
        }
      }
    }
  }
}

CostDp::CostDp(const Instance& instance) : in_(instance), classes_(instance.classes) {
  const auto positions = static_cast<std::size_t>(in_.layers + 1);
  rows_.resize(static_cast<std::size_t>(in_.states()));
  const auto levels = static_cast<std::size_t>(std::bit_width(positions));
  table_size_ = levels * positions;
  distinct_ =
      std::all_of(in_.count.begin(), in_.count.end(), [](std::int32_t n) { return n == 1; });
  size_lanes();
}

std::int32_t CostDp::decode(std::int64_t idx, std::vector<std::int32_t>& c) const {
  if (distinct_) {  // one device per class: the count vector is a bit mask
    for (std::size_t j = 0; j < c.size(); ++j) c[j] = static_cast<std::int32_t>((idx >> j) & 1);
    return std::popcount(static_cast<std::uint64_t>(idx));
  }
  std::int64_t rest = idx;
  std::int32_t total = 0;
  for (std::size_t j = 0; j < c.size(); ++j) {
    const std::int64_t radix = in_.count[j] + 1;
    c[j] = static_cast<std::int32_t>(rest % radix);
    rest /= radix;
    total += c[j];
  }
  return total;
}

void CostDp::set_threads(std::int32_t threads, std::int64_t min_level) {
  threads_ = std::max(threads, 1);
  min_parallel_level_ = static_cast<std::size_t>(std::max<std::int64_t>(min_level, 1));
  if (threads_ > 1) {
    if (!pool_) pool_ = std::make_unique<LanePool>();
    pool_->resize(static_cast<std::size_t>(threads_));
  }
  size_lanes();
}

void CostDp::size_lanes() {
  const auto positions = static_cast<std::size_t>(in_.layers + 1);
  const auto lanes = static_cast<std::size_t>(std::max(threads_, 1));
  if (lanes_.size() != lanes) lanes_.resize(lanes);
  for (Lane& lane : lanes_) {
    lane.st.resize(positions);
    lane.en.resize(positions);
    lane.stack_p.resize(positions);
    lane.stack_key.resize(positions);
    lane.table.resize(table_size_);
    lane.c.resize(static_cast<std::size_t>(classes_));
  }
  if (back_lanes_.size() != lanes) back_lanes_.resize(lanes);
  for (BackLane& lane : back_lanes_) {
    lane.mask_row.resize(static_cast<std::size_t>(in_.words));
    lane.end_v.resize(positions);
    lane.end_n.resize(positions);
    lane.out_v.resize(positions);
    lane.out_n.resize(positions);
    lane.stack_q.resize(positions);
    lane.stack_key.resize(positions);
    lane.table.resize(table_size_);
    lane.c.resize(static_cast<std::size_t>(classes_));
  }
}

void CostDp::run_lanes(std::size_t used, const std::function<void(std::size_t)>& job) {
  if (used > 1 && pool_) {
    pool_->run(used, job);
  } else {
    for (std::size_t t = 0; t < used; ++t) job(t);
  }
}

void CostDp::merge_back_lanes(std::size_t used) {
  for (std::size_t t = 0; t < used; ++t) {
    BackLane& lane = back_lanes_[t];
    const auto base = static_cast<std::int64_t>(pool_v_.size());
    pool_v_.insert(pool_v_.end(), lane.pool_v.begin(), lane.pool_v.end());
    pool_n_.insert(pool_n_.end(), lane.pool_n.begin(), lane.pool_n.end());
    for (const std::int64_t r : lane.rows) rows_[static_cast<std::size_t>(r)].offset += base;
    dirty_rows_.insert(dirty_rows_.end(), lane.rows.begin(), lane.rows.end());
    states_ += lane.states;
    lane.pool_v.clear();
    lane.pool_n.clear();
    lane.rows.clear();
    lane.states = 0;
  }
}

void CostDp::solve_row(std::int64_t idx, std::int32_t k, const std::vector<std::int32_t>& c,
                       std::int32_t total, BackLane& lane) {
  const std::int32_t num_layers = in_.layers;
  const double limit = spec_.limit_s;
  const auto ku = static_cast<std::size_t>(k);
  Row& row = rows_[static_cast<std::size_t>(idx * classes_ + k)];
  row = Row{};
  std::int32_t pb = total == 1 ? 0 : total - 1;
  std::int32_t pe = total == 1 ? 0 : num_layers - 1;
  if (pb > pe) return;
  if (total == 1 && !within(in_.src_s[ku], limit)) return;
  if (spec_.reach_bound != nullptr) {
    pb = std::max(pb, spec_.reach_bound->min_start(idx, k));
    if (pb > pe) return;
  }
  const std::uint64_t* mask = nullptr;
  if (spec_.mask != nullptr || use_survivors_) {
    if (spec_.mask != nullptr) {
      const std::uint64_t* fwd = spec_.mask->starts(idx, k);
      std::copy(fwd, fwd + in_.words, lane.mask_row.begin());
    } else {
      std::fill(lane.mask_row.begin(), lane.mask_row.end(), ~std::uint64_t{0});
    }
    if (use_survivors_) {
      const std::uint64_t* kept = survivors_.data() + static_cast<std::size_t>(idx * classes_ + k) *
                                                          static_cast<std::size_t>(in_.words);
      for (std::int32_t w = 0; w < in_.words; ++w)
        lane.mask_row[static_cast<std::size_t>(w)] &= kept[w];
    }
    if (spec_.mask != nullptr && spec_.mask->has_finishes()) {
      // states from which the remaining devices (those not in c, plus this stage's) finish
      const std::int64_t rest = (in_.vectors - 1) - idx + in_.stride[ku];
      const std::uint64_t* bwd = spec_.mask->finishes(rest, k);
      for (std::int32_t w = 0; w < in_.words; ++w)
        lane.mask_row[static_cast<std::size_t>(w)] &= bwd[w];
    }
    mask = lane.mask_row.data();
    const std::int32_t first = first_bit(mask, in_.words);
    if (first < 0) return;
    pb = std::max(pb, first);
    pe = std::min(pe, last_bit(mask, in_.words));
    if (pb > pe) return;
  }
  const std::int32_t qmax = costs_.hi[in_.kp(k, pe)];
  if (qmax <= pb) return;
  const double* ca = costs_.a.data() + in_.at(k, 0);
  const double* cb = costs_.b.data() + in_.at(k, 0);
  const double sc = costs_.stage_const[ku];
  const std::int32_t* charge_end = costs_.charge_end.data() + in_.kp(k, 0);

  // Lower bounds on the cost before this stage: the stage-counting relaxation, and the static
  // charge of the devices already used.
  double prefix_static = 0.0;
  const double* before = nullptr;
  if (bound_ < kInf) {
    for (std::int32_t j = 0; j < classes_; ++j) {
      const auto ju = static_cast<std::size_t>(j);
      prefix_static += static_cast<double>(c[ju] - (j == k ? 1 : 0)) * costs_.stage_const[ju];
    }
    const std::int32_t j = std::min(total - 1, layers_bound_);
    before = fwd_.data() + (static_cast<std::size_t>(j) * static_cast<std::size_t>(classes_) + ku) *
                               static_cast<std::size_t>(num_layers + 1);
  }
  const auto finish = [&](std::int32_t p, Val best) {
    if (best.finite() && before != nullptr &&
        best.v + std::max(before[p], prefix_static) > bound_) {
      best = Val{};
    }
    lane.out_v[static_cast<std::size_t>(p)] = best.v;
    lane.out_n[static_cast<std::size_t>(p)] = best.n;
  };

  if (!coupled_) {
    // Best continuation after a stage ending at q: the sink, or a send to an available class.
    for (std::int32_t q = pb + 1; q <= qmax; ++q) {
      lane.end_v[static_cast<std::size_t>(q)] = kInf;
      lane.end_n[static_cast<std::size_t>(q)] = Val::kNone;
    }
    if (qmax == num_layers && within(in_.sink_s[ku], limit)) {
      lane.end_v[static_cast<std::size_t>(num_layers)] = costs_.sink_val[ku];
      lane.end_n[static_cast<std::size_t>(num_layers)] = 0;
    }
    for (std::int32_t f = 0; f < classes_; ++f) {
      const auto fu = static_cast<std::size_t>(f);
      if (c[fu] >= in_.count[fu]) continue;
      const Row& next = rows_[static_cast<std::size_t>((idx + in_.stride[fu]) * classes_ + f)];
      const std::int32_t lo = std::max(next.begin, pb + 1);
      const std::int32_t hi = std::min({next.end - 1, qmax, num_layers - 1});
      const double* send = in_.send_s.data() + in_.link(k, f, 0);
      const double* tr = costs_.tr.data() + in_.link(k, f, 0);
      for (std::int32_t q = lo; q <= hi; ++q) {
        const auto i = static_cast<std::size_t>(next.offset + (q - next.begin));
        const double sv = pool_v_[i];
        if (!(sv < kInf) || !within(send[q], limit)) continue;
        const Val cand{sv + tr[q], pool_n_[i]};
        const auto qu = static_cast<std::size_t>(q);
        if (less(cand, Val{lane.end_v[qu], lane.end_n[qu]})) {
          lane.end_v[qu] = cand.v;
          lane.end_n[qu] = cand.n;
        }
      }
    }
    const auto key_a = [&](std::int32_t q) {
      const auto qu = static_cast<std::size_t>(q);
      return Val{lane.end_v[qu] + ca[q], lane.end_n[qu]};
    };
    const auto key_b = [&](std::int32_t q) {
      const auto qu = static_cast<std::size_t>(q);
      return lane.end_v[qu] < kInf ? Val{lane.end_v[qu] + cb[q], lane.end_n[qu]} : Val{};
    };
    // Ends charged on their compute (beyond charge_end) are looked up in a sparse table.
    bool floored = false;
    for (std::int32_t p = pb; p <= pe && !floored; ++p)
      floored = charge_end[p] < costs_.hi[in_.kp(k, p)];
    const auto width = static_cast<std::size_t>(num_layers + 1);
    if (floored) {
      for (std::int32_t q = pb + 1; q <= qmax; ++q)
        lane.table[static_cast<std::size_t>(q)] = key_b(q);
      for (std::size_t j = 1; (std::int32_t{1} << j) <= qmax - pb; ++j) {
        const std::int32_t half = std::int32_t{1} << (j - 1);
        for (std::int32_t q = pb + 1; q + 2 * half - 1 <= qmax; ++q) {
          const Val& x = lane.table[(j - 1) * width + static_cast<std::size_t>(q)];
          const Val& y = lane.table[(j - 1) * width + static_cast<std::size_t>(q + half)];
          lane.table[j * width + static_cast<std::size_t>(q)] = less(y, x) ? y : x;
        }
      }
    }
    const auto range_b = [&](std::int32_t x, std::int32_t y) {
      const auto j =
          static_cast<std::size_t>(std::bit_width(static_cast<std::uint32_t>(y - x + 1)) - 1);
      const Val& u = lane.table[j * width + static_cast<std::size_t>(x)];
      const Val& v =
          lane.table[j * width + static_cast<std::size_t>(y - (std::int32_t{1} << j) + 1)];
      return less(v, u) ? v : u;
    };
    // Monotone stack over ends q in [p + 1, qmax]: indices fall and keys rise from bottom to
    // top, so the minimum over [p + 1, r] is the deepest entry with index <= r.
    std::int32_t top = 0;
    const auto push = [&](std::int32_t q) {
      if (!(lane.end_v[static_cast<std::size_t>(q)] < kInf)) return;
      const Val kq = key_a(q);
      while (top > 0 && !less(lane.stack_key[static_cast<std::size_t>(top - 1)], kq)) --top;
      lane.stack_q[static_cast<std::size_t>(top)] = q;
      lane.stack_key[static_cast<std::size_t>(top)] = kq;
      ++top;
    };
    const auto query_a = [&](std::int32_t r) {
      std::int32_t lo = 0;
      std::int32_t hi = top;
      while (lo < hi) {
        const std::int32_t mid = (lo + hi) / 2;
        if (lane.stack_q[static_cast<std::size_t>(mid)] <= r) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return lo < top ? lane.stack_key[static_cast<std::size_t>(lo)] : Val{};
    };
    for (std::int32_t q = qmax; q > pe; --q) push(q);
    for (std::int32_t p = pe; p >= pb; --p) {
      Val best;
      if (mask == nullptr || test_bit(mask, p)) {
        const std::int32_t h = costs_.hi[in_.kp(k, p)];
        const std::int32_t all = in_.mem_all[in_.kp(k, p)];
        const std::int32_t t = charge_end[p];
        const std::int32_t r = std::min(h, all);
        const auto consider_a = [&](const Val& key) {
          if (!key.finite()) return;
          const Val v{((key.v - ca[p]) + sc), key.n + 1};
          if (less(v, best)) best = v;
        };
        const auto consider_b = [&](const Val& key) {
          if (!key.finite()) return;
          const Val v{key.v - cb[p], key.n + 1};
          if (less(v, best)) best = v;
        };
        if (r > p && top > 0) consider_a(query_a(std::min(r, t)));
        if (r > t && r > p) consider_b(range_b(std::max(t + 1, p + 1), r));
        if (h > all) {
          const std::int32_t upper = std::min(h, in_.mem_any[in_.kp(k, p)]);
          const std::uint64_t* fits = in_.mem_row(k, p);
          for (std::int32_t q = all + 1; q <= upper; ++q) {
            if (!test_bit(fits, q) || !(lane.end_v[static_cast<std::size_t>(q)] < kInf)) continue;
            if (q <= t) {
              consider_a(key_a(q));
            } else {
              consider_b(key_b(q));
            }
          }
        }
      }
      finish(p, best);
      if (p > pb) push(p);
    }
  } else {
    // overlap = false with a limit: compute + send <= limit ties the end to the next class.
    for (std::int32_t p = pe; p >= pb; --p) {
      Val best;
      if (mask == nullptr || test_bit(mask, p)) {
        const std::int32_t h = costs_.hi[in_.kp(k, p)];
        for (std::int32_t q = p + 1; q <= h; ++q) {
          if (!in_.mem_ok(k, p, q)) continue;
          const double comp = in_.period_compute(k, p, q);
          if (q == num_layers) {
            const double s = in_.sink_s[ku];
            if (s < kInf && comp + s <= limit) {
              const Val v{costs_.through(in_, k, p, q, costs_.sink_val[ku]), 1};
              if (less(v, best)) best = v;
            }
            continue;
          }
          for (std::int32_t f = 0; f < classes_; ++f) {
            const auto fu = static_cast<std::size_t>(f);
            if (c[fu] >= in_.count[fu]) continue;
            const double s = in_.send_s[in_.link(k, f, q)];
            if (!(s < kInf) || !(comp + s <= limit)) continue;
            const Val next = get(idx + in_.stride[fu], f, q);
            if (!next.finite()) continue;
            const Val v{costs_.through(in_, k, p, q, next.v + costs_.tr[in_.link(k, f, q)]),
                        next.n + 1};
            if (less(v, best)) best = v;
          }
        }
      }
      finish(p, best);
    }
  }

  std::int32_t first = pb;
  while (first <= pe && !(lane.out_v[static_cast<std::size_t>(first)] < kInf)) ++first;
  std::int32_t last = pe;
  while (last >= first && !(lane.out_v[static_cast<std::size_t>(last)] < kInf)) --last;
  if (first > last) return;
  lane.rows.push_back(idx * classes_ + k);
  row.offset = static_cast<std::int64_t>(lane.pool_v.size());
  row.begin = first;
  row.end = last + 1;
  for (std::int32_t p = first; p <= last; ++p) {
    lane.pool_v.push_back(lane.out_v[static_cast<std::size_t>(p)]);
    lane.pool_n.push_back(lane.out_n[static_cast<std::size_t>(p)]);
    if (lane.out_v[static_cast<std::size_t>(p)] < kInf) ++lane.states;
  }
}

bool CostDp::try_relaxed(CostAnswer& answer) {
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = classes_;
  const double limit = spec_.limit_s;
  const auto positions = static_cast<std::size_t>(num_layers + 1);
  relaxed_.assign(static_cast<std::size_t>(kc) * positions, Val{});
  relaxed_end_.assign(static_cast<std::size_t>(kc) * positions, Val{});
  // continuation value after a stage on k ends at q, towards class f (-1: the sink)
  const auto continuation = [&](std::int32_t k, std::int32_t q, std::int32_t f) {
    const auto ku = static_cast<std::size_t>(k);
    if (f < 0) return Val{costs_.sink_val[ku], 0};
    const Val g = relaxed_[in_.at(f, q)];
    if (!g.finite()) return Val{};
    return Val{g.v + costs_.tr[in_.link(k, f, q)], g.n};
  };
  const auto send_ok = [&](std::int32_t k, std::int32_t q, std::int32_t f, double comp) {
    const double s =
        f < 0 ? in_.sink_s[static_cast<std::size_t>(k)] : in_.send_s[in_.link(k, f, q)];
    return coupled_ ? (s < kInf && comp + s <= limit) : within(s, limit);
  };
  for (std::int32_t p = num_layers - 1; p >= 0; --p) {
    // relaxed_end_ at q = p + 1 is final once relaxed_ at p + 1 is (stages end after p)
    const std::int32_t q0 = p + 1;
    {
      for (std::int32_t k = 0; k < kc; ++k) {
        Val best;
        if (q0 == num_layers) {
          const double ss = in_.sink_s[static_cast<std::size_t>(k)];
          if (coupled_ ? ss < kInf : within(ss, limit)) best = continuation(k, q0, -1);
        } else {
          for (std::int32_t f = 0; f < kc; ++f) {
            const double sf = in_.send_s[in_.link(k, f, q0)];
            if (!(coupled_ ? sf < kInf : within(sf, limit))) continue;
            const Val v = continuation(k, q0, f);
            if (less(v, best)) best = v;
          }
        }
        relaxed_end_[in_.at(k, q0)] = best;
      }
    }
    for (std::int32_t k = 0; k < kc; ++k) {
      Val best;
      const std::int32_t h = costs_.hi[in_.kp(k, p)];
      for (std::int32_t q = p + 1; q <= h; ++q) {
        if (!in_.mem_ok(k, p, q)) continue;
        if (!coupled_) {
          const Val e = relaxed_end_[in_.at(k, q)];
          if (!e.finite()) continue;
          const Val v{costs_.through(in_, k, p, q, e.v), e.n + 1};
          if (less(v, best)) best = v;
          continue;
        }
        const double comp = in_.period_compute(k, p, q);
        for (std::int32_t f = q == num_layers ? -1 : 0; f < (q == num_layers ? 0 : kc); ++f) {
          if (!send_ok(k, q, f, comp)) continue;
          const Val e = continuation(k, q, f);
          if (!e.finite()) continue;
          const Val v{costs_.through(in_, k, p, q, e.v), e.n + 1};
          if (less(v, best)) best = v;
        }
      }
      relaxed_[in_.at(k, p)] = best;
    }
  }
  relaxed_states_ += static_cast<std::int64_t>(kc) * num_layers;

  // Root, then the lexicographically smallest optimal path, counting uses per class.
  std::int32_t k = -1;
  Val root;
  for (std::int32_t f = 0; f < kc; ++f) {
    const auto fu = static_cast<std::size_t>(f);
    if (in_.count[fu] == 0 || !within(in_.src_s[fu], limit)) continue;
    const Val g = relaxed_[in_.at(f, 0)];
    if (!g.finite()) continue;
    const Val v{costs_.src_val[fu] + g.v, g.n};
    if (k < 0 || less(v, root)) {
      root = v;
      k = f;
    }
  }
  relaxed_root_ = k < 0 ? Val{} : root;
  if (k < 0 || (bound_ < kInf && root.v > bound_)) {
    answer = CostAnswer{};  // no plan at all, or none within the bound
    return true;
  }
  std::vector<std::int32_t> uses(static_cast<std::size_t>(kc), 0);
  std::vector<StageAssignment> stages;
  std::int32_t p = 0;
  while (true) {
    const auto ku = static_cast<std::size_t>(k);
    if (uses[ku] >= in_.count[ku]) return false;  // more uses than devices: not a plan
    const std::int32_t device = in_.members[ku][static_cast<std::size_t>(uses[ku])];
    ++uses[ku];
    Val best;
    std::int32_t best_q = -1;
    std::int32_t best_f = -1;
    std::int32_t best_id = 0;
    const std::int32_t h = costs_.hi[in_.kp(k, p)];
    for (std::int32_t q = p + 1; q <= h; ++q) {
      if (!in_.mem_ok(k, p, q)) continue;
      const double comp = in_.period_compute(k, p, q);
      for (std::int32_t f = q == num_layers ? -1 : 0; f < (q == num_layers ? 0 : kc); ++f) {
        if (!send_ok(k, q, f, comp)) continue;
        const Val e = continuation(k, q, f);
        if (!e.finite()) continue;
        const Val v{costs_.through(in_, k, p, q, e.v), e.n + 1};
        const std::int32_t id =
            f < 0 ? -1
                  : (uses[static_cast<std::size_t>(f)] < in_.count[static_cast<std::size_t>(f)]
                         ? in_.members[static_cast<std::size_t>(f)]
                                      [static_cast<std::size_t>(uses[static_cast<std::size_t>(f)])]
                         : in_.table->num_devices + f);
        if (less(v, best) || (best_q == q && !less(best, v) && id < best_id)) {
          best = v;
          best_q = q;
          best_f = f;
          best_id = id;
        }
      }
    }
    if (best_q < 0) return false;
    stages.push_back({DeviceId(device), LayerId(p), LayerId(best_q - 1)});
    if (best_f < 0) break;
    k = best_f;
    p = best_q;
  }
  answer.found = true;
  answer.value = root;
  answer.stages = std::move(stages);
  return true;
}

void CostDp::prepare_penalised() {
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = classes_;
  const double limit = spec_.limit_s;
  const auto ks = static_cast<std::size_t>(kc);
  // pen_tr_[(q * K + k) * K + f]: the weighted transfer of cut q from k to f where the send
  // is allowed, +inf elsewhere; contiguous over f for the passes' inner loop.
  pen_tr_.assign(static_cast<std::size_t>(num_layers + 1) * ks * ks, kInf);
  for (std::int32_t k = 0; k < kc; ++k) {
    for (std::int32_t f = 0; f < kc; ++f) {
      for (std::int32_t q = 1; q < num_layers; ++q) {
        const double sf = in_.send_s[in_.link(k, f, q)];
        if (!(coupled_ ? sf < kInf : within(sf, limit))) continue;
        pen_tr_[(static_cast<std::size_t>(q) * ks + static_cast<std::size_t>(k)) * ks +
                static_cast<std::size_t>(f)] = costs_.tr[in_.link(k, f, q)];
      }
    }
  }
}

double CostDp::penalised_pass(const std::vector<double>& lambda, std::vector<double>& start,
                              std::vector<double>& end, std::vector<std::int32_t>& uses) {
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = classes_;
  const double limit = spec_.limit_s;
  const auto ks = static_cast<std::size_t>(kc);
  const auto cells = ks * static_cast<std::size_t>(num_layers + 1);
  start.assign(cells, kInf);
  end.assign(cells, kInf);
  // Keys of a stage end in both charge forms (continuation plus the end's prefix): a stage's
  // value is a key minus its start's prefix, and rounding is monotone, so the least key of a
  // range of ends gives the least value, the same to the last bit as scanning the values.
  pen_key_a_.assign(cells, kInf);
  pen_key_b_.assign(cells, kInf);
  pen_column_.assign(ks, kInf);
  for (std::int32_t p = num_layers - 1; p >= 0; --p) {
    const std::int32_t q0 = p + 1;
    for (std::int32_t k = 0; k < kc; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      double best = kInf;
      if (q0 == num_layers) {
        const double ss = in_.sink_s[ku];
        if (coupled_ ? ss < kInf : within(ss, limit)) best = costs_.sink_val[ku];
      } else {
        // pen_column_ holds start (f, q0) over f
        const double* tr = pen_tr_.data() + (static_cast<std::size_t>(q0) * ks + ku) * ks;
        for (std::size_t f = 0; f < ks; ++f) best = std::min(best, pen_column_[f] + tr[f]);
      }
      end[in_.at(k, q0)] = best;
      if (best < kInf) {
        pen_key_a_[in_.at(k, q0)] = best + costs_.a[in_.at(k, q0)];
        pen_key_b_[in_.at(k, q0)] = best + costs_.b[in_.at(k, q0)];
      }
    }
    for (std::int32_t k = 0; k < kc; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      double best = kInf;
      const std::int32_t h = costs_.hi[in_.kp(k, p)];
      const std::int32_t all = in_.mem_all[in_.kp(k, p)];
      const std::int32_t t = costs_.charge_end[in_.kp(k, p)];
      const std::int32_t r = std::min(h, all);
      const double* key_a = pen_key_a_.data() + in_.at(k, 0);
      const double* key_b = pen_key_b_.data() + in_.at(k, 0);
      // ends charged at the floor, then on their compute, where every end fits
      double min_a = kInf;
      for (std::int32_t q = p + 1, e = std::min(r, t); q <= e; ++q)
        min_a = std::min(min_a, key_a[q]);
      if (min_a < kInf) best = (min_a - costs_.a[in_.at(k, p)]) + costs_.stage_const[ku];
      double min_b = kInf;
      for (std::int32_t q = std::max(t, p) + 1; q <= r; ++q) min_b = std::min(min_b, key_b[q]);
      if (min_b < kInf) best = std::min(best, min_b - costs_.b[in_.at(k, p)]);
      // ends that fit in memory although a shorter stage's end does not
      if (h > all) {
        const std::int32_t upper = std::min(h, in_.mem_any[in_.kp(k, p)]);
        for (std::int32_t q = all + 1; q <= upper; ++q) {
          const double e = end[in_.at(k, q)];
          if (!(e < kInf) || !in_.mem_ok(k, p, q)) continue;
          best = std::min(best, costs_.through(in_, k, p, q, e));
        }
      }
      start[in_.at(k, p)] = best + lambda[ku];
    }
    for (std::size_t f = 0; f < ks; ++f)
      pen_column_[f] = start[in_.at(static_cast<std::int32_t>(f), p)];
  }
  lagrangian_states_ += static_cast<std::int64_t>(kc) * num_layers;
  double root = kInf;
  std::int32_t k = -1;
  for (std::int32_t f = 0; f < kc; ++f) {
    const auto fu = static_cast<std::size_t>(f);
    if (in_.count[fu] == 0 || !within(in_.src_s[fu], limit)) continue;
    const double v = costs_.src_val[fu] + start[in_.at(f, 0)];
    if (v < root) {
      root = v;
      k = f;
    }
  }
  // The stages per class of one optimal path: at each step the first end, then the first
  // next class, whose value is the optimum (rebuilt with the passes' arithmetic).
  uses.assign(ks, 0);
  for (std::int32_t p = 0; k >= 0 && root < kInf;) {
    ++uses[static_cast<std::size_t>(k)];
    std::int32_t q = -1;
    double best = kInf;
    for (std::int32_t x = p + 1; x <= costs_.hi[in_.kp(k, p)]; ++x) {
      const double e = end[in_.at(k, x)];
      if (!(e < kInf) || !in_.mem_ok(k, p, x)) continue;
      const double v = costs_.through(in_, k, p, x, e);
      if (v < best) {
        best = v;
        q = x;
      }
    }
    if (q < 0 || q == num_layers) break;
    std::int32_t next = -1;
    const double* tr =
        pen_tr_.data() + (static_cast<std::size_t>(q) * ks + static_cast<std::size_t>(k)) * ks;
    best = kInf;
    for (std::int32_t f = 0; f < kc; ++f) {
      const double v = start[in_.at(f, q)] + tr[static_cast<std::size_t>(f)];
      if (v < best) {
        best = v;
        next = f;
      }
    }
    if (next < 0) break;
    k = next;
    p = q;
  }
  return root;
}

double CostDp::lagrangian() {
  const std::int32_t kc = classes_;
  // warm start from the previous run's multipliers (successive runs are similar nodes)
  const bool warm = lambda_.size() == static_cast<std::size_t>(kc);
  std::vector<double> lambda =
      warm ? lambda_ : std::vector<double>(static_cast<std::size_t>(kc), 0.0);
  std::vector<double> start, end;
  std::vector<std::int32_t> uses;
  double best = -kInf;
  double theta = warm ? 0.25 : 1.0;
  std::int32_t stale = 0;
  // the zero multipliers (the plain relaxation) are always a valid fallback
  lambda_.assign(static_cast<std::size_t>(kc), 0.0);
  prepare_penalised();
  for (std::int32_t it = 0; it < (warm ? 20 : 40); ++it) {
    const double root = penalised_pass(lambda, start, end, uses);
    if (!(root < kInf)) break;
    double dual = root;
    for (std::int32_t f = 0; f < kc; ++f) {
      dual -= lambda[static_cast<std::size_t>(f)] * in_.count[static_cast<std::size_t>(f)];
    }
    if (dual > best) {
      best = dual;
      lambda_ = lambda;
      lag_start_ = start;
      lag_end_ = end;
      stale = 0;
    } else if (++stale >= 3) {
      theta *= 0.5;
      stale = 0;
    }
    double norm = 0.0;
    bool feasible = true;
    for (std::int32_t f = 0; f < kc; ++f) {
      const auto fu = static_cast<std::size_t>(f);
      const double g = uses[fu] - in_.count[fu];
      if (g > 0) feasible = false;
      if (g > 0 || lambda[fu] > 0.0) norm += g * g;
    }
    if (feasible || norm == 0.0 || theta < 1e-4) break;
    const double target = bound_ < kInf ? bound_ : best + 0.1 * std::fabs(best) + 1e-300;
    const double step = theta * std::max(target - dual, 1e-9 * std::fabs(dual)) / norm;
    for (std::int32_t f = 0; f < kc; ++f) {
      const auto fu = static_cast<std::size_t>(f);
      lambda[fu] = std::max(0.0, lambda[fu] + step * (uses[fu] - in_.count[fu]));
    }
  }
  if (best == -kInf) {  // no relaxed plan: the bounds must not prune anything
    const auto cells = static_cast<std::size_t>(kc) * static_cast<std::size_t>(in_.layers + 1);
    lag_start_.assign(cells, -kInf);
    lag_end_.assign(cells, -kInf);
  }
  return best;
}

bool CostDp::forward_pass() {
  const std::int32_t kc = classes_;
  const auto words = static_cast<std::size_t>(in_.words);
  // clear what the previous pass wrote (the arrays are sized once)
  if (survivors_.size() != static_cast<std::size_t>(in_.states()) * words) {
    survivors_.assign(static_cast<std::size_t>(in_.states()) * words, 0);
    fwd_rows_.assign(static_cast<std::size_t>(in_.states()), Row{});
    active_.assign(static_cast<std::size_t>(in_.vectors), 0);
    row_mask_.assign(static_cast<std::size_t>(in_.vectors), 0);
    touched_.clear();
  }
  for (const std::int64_t v : touched_) {
    const auto from = static_cast<std::size_t>(v * kc);
    std::fill(survivors_.begin() + static_cast<std::ptrdiff_t>(from * words),
              survivors_.begin() +
                  static_cast<std::ptrdiff_t>((from + static_cast<std::size_t>(kc)) * words),
              0);
    std::fill(fwd_rows_.begin() + static_cast<std::ptrdiff_t>(from),
              fwd_rows_.begin() + static_cast<std::ptrdiff_t>(from + static_cast<std::size_t>(kc)),
              Row{});
    active_[static_cast<std::size_t>(v)] = 0;
    row_mask_[static_cast<std::size_t>(v)] = 0;
  }
  touched_.clear();
  fwd_pool_.clear();
  bool complete = false;
  // Count vectors by number of devices used: those of one level depend only on the level
  // below, so a level's vectors are solved independently (on several lanes when it is
  // large) and their rows are merged before the next level. Values do not depend on the
  // lanes. active[c]: some predecessor of c kept a stage end, or c is a single device.
  std::vector<std::int64_t> level;
  for (std::int32_t f = 0; f < kc; ++f) {
    const auto fu = static_cast<std::size_t>(f);
    if (in_.count[fu] > 0 && active_[static_cast<std::size_t>(in_.stride[fu])] == 0) {
      active_[static_cast<std::size_t>(in_.stride[fu])] = 1;
      level.push_back(in_.stride[fu]);
    }
  }
  std::sort(level.begin(), level.end());
  const std::size_t lanes = lanes_.size();
  level_ends_.clear();
  while (!level.empty()) {
    touched_.insert(touched_.end(), level.begin(), level.end());
    level_ends_.push_back(touched_.size());
    const std::size_t n = level.size();
    const std::size_t used = n >= min_parallel_level_ ? lanes : 1;
    const auto solve_lane = [&](std::size_t t) {
      for (std::size_t i = t; i < n; i += used) forward_vector(level[i], lanes_[t]);
    };
    run_lanes(used, solve_lane);
    level.clear();
    for (std::size_t t = 0; t < used; ++t) {
      Lane& lane = lanes_[t];
      const auto base = static_cast<std::int64_t>(fwd_pool_.size());
      fwd_pool_.insert(fwd_pool_.end(), lane.pool.begin(), lane.pool.end());
      for (const std::int64_t r : lane.rows) fwd_rows_[static_cast<std::size_t>(r)].offset += base;
      states_ += lane.states;
      complete = complete || lane.complete;
      for (const std::int64_t v : lane.next) {
        if (active_[static_cast<std::size_t>(v)] != 0) continue;
        active_[static_cast<std::size_t>(v)] = 1;
        level.push_back(v);
      }
      lane.pool.clear();
      lane.rows.clear();
      lane.next.clear();
      lane.states = 0;
      lane.complete = false;
    }
    std::sort(level.begin(), level.end());
  }
  return complete;
}

void CostDp::forward_vector(std::int64_t idx, Lane& lane) {
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = classes_;
  const double limit = spec_.limit_s;
  const double ub = bound_;
  const auto words = static_cast<std::size_t>(in_.words);
  const auto positions = static_cast<std::size_t>(num_layers + 1);
  std::vector<std::int32_t>& c = lane.c;
  const std::int32_t total = decode(idx, c);
  // prices of the devices still free: the Lagrangian bounds subtract them (summed on
  // first use: most active vectors have no stored predecessor row for any class)
  double free_price = -1.0;
  const auto prices = [&] {
    if (free_price < 0.0) {
      free_price = 0.0;
      for (std::int32_t g = 0; g < kc; ++g) {
        const auto gu = static_cast<std::size_t>(g);
        free_price += lambda_[gu] * (in_.count[gu] - c[gu]);
      }
    }
    return free_price;
  };
  for (std::int32_t f = 0; f < kc; ++f) {
    const auto fu = static_cast<std::size_t>(f);
    if (c[fu] == 0) continue;
    // Costs up to "a stage on f starts at p".
    std::int32_t pb = num_layers;
    std::int32_t pe = -1;
    if (total == 1) {
      if (within(in_.src_s[fu], limit)) {
        lane.st[0] = costs_.src_val[fu];
        pb = pe = 0;
      }
    } else {
      const std::int64_t prev = idx - in_.stride[fu];
      // Classes whose stage-end row of the previous vector is stored: a bit mask read
      // before the rows themselves, which are mostly empty and scattered in memory.
      const std::uint64_t rows = row_mask_[static_cast<std::size_t>(prev)];
      for (std::uint64_t bits = rows; bits != 0; bits &= bits - 1) {
        const Row& r = fwd_rows_[static_cast<std::size_t>(prev * kc + std::countr_zero(bits))];
        pb = std::min(pb, std::max(r.begin, 1));
        pe = std::max(pe, std::min(r.end - 1, num_layers - 1));
      }
      for (std::int32_t p = pb; p <= pe; ++p) lane.st[static_cast<std::size_t>(p)] = kInf;
      for (std::uint64_t bits = pb <= pe ? rows : 0; bits != 0; bits &= bits - 1) {
        const std::int32_t k = std::countr_zero(bits);
        const Row& r = fwd_rows_[static_cast<std::size_t>(prev * kc + k)];
        const std::int32_t b = std::max(r.begin, 1);
        const std::int32_t e = std::min(r.end - 1, num_layers - 1);
        const double* send = in_.send_s.data() + in_.link(k, f, 0);
        const double* tr = costs_.tr.data() + in_.link(k, f, 0);
        for (std::int32_t p = b; p <= e; ++p) {
          const double ev = fwd_pool_[static_cast<std::size_t>(r.offset + (p - r.begin))];
          if (!(ev < kInf) || !within(send[p], limit)) continue;
          double& sv = lane.st[static_cast<std::size_t>(p)];
          sv = std::min(sv, ev + tr[p]);
        }
      }
    }
    if (pb > pe) continue;
    const double free = prices();
    std::uint64_t* kept = survivors_.data() + static_cast<std::size_t>(idx * kc + f) * words;
    // Starts outside the caller's mask are on no feasible plan.
    const std::uint64_t* allowed = spec_.mask != nullptr ? spec_.mask->starts(idx, f) : nullptr;
    // Starts the relaxed reach bound shows cannot complete a plan within the limit.
    const std::int32_t first_start =
        spec_.reach_bound != nullptr ? spec_.reach_bound->min_start(idx, f) : 0;
    bool any = false;
    for (std::int32_t p = pb; p <= pe; ++p) {
      double& sv = lane.st[static_cast<std::size_t>(p)];
      if ((allowed != nullptr && !test_bit(allowed, p)) || p < first_start) sv = kInf;
      if (sv < kInf &&
          sv + std::max(relaxed_[in_.at(f, p)].v, lag_start_[in_.at(f, p)] - (free + lambda_[fu])) >
              ub) {
        sv = kInf;
      }
      if (sv < kInf) {
        set_bit(kept, p);
        any = true;
      }
    }
    if (!any) continue;
    ++lane.states;
    // Costs up to "the stage on f ends at q", over the windows of valid starts.
    const std::int32_t qmax = costs_.hi[in_.kp(f, pe)];
    const double* ca = costs_.a.data() + in_.at(f, 0);
    const double* cb = costs_.b.data() + in_.at(f, 0);
    const double sc = costs_.stage_const[fu];
    const std::int32_t* lo = costs_.lo.data() + in_.at(f, 0);
    const std::int32_t* clo = costs_.charge_lo.data() + in_.at(f, 0);
    const std::int32_t* sall = in_.start_all.data() + in_.at(f, 0);
    bool floored = false;
    for (std::int32_t q = pb + 1; q <= qmax && !floored; ++q)
      floored = clo[q] > std::max(lo[q], pb);
    const auto width = positions;
    if (floored) {
      for (std::int32_t p = pb; p <= pe; ++p) {
        const double sv = lane.st[static_cast<std::size_t>(p)];
        lane.table[static_cast<std::size_t>(p)] = sv < kInf ? sv - cb[p] : kInf;
      }
      for (std::size_t j = 1; (std::int32_t{1} << j) <= pe - pb + 1; ++j) {
        const std::int32_t half = std::int32_t{1} << (j - 1);
        for (std::int32_t p = pb; p + 2 * half - 1 <= pe; ++p) {
          lane.table[j * width + static_cast<std::size_t>(p)] =
              std::min(lane.table[(j - 1) * width + static_cast<std::size_t>(p)],
                       lane.table[(j - 1) * width + static_cast<std::size_t>(p + half)]);
        }
      }
    }
    const auto range_b = [&](std::int32_t x, std::int32_t y) {
      const auto j =
          static_cast<std::size_t>(std::bit_width(static_cast<std::uint32_t>(y - x + 1)) - 1);
      return std::min(
          lane.table[j * width + static_cast<std::size_t>(x)],
          lane.table[j * width + static_cast<std::size_t>(y - (std::int32_t{1} << j) + 1)]);
    };
    // Monotone stack over starts p in [pb, q - 1]: indices and keys rise from bottom to
    // top, so the minimum over [x, q - 1] is the deepest entry with index >= x.
    std::int32_t top = 0;
    std::int32_t en_first = -1;
    std::int32_t en_last = -1;
    for (std::int32_t q = pb + 1; q <= qmax; ++q) {
      const std::int32_t np = q - 1;
      if (np <= pe) {
        const double sv = lane.st[static_cast<std::size_t>(np)];
        if (sv < kInf) {
          const double key = sv - ca[np];
          while (top > 0 && !(lane.stack_key[static_cast<std::size_t>(top - 1)] < key)) --top;
          lane.stack_p[static_cast<std::size_t>(top)] = np;
          lane.stack_key[static_cast<std::size_t>(top)] = key;
          ++top;
        }
      }
      double best = kInf;
      const std::int32_t low = std::max(lo[q], pb);     // starts within the limit
      const std::int32_t fit = std::max(low, sall[q]);  // contiguous fitting starts from here
      const std::int32_t xa = std::max(fit, clo[q]);    // charged at the floor from here
      if (xa <= std::min(q - 1, pe) && top > 0) {
        std::int32_t a = 0;
        std::int32_t b = top;
        while (a < b) {
          const std::int32_t mid = (a + b) / 2;
          if (lane.stack_p[static_cast<std::size_t>(mid)] >= xa) {
            b = mid;
          } else {
            a = mid + 1;
          }
        }
        if (a < top)
          best = std::min(best, lane.stack_key[static_cast<std::size_t>(a)] + ca[q] + sc);
      }
      if (floored && fit < xa) {
        const std::int32_t y = std::min({xa - 1, q - 1, pe});
        if (fit <= y) best = std::min(best, range_b(fit, y) + cb[q]);
      }
      if (low < fit) {  // starts that fit although a longer stage from them does not
        const std::uint64_t* fits = in_.start_row(f, q);
        for (std::int32_t p = low; p < std::min(fit, pe + 1); ++p) {
          const double sv = lane.st[static_cast<std::size_t>(p)];
          if (!(sv < kInf) || !test_bit(fits, p)) continue;
          best = std::min(best, costs_.through(in_, f, p, q, sv));
        }
      }
      if (best < kInf &&
          best + std::max(relaxed_end_[in_.at(f, q)].v, lag_end_[in_.at(f, q)] - free) > ub) {
        best = kInf;
      }
      lane.en[static_cast<std::size_t>(q)] = best;
      if (best < kInf) {
        if (en_first < 0) en_first = q;
        en_last = q;
      }
    }
    if (en_first < 0) continue;
    if (en_last == num_layers) lane.complete = true;
    for (std::int32_t g = 0; g < kc; ++g) {
      const auto gu = static_cast<std::size_t>(g);
      if (c[gu] < in_.count[gu]) lane.next.push_back(idx + in_.stride[gu]);
    }
    row_mask_[static_cast<std::size_t>(idx)] |= std::uint64_t{1} << f;
    Row& row = fwd_rows_[static_cast<std::size_t>(idx * kc + f)];
    row.offset = static_cast<std::int64_t>(lane.pool.size());
    lane.rows.push_back(idx * kc + f);
    row.begin = en_first;
    row.end = en_last + 1;
    for (std::int32_t q = en_first; q <= en_last; ++q)
      lane.pool.push_back(lane.en[static_cast<std::size_t>(q)]);
  }
}

CostAnswer CostDp::relax(const CostSpec& spec, bool& exact) {
  spec_ = spec;
  count_first_ = spec.count_first;
  coupled_ = !in_.overlap && spec.limit_s < kInf;
  costs_.build(in_, spec);
  states_ = 0;
  bound_ = kInf;
  CostAnswer answer;
  exact = try_relaxed(answer);
  states_ += relaxed_states_;
  relaxed_states_ = 0;
  if (!exact) {
    answer.found = true;
    answer.value = relaxed_root_;
  }
  return answer;
}

CostAnswer CostDp::run(const CostSpec& spec, const std::function<void()>& alongside) {
  spec_ = spec;
  count_first_ = spec.count_first;
  coupled_ = !in_.overlap && spec.limit_s < kInf;
  costs_.build(in_, spec);
  states_ = 0;
  bound_ = !count_first_ && spec.upper_bound < kInf
               ? spec.upper_bound + 1e-9 * std::fabs(spec.upper_bound)
               : kInf;
  const bool forward = !count_first_ && !coupled_ && classes_ <= 64;  // 64: a bit per class
  // The caller's preparation and the relaxation on one side, the Lagrangian bound on the
  // other: independent, so with several lanes they run side by side (the bound is then also
  // computed when the relaxation settles the run; only the multipliers' warm start, hence the
  // work, depends on that).
  CostAnswer relaxed;
  bool settled = false;
  double dual = -kInf;
  if (forward && threads_ > 1 && pool_) {
    run_lanes(2, [&](std::size_t t) {
      if (t == 1) {
        if (alongside) alongside();
        settled = try_relaxed(relaxed);
      } else {
        dual = lagrangian();
      }
    });
  } else {
    if (alongside) alongside();
    settled = try_relaxed(relaxed);
    if (!settled && forward) dual = lagrangian();
  }
  states_ += relaxed_states_ + lagrangian_states_;
  relaxed_states_ = 0;
  lagrangian_states_ = 0;
  if (settled) return relaxed;
  use_survivors_ = false;
  if (forward) {
    // Forward passes with bounds growing from the relaxation's value towards upper_bound:
    // a pass that completes a plan keeps every state of every plan within its bound, so the
    // backward pass over its survivors is exact; tight bounds keep few states.
    const double lower = std::max({relaxed_root_.v, dual, spec.lower_bound});
    const double unit = lower > 0.0 ? lower : 1e-9;
    const double limit_bound = bound_;
    bool complete = false;
    // Successive runs (the nodes of one energy search) tend to need similar steps: start one
    // step below the one that completed last time. Only the work depends on the steps.
    for (std::int32_t i = std::max(0, last_step_ - 1); i < 40 && !complete; ++i) {
      bound_ = lower + unit * 1e-4 * std::pow(4.0, i);
      const bool last = bound_ >= limit_bound;
      if (last) bound_ = limit_bound;
      complete = forward_pass();
      last_step_ = i;
      if (last && !complete) return CostAnswer{};  // nothing within upper_bound
      if (last) break;
    }
    use_survivors_ = complete;
  }
  bound_ = kInf;
  if (!count_first_ && spec.upper_bound < kInf && !use_survivors_) {
    bound_ = spec.upper_bound + 1e-9 * std::fabs(spec.upper_bound);
    std::int32_t devices = 0;
    for (const std::int32_t n : in_.count) devices += n;
    layers_bound_ = std::min({devices - 1, in_.layers - 1, 32});
    relaxed_forward(in_, costs_, spec, layers_bound_, fwd_);
  }
  pool_v_.clear();
  pool_n_.clear();
  const std::int32_t kc = classes_;
  for (const std::int64_t r : dirty_rows_) rows_[static_cast<std::size_t>(r)] = Row{};
  dirty_rows_.clear();
  const auto solve_vector = [&](std::int64_t idx, std::int32_t total, BackLane& lane) {
    for (std::int32_t k = 0; k < kc; ++k) {
      if (lane.c[static_cast<std::size_t>(k)] != 0) solve_row(idx, k, lane.c, total, lane);
    }
  };
  if (use_survivors_) {
    // Only the count vectors the forward pass kept, level by level from the most devices
    // down: a vector's rows read only those of the level above, so one level's vectors are
    // independent (split over the lanes when it is large) and merged before the next.
    for (std::size_t l = level_ends_.size(); l-- > 0;) {
      const std::size_t from = l == 0 ? 0 : level_ends_[l - 1];
      const std::size_t n = level_ends_[l] - from;
      const std::size_t used = n >= min_parallel_level_ ? back_lanes_.size() : 1;
      run_lanes(used, [&](std::size_t t) {
        BackLane& lane = back_lanes_[t];
        for (std::size_t i = t; i < n; i += used) {
          const std::int64_t idx = touched_[from + i];
          solve_vector(idx, decode(idx, lane.c), lane);
        }
      });
      merge_back_lanes(used);
    }
  } else {
    BackLane& lane = back_lanes_[0];
    std::vector<std::int32_t>& c = lane.c;
    c = in_.count;
    std::int32_t total = 0;
    for (const std::int32_t n : c) total += n;
    for (std::int64_t idx = in_.vectors - 1; idx >= 1; --idx) {
      if (idx != in_.vectors - 1) {
        previous_count_vector(c, in_.count, total);
      }
      solve_vector(idx, total, lane);
      merge_back_lanes(1);
    }
  }

  CostAnswer answer;
  std::int32_t first_class = -1;
  for (std::int32_t k = 0; k < kc; ++k) {
    const auto ku = static_cast<std::size_t>(k);
    if (in_.count[ku] == 0 || !within(in_.src_s[ku], spec.limit_s)) continue;
    const Val g = get(in_.stride[ku], k, 0);
    if (!g.finite()) continue;
    const Val total_val{costs_.src_val[ku] + g.v, g.n};
    if (first_class < 0 || less(total_val, answer.value)) {
      answer.value = total_val;
      first_class = k;
    }
  }
  if (first_class < 0) return answer;
  answer.found = true;
  answer.stages = rebuild(first_class);
  return answer;
}

std::vector<StageAssignment> CostDp::rebuild(std::int32_t first_class) const {
  std::vector<StageAssignment> stages;
  std::vector<std::int32_t> c(static_cast<std::size_t>(classes_), 0);
  std::int32_t k = first_class;
  c[static_cast<std::size_t>(k)] = 1;
  std::int64_t idx = in_.stride[static_cast<std::size_t>(k)];
  std::int32_t p = 0;
  std::vector<std::array<std::int32_t, 2>> order;  // (next device id, class)
  while (true) {
    const auto ku = static_cast<std::size_t>(k);
    const std::int32_t device = in_.members[ku][static_cast<std::size_t>(c[ku] - 1)];
    order.clear();
    for (std::int32_t f = 0; f < classes_; ++f) {
      const auto fu = static_cast<std::size_t>(f);
      if (c[fu] < in_.count[fu])
        order.push_back({in_.members[fu][static_cast<std::size_t>(c[fu])], f});
    }
    std::sort(order.begin(), order.end());
    std::int32_t best_q = -1;
    std::int32_t best_f = -1;
    (void)best_continuation(
        in_, costs_, spec_, coupled_, order, idx, k, p,
        [&](std::int64_t vector, std::int32_t f, std::int32_t q) { return get(vector, f, q); },
        best_q, best_f);
    if (best_q < 0) break;  // unreachable: the DP value says a continuation exists
    stages.push_back({DeviceId(device), LayerId(p), LayerId(best_q - 1)});
    if (best_f < 0) break;
    c[static_cast<std::size_t>(best_f)] += 1;
    idx += in_.stride[static_cast<std::size_t>(best_f)];
    k = best_f;
    p = best_q;
  }
  return stages;
}

}  // namespace tessera::plan::detail
