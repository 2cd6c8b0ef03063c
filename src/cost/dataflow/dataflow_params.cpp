// Dataflow chiplet parameters. Defaults: the chiplet of SCAR's datacenter runs (Odema et al.,
// MICRO 2024, arXiv 2405.00790: 4096 PEs, 10 MB L2, 500 MHz; Table II: DRAM 64 GB/s,
// 14.8 pJ/bit), MAESTRO's energy ratios (maestro-project/maestro, BASE_constants.hpp: L1 access
// 1.68, L2 access 18.61 MAC energies) and one 8-bit MAC = 0.23 pJ (Horowitz, ISSCC 2014,
// "Computing's energy problem": 8-bit multiply 0.2 pJ + 8-bit add 0.03 pJ at 45 nm). The L1
// size and NoC bandwidth are not given by SCAR; their defaults are assumptions (docs/formats.md).
#include "cost/dataflow/dataflow_params.hpp"

#include <optional>
#include <string>

namespace tessera::cost::dataflow {

namespace {

hw::ParamSpec number(const char* name, const char* unit, const char* doc,
                     std::optional<double> default_value, bool positive = true) {
  hw::ParamSpec s;
  s.name = name;
  s.type = hw::ParamType::kNumber;
  s.unit = unit;
  s.doc = doc;
  if (default_value) s.default_value = hw::ParamValue(*default_value);
  s.min = 0.0;
  s.min_exclusive = positive;
  return s;
}

hw::ParamSpec integer(const char* name, const char* doc, std::optional<double> default_value,
                      double min) {
  hw::ParamSpec s = number(name, "", doc, default_value, false);
  s.type = hw::ParamType::kInteger;
  s.min = min;
  return s;
}

constexpr const char* kWeightStationary = "weight_stationary";
constexpr const char* kOutputStationary = "output_stationary";

}  // namespace

const hw::ParamSchema& dataflow_schema() {
  static const hw::ParamSchema kSchema = [] {
    hw::ParamSchema s("dataflow");
    hw::ParamSpec df;
    df.name = "dataflow";
    df.type = hw::ParamType::kWord;
    df.doc = "weight_stationary (NVDLA-like) or output_stationary (ShiDianNao-like)";
    df.choices = {kWeightStationary, kOutputStationary};
    df.rule =
        "must be weight_stationary (NVDLA-like) or output_stationary (ShiDianNao-like); "
        "row-stationary arrays are not modelled";
    s.add(df);
    s.add(integer("pes", "processing elements (one MAC per cycle each)", std::nullopt, 1));
    s.add(integer(
        "cluster",
        "weight_stationary: input channels one cluster of PEs reduces; "
        "output_stationary: output columns per array row; 0 = the dataflow's default (64 or 8)",
        0, 0));
    s.add(number("l1_bytes", "bytes", "L1 buffer per PE", 512.0));
    s.add(number("l2_bytes", "bytes", "shared L2 buffer", 10.0 * 1024 * 1024));
    s.add(number("noc_bytes_per_cycle", "bytes/cycle", "L2 to PEs (and back) per cycle", 1024.0));
    s.add(number("clock_mhz", "MHz", "array clock", 500.0));
    s.add(number("bytes_per_element", "bytes", "operand width", 1.0));
    s.add(number("mac_energy_pj", "pJ", "one multiply-accumulate", 0.23, false));
    s.add(number("l1_energy_macs", "MAC energies", "one L1 access", 1.68, false));
    s.add(number("l2_energy_macs", "MAC energies", "one L2 access", 18.61, false));
    s.add(number("offchip_gb_per_s", "GB/s", "DRAM to L2 bandwidth", 64.0));
    s.add(number("dram_energy_pj_per_bit", "pJ/bit", "DRAM access energy", 14.8, false));
    s.add(number("dram_latency_ns", "ns",
                 "DRAM access latency (SCAR Table II); read by tessera schedule", 200.0, false));
    hw::ParamSpec dram;
    dram.name = "dram_interface";
    dram.type = hw::ParamType::kFlag;
    dram.doc =
        "the chiplet has an off-chip (DRAM) interface on the package edge; in a package the "
        "others reach DRAM over the network through the nearest such chiplet";
    dram.default_value = hw::ParamValue(false);
    s.add(dram);
    return s;
  }();
  return kSchema;
}

std::int64_t default_cluster(Dataflow dataflow) {
  return dataflow == Dataflow::kWeightStationary ? 64 : 8;
}

std::vector<Diagnostic> check_dataflow_params(const hw::ParamRecord& p, std::string_view path) {
  std::vector<Diagnostic> problems;
  const std::string at(path);
  if (p.contains("pes") && p.contains("cluster") && p.contains("dataflow")) {
    const std::int64_t pes = p.integer("pes");
    std::int64_t cluster = p.integer("cluster");
    const bool explicit_cluster = cluster > 0;
    if (!explicit_cluster) {
      cluster = std::min<std::int64_t>(pes, default_cluster(p.word("dataflow") == kOutputStationary
                                                                ? Dataflow::kOutputStationary
                                                                : Dataflow::kWeightStationary));
    }
    if (pes % cluster != 0) {
      problems.push_back({"", 0, 0, at + (explicit_cluster ? ".cluster" : ".pes"),
                          "pes (" + std::to_string(pes) + ") must be a multiple of the cluster (" +
                              std::to_string(cluster) +
                              (explicit_cluster ? ")" : ", the dataflow's default)")});
    }
  }
  if (p.contains("l1_bytes") && p.contains("bytes_per_element") &&
      p.number("l1_bytes") < 6.0 * p.number("bytes_per_element")) {
    problems.push_back({"", 0, 0, at + ".l1_bytes",
                        "an L1 of " + std::to_string(p.number("l1_bytes")) +
                            " bytes cannot hold a PE's double-buffered input, weight and partial "
                            "sum (6 elements of bytes_per_element)"});
  }
  return problems;
}

DataflowParams bind_dataflow_params(const hw::ParamRecord& r) {
  DataflowParams p;
  p.dataflow = r.word("dataflow") == kOutputStationary ? Dataflow::kOutputStationary
                                                       : Dataflow::kWeightStationary;
  p.pes = r.integer("pes");
  p.cluster = r.integer("cluster") > 0 ? r.integer("cluster")
                                       : std::min(p.pes, default_cluster(p.dataflow));
  p.l1_bytes = r.number("l1_bytes");
  p.l2_bytes = r.number("l2_bytes");
  p.noc_bytes_per_cycle = r.number("noc_bytes_per_cycle");
  p.clock_hz = r.number("clock_mhz") * 1e6;
  p.bytes_per_element = r.number("bytes_per_element");
  p.mac_energy_j = r.number("mac_energy_pj") * 1e-12;
  p.l1_energy_macs = r.number("l1_energy_macs");
  p.l2_energy_macs = r.number("l2_energy_macs");
  p.offchip_bytes_per_s = r.number("offchip_gb_per_s") * 1e9;
  p.dram_energy_j_per_byte = r.number("dram_energy_pj_per_bit") * 8e-12;
  return p;
}

}  // namespace tessera::cost::dataflow
