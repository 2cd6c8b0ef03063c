#pragma once
/// Every value a plan's period can take: stage times (compute, send, or their sum without
/// overlap) and source transfers, computed with the DPs' own arithmetic so that the optimal
/// period is exactly one of them.
#include <cstdint>
#include <vector>

#include "plan/detail/instance.hpp"

namespace tessera::plan::detail {

/// Small sets are stored sorted; large ones stay implicit as many sorted lists (one per stage
/// start, or per stage end and next class without overlap) and are searched by counting and
/// weighted medians, so that a 1000-layer, 64-device instance needs no 32M-entry array.
class CandidateSet {
 public:
  /// Candidates <= cap.
  CandidateSet(const Instance& instance, double cap);

  [[nodiscard]] bool empty() const { return total_ == 0; }
  [[nodiscard]] std::int64_t size() const { return total_; }
  [[nodiscard]] double largest() const { return next_below(kInf); }
  /// Smallest candidate > x, or +inf.
  [[nodiscard]] double next_above(double x) const;
  /// Largest candidate < x, or -inf.
  [[nodiscard]] double next_below(double x) const;
  /// Number of candidates in (lo, hi).
  [[nodiscard]] std::int64_t count_between(double lo, double hi) const;
  /// A candidate in (lo, hi) with at least a quarter of those candidates on either side
  /// (exactly the median when stored); requires count_between(lo, hi) > 0.
  [[nodiscard]] double split(double lo, double hi) const;

 private:
  struct List {
    std::int32_t k = 0;
    std::int32_t a = 0;  ///< start p (overlap) or end q (no overlap)
    std::int32_t f = 0;  ///< next class, or K for the sink (no overlap)
    std::int32_t len = 0;
  };
  [[nodiscard]] double value(const List& list, std::int32_t i) const;
  /// Elements of `list` that are < x (they form a prefix).
  [[nodiscard]] std::int32_t below(const List& list, double x) const;
  /// Elements of `list` that are <= x.
  [[nodiscard]] std::int32_t at_most(const List& list, double x) const;

  const Instance& in_;
  std::int64_t total_ = 0;
  std::vector<double> sorted_;  ///< every candidate, when stored; else the extra values
  bool implicit_ = false;
  std::vector<List> lists_;
};

}  // namespace tessera::plan::detail
