#include "plan/detail/label_dp.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace tessera::plan::detail {

LabelDp::LabelDp(const Instance& instance) : in_(instance), classes_(instance.classes) {
  rows_.resize(static_cast<std::size_t>(in_.states()));
  at_.resize(static_cast<std::size_t>(in_.layers + 2));
}

void LabelDp::labels(std::int64_t vector, std::int32_t k, std::int32_t p, const Label*& first,
                     const Label*& last) const {
  const Row& r = rows_[static_cast<std::size_t>(vector * classes_ + k)];
  first = last = nullptr;
  if (p < r.begin || p >= r.end) return;
  const auto o = static_cast<std::size_t>(r.offsets + (p - r.begin));
  first = pool_.data() + offsets_[o];
  last = pool_.data() + offsets_[o + 1];
}

void LabelDp::next_devices(const std::vector<std::int32_t>& c) {
  order_.clear();
  for (std::int32_t f = 0; f < classes_; ++f) {
    const auto fu = static_cast<std::size_t>(f);
    if (c[fu] < in_.count[fu])
      order_.push_back({in_.members[fu][static_cast<std::size_t>(c[fu])], f});
  }
  std::sort(order_.begin(), order_.end());
}

template <typename Fn>
void LabelDp::continuations(std::int64_t idx, std::int32_t k, std::int32_t p, Fn fn) const {
  const std::int32_t num_layers = in_.layers;
  const double limit = spec_.limit_s;
  const auto ku = static_cast<std::size_t>(k);
  const std::int32_t h = costs_.hi[in_.kp(k, p)];
  for (std::int32_t q = p + 1; q <= h; ++q) {
    if (!in_.mem_ok(k, p, q)) continue;
    const double comp = in_.period_compute(k, p, q);  // the stage-time check
    const double lat = in_.latency_compute(k, p, q);  // the latency labels
    if (q == num_layers) {
      const double s = in_.sink_s[ku];
      const bool ok = coupled_ ? (s < kInf && comp + s <= limit) : within(s, limit);
      if (!ok) continue;
      const Label end{0.0, Val{0.0, 0}};
      const Label out{
          (lat + s) + end.lat,
          Val{costs_.through(in_, k, p, q, end.val.v + costs_.sink_val[ku]), end.val.n + 1}};
      fn(q, -1, end, out);
      continue;
    }
    for (const auto& [id, f] : order_) {
      const double s = in_.send_s[in_.link(k, f, q)];
      const bool ok = coupled_ ? (s < kInf && comp + s <= limit) : within(s, limit);
      if (!ok) continue;
      const Label* first = nullptr;
      const Label* last = nullptr;
      labels(idx + in_.stride[static_cast<std::size_t>(f)], f, q, first, last);
      const double tr = costs_.tr[in_.link(k, f, q)];
      for (const Label* l = first; l != last; ++l) {
        const Label out{(lat + s) + l->lat,
                        Val{costs_.through(in_, k, p, q, l->val.v + tr), l->val.n + 1}};
        fn(q, f, *l, out);
      }
    }
  }
}

void LabelDp::solve_row(std::int64_t idx, std::int32_t k, const std::vector<std::int32_t>& c,
                        std::int32_t total) {
  const std::int32_t num_layers = in_.layers;
  const auto ku = static_cast<std::size_t>(k);
  Row& row = rows_[static_cast<std::size_t>(idx * classes_ + k)];
  row = Row{};
  std::int32_t pb = total == 1 ? 0 : total - 1;
  std::int32_t pe = total == 1 ? 0 : num_layers - 1;
  if (pb > pe) return;
  if (total == 1 && !within(in_.src_s[ku], spec_.limit_s)) return;
  const std::uint64_t* mask = spec_.mask != nullptr ? spec_.mask->starts(idx, k) : nullptr;
  double prefix_static = 0.0;
  for (std::int32_t j = 0; j < classes_; ++j) {
    const auto ju = static_cast<std::size_t>(j);
    prefix_static += static_cast<double>(c[ju] - (j == k ? 1 : 0)) * costs_.stage_const[ju];
  }
  const auto plane = static_cast<std::size_t>(classes_) * static_cast<std::size_t>(num_layers + 1);
  const std::size_t base = static_cast<std::size_t>(std::min(total - 1, layers_bound_)) * plane;
  next_devices(c);
  // labels go to the pool p by p; the row keeps offsets only over the span that has labels
  const auto start = static_cast<std::int64_t>(pool_.size());
  std::int32_t first = -1;
  std::int32_t last = -1;
  for (std::int32_t p = pb; p <= pe; ++p) {
    at_[static_cast<std::size_t>(p)] = static_cast<std::int64_t>(pool_.size());
    if (mask != nullptr && ((mask[p >> 6] >> (p & 63)) & 1U) == 0) continue;
    const double lat_before = fwd_lat_[base + in_.at(k, p)];
    const double cost_before =
        bound_ < kInf ? std::max(fwd_cost_[base + in_.at(k, p)], prefix_static) : 0.0;
    if (!(lat_before < kInf)) continue;
    scratch_.clear();
    continuations(idx, k, p, [&](std::int32_t, std::int32_t, const Label&, const Label& out) {
      if (out.lat + lat_before > cap_) return;
      if (bound_ < kInf && out.val.v + cost_before > bound_) return;
      scratch_.push_back(out);
    });
    // Pareto filter: latency ascending, keep a label only if it is strictly better in value
    // than every faster one.
    std::sort(scratch_.begin(), scratch_.end(), [&](const Label& a, const Label& b) {
      if (a.lat != b.lat) return a.lat < b.lat;
      return less(a.val, b.val);
    });
    Val best;
    bool any = false;
    for (const Label& l : scratch_) {
      if (any && !less(l.val, best)) continue;
      pool_.push_back(l);
      best = l.val;
      any = true;
      ++states_;
    }
    if (any) {
      if (first < 0) first = p;
      last = p;
    }
  }
  at_[static_cast<std::size_t>(pe + 1)] = static_cast<std::int64_t>(pool_.size());
  if (first < 0) {
    pool_.resize(static_cast<std::size_t>(start));
    return;
  }
  row.begin = first;
  row.end = last + 1;
  row.offsets = static_cast<std::int64_t>(offsets_.size());
  for (std::int32_t p = first; p <= last + 1; ++p)
    offsets_.push_back(at_[static_cast<std::size_t>(p)]);
}

CostAnswer LabelDp::run(const CostSpec& spec, double latency_cap_s) {
  spec_ = spec;
  cap_ = latency_cap_s + 1e-12 * std::fabs(latency_cap_s);
  count_first_ = spec.count_first;
  coupled_ = !in_.overlap && spec.limit_s < kInf;
  costs_.build(in_, spec);
  std::int32_t devices = 0;
  for (const std::int32_t n : in_.count) devices += n;
  layers_bound_ = std::min({devices - 1, in_.layers - 1, 32});
  CostSpec latency = spec;
  latency.time_weight = 1.0;
  latency.energy_weight = 0.0;
  Costs latency_costs;
  latency_costs.build(in_, latency);
  relaxed_forward(in_, latency_costs, latency, layers_bound_, fwd_lat_);
  bound_ = kInf;
  if (!count_first_ && spec.upper_bound < kInf) {
    bound_ = spec.upper_bound + 1e-9 * std::fabs(spec.upper_bound);
    relaxed_forward(in_, costs_, spec, layers_bound_, fwd_cost_);
  }
  states_ = 0;
  offsets_.clear();
  pool_.clear();
  const std::int32_t kc = classes_;
  std::vector<std::int32_t> c(in_.count);
  std::int32_t total = 0;
  for (const std::int32_t n : c) total += n;
  for (std::int64_t idx = in_.vectors - 1; idx >= 1; --idx) {
    if (idx != in_.vectors - 1) {
      previous_count_vector(c, in_.count, total);
    }
    for (std::int32_t k = 0; k < kc; ++k) {
      if (c[static_cast<std::size_t>(k)] == 0) {
        rows_[static_cast<std::size_t>(idx * kc + k)] = Row{};
        continue;
      }
      solve_row(idx, k, c, total);
    }
  }

  // Root: the best label whose latency, source transfer included, meets the cap.
  CostAnswer answer;
  std::int32_t first_class = -1;
  Label chosen;
  for (std::int32_t k = 0; k < kc; ++k) {
    const auto ku = static_cast<std::size_t>(k);
    if (in_.count[ku] == 0 || !within(in_.src_s[ku], spec.limit_s)) continue;
    const Label* first = nullptr;
    const Label* last = nullptr;
    labels(in_.stride[ku], k, 0, first, last);
    for (const Label* l = first; l != last; ++l) {
      if (in_.src_s[ku] + l->lat > latency_cap_s) continue;
      const Val v{costs_.src_val[ku] + l->val.v, l->val.n};
      if (first_class < 0 || less(v, answer.value)) {
        answer.value = v;
        first_class = k;
        chosen = *l;
      }
    }
  }
  if (first_class < 0) return answer;
  answer.found = true;
  answer.latency_s = in_.src_s[static_cast<std::size_t>(first_class)] + chosen.lat;

  // Rebuild forwards: at each state, the first continuation (cut, then device id) that
  // reproduces the chosen label exactly.
  std::fill(c.begin(), c.end(), 0);
  std::int32_t k = first_class;
  c[static_cast<std::size_t>(k)] = 1;
  std::int64_t idx = in_.stride[static_cast<std::size_t>(k)];
  std::int32_t p = 0;
  while (true) {
    const auto ku = static_cast<std::size_t>(k);
    const std::int32_t device = in_.members[ku][static_cast<std::size_t>(c[ku] - 1)];
    std::int32_t next_q = -1;
    std::int32_t next_f = -1;
    Label next;
    next_devices(c);
    continuations(idx, k, p,
                  [&](std::int32_t q, std::int32_t f, const Label& succ, const Label& out) {
                    if (next_q >= 0 || out.lat != chosen.lat || !(out.val == chosen.val)) return;
                    next_q = q;
                    next_f = f;
                    next = succ;
                  });
    if (next_q < 0) break;  // unreachable: every stored label was built by a continuation
    answer.stages.push_back({DeviceId(device), LayerId(p), LayerId(next_q - 1)});
    if (next_f < 0) break;
    c[static_cast<std::size_t>(next_f)] += 1;
    idx += in_.stride[static_cast<std::size_t>(next_f)];
    k = next_f;
    p = next_q;
    chosen = next;
  }
  return answer;
}

}  // namespace tessera::plan::detail
