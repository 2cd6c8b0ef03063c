#include "tessera/io/problem_inputs.hpp"

#include <cmath>
#include <cstdio>

namespace tessera::io {

namespace {

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

/// "--input-buffers" on the command line, "inputs.input_buffers" in a plan file.
std::string field_name(const std::string& prefix, const std::string& name) {
  if (prefix != "--") return prefix + name;
  std::string flag = name;
  for (char& c : flag)
    if (c == '_') c = '-';
  if (flag == "sequence-length") flag = "seq-len";
  return prefix + flag;
}

}  // namespace

Status check_problem_inputs(const ProblemInputs& inputs, const std::string& file,
                            const std::string& prefix) {
  std::vector<Diagnostic> problems;
  auto fail = [&](const std::string& name, const std::string& message) {
    problems.push_back({file, 0, 0, field_name(prefix, name), message});
  };
  if (inputs.batch < 0 || inputs.batch > kMaxBatch)
    fail("batch", "must be from 1 to " + std::to_string(kMaxBatch) + ", got " +
                      std::to_string(inputs.batch));
  if (inputs.sequence_length < 0 || inputs.sequence_length > kMaxSequenceLength)
    fail("sequence_length", "must be from 1 to " + std::to_string(kMaxSequenceLength) + ", got " +
                                std::to_string(inputs.sequence_length));
  for (const auto& [name, value] :
       {std::pair<const char*, double>{"input_buffers", inputs.input_buffers},
        {"output_buffers", inputs.output_buffers}}) {
    if (!(value >= 0.0 && value <= kMaxActivationBuffers))
      fail(name, "must be a number from 0 to " + number_text(kMaxActivationBuffers) + ", got " +
                     number_text(value));
  }
  if (!problems.empty()) return problems;
  return {};
}

}  // namespace tessera::io
