// libFuzzer harness: the platform reader (YAML -> checked spec -> built platform).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tessera/io/platform_yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > tessera::io::kMaxPlatformFileBytes) return 0;  // the file reader refuses these
  auto platform = tessera::io::parse_platform_yaml(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  if (platform.ok()) {
    const auto& p = platform.value();
    for (std::int32_t a = 0; a <= p.device_count(); ++a)
      for (std::int32_t b = 0; b <= p.device_count(); ++b) (void)p.link(a, b);
  }
  return 0;
}
