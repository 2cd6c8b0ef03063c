#include "cli.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>

namespace tessera::cli {

int report_bad_input(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) std::cerr << "tessera: error: " << d.to_string() << '\n';
  return kBadInput;
}

bool write_output(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text << std::flush;
    return true;
  }
  std::ofstream out(path, std::ios::binary);
  if (out) out << text;
  if (!out) {
    std::cerr << "tessera: error: " << path << ": cannot write output file\n";
    return false;
  }
  return true;
}

}  // namespace tessera::cli
