#include "tessera/core/format.hpp"

#include <cmath>
#include <cstdio>

namespace tessera {

namespace {

std::string format(double v, const char* unit) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g %s", v, unit);
  return buf;
}

}  // namespace

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (std::fabs(bytes) >= 1024.0 && u < 4) {
    bytes /= 1024.0;
    ++u;
  }
  return format(bytes, units[u]);
}

std::string human_count(double value) {
  const char* units[] = {"", "k", "M", "G", "T", "P"};
  int u = 0;
  while (std::fabs(value) >= 1000.0 && u < 5) {
    value /= 1000.0;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.3g %s", value, units[u]);
  return buf;
}

std::string human_seconds(double s) {
  if (!std::isfinite(s)) return "inf";
  if (s == 0.0) return "0 s";
  if (std::fabs(s) >= 1.0) return format(s, "s");
  if (std::fabs(s) >= 1e-3) return format(s * 1e3, "ms");
  if (std::fabs(s) >= 1e-6) return format(s * 1e6, "us");
  return format(s * 1e9, "ns");
}

std::string human_joules(double j) {
  if (!std::isfinite(j)) return "inf";
  if (j == 0.0) return "0 J";
  if (std::fabs(j) >= 1.0) return format(j, "J");
  if (std::fabs(j) >= 1e-3) return format(j * 1e3, "mJ");
  if (std::fabs(j) >= 1e-6) return format(j * 1e6, "uJ");
  return format(j * 1e9, "nJ");
}

std::string fixed_digits(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

std::string human_amount(double amount, const std::string& unit) {
  if (!std::isfinite(amount)) return "-";
  if (unit == "bytes") return human_bytes(amount);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", amount);
  return std::string(buf) + " " + unit;
}

std::string count_of(std::int64_t n, const std::string& noun, const std::string& plural) {
  return std::to_string(n) + " " + (n == 1 ? noun : plural.empty() ? noun + "s" : plural);
}

}  // namespace tessera
