#pragma once
/// A cost table prepared for the exact solvers: interchangeable devices merged into classes,
/// prefix sums, memory-fit bitsets and class-to-class transfer arrays. Built once per solve;
/// the DPs read only these arrays.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tessera/cost/cost_table.hpp"
#include "tessera/plan/plan_options.hpp"

namespace tessera::plan::detail {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

/// A time within a limit: finite and at most the limit.
[[nodiscard]] inline bool within(double x, double limit) {
  return x <= limit && x < kInf;
}

/// Every problem with the table's sizes and numbers, one per line; empty when it is usable.
[[nodiscard]] std::string check_table(const cost::CostTable& table);

struct Instance {
  const cost::CostTable* table = nullptr;
  std::int32_t layers = 0;   ///< L
  std::int32_t classes = 0;  ///< K: groups of interchangeable devices
  std::int32_t words = 0;    ///< 64-bit words of a bitset over positions 0..L
  bool overlap = true;
  bool io = true;  ///< include_source_sink

  std::vector<std::int32_t> count;                 ///< devices per class
  std::vector<std::vector<std::int32_t>> members;  ///< device ids per class, ascending
  std::vector<std::int32_t> class_of;              ///< per device
  /// Mixed-radix strides of count vectors c (0 <= c_k <= count_k); index = Σ c_k stride_k.
  std::vector<std::int64_t> stride;
  std::int64_t vectors = 1;  ///< Π (count_k + 1)

  // Per class k and position q in 0..L, at [k * (L + 1) + q].
  std::vector<long double> time_prefix;    ///< Σ finite time_s of layers < q
  std::vector<std::int32_t> last_inf;      ///< largest l < q with time_s = +inf, else -1
  std::vector<long double> energy_prefix;  ///< Σ energy_j of finite-time layers < q
  std::vector<double> static_w;            ///< per class
  /// Per class: 1 when its layers run as an internal pipeline (CostTable::pipelined_layers).
  std::vector<std::uint8_t> pipelined;
  /// Range-max sparse tables of time_s for the pipelined classes: level j of class k holds
  /// max time_s over layers [l, l + 2^j) at [max_offset[k] + j * L + l]; max_offset is -1
  /// for classes that are not pipelined.
  std::vector<double> time_max;
  std::vector<std::int64_t> max_offset;

  /// Bit q of row (k, p) set when a stage on k over layers [p, q) fits in memory.
  std::vector<std::uint64_t> mem_end;
  std::vector<std::int32_t> mem_all;  ///< largest q such that every end in (p, q] fits
  std::vector<std::int32_t> mem_any;  ///< largest q that fits (p when none)
  /// Transposed: bit p of row (k, q) set when a stage on k over [p, q) fits, at
  /// [(k * (L + 1) + q) * words].
  std::vector<std::uint64_t> mem_start;
  std::vector<std::int32_t> start_all;  ///< (k, q): smallest p with every start in [p, q) fitting

  /// Transfer of cut q from class k to class f, at [(k * K + f) * (L + 1) + q]; +inf when
  /// f == k has a single device.
  std::vector<double> send_s;
  std::vector<double> send_j;
  std::vector<double> src_s, src_j;    ///< cut 0 from the source to class k (0 without io)
  std::vector<double> sink_s, sink_j;  ///< cut L from class k to the sink (0 without io)

  [[nodiscard]] std::size_t at(std::int32_t k, std::int32_t q) const {
    return static_cast<std::size_t>(k) * static_cast<std::size_t>(layers + 1) +
           static_cast<std::size_t>(q);
  }
  [[nodiscard]] std::size_t link(std::int32_t k, std::int32_t f, std::int32_t q) const {
    return (static_cast<std::size_t>(k) * static_cast<std::size_t>(classes) +
            static_cast<std::size_t>(f)) *
               static_cast<std::size_t>(layers + 1) +
           static_cast<std::size_t>(q);
  }
  /// Period compute time of a stage on class k over layers [p, q): how long the device is
  /// busy per inference. Σ time_s, or max time_s on a pipelined class (an O(1) range-max
  /// query); either way non-decreasing as the range grows, so binary searches over ends or
  /// starts stay valid. +inf if one of the layers cannot run there.
  [[nodiscard]] double period_compute(std::int32_t k, std::int32_t p, std::int32_t q) const {
    if (last_inf[at(k, q)] >= p) return kInf;
    const std::int64_t base = max_offset[static_cast<std::size_t>(k)];
    if (base >= 0) {
      if (q <= p) return 0.0;
      const int j = std::bit_width(static_cast<std::uint32_t>(q - p)) - 1;
      const auto level = static_cast<std::size_t>(base) +
                         static_cast<std::size_t>(j) * static_cast<std::size_t>(layers);
      return std::max(time_max[level + static_cast<std::size_t>(p)],
                      time_max[level + static_cast<std::size_t>(q - (1 << j))]);
    }
    return static_cast<double>(time_prefix[at(k, q)] - time_prefix[at(k, p)]);
  }
  /// The smallest start p in [lo, q) whose stage on class k over [p, q) has
  /// period_compute + extra_s <= limit_s (compute falls as p grows), or q if none.
  [[nodiscard]] std::int32_t first_start_within(std::int32_t k, std::int32_t lo, std::int32_t q,
                                                double extra_s, double limit_s) const {
    std::int32_t a = lo;
    std::int32_t b = q;
    while (a < b) {
      const std::int32_t mid = (a + b) / 2;
      if (period_compute(k, mid, q) + extra_s <= limit_s) {
        b = mid;
      } else {
        a = mid + 1;
      }
    }
    return a;
  }
  /// Latency compute time of the same stage: Σ time_s (one inference passes every layer,
  /// pipelined or not); +inf if one of the layers cannot run there.
  [[nodiscard]] double latency_compute(std::int32_t k, std::int32_t p, std::int32_t q) const {
    if (last_inf[at(k, q)] >= p) return kInf;
    return static_cast<double>(time_prefix[at(k, q)] - time_prefix[at(k, p)]);
  }
  [[nodiscard]] const std::uint64_t* mem_row(std::int32_t k, std::int32_t p) const {
    return mem_end.data() + (static_cast<std::size_t>(k) * static_cast<std::size_t>(layers) +
                             static_cast<std::size_t>(p)) *
                                static_cast<std::size_t>(words);
  }
  [[nodiscard]] bool mem_ok(std::int32_t k, std::int32_t p, std::int32_t q) const {
    return ((mem_row(k, p)[q >> 6] >> (q & 63)) & 1U) != 0;
  }
  [[nodiscard]] const std::uint64_t* start_row(std::int32_t k, std::int32_t q) const {
    return mem_start.data() + at(k, q) * static_cast<std::size_t>(words);
  }
  [[nodiscard]] std::size_t kp(std::int32_t k, std::int32_t p) const {
    return static_cast<std::size_t>(k) * static_cast<std::size_t>(layers) +
           static_cast<std::size_t>(p);
  }
  /// Number of (count vector, class) states.
  [[nodiscard]] std::int64_t states() const { return vectors * classes; }
};

/// Groups devices with identical cost rows, capacity, static power and links (swapping two
/// of them maps every link onto an identical one), then precomputes the arrays above. The
/// table must pass check_table.
[[nodiscard]] Instance build_instance(const cost::CostTable& table, const PlanOptions& options);

/// Steps `c` to the previous count vector in mixed radix (each c_k counts down from count_k to
/// 0 and wraps), keeping `total` = Σ c_k. The caller stops before wrapping past the zero vector.
inline void previous_count_vector(std::vector<std::int32_t>& c,
                                  const std::vector<std::int32_t>& count, std::int32_t& total) {
  for (std::size_t j = 0;; ++j) {
    if (c[j] > 0) {
      --c[j];
      --total;
      return;
    }
    c[j] = count[j];
    total += c[j];
  }
}

/// Index of the count vector, saturating at INT64_MAX; used to refuse huge state spaces.
[[nodiscard]] std::int64_t state_vectors(const Instance& instance);

}  // namespace tessera::plan::detail
