// CIM parameters: one table names every parameter once and gives its type, unit, range and
// meaning; the schema (checked when a platform is read) and the binding into CimParams are both
// made from it, and every default is CimParams' own (see cim_model.hpp for their sources).
#include <array>
#include <string>
#include <variant>

#include "cost/cim/cim_params.hpp"
#include "tessera/cost/cim/cim_model.hpp"

namespace tessera::cost {

namespace {

using Member = std::variant<double CimParams::*, std::int64_t CimParams::*, bool CimParams::*,
                            std::string CimParams::*>;

/// What a parameter may be: any finite number, a number >= 0, > 0, or a word from a list.
enum class Range { kAny, kNonNegative, kPositive, kChoice };

struct Field {
  const char* name;
  Member member;
  Range range;
  const char* unit;
  const char* doc;
  std::vector<std::string> choices = {};
  const char* rule = "";
};

// clang-format off
const std::vector<Field>& fields() {
  static const std::vector<Field> kFields = {
      {"cell", &CimParams::cell, Range::kChoice, "", "memory cell", {"sram", "rram", "fefet"},
       "cell must be sram, rram or fefet"},
      {"interconnect", &CimParams::interconnect, Range::kChoice, "",
       "global interconnect: NeuroSim V1.4's X-Y bus or H-tree", {"xybus", "htree"},
       "interconnect must be xybus (NeuroSim V1.4's X-Y bus) or htree (its H-tree)"},
      {"technology_nm", &CimParams::technology_nm, Range::kPositive, "nm",
       "technology node: 130, 90, 65, 45, 32, 22, 14, 10, 7, 5, 3, 2 or 1"},
      {"subarray_rows", &CimParams::subarray_rows, Range::kPositive, "", "subarray rows R"},
      {"subarray_cols", &CimParams::subarray_cols, Range::kPositive, "", "subarray columns C"},
      {"cell_bits", &CimParams::cell_bits, Range::kPositive, "bits", "bits per cell"},
      {"weight_bits", &CimParams::weight_bits, Range::kPositive, "bits", "weight precision"},
      {"input_bits", &CimParams::input_bits, Range::kPositive, "bits",
       "input precision (applied bit-serially)"},
      {"rows_parallel", &CimParams::rows_parallel, Range::kPositive, "",
       "rows read at once (Rp)"},
      {"cols_per_adc", &CimParams::cols_per_adc, Range::kPositive, "", "columns per ADC"},
      {"adc_bits", &CimParams::adc_bits, Range::kPositive, "bits", "ADC resolution"},
      {"psum_bits", &CimParams::psum_bits, Range::kPositive, "bits", "partial-sum width"},
      {"cm_tile_size", &CimParams::cm_tile_size, Range::kPositive, "cells",
       "side of a conventional-mapping tile"},
      {"nm_pe_size", &CimParams::nm_pe_size, Range::kPositive, "cells",
       "side of a novel-mapping PE"},
      {"nm_pes_per_tile", &CimParams::nm_pes_per_tile, Range::kPositive, "",
       "PEs per novel-mapping tile"},
      {"tiles", &CimParams::tiles, Range::kPositive, "tiles", "tile capacity of the chip"},
      {"speedup_degree", &CimParams::speedup_degree, Range::kPositive, "",
       "NeuroSim's pipeline speed-up degree"},
      {"input_bit_density", &CimParams::input_bit_density, Range::kPositive, "",
       "input bit density relative to the calibration traces (ADC energy only)"},
      {"first_layer_bit_density", &CimParams::first_layer_bit_density, Range::kPositive, "",
       "the first layer's input bit density relative to the other layers' (an image's)"},
      {"pipeline", &CimParams::pipeline, Range::kChoice, "",
       "1: layers pipelined (NeuroSim's default), 0: layer by layer", {},
       "must be 0 (layer by layer) or 1 (layers pipelined)"},
      {"clock_ns", &CimParams::clock_ns, Range::kNonNegative, "ns", "clock period; 0 = derived"},
      {"r_on_ohm", &CimParams::r_on_ohm, Range::kNonNegative, "ohm",
       "eNVM on resistance; 0 = the cell's default"},
      {"r_off_ohm", &CimParams::r_off_ohm, Range::kNonNegative, "ohm",
       "eNVM off resistance; 0 = the cell's default"},
      {"read_voltage_v", &CimParams::read_voltage_v, Range::kNonNegative, "V",
       "eNVM read voltage; 0 = the node's"},
      {"cell_area_f2", &CimParams::cell_area_f2, Range::kNonNegative, "F^2",
       "cell area; 0 = the cell's default"},
      {"adc_energy_pj", &CimParams::adc_energy_pj, Range::kNonNegative, "pJ",
       "energy per column conversion at the reference"},
      {"adc_level_share", &CimParams::adc_level_share, Range::kNonNegative, "",
       "part of it proportional to the ADC's reference levels"},
      {"adc_rp_exponent", &CimParams::adc_rp_exponent, Range::kNonNegative, "",
       "conversion energy ~ (Rp / 128)^x"},
      {"envm_adc_factor", &CimParams::envm_adc_factor, Range::kNonNegative, "",
       "eNVM sense amplifiers relative to SRAM's"},
      {"cell_read_activity", &CimParams::cell_read_activity, Range::kNonNegative, "",
       "eNVM: share of the Rp rows driven per read"},
      {"accumulation_energy_pj", &CimParams::accumulation_energy_pj, Range::kNonNegative, "pJ",
       "per column conversion"},
      {"accumulation_pass_share", &CimParams::accumulation_pass_share, Range::kNonNegative, "",
       "growth per extra read pass"},
      {"periphery_energy_pj", &CimParams::periphery_energy_pj, Range::kNonNegative, "pJ",
       "per column conversion"},
      {"buffer_energy_pj_per_bit", &CimParams::buffer_energy_pj_per_bit, Range::kNonNegative,
       "pJ/bit", "buffer energy"},
      {"cm_pe_bus_sides", &CimParams::cm_pe_bus_sides, Range::kNonNegative, "PE sides",
       "PE bus wire per bit a conventional tile moves"},
      {"nm_pe_bus_sides", &CimParams::nm_pe_bus_sides, Range::kNonNegative, "PE sides",
       "PE bus wire per bit a novel-mapped tile moves"},
      {"leakage_cm_tile_uw", &CimParams::leakage_cm_tile_uw, Range::kNonNegative, "uW",
       "leakage of an idle conventional tile (1024 x 1024)"},
      {"leakage_nm_tile_uw", &CimParams::leakage_nm_tile_uw, Range::kNonNegative, "uW",
       "leakage of an idle novel-mapped tile (9 x 512 x 512)"},
      {"leakage_cm_tile_busy_uw", &CimParams::leakage_cm_tile_busy_uw, Range::kNonNegative,
       "uW", "leakage of a conventional tile while its layer computes"},
      {"leakage_nm_tile_busy_uw", &CimParams::leakage_nm_tile_busy_uw, Range::kNonNegative,
       "uW", "leakage of a novel-mapped tile while its layer computes"},
      {"cm_periphery_area_um2", &CimParams::cm_periphery_area_um2, Range::kNonNegative, "um^2",
       "periphery area per subarray of a conventional tile"},
      {"nm_periphery_area_um2", &CimParams::nm_periphery_area_um2, Range::kNonNegative, "um^2",
       "periphery area per subarray of a novel-mapped tile"},
      {"global_buffer_core_area_um2", &CimParams::global_buffer_core_area_um2,
       Range::kNonNegative, "um^2", "area of a 128 x 128-bit global buffer core"},
      {"envm_periphery_area_um2", &CimParams::envm_periphery_area_um2, Range::kNonNegative,
       "um^2", "extra periphery per eNVM subarray"},
      {"area_pass_share", &CimParams::area_pass_share, Range::kNonNegative, "",
       "periphery area growth as Rp falls"},
      {"adc_area_level_share", &CimParams::adc_area_level_share, Range::kNonNegative, "",
       "part of the periphery area proportional to ADC levels"},
      {"clock_sense_share", &CimParams::clock_sense_share, Range::kNonNegative, "",
       "sensing share of the reference clock"},
      {"clock_rp_exponent", &CimParams::clock_rp_exponent, Range::kNonNegative, "",
       "sensing time ~ (128 / Rp)^x"},
      {"clock_level_exponent", &CimParams::clock_level_exponent, Range::kNonNegative, "",
       "sensing time ~ (levels / 31)^x"},
      {"clock_r_on_exponent", &CimParams::clock_r_on_exponent, Range::kNonNegative, "",
       "eNVM sensing ~ (R_on / 100 kOhm)^-x"},
      {"finfet_clock_rp_exponent", &CimParams::finfet_clock_rp_exponent, Range::kAny, "",
       "FinFET nodes: sensing time ~ (128 / Rp)^x (signed)"},
      {"finfet_clock_level_exponent", &CimParams::finfet_clock_level_exponent,
       Range::kNonNegative, "", "FinFET nodes: sensing time ~ (levels / 31)^x"},
      {"finfet_adc_rp_exponent", &CimParams::finfet_adc_rp_exponent, Range::kNonNegative, "",
       "FinFET nodes: conversion energy ~ (Rp / 128)^x"},
      {"finfet_adc_level_share", &CimParams::finfet_adc_level_share, Range::kNonNegative, "",
       "FinFET nodes: part of the conversion energy proportional to the ADC levels"},
  };
  return kFields;
}
// clang-format on

hw::ParamSpec spec_of(const Field& f, const CimParams& defaults) {
  hw::ParamSpec s;
  s.name = f.name;
  s.unit = f.unit;
  s.doc = f.doc;
  s.rule = f.rule;
  s.choices = f.choices;
  std::visit(
      [&](auto member) {
        using T = std::remove_cvref_t<decltype(defaults.*member)>;
        if constexpr (std::is_same_v<T, double>) {
          s.type = hw::ParamType::kNumber;
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          s.type = hw::ParamType::kInteger;
        } else if constexpr (std::is_same_v<T, bool>) {
          s.type = hw::ParamType::kFlag;
        } else {
          s.type = hw::ParamType::kWord;
        }
        s.default_value = hw::ParamValue(defaults.*member);
      },
      f.member);
  if (f.range == Range::kNonNegative) s.min = 0.0;
  if (f.range == Range::kPositive) {
    s.min = 0.0;
    s.min_exclusive = true;
  }
  return s;
}

}  // namespace

const hw::ParamSchema& cim_schema() {
  static const hw::ParamSchema kSchema = [] {
    hw::ParamSchema schema("CIM");
    const CimParams defaults;
    for (const auto& f : fields()) schema.add(spec_of(f, defaults));
    return schema;
  }();
  return kSchema;
}

std::vector<Diagnostic> check_cim_params(const hw::ParamRecord& p, std::string_view path) {
  std::vector<Diagnostic> problems;
  auto field = [&](const char* key) { return std::string(path) + "." + key; };
  if (p.contains("technology_nm") && !is_known_cim_node(p.number("technology_nm"))) {
    problems.push_back({"", 0, 0, field("technology_nm"),
                        "unknown technology node; known: 130, 90, 65, 45, 32, 22, 14, 10, 7, 5, "
                        "3, 2, 1 (nm)"});
  }
  if (p.contains("r_on_ohm") && p.contains("r_off_ohm") && p.number("r_on_ohm") > 0.0 &&
      p.number("r_off_ohm") > 0.0 && p.number("r_off_ohm") <= p.number("r_on_ohm")) {
    problems.push_back({"", 0, 0, field("r_off_ohm"), "must be larger than r_on_ohm"});
  }
  if (p.contains("subarray_rows") && p.contains("cm_tile_size") && p.contains("nm_pe_size") &&
      (p.integer("cm_tile_size") < p.integer("subarray_rows") ||
       p.integer("nm_pe_size") < p.integer("subarray_rows"))) {
    problems.push_back({"", 0, 0, field("cm_tile_size"),
                        "tiles and PEs must be at least one subarray (subarray_rows) wide"});
  }
  return problems;
}

CimParams bind_cim_params(const hw::ParamRecord& record) {
  CimParams p;
  for (const auto& f : fields()) {
    if (!record.contains(f.name)) continue;
    std::visit(
        [&](auto member) {
          using T = std::remove_cvref_t<decltype(p.*member)>;
          if constexpr (std::is_same_v<T, double>) {
            p.*member = record.number(f.name);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            p.*member = record.integer(f.name);
          } else if constexpr (std::is_same_v<T, bool>) {
            p.*member = record.flag(f.name);
          } else {
            p.*member = record.word(f.name);
          }
        },
        f.member);
  }
  return p;
}

Result<CimParams> CimParams::from_device(const hw::Device& device) {
  const std::string path = "device '" + device.name + "' params";
  std::vector<Diagnostic> problems;
  const hw::ParamRecord record = cim_schema().read(device.params, path, problems);
  for (auto& d : check_cim_params(record, path)) problems.push_back(std::move(d));
  if (!problems.empty()) return problems;
  return bind_cim_params(record);
}

}  // namespace tessera::cost
