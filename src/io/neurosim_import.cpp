#include "tessera/io/neurosim_import.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>

#include "tessera/core/file_text.hpp"

namespace tessera::io {

namespace {

/// SI factor of the units NeuroSim prints.
double unit_factor(const std::string& unit) {
  static const std::map<std::string, double> kUnits = {
      {"s", 1.0},   {"ms", 1e-3}, {"us", 1e-6},    {"ns", 1e-9},   {"ps", 1e-12}, {"J", 1.0},
      {"mJ", 1e-3}, {"uJ", 1e-6}, {"nJ", 1e-9},    {"pJ", 1e-12},  {"W", 1.0},    {"mW", 1e-3},
      {"uW", 1e-6}, {"nW", 1e-9}, {"um^2", 1e-12}, {"mm^2", 1e-6}, {"", 1.0}};
  const auto it = kUnits.find(unit);
  return it == kUnits.end() ? 0.0 : it->second;
}

struct Value {
  double si = 0.0;
  bool ok = false;
};

/// "...: 1.24932e+06pJ" -> 1.24932e-6 (J).
Value value_after_colon(const std::string& line) {
  const auto colon = line.rfind(':');
  if (colon == std::string::npos) return {};
  const std::string rest = line.substr(colon + 1);
  const char* begin = rest.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin) return {};
  std::string unit(end);
  while (!unit.empty() && (unit.back() == ' ' || unit.back() == '\r')) unit.pop_back();
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  const double f = unit_factor(unit);
  if (f == 0.0) return {};
  return {v * f, true};
}

/// A layer number from the report ("layer12"): 1 .. kMaxNeuroSimLayers, or 0 when it is not.
int layer_number(const std::string& digits) {
  int v = 0;
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size() || v < 1 ||
      v > kMaxNeuroSimLayers)
    return 0;
  return v;
}

bool contains(const std::string& s, const char* what) {
  return s.find(what) != std::string::npos;
}

}  // namespace

Result<NeuroSimReport> parse_neurosim_report(std::string_view text, const std::string& file) {
  NeuroSimReport r;
  std::vector<Diagnostic> problems;
  std::map<int, int> tiles;
  std::map<int, int> speedups;
  std::map<int, double> utilizations;
  enum class Section { kNone, kTiles, kSpeedup, kUtilization, kLayer, kSummary };
  Section section = Section::kNone;
  NeuroSimLayer* layer = nullptr;
  std::vector<int> seen_latency;
  std::vector<int> seen_energy;
  std::map<int, int> header_line;  // layer index -> line of its "Estimation of Layer" header
  static const std::regex kFloorplanLine(R"(^layer(\d+):\s*([0-9.eE+-]+)\s*$)");
  static const std::regex kLayerHeader(R"(Estimation of Layer (\d+))");
  static const std::regex kLayerLine(R"(^layer(\d+)'s (.+) is: )");

  std::istringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  auto bad = [&](const std::string& field, const std::string& message) {
    problems.push_back({file, line_no, 0, field, message});
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    if (contains(line, "# of tile used for each layer")) {
      section = Section::kTiles;
      continue;
    }
    if (contains(line, "Speed-up of each layer")) {
      section = Section::kSpeedup;
      continue;
    }
    if (contains(line, "Utilization of each layer")) {
      section = Section::kUtilization;
      continue;
    }
    if (std::regex_search(line, m, kLayerHeader)) {
      section = Section::kLayer;
      const int index = layer_number(m[1].str());
      if (index == 0) {
        bad("layer " + m[1].str(),
            "layer numbers go from 1 to " + std::to_string(kMaxNeuroSimLayers));
        layer = nullptr;
        continue;
      }
      if (index != static_cast<int>(r.layers.size()) + 1) {
        bad("layer " + m[1].str(), "layers must be numbered 1..N in order");
      }
      header_line[index] = line_no;
      r.layers.push_back(NeuroSimLayer{});
      layer = &r.layers.back();
      layer->index = index;
      continue;
    }
    if (contains(line, "------ Summary ------") || contains(line, "- Summary -")) {
      section = Section::kSummary;
      layer = nullptr;
      continue;
    }
    if (section == Section::kTiles || section == Section::kSpeedup ||
        section == Section::kUtilization) {
      if (std::regex_match(line, m, kFloorplanLine)) {
        const int index = layer_number(m[1].str());
        const std::string field = "layer" + m[1].str();
        if (index == 0) {
          bad(field, "layer numbers go from 1 to " + std::to_string(kMaxNeuroSimLayers));
          continue;
        }
        const std::string number = m[2].str();
        char* end = nullptr;
        const double v = std::strtod(number.c_str(), &end);
        if (end != number.c_str() + number.size() || !std::isfinite(v)) {
          bad(field, "'" + number + "' is not a number");
          continue;
        }
        if (section == Section::kUtilization) {
          if (v < 0.0 || v > 1.0) {
            bad(field, "utilization must be from 0 to 1, got " + number);
            continue;
          }
          utilizations[index] = v;
          continue;
        }
        const double limit = kMaxNeuroSimTiles;
        if (v != std::floor(v) || v < 1.0 || v > limit) {
          bad(field, std::string(section == Section::kTiles ? "tile count" : "speed-up") +
                         " must be a whole number from 1 to " +
                         std::to_string(static_cast<long long>(limit)) + ", got " + number);
          continue;
        }
        (section == Section::kTiles ? tiles : speedups)[index] = static_cast<int>(v);
      }
      continue;
    }
    if (contains(line, "clkPeriod:") && r.clock_period_s == 0.0) {
      // "clkPeriod: 1.6974e-09" (seconds, no unit).
      const auto v = value_after_colon(line);
      if (v.ok) r.clock_period_s = v.si;
      continue;
    }
    if (section == Section::kLayer && layer != nullptr) {
      const auto v = value_after_colon(line);
      if (std::regex_search(line, m, kLayerLine)) {
        const std::string what = m[2].str();
        if (!v.ok) {
          bad("layer" + m[1].str() + "'s " + what, "expected a number with a unit");
          continue;
        }
        if (!std::isfinite(v.si) || v.si < 0.0) {
          bad("layer" + m[1].str() + "'s " + what,
              "must be a finite, non-negative number, got" + line.substr(line.rfind(':') + 1));
          // Reported here; not again as a missing line.
          if (what == "readLatency") seen_latency.push_back(layer->index);
          if (what == "readDynamicEnergy") seen_energy.push_back(layer->index);
          continue;
        }
        if (what == "readLatency") {
          layer->latency_s = v.si;
          seen_latency.push_back(layer->index);
        } else if (what == "readDynamicEnergy") {
          layer->dynamic_energy_j = v.si;
          seen_energy.push_back(layer->index);
        } else if (what == "leakagePower") {
          layer->leakage_power_w = v.si;
        } else if (what == "leakageEnergy") {
          layer->leakage_energy_j = v.si;
        } else if (what == "buffer latency") {
          layer->buffer_latency_s = v.si;
        } else if (what == "buffer readDynamicEnergy") {
          layer->buffer_energy_j = v.si;
        } else if (what == "ic latency") {
          layer->interconnect_latency_s = v.si;
        } else if (what == "ic readDynamicEnergy") {
          layer->interconnect_energy_j = v.si;
        }
        continue;
      }
      if (!v.ok) continue;
      if (!std::isfinite(v.si) || v.si < 0.0) {
        bad("layer" + std::to_string(layer->index),
            "must be a finite, non-negative number: " + line);
        continue;
      }
      const bool latency = contains(line, "readLatency");
      if (contains(line, "----------- ADC")) {
        (latency ? layer->adc_latency_s : layer->adc_energy_j) = v.si;
      } else if (contains(line, "----------- Accumulation")) {
        (latency ? layer->accumulation_latency_s : layer->accumulation_energy_j) = v.si;
      } else if (contains(line, "----------- Other Peripheries")) {
        (latency ? layer->other_latency_s : layer->other_energy_j) = v.si;
      }
      continue;
    }
    if (section == Section::kSummary) {
      const auto v = value_after_colon(line);
      if (!v.ok) continue;
      if (!std::isfinite(v.si) || v.si < 0.0) {
        bad("summary", "must be a finite, non-negative number: " + line);
        continue;
      }
      if (contains(line, "ChipArea")) r.chip_area_m2 = v.si;
      if (contains(line, "Chip clock period")) r.clock_period_s = v.si;
      if (contains(line, "pipeline-system-clock-cycle")) r.pipeline_period_s = v.si;
      if (contains(line, "readDynamicEnergy (per image)") && !contains(line, "buffer") &&
          !contains(line, "ic readDynamicEnergy")) {
        r.dynamic_energy_j = v.si;
      }
      // A layer-by-layer report's totals: "Chip total readDynamicEnergy", "... leakage Energy".
      if (contains(line, "Chip total readDynamicEnergy")) r.dynamic_energy_j = v.si;
      if (contains(line, "leakage Energy (per image)") ||
          contains(line, "Chip total leakage Energy")) {
        r.leakage_energy_j = v.si;
      }
      if (contains(line, "Energy Efficiency TOPS/W")) r.tops_per_w = v.si;
      if (contains(line, "Throughput FPS")) r.fps = v.si;
    }
  }
  line_no = 0;
  if (r.layers.empty()) bad("layers", "no \"Estimation of Layer N\" block found");
  for (const auto* counts : {&tiles, &speedups})
    for (const auto& [index, count] : *counts)
      if (index > static_cast<int>(r.layers.size()) && !r.layers.empty())
        bad("layer" + std::to_string(index), "the floorplan lists layer " + std::to_string(index) +
                                                 " but the report has " +
                                                 std::to_string(r.layers.size()) + " layer blocks");
  for (auto& l : r.layers) {
    const auto has = [&](const std::vector<int>& v) {
      return std::find(v.begin(), v.end(), l.index) != v.end();
    };
    line_no = header_line[l.index];
    if (!has(seen_latency)) bad("layer" + std::to_string(l.index), "no readLatency line");
    if (!has(seen_energy)) bad("layer" + std::to_string(l.index), "no readDynamicEnergy line");
    if (auto it = tiles.find(l.index); it != tiles.end()) l.tiles = it->second;
    if (auto it = speedups.find(l.index); it != speedups.end()) l.speedup = it->second;
    if (auto it = utilizations.find(l.index); it != utilizations.end()) l.utilization = it->second;
  }
  if (!problems.empty()) return problems;
  return r;
}

Result<NeuroSimReport> load_neurosim_report(const std::string& path) {
  auto text = read_text_file(path);
  if (!text.ok()) return text.diagnostics();
  return parse_neurosim_report(text.value(), path);
}

}  // namespace tessera::io
