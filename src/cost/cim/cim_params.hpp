#pragma once
/// The CIM kind's parameter table, shared by its schema, its checks and CimParams.
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/cim/cim_model.hpp"
#include "tessera/hw/device_params.hpp"

namespace tessera::cost {

/// Every CIM parameter with its type, unit, range and default (CimParams' defaults).
[[nodiscard]] const hw::ParamSchema& cim_schema();

/// Checks across parameters of a (possibly partial) record: a known technology node,
/// r_off > r_on, tiles and PEs at least one subarray wide. Fields under `path`.
[[nodiscard]] std::vector<Diagnostic> check_cim_params(const hw::ParamRecord& params,
                                                       std::string_view path);

/// The record's values in CimParams (absent names keep their defaults).
[[nodiscard]] CimParams bind_cim_params(const hw::ParamRecord& record);

}  // namespace tessera::cost
