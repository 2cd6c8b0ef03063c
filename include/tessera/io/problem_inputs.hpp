#pragma once
/// What a planning problem is made from, as a user names it: files and the options that change
/// the cost table. Plan files record it ("inputs") so that later commands rebuild the same
/// problem.
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/result.hpp"

namespace tessera::io {

/// Limits on the inputs that size the work (docs/formats.md, "Limits"), checked before anything
/// is built from them.
inline constexpr std::int64_t kMaxBatch = 65536;
inline constexpr std::int64_t kMaxSequenceLength = 1 << 20;
/// Activation buffers per stage and cut (the memory check multiplies a cut's bytes by it).
inline constexpr double kMaxActivationBuffers = 1024.0;

struct ProblemInputs {
  std::string model;       ///< zoo name, .onnx path or .problem.json path (or PipeEdge model)
  std::string platform;    ///< preset name or YAML path; empty for problem files
  std::int64_t batch = 0;  ///< microbatch; 0 = the default (1, or 8 for PipeEdge inputs)
  std::int64_t sequence_length = 0;
  std::vector<std::string> pipeedge;  ///< PipeEdge's three files, when used
  double input_buffers = 2.0;
  double output_buffers = 2.0;
  /// DEVICE=FILE: a NeuroSim report whose per-layer latency, energy and tiles replace a CIM
  /// device's (or device class's) costs.
  std::vector<std::string> neurosim;
};

/// Checks batch, sequence length and buffer counts against the limits above (NaN and
/// infinities are errors). `file` and `prefix` say where the values came from ("" and "--" for
/// the command line, a plan file and "inputs." for a plan).
[[nodiscard]] Status check_problem_inputs(const ProblemInputs& inputs, const std::string& file,
                                          const std::string& prefix);

}  // namespace tessera::io
