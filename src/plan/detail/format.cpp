#include "plan/detail/format.hpp"

#include <cmath>
#include <cstdio>

namespace tessera::plan::detail {

std::string format_bytes(double bytes) {
  if (!std::isfinite(bytes)) return bytes > 0 ? "unbounded bytes" : "-unbounded bytes";
  const double magnitude = std::fabs(bytes);
  const char* unit = "";
  double scaled = bytes;
  if (magnitude >= 1024.0 * 1024.0 * 1024.0) {
    unit = "GiB";
    scaled = bytes / (1024.0 * 1024.0 * 1024.0);
  } else if (magnitude >= 1024.0 * 1024.0) {
    unit = "MiB";
    scaled = bytes / (1024.0 * 1024.0);
  } else if (magnitude >= 1024.0) {
    unit = "KiB";
    scaled = bytes / 1024.0;
  }
  char buffer[96];
  if (magnitude >= 1e15) {  // no 16-digit (or 309-digit) byte counts in messages
    std::snprintf(buffer, sizeof buffer, "%.3g bytes", bytes);
  } else if (*unit == '\0') {
    std::snprintf(buffer, sizeof buffer, "%.0f bytes", bytes);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2f %s (%.0f bytes)", scaled, unit, bytes);
  }
  return buffer;
}

std::string format_amount(double amount, std::string_view unit) {
  if (unit == "bytes") return format_bytes(amount);
  if (!std::isfinite(amount)) {
    return std::string(amount > 0 ? "unbounded " : "-unbounded ") + std::string(unit);
  }
  return format_number(amount) + " " + std::string(unit);
}

std::string format_number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::string format_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

}  // namespace tessera::plan::detail
