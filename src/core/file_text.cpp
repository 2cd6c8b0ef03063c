#include "tessera/core/file_text.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tessera/core/format.hpp"

namespace tessera {

Result<std::string> read_text_file(const std::string& path, std::uintmax_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return Diagnostic{path, 0, 0, "file", "no such file"};
  if (std::filesystem::is_directory(status))
    return Diagnostic{path, 0, 0, "file", "is a directory, expected a file"};
  if (std::filesystem::is_regular_file(status)) {
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > max_bytes)
      return Diagnostic{path, 0, 0, "file",
                        "is " + human_bytes(static_cast<double>(size)) + " (" +
                            std::to_string(size) + " bytes); inputs of this kind are at most " +
                            human_bytes(static_cast<double>(max_bytes))};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Diagnostic{path, 0, 0, "file", "cannot be opened for reading"};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Diagnostic{path, 0, 0, "file", "read error"};
  return ss.str();
}

int line_of_offset(std::string_view text, std::size_t offset) {
  int line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i)
    if (text[i] == '\n') ++line;
  return line;
}

}  // namespace tessera
