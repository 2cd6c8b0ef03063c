#include "plan/detail/band_dp.hpp"

#include <algorithm>
#include <bit>

#include "plan/detail/bits.hpp"

namespace tessera::plan::detail {

namespace {

void decode(const Instance& in, std::int64_t idx, std::vector<std::int32_t>& c) {
  for (std::size_t j = 0; j < c.size(); ++j) {
    const std::int64_t radix = in.count[j] + 1;
    c[j] = static_cast<std::int32_t>(idx % radix);
    idx /= radix;
  }
}

}  // namespace

std::int64_t BandDp::work(const Instance& in, const ReachDp& reach, double limit_s) {
  std::vector<std::int32_t> hi;
  stage_ends(in, limit_s, hi);
  std::int64_t total = 0;
  for (const std::int64_t v : reach.vectors_reached()) {
    for (std::int32_t k = 0; k < in.classes; ++k) {
      for_each_bit(reach.starts(v, k), in.words, [&](std::int32_t p) {
        total += static_cast<std::int64_t>(hi[in.kp(k, p)] - p) * (in.classes + 1);
      });
    }
  }
  return total;
}

Val BandDp::get(const ReachDp& reach, std::int64_t vector, std::int32_t k, std::int32_t q) const {
  const std::int32_t slot = reach.slot(vector);
  if (slot < 0) return {};
  const std::uint64_t* row = reach.starts(vector, k);
  if (!test_bit(row, q)) return {};
  // rank of bit q among the row's bits
  std::int64_t rank = 0;
  const std::int32_t wq = q >> 6;
  for (std::int32_t w = 0; w < wq; ++w) rank += std::popcount(row[w]);
  rank += std::popcount(row[wq] & ((std::uint64_t{1} << (q & 63)) - 1));
  return vals_[static_cast<std::size_t>(
      offset_[static_cast<std::size_t>(slot) * static_cast<std::size_t>(in_.classes) +
              static_cast<std::size_t>(k)] +
      rank)];
}

Val BandDp::best_from(const ReachDp& reach, std::int64_t idx, std::int32_t k, std::int32_t p,
                      std::int32_t& end, std::int32_t& next) const {
  return best_continuation(
      in_, costs_, spec_, coupled_, order_, idx, k, p,
      [&](std::int64_t vector, std::int32_t f, std::int32_t q) { return get(reach, vector, f, q); },
      end, next);
}

CostAnswer BandDp::run(const CostSpec& spec, const ReachDp& reach) {
  spec_ = spec;
  count_first_ = spec.count_first;
  coupled_ = !in_.overlap && spec.limit_s < kInf;
  costs_.build(in_, spec);
  states_ = 0;
  const std::int32_t kc = in_.classes;
  const std::vector<std::int64_t>& reached = reach.vectors_reached();
  offset_.assign(reached.size() * static_cast<std::size_t>(kc), 0);
  std::int64_t total = 0;
  for (std::size_t s = 0; s < reached.size(); ++s) {
    for (std::int32_t k = 0; k < kc; ++k) {
      offset_[s * static_cast<std::size_t>(kc) + static_cast<std::size_t>(k)] = total;
      const std::uint64_t* row = reach.starts(reached[s], k);
      for (std::int32_t w = 0; w < in_.words; ++w) total += std::popcount(row[w]);
    }
  }
  vals_.assign(static_cast<std::size_t>(total), Val{});
  std::vector<std::int64_t> order(reached);
  std::sort(order.begin(), order.end(), std::greater<>());
  std::vector<std::int32_t> c(static_cast<std::size_t>(kc), 0);
  const double bound =
      !count_first_ && spec.upper_bound < kInf ? spec.upper_bound * (1.0 + 1e-9) : kInf;
  for (const std::int64_t idx : order) {  // successors (larger indices) first
    decode(in_, idx, c);
    order_.clear();  // next classes by the id of the device they would use
    for (std::int32_t f = 0; f < kc; ++f) {
      const auto fu = static_cast<std::size_t>(f);
      if (c[fu] < in_.count[fu])
        order_.push_back({in_.members[fu][static_cast<std::size_t>(c[fu])], f});
    }
    std::sort(order_.begin(), order_.end());
    const auto slot = static_cast<std::size_t>(reach.slot(idx));
    for (std::int32_t k = 0; k < kc; ++k) {
      const std::uint64_t* row = reach.starts(idx, k);
      if (!any_bit(row, in_.words)) continue;
      ++states_;
      std::int64_t i = offset_[slot * static_cast<std::size_t>(kc) + static_cast<std::size_t>(k)];
      for_each_bit(row, in_.words, [&](std::int32_t p) {
        std::int32_t end = 0;
        std::int32_t next = 0;
        Val v = best_from(reach, idx, k, p, end, next);
        if (v.v > bound) v = Val{};
        vals_[static_cast<std::size_t>(i++)] = v;
      });
    }
  }

  CostAnswer answer;
  std::int32_t first_class = -1;
  for (std::int32_t k = 0; k < kc; ++k) {
    const auto ku = static_cast<std::size_t>(k);
    if (in_.count[ku] == 0 || !within(in_.src_s[ku], spec.limit_s)) continue;
    const Val g = get(reach, in_.stride[ku], k, 0);
    if (!g.finite()) continue;
    const Val root{costs_.src_val[ku] + g.v, g.n};
    if (first_class < 0 || less(root, answer.value)) {
      answer.value = root;
      first_class = k;
    }
  }
  if (first_class < 0) return answer;
  answer.found = true;
  // Rebuild forwards with CostDp's rule (best_from scans cuts ascending, then next devices by
  // id, keeping the first strictly better value).
  std::int32_t k = first_class;
  std::fill(c.begin(), c.end(), 0);
  c[static_cast<std::size_t>(k)] = 1;
  std::int64_t idx = in_.stride[static_cast<std::size_t>(k)];
  std::int32_t p = 0;
  while (true) {
    const auto ku = static_cast<std::size_t>(k);
    const std::int32_t device = in_.members[ku][static_cast<std::size_t>(c[ku] - 1)];
    order_.clear();
    for (std::int32_t f = 0; f < kc; ++f) {
      const auto fu = static_cast<std::size_t>(f);
      if (c[fu] < in_.count[fu])
        order_.push_back({in_.members[fu][static_cast<std::size_t>(c[fu])], f});
    }
    std::sort(order_.begin(), order_.end());
    std::int32_t end = -1;
    std::int32_t next = -1;
    (void)best_from(reach, idx, k, p, end, next);
    if (end < 0) break;  // unreachable: the value says a continuation exists
    answer.stages.push_back({DeviceId(device), LayerId(p), LayerId(end - 1)});
    if (next < 0) break;
    c[static_cast<std::size_t>(next)] += 1;
    idx += in_.stride[static_cast<std::size_t>(next)];
    k = next;
    p = end;
  }
  return answer;
}

}  // namespace tessera::plan::detail
