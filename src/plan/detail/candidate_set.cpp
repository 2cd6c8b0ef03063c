#include "plan/detail/candidate_set.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "plan/detail/reach_dp.hpp"

namespace tessera::plan::detail {

namespace {

constexpr std::int64_t kStoreLimit = std::int64_t{1} << 22;

}  // namespace

double CandidateSet::value(const List& list, std::int32_t i) const {
  if (in_.overlap) return in_.period_compute(list.k, list.a, list.a + 1 + i);
  const std::int32_t q = list.a;
  const double s = list.f == in_.classes ? in_.sink_s[static_cast<std::size_t>(list.k)]
                                         : in_.send_s[in_.link(list.k, list.f, q)];
  return in_.period_compute(list.k, q - 1 - i, q) + s;
}

std::int32_t CandidateSet::below(const List& list, double x) const {
  std::int32_t lo = 0;
  std::int32_t hi = list.len;
  while (lo < hi) {
    const std::int32_t mid = (lo + hi) / 2;
    if (value(list, mid) < x) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

std::int32_t CandidateSet::at_most(const List& list, double x) const {
  std::int32_t lo = 0;
  std::int32_t hi = list.len;
  while (lo < hi) {
    const std::int32_t mid = (lo + hi) / 2;
    if (value(list, mid) <= x) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

CandidateSet::CandidateSet(const Instance& instance, double cap) : in_(instance) {
  const std::int32_t num_layers = in_.layers;
  const std::int32_t kc = in_.classes;
  std::vector<double> extra;
  for (std::int32_t k = 0; k < kc; ++k) {
    const auto ku = static_cast<std::size_t>(k);
    if (in_.io && within(in_.src_s[ku], cap)) extra.push_back(in_.src_s[ku]);
  }
  if (in_.overlap) {
    for (std::int32_t k = 0; k < kc; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      if (within(in_.sink_s[ku], cap)) extra.push_back(in_.sink_s[ku]);
      for (std::int32_t f = 0; f < kc; ++f) {
        for (std::int32_t q = 1; q < num_layers; ++q) {
          const double s = in_.send_s[in_.link(k, f, q)];
          if (within(s, cap)) extra.push_back(s);
        }
      }
    }
    std::vector<std::int32_t> hi;
    stage_ends(in_, cap, hi);
    for (std::int32_t k = 0; k < kc; ++k) {
      for (std::int32_t p = 0; p < num_layers; ++p) {
        const std::int32_t len = hi[in_.kp(k, p)] - p;
        if (len > 0) lists_.push_back({k, p, 0, len});
      }
    }
  } else {
    for (std::int32_t k = 0; k < kc; ++k) {
      for (std::int32_t q = 1; q <= num_layers; ++q) {
        for (std::int32_t f = 0; f <= kc; ++f) {
          if ((q == num_layers) != (f == kc)) continue;
          List list{k, q, f, q};
          // finite prefix: p >= last infinite layer + 1
          list.len = q - 1 - in_.last_inf[in_.at(k, q)];
          list.len = at_most(list, cap);
          if (list.len > 0) lists_.push_back(list);
        }
      }
    }
  }
  std::int64_t listed = 0;
  for (const List& list : lists_) listed += list.len;
  total_ = listed + static_cast<std::int64_t>(extra.size());
  if (total_ <= kStoreLimit) {
    sorted_ = std::move(extra);
    sorted_.reserve(static_cast<std::size_t>(total_));
    for (const List& list : lists_) {
      for (std::int32_t i = 0; i < list.len; ++i) sorted_.push_back(value(list, i));
    }
    lists_.clear();
  } else {
    implicit_ = true;
    sorted_ = std::move(extra);
  }
  std::sort(sorted_.begin(), sorted_.end());
  sorted_.erase(std::unique(sorted_.begin(), sorted_.end()), sorted_.end());
  if (!implicit_) total_ = static_cast<std::int64_t>(sorted_.size());
}

double CandidateSet::next_above(double x) const {
  double best = kInf;
  const auto it = std::upper_bound(sorted_.begin(), sorted_.end(), x);
  if (it != sorted_.end()) best = *it;
  for (const List& list : lists_) {
    const std::int32_t i = at_most(list, x);
    if (i < list.len) best = std::min(best, value(list, i));
  }
  return best;
}

double CandidateSet::next_below(double x) const {
  double best = -kInf;
  const auto it = std::lower_bound(sorted_.begin(), sorted_.end(), x);
  if (it != sorted_.begin()) best = *(it - 1);
  for (const List& list : lists_) {
    const std::int32_t i = below(list, x);
    if (i > 0) best = std::max(best, value(list, i - 1));
  }
  return best;
}

std::int64_t CandidateSet::count_between(double lo, double hi) const {
  const auto a = std::upper_bound(sorted_.begin(), sorted_.end(), lo);
  const auto b = std::lower_bound(sorted_.begin(), sorted_.end(), hi);
  std::int64_t n = b > a ? b - a : 0;
  for (const List& list : lists_) {
    const std::int32_t s = at_most(list, lo);
    const std::int32_t e = below(list, hi);
    if (e > s) n += e - s;
  }
  return n;
}

double CandidateSet::split(double lo, double hi) const {
  // Weighted median of the segments' medians: each segment contributes its middle element
  // with its length as weight.
  std::vector<std::pair<double, std::int64_t>> medians;
  const auto a = std::upper_bound(sorted_.begin(), sorted_.end(), lo);
  const auto b = std::lower_bound(sorted_.begin(), sorted_.end(), hi);
  if (b > a) medians.emplace_back(*(a + (b - a - 1) / 2), b - a);
  for (const List& list : lists_) {
    const std::int32_t s = at_most(list, lo);
    const std::int32_t e = below(list, hi);
    if (e > s) medians.emplace_back(value(list, s + (e - s - 1) / 2), e - s);
  }
  std::sort(medians.begin(), medians.end());
  std::int64_t weight = 0;
  for (const auto& m : medians) weight += m.second;
  std::int64_t acc = 0;
  for (const auto& m : medians) {
    acc += m.second;
    if (2 * acc >= weight) return m.first;
  }
  return medians.empty() ? hi : medians.back().first;
}

}  // namespace tessera::plan::detail
