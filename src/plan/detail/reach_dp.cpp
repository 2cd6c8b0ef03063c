#include "plan/detail/reach_dp.hpp"

#include <algorithm>

#include "plan/detail/bits.hpp"

namespace tessera::plan::detail {

void stage_ends(const Instance& in, double limit_s, std::vector<std::int32_t>& hi) {
  const std::int32_t num_layers = in.layers;
  hi.resize(static_cast<std::size_t>(in.classes) * static_cast<std::size_t>(num_layers));
  for (std::int32_t k = 0; k < in.classes; ++k) {
    std::int32_t q = 0;
    for (std::int32_t p = 0; p < num_layers; ++p) {
      q = std::max(q, p);
      while (q < num_layers && within(in.period_compute(k, p, q + 1), limit_s)) ++q;
      hi[in.kp(k, p)] = q;
    }
  }
}

ReachDp::ReachDp(const Instance& instance)
    : in_(instance), classes_(instance.classes), words_(instance.words) {
  slot_of_.assign(static_cast<std::size_t>(in_.vectors), -1);
  zero_.assign(static_cast<std::size_t>(classes_) * static_cast<std::size_t>(words_), 0);
  current_.assign(zero_.size(), 0);
  for (const std::int32_t n : in_.count) distinct_ = distinct_ && n == 1;
  send_ok_.assign(static_cast<std::size_t>(classes_) * static_cast<std::size_t>(classes_) *
                      static_cast<std::size_t>(words_),
                  0);
  ends_.assign(static_cast<std::size_t>(words_), 0);
  acc_.assign(static_cast<std::size_t>(classes_) * static_cast<std::size_t>(words_), 0);
  starts_list_.resize(static_cast<std::size_t>(in_.layers + 1));
  min_compute_.assign(static_cast<std::size_t>(in_.layers + 1), kInf);
  min_send_.assign(static_cast<std::size_t>(in_.layers + 1), kInf);
}

void ReachDp::prepare(double limit_s) {
  limit_ = limit_s;
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = classes_;
  stage_ends(in_, limit_s, hi_);
  // lo: smallest start of a stage ending at q within the limit (non-decreasing in q)
  lo_.resize(static_cast<std::size_t>(kc) * static_cast<std::size_t>(num_layers + 1));
  for (std::int32_t k = 0; k < kc; ++k) {
    std::int32_t p = 0;
    for (std::int32_t q = 0; q <= num_layers; ++q) {
      while (p < q && !within(in_.period_compute(k, p, q), limit_s)) ++p;
      lo_[in_.at(k, q)] = p;
    }
  }
  std::fill(send_ok_.begin(), send_ok_.end(), 0);
  for (std::int32_t k = 0; k < kc; ++k) {
    for (std::int32_t f = 0; f < kc; ++f) {
      std::uint64_t* ok = send_ok_.data() + (static_cast<std::size_t>(k) * kc + f) * words_;
      for (std::int32_t q = 1; q < num_layers; ++q) {
        if (within(in_.send_s[in_.link(k, f, q)], limit_s)) set_bit(ok, q);
      }
    }
  }
}

void ReachDp::relaxed_bound() {
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = classes_;
  const auto positions = static_cast<std::size_t>(num_layers + 1);
  reach_.assign(static_cast<std::size_t>(kc) * positions, 0);
  jump_.assign(static_cast<std::size_t>(kc) * positions, 0);
  for (std::int32_t k = 0; k < kc; ++k) {
    std::int32_t best = 0;
    std::int32_t* reach = reach_.data() + static_cast<std::size_t>(k) * positions;
    for (std::int32_t p = 0; p < num_layers; ++p) {
      best = std::max({best, p, std::min(hi_[in_.kp(k, p)], in_.mem_any[in_.kp(k, p)])});
      reach[p] = best;
    }
    reach[num_layers] = num_layers;
    std::int32_t* jump = jump_.data() + static_cast<std::size_t>(k) * positions;
    std::int32_t p = 0;
    for (std::int32_t v = 0; v <= num_layers; ++v) {  // reach is non-decreasing: two pointers
      while (p < v && reach[p] < v) ++p;
      jump[v] = p;
    }
  }
  // need_[r]: the devices counted by r, each used at most once in any order, cover [x, L) in
  // the relaxed model exactly for x >= need_[r] (reaching further never hurts there).
  // uint16 halves the memory traffic of the 2^D loop; run() skips the bound beyond 65535 layers.
  need_.resize(static_cast<std::size_t>(in_.vectors));
  need_[0] = static_cast<std::uint16_t>(num_layers);
  if (distinct_) {
    relaxed_bound_distinct();
    return;
  }
  std::vector<std::int32_t> r(static_cast<std::size_t>(kc), 0);
  for (std::int64_t idx = 1; idx < in_.vectors; ++idx) {
    for (std::size_t j = 0;; ++j) {
      if (r[j] < in_.count[j]) {
        ++r[j];
        break;
      }
      r[j] = 0;
    }
    std::int32_t best = num_layers;
    for (std::int32_t k = 0; k < kc; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      if (r[ku] == 0) continue;
      const std::int32_t rest = need_[static_cast<std::size_t>(idx - in_.stride[ku])];
      best = std::min(best, jump(k, rest));
    }
    need_[static_cast<std::size_t>(idx)] = static_cast<std::uint16_t>(best);
  }
}

void ReachDp::relaxed_bound_distinct() {
  // The same recursion when every class has one device: count vectors are bit masks.
  const auto positions = static_cast<std::size_t>(in_.layers + 1);
  for (std::int64_t idx = 1; idx < in_.vectors; ++idx) {
    std::int32_t best = in_.layers;
    for (auto bits = static_cast<std::uint64_t>(idx); bits != 0; bits &= bits - 1) {
      const int k = std::countr_zero(bits);
      const std::uint16_t rest =
          need_[static_cast<std::size_t>(idx) ^ (std::size_t{1} << static_cast<unsigned>(k))];
      best = std::min(
          best, jump_[static_cast<std::size_t>(k) * positions + static_cast<std::size_t>(rest)]);
    }
    need_[static_cast<std::size_t>(idx)] = static_cast<std::uint16_t>(best);
  }
}

void ReachDp::expand_max(std::int32_t k, const std::uint64_t* starts, std::uint64_t* ends) const {
  std::fill(ends, ends + words_, 0);
  std::int32_t covered = 0;
  for_each_bit(starts, words_, [&](std::int32_t p) {
    const std::int32_t h = hi_[in_.kp(k, p)];
    if (h <= p) return;
    const std::int32_t all = in_.mem_all[in_.kp(k, p)];
    const std::int32_t r = std::min(h, all);
    if (r > p && r > covered) {
      set_range(ends, std::max(p + 1, covered + 1), r);
      covered = r;
    }
    if (h > all) {
      const std::int32_t upper = std::min(h, in_.mem_any[in_.kp(k, p)]);
      if (upper > all) or_range(ends, in_.mem_row(k, p), all + 1, upper);
    }
  });
}

void ReachDp::best_compute(std::int32_t k, const std::uint64_t* starts, std::int32_t& first,
                           std::int32_t& last) {
  std::int32_t n = 0;
  for_each_bit(starts, words_,
               [&](std::int32_t p) { starts_list_[static_cast<std::size_t>(n++)] = p; });
  first = 1;
  last = 0;
  if (n == 0) return;
  first = starts_list_[0] + 1;
  last = hi_[in_.kp(k, starts_list_[static_cast<std::size_t>(n - 1)])];
  std::int32_t j = 0;
  for (std::int32_t q = first; q <= last; ++q) {
    while (j + 1 < n && starts_list_[static_cast<std::size_t>(j + 1)] < q) ++j;
    double best = kInf;
    for (std::int32_t i = j; i >= 0; --i) {
      const std::int32_t p = starts_list_[static_cast<std::size_t>(i)];
      if (hi_[in_.kp(k, p)] < q) break;  // and every earlier start is slower still
      if (in_.mem_ok(k, p, q)) {
        best = in_.period_compute(k, p, q);
        break;
      }
    }
    min_compute_[static_cast<std::size_t>(q)] = best;
  }
}

bool ReachDp::dive(std::int64_t idx, std::int32_t k, std::int32_t p, std::int64_t& budget) {
  if (--budget < 0) return false;
  ++states_;
  const std::int32_t num_layers = in_.layers;
  const auto ku = static_cast<std::size_t>(k);
  // The devices left after this stage (count - c) cover [q, L) in the relaxed model only
  // for q >= need_[rest]: the furthest ends come first, and the scan stops below that.
  const std::int64_t rest = in_.vectors - 1 - idx;
  const std::int32_t floor = need_[static_cast<std::size_t>(rest)];
  std::int32_t c_rest = 0;  // classes with a device left, for the next stage
  for (std::int32_t q = hi_[in_.kp(k, p)]; q > p && q >= floor; --q) {
    if (!in_.mem_ok(k, p, q)) continue;
    const double comp = in_.period_compute(k, p, q);
    if (q == num_layers) {
      const double s = in_.sink_s[ku];
      if (in_.overlap ? within(s, limit_) : (s < kInf && comp + s <= limit_)) return true;
      continue;
    }
    for (std::int32_t f = 0; f < classes_; ++f) {
      const auto fu = static_cast<std::size_t>(f);
      // class f has a device left when rest counts one of it
      if ((rest / in_.stride[fu]) % (in_.count[fu] + 1) == 0) continue;
      ++c_rest;
      const double s = in_.send_s[in_.link(k, f, q)];
      if (!(in_.overlap ? within(s, limit_) : (s < kInf && comp + s <= limit_))) continue;
      if (jump(f, need_[static_cast<std::size_t>(rest - in_.stride[fu])]) > q) continue;
      if (dive(idx + in_.stride[fu], f, q, budget)) return true;
      if (budget < 0) return false;
    }
    if (c_rest == 0) break;  // no device left: only the sink could end this stage
  }
  return false;
}

bool ReachDp::quick_plan(std::int64_t budget) {
  for (std::int32_t k = 0; k < classes_; ++k) {
    const auto ku = static_cast<std::size_t>(k);
    if (in_.count[ku] == 0 || !within(in_.src_s[ku], limit_)) continue;
    if (jump(k, need_[static_cast<std::size_t>(in_.vectors - 1 - in_.stride[ku])]) > 0) continue;
    if (dive(in_.stride[ku], k, 0, budget)) return true;
    if (budget < 0) return false;
  }
  return false;
}

std::uint64_t* ReachDp::claim(std::int64_t vector) {
  std::int32_t& slot = slot_of_[static_cast<std::size_t>(vector)];
  if (slot < 0) {
    slot = static_cast<std::int32_t>(used_.size());
    used_.push_back(vector);
    pool_.resize(pool_.size() + zero_.size(), 0);
  }
  return block(slot);
}

void ReachDp::bound(double limit_s) {
  prepare(limit_s);
  if (in_.layers < 65535) {
    relaxed_bound();
  } else {
    need_.clear();
  }
}

bool ReachDp::run(double limit_s, bool record, bool prune) {
  prepare(limit_s);
  finish_.clear();
  states_ = 0;
  furthest_ = 0;
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = classes_;
  for (const std::int64_t v : used_) slot_of_[static_cast<std::size_t>(v)] = -1;
  used_.clear();
  pool_.clear();
  prune = prune && num_layers < 65535;
  if (prune) {
    relaxed_bound();
    // Not even the relaxation covers the layers from cut 0 with all devices.
    if (need_[static_cast<std::size_t>(in_.vectors - 1)] > 0) return false;
    // Loose limits: a depth-first dive (furthest ends first, guided by the bound) usually
    // finds a plan long before the breadth-first DP below would complete one.
    if (!record && quick_plan(kDiveBudget)) {
      furthest_ = num_layers;
      return true;
    }
  }
  for (std::int32_t k = 0; k < kc; ++k) {
    if (in_.count[static_cast<std::size_t>(k)] > 0 &&
        within(in_.src_s[static_cast<std::size_t>(k)], limit_s)) {
      set_bit(claim(in_.stride[static_cast<std::size_t>(k)]) + static_cast<std::size_t>(k) * words_,
              0);
    }
  }

  bool found = false;
  const std::size_t block_words = static_cast<std::size_t>(kc) * static_cast<std::size_t>(words_);
  std::vector<std::int32_t> c(static_cast<std::size_t>(kc), 0);
  for (std::int64_t idx = 1; idx < in_.vectors; ++idx) {
    for (std::size_t j = 0;; ++j) {  // next count vector in mixed radix
      if (c[j] < in_.count[j]) {
        ++c[j];
        break;
      }
      c[j] = 0;
    }
    // Every class of this count vector at once: its start rows are contiguous, and so are
    // those of each predecessor, so a vector costs K block reads and K row writes.
    const std::int32_t slot = slot_of_[static_cast<std::size_t>(idx)];
    if (slot < 0) continue;
    std::uint64_t* own = block(slot);
    if (prune) {
      // A start on k needs its stage and the devices left after it (count - c, an index
      // of vectors - 1 - idx in mixed radix) to cover the rest in the relaxed model.
      const std::int32_t rest = need_[static_cast<std::size_t>(in_.vectors - 1 - idx)];
      for (std::int32_t k = 0; k < kc; ++k) {
        const std::int32_t from = jump(k, rest);
        if (from > 0) clear_below(own + static_cast<std::size_t>(k) * words_, words_, from);
      }
    }
    if (!any_bit(own, static_cast<std::int32_t>(block_words))) continue;
    std::copy(own, own + block_words, current_.begin());
    const std::uint64_t* rows = current_.data();
    if (!record) {
      // A start already reached with one device fewer is dominated (any completion of it
      // completes the other). Rows of a class absent from the predecessor are empty.
      for (std::int32_t u = 0; u < kc; ++u) {
        if (c[static_cast<std::size_t>(u)] == 0) continue;
        const std::int32_t below_slot =
            slot_of_[static_cast<std::size_t>(idx - in_.stride[static_cast<std::size_t>(u)])];
        if (below_slot < 0) continue;
        const std::uint64_t* below = block(below_slot);
        for (std::size_t w = 0; w < block_words; ++w) current_[w] &= ~below[w];
      }
    }
    std::fill(acc_.begin(), acc_.end(), 0);
    bool any = false;
    for (std::int32_t k = 0; k < kc; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      if (c[ku] == 0) continue;
      const std::uint64_t* starts = rows + ku * static_cast<std::size_t>(words_);
      if (!any_bit(starts, words_)) continue;
      ++states_;
      if (in_.overlap) {
        expand_max(k, starts, ends_.data());
        const std::int32_t last = last_bit(ends_.data(), words_);
        if (last == num_layers && within(in_.sink_s[ku], limit_s)) {
          found = true;
          if (!record) {
            furthest_ = num_layers;
            return true;
          }
        }
        furthest_ = std::max(furthest_, last);
        for (std::int32_t f = 0; f < kc; ++f) {
          const auto fu = static_cast<std::size_t>(f);
          if (c[fu] >= in_.count[fu]) continue;
          std::uint64_t* dst = acc_.data() + fu * static_cast<std::size_t>(words_);
          const std::uint64_t* ok =
              send_ok_.data() + (static_cast<std::size_t>(k) * kc + f) * words_;
          for (std::int32_t w = 0; w < words_; ++w)
            dst[w] |= ends_[static_cast<std::size_t>(w)] & ok[w];
        }
        any = true;
      } else {
        std::int32_t first = 0;
        std::int32_t last = 0;
        best_compute(k, starts, first, last);
        if (last < first) continue;
        for (std::int32_t q = first; q <= last; ++q) {
          if (min_compute_[static_cast<std::size_t>(q)] < kInf) furthest_ = std::max(furthest_, q);
        }
        if (last == num_layers) {
          const double m = min_compute_[static_cast<std::size_t>(num_layers)];
          const double s = in_.sink_s[ku];
          if (m < kInf && s < kInf && m + s <= limit_s) {
            found = true;
            if (!record) return true;
          }
        }
        const std::int32_t top = std::min(last, num_layers - 1);
        for (std::int32_t f = 0; f < kc; ++f) {
          const auto fu = static_cast<std::size_t>(f);
          if (c[fu] >= in_.count[fu]) continue;
          std::uint64_t* dst = acc_.data() + fu * static_cast<std::size_t>(words_);
          const double* send = in_.send_s.data() + in_.link(k, f, 0);
          for (std::int32_t q = first; q <= top; ++q) {
            const double m = min_compute_[static_cast<std::size_t>(q)];
            const double s = send[q];
            if (m < kInf && s < kInf && m + s <= limit_s) set_bit(dst, q);
          }
        }
        any = true;
      }
    }
    if (!any) continue;
    for (std::int32_t f = 0; f < kc; ++f) {
      const auto fu = static_cast<std::size_t>(f);
      if (c[fu] >= in_.count[fu]) continue;
      const std::uint64_t* src = acc_.data() + fu * static_cast<std::size_t>(words_);
      if (!any_bit(src, words_)) continue;
      std::uint64_t* dst = claim(idx + in_.stride[fu]) +
                           static_cast<std::size_t>(f) * static_cast<std::size_t>(words_);
      for (std::int32_t w = 0; w < words_; ++w) dst[w] |= src[w];
    }
  }
  return found;
}

void ReachDp::expand_back(std::int32_t k, const std::uint64_t* ends, std::uint64_t* starts) const {
  for_each_bit(ends, words_, [&](std::int32_t q) {
    const std::int32_t lo = lo_[in_.at(k, q)];
    if (lo >= q) return;
    const std::int32_t all = in_.start_all[in_.at(k, q)];
    set_range(starts, std::max(lo, all), q - 1);
    if (lo < all) or_range(starts, in_.start_row(k, q), lo, all - 1);
  });
}

void ReachDp::expand_back_coupled(std::int32_t k, const std::uint64_t* ends,
                                  std::uint64_t* starts) const {
  for_each_bit(ends, words_, [&](std::int32_t q) {
    const double send = min_send_[static_cast<std::size_t>(q)];
    // smallest p >= lo_ with period_compute(p, q) + send <= limit (it falls as p grows, sum
    // or max alike); formed exactly as the forward pass and the candidate periods form it
    const std::int32_t a = in_.first_start_within(k, lo_[in_.at(k, q)], q, send, limit_);
    if (a >= q) return;
    const std::int32_t all = in_.start_all[in_.at(k, q)];
    set_range(starts, std::max(a, all), q - 1);
    if (a < all) or_range(starts, in_.start_row(k, q), a, all - 1);
  });
}

void ReachDp::run_backward(double limit_s) {
  prepare(limit_s);
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = classes_;
  finish_.assign(static_cast<std::size_t>(in_.states()) * static_cast<std::size_t>(words_), 0);
  std::vector<std::int32_t> r(static_cast<std::size_t>(kc), 0);
  for (std::int64_t idx = 1; idx < in_.vectors; ++idx) {
    for (std::size_t j = 0;; ++j) {
      if (r[j] < in_.count[j]) {
        ++r[j];
        break;
      }
      r[j] = 0;
    }
    for (std::int32_t k = 0; k < kc; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      if (r[ku] == 0) continue;
      // Ends of a stage on k: the sink, or a cut where a later stage (with one device of k
      // fewer available) can start and the send fits.
      std::fill(ends_.begin(), ends_.end(), 0);
      const std::int64_t rest = idx - in_.stride[ku];
      if (in_.overlap) {
        if (within(in_.sink_s[ku], limit_s)) set_bit(ends_.data(), num_layers);
        for (std::int32_t f = 0; f < kc; ++f) {
          const auto fu = static_cast<std::size_t>(f);
          if (r[fu] - (f == k ? 1 : 0) == 0) continue;
          const std::uint64_t* next = finish_.data() + offset(rest, f);
          const std::uint64_t* ok =
              send_ok_.data() + (static_cast<std::size_t>(k) * kc + f) * words_;
          for (std::int32_t w = 0; w < words_; ++w)
            ends_[static_cast<std::size_t>(w)] |= next[w] & ok[w];
        }
        expand_back(k, ends_.data(), finish_.data() + offset(idx, k));
      } else {
        if (in_.sink_s[ku] < kInf) {
          set_bit(ends_.data(), num_layers);
          min_send_[static_cast<std::size_t>(num_layers)] = in_.sink_s[ku];
        }
        for (std::int32_t q = 1; q < num_layers; ++q) min_send_[static_cast<std::size_t>(q)] = kInf;
        for (std::int32_t f = 0; f < kc; ++f) {
          const auto fu = static_cast<std::size_t>(f);
          if (r[fu] - (f == k ? 1 : 0) == 0) continue;
          const std::uint64_t* next = finish_.data() + offset(rest, f);
          const double* send = in_.send_s.data() + in_.link(k, f, 0);
          for_each_bit(next, words_, [&](std::int32_t q) {
            if (q >= num_layers || !(send[q] < kInf)) return;
            double& m = min_send_[static_cast<std::size_t>(q)];
            m = std::min(m, send[q]);
            set_bit(ends_.data(), q);
          });
        }
        expand_back_coupled(k, ends_.data(), finish_.data() + offset(idx, k));
      }
    }
  }
}

}  // namespace tessera::plan::detail
