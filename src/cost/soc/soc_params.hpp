#pragma once
/// The SoC kind's parameter schema (device level and one record per compute unit), its checks
/// across parameters, and the binding into soc::Soc.
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/soc/soc.hpp"
#include "tessera/hw/device_params.hpp"

namespace tessera::cost::soc {

[[nodiscard]] const hw::ParamSchema& soc_schema();

/// Checks across parameters of a schema-read record (fields under `path`): 1 to 3 units with
/// distinct names, each accepting some layer kind, no unit with zero throughput, the `levels`
/// power form only for two units with a both-busy power.
[[nodiscard]] std::vector<Diagnostic> check_soc_params(const hw::ParamRecord& params,
                                                       std::string_view path);

[[nodiscard]] Soc bind_soc(const hw::ParamRecord& record);

}  // namespace tessera::cost::soc
