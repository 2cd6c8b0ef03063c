// libFuzzer harness: PipeEdge's three scheduler files. The input is the model name on the first
// line, then models.yml, device_types.yml and devices.yml separated by lines "#8<".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/io/pipeedge.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto first = in.find('\n');
  if (first == std::string_view::npos) return 0;
  std::string_view rest = in.substr(first + 1);
  std::string parts[3];
  for (int i = 0; i < 3; ++i) {
    const auto cut = rest.find("\n#8<\n");
    parts[i] = std::string(rest.substr(0, cut));
    rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 5);
  }
  tessera::io::PipeEdgeTexts texts;
  texts.models = parts[0];
  texts.device_types = parts[1];
  texts.devices = parts[2];
  auto problem = tessera::io::parse_pipeedge(texts, std::string(in.substr(0, first)), 8);
  (void)problem;
  return 0;
}
