#pragma once
/// Physical quantities with their unit in the type. Arithmetic between quantities of the
/// same unit is allowed; mixing units only through the named products and quotients below,
/// so that `Seconds + Joules` does not compile.
#include <cstdint>
#include <string_view>

namespace tessera {

template <typename Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr explicit Quantity(double value) : value_(value) {}
  [[nodiscard]] constexpr double value() const { return value_; }

  constexpr Quantity& operator+=(Quantity o) {
    value_ += o.value_;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity o) {
    value_ -= o.value_;
    return *this;
  }
  friend constexpr Quantity operator+(Quantity a, Quantity b) {
    return Quantity(a.value_ + b.value_);
  }
  friend constexpr Quantity operator-(Quantity a, Quantity b) {
    return Quantity(a.value_ - b.value_);
  }
  friend constexpr Quantity operator*(Quantity a, double s) { return Quantity(a.value_ * s); }
  friend constexpr Quantity operator*(double s, Quantity a) { return Quantity(a.value_ * s); }
  friend constexpr Quantity operator/(Quantity a, double s) { return Quantity(a.value_ / s); }
  friend constexpr double operator/(Quantity a, Quantity b) { return a.value_ / b.value_; }
  friend constexpr auto operator<=>(Quantity a, Quantity b) = default;

 private:
  double value_ = 0.0;
};

struct SecondsTag {};
struct JoulesTag {};
struct WattsTag {};
struct BytesTag {};
struct BytesPerSecondTag {};
struct FlopsTag {};
struct FlopsPerSecondTag {};
struct JoulesPerByteTag {};
struct JoulesPerFlopTag {};
struct ResourceTag {};

using Seconds = Quantity<SecondsTag>;
using Joules = Quantity<JoulesTag>;
using Watts = Quantity<WattsTag>;
/// Byte counts as a double: exact for every integer below 2^53 (8 PiB).
using Bytes = Quantity<BytesTag>;
using BytesPerSecond = Quantity<BytesPerSecondTag>;
using Flops = Quantity<FlopsTag>;
using FlopsPerSecond = Quantity<FlopsPerSecondTag>;
using JoulesPerByte = Quantity<JoulesPerByteTag>;
using JoulesPerFlop = Quantity<JoulesPerFlopTag>;
/// An amount of a device's capacity resource, in the unit its kind names (bytes of memory for
/// CPUs and GPUs, tiles for CIM chips): a distinct type, so that tiles never pass as `Bytes`.
using ResourceAmount = Quantity<ResourceTag>;

/// The capacity unit of devices whose resource is memory.
inline constexpr std::string_view kBytesUnit = "bytes";

constexpr Seconds operator/(Bytes b, BytesPerSecond r) {
  return Seconds(b.value() / r.value());
}
constexpr Seconds operator/(Flops f, FlopsPerSecond r) {
  return Seconds(f.value() / r.value());
}
constexpr Joules operator*(Watts p, Seconds t) {
  return Joules(p.value() * t.value());
}
constexpr Joules operator*(Seconds t, Watts p) {
  return Joules(p.value() * t.value());
}
constexpr Joules operator*(JoulesPerByte e, Bytes b) {
  return Joules(e.value() * b.value());
}
constexpr Joules operator*(JoulesPerFlop e, Flops f) {
  return Joules(e.value() * f.value());
}

}  // namespace tessera
