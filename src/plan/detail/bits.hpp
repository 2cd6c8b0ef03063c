#pragma once
/// Word-level helpers for bitsets over cut positions.
#include <algorithm>
#include <bit>
#include <cstdint>

namespace tessera::plan::detail {

/// Mask of bits [a, b] (0 <= a <= b <= 63).
inline std::uint64_t bit_span(int a, int b) {
  const std::uint64_t high = b == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (b + 1)) - 1;
  return high & (~std::uint64_t{0} << a);
}

/// Sets bits a..b inclusive (nothing when a > b).
inline void set_range(std::uint64_t* w, std::int32_t a, std::int32_t b) {
  if (a > b) return;
  const std::int32_t wa = a >> 6;
  const std::int32_t wb = b >> 6;
  if (wa == wb) {
    w[wa] |= bit_span(a & 63, b & 63);
    return;
  }
  w[wa] |= bit_span(a & 63, 63);
  for (std::int32_t i = wa + 1; i < wb; ++i) w[i] = ~std::uint64_t{0};
  w[wb] |= bit_span(0, b & 63);
}

/// dst |= src restricted to bits a..b inclusive.
inline void or_range(std::uint64_t* dst, const std::uint64_t* src, std::int32_t a, std::int32_t b) {
  if (a > b) return;
  const std::int32_t wa = a >> 6;
  const std::int32_t wb = b >> 6;
  if (wa == wb) {
    dst[wa] |= src[wa] & bit_span(a & 63, b & 63);
    return;
  }
  dst[wa] |= src[wa] & bit_span(a & 63, 63);
  for (std::int32_t i = wa + 1; i < wb; ++i) dst[i] |= src[i];
  dst[wb] |= src[wb] & bit_span(0, b & 63);
}

/// Clears bits 0..a-1 of a bitset of `words` words (all of them when a >= 64 · words).
inline void clear_below(std::uint64_t* w, std::int32_t words, std::int32_t a) {
  const std::int32_t wa = a >> 6;
  for (std::int32_t i = 0; i < std::min(wa, words); ++i) w[i] = 0;
  if (wa < words) w[wa] &= ~std::uint64_t{0} << (a & 63);
}

inline bool test_bit(const std::uint64_t* w, std::int32_t i) {
  return ((w[i >> 6] >> (i & 63)) & 1U) != 0;
}

inline void set_bit(std::uint64_t* w, std::int32_t i) {
  w[i >> 6] |= std::uint64_t{1} << (i & 63);
}

inline bool any_bit(const std::uint64_t* w, std::int32_t words) {
  for (std::int32_t i = 0; i < words; ++i) {
    if (w[i] != 0) return true;
  }
  return false;
}

/// Lowest set bit, or -1.
inline std::int32_t first_bit(const std::uint64_t* w, std::int32_t words) {
  for (std::int32_t i = 0; i < words; ++i) {
    if (w[i] != 0) return (i << 6) + std::countr_zero(w[i]);
  }
  return -1;
}

/// Highest set bit, or -1.
inline std::int32_t last_bit(const std::uint64_t* w, std::int32_t words) {
  for (std::int32_t i = words - 1; i >= 0; --i) {
    if (w[i] != 0) return (i << 6) + 63 - std::countl_zero(w[i]);
  }
  return -1;
}

/// Calls fn(bit) for every set bit in ascending order.
template <typename Fn>
inline void for_each_bit(const std::uint64_t* w, std::int32_t words, Fn fn) {
  for (std::int32_t i = 0; i < words; ++i) {
    std::uint64_t x = w[i];
    while (x != 0) {
      fn((i << 6) + std::countr_zero(x));
      x &= x - 1;
    }
  }
}

}  // namespace tessera::plan::detail
