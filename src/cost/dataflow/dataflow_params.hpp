#pragma once
/// The dataflow kind's parameter table, shared by its schema, its checks and DataflowParams.
#include <string_view>
#include <vector>

#include "tessera/core/result.hpp"
#include "tessera/cost/dataflow/dataflow_model.hpp"
#include "tessera/hw/device_params.hpp"

namespace tessera::cost::dataflow {

/// Every parameter with its type, unit, range and default.
[[nodiscard]] const hw::ParamSchema& dataflow_schema();

/// Checks across parameters of a (possibly partial) record: the cluster divides the PEs, an L1
/// large enough for a PE's double-buffered operands. Fields under `path`.
[[nodiscard]] std::vector<Diagnostic> check_dataflow_params(const hw::ParamRecord& params,
                                                            std::string_view path);

/// The values of a validated record.
[[nodiscard]] DataflowParams bind_dataflow_params(const hw::ParamRecord& record);

/// The cluster a dataflow uses when `cluster` is 0: MAESTRO's KC-P weight-stationary mapping
/// clusters 64 PEs (tools/frontend/dataflow/kcp_ws.m), its YX-P output-stationary one 8.
[[nodiscard]] std::int64_t default_cluster(Dataflow dataflow);

}  // namespace tessera::cost::dataflow
