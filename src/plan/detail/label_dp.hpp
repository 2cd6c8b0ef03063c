#pragma once
/// Exact minimisation of an additive cost under a latency cap: a backward DP whose states
/// keep Pareto sets of (latency to go, cost to go) labels.
#include <array>
#include <cstdint>
#include <vector>

#include "plan/detail/cost_dp.hpp"
#include "plan/detail/instance.hpp"

namespace tessera::plan::detail {

/// Same states, stage rules and tie rules as CostDp; a partial plan is kept unless another
/// one in the same state is no slower and no costlier. Used only when a latency cap is set,
/// where a single value per state would not be exact.
class LabelDp {
 public:
  explicit LabelDp(const Instance& instance);
  /// Best plan under `spec` whose latency is <= latency_cap_s.
  [[nodiscard]] CostAnswer run(const CostSpec& spec, double latency_cap_s);
  [[nodiscard]] std::int64_t states() const { return states_; }

 private:
  struct Label {
    double lat = 0.0;
    Val val;
  };
  struct Row {
    std::int64_t offsets = 0;  ///< into offsets_: end - begin + 1 entries
    std::int32_t begin = 0;
    std::int32_t end = 0;
  };
  [[nodiscard]] bool less(const Val& a, const Val& b) const { return val_less(a, b, count_first_); }
  /// Labels of state (vector, k, p): [first, last).
  void labels(std::int64_t vector, std::int32_t k, std::int32_t p, const Label*& first,
              const Label*& last) const;
  void solve_row(std::int64_t idx, std::int32_t k, const std::vector<std::int32_t>& c,
                 std::int32_t total);
  /// Calls fn(q, f, successor label, combined label) for every continuation of (k, p) in the
  /// order q ascending, then next device id ascending (order_); f = -1 is the sink.
  template <typename Fn>
  void continuations(std::int64_t idx, std::int32_t k, std::int32_t p, Fn fn) const;
  /// Sets order_ to the classes with a free device, by the id of that device.
  void next_devices(const std::vector<std::int32_t>& c);

  const Instance& in_;
  std::int32_t classes_;
  CostSpec spec_;
  double cap_ = kInf;
  bool count_first_ = false;
  bool coupled_ = false;
  double bound_ = kInf;
  std::vector<Row> rows_;
  std::vector<std::int64_t> offsets_;
  std::vector<Label> pool_;
  Costs costs_;
  std::int32_t layers_bound_ = 0;
  std::vector<double> fwd_cost_, fwd_lat_;  ///< (j, k, p) lower bounds before a state
  std::vector<Label> scratch_;
  std::vector<std::int64_t> at_;  ///< pool offset of each cut's labels while a row is built
  std::vector<std::array<std::int32_t, 2>> order_;  ///< (next device id, class)
  std::int64_t states_ = 0;
};

}  // namespace tessera::plan::detail
