#pragma once
/// Distinct integer id types, so that a device *class* index can never be passed where a
/// device *instance* index is expected.
#include <compare>
#include <cstdint>
#include <functional>

namespace tessera {

template <typename Tag>
class StrongId {
 public:
  constexpr StrongId() = default;
  constexpr explicit StrongId(std::int32_t value) : value_(value) {}
  [[nodiscard]] constexpr std::int32_t value() const { return value_; }
  [[nodiscard]] constexpr bool valid() const { return value_ >= 0; }
  /// The id as an index into a vector.
  [[nodiscard]] constexpr std::size_t index() const { return static_cast<std::size_t>(value_); }
  friend constexpr auto operator<=>(StrongId, StrongId) = default;

 private:
  std::int32_t value_ = -1;
};

struct LayerIdTag {};
struct DeviceIdTag {};
struct DeviceClassIdTag {};
struct OpIdTag {};
struct TensorIdTag {};

using LayerId = StrongId<LayerIdTag>;
using DeviceId = StrongId<DeviceIdTag>;
using DeviceClassId = StrongId<DeviceClassIdTag>;
using OpId = StrongId<OpIdTag>;
using TensorId = StrongId<TensorIdTag>;

}  // namespace tessera

template <typename Tag>
struct std::hash<tessera::StrongId<Tag>> {
  std::size_t operator()(tessera::StrongId<Tag> id) const noexcept {
    return std::hash<std::int32_t>{}(id.value());
  }
};
