#include "tessera/io/plan_file.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "json_document.hpp"
#include "tessera/core/file_text.hpp"
#include "tessera/core/format.hpp"

namespace tessera::io {

namespace {

using json = nlohmann::json;

}  // namespace

Result<PlanFile> parse_plan_json(const std::string& text, const std::string& path) {
  std::vector<Diagnostic> problems;
  auto parsed = detail::parse_json_document(text, path);
  if (!parsed.ok()) return parsed.diagnostics();
  const json& doc = parsed->root;
  auto error = [&](std::string field, std::string message) {
    const int line = parsed->line_of(field);
    problems.push_back(Diagnostic{path, line, 0, std::move(field), std::move(message)});
  };
  if (!doc.is_object()) return Diagnostic{path, 1, 0, "", "a plan file is a JSON object"};
  PlanFile out;
  out.path = path;
  if (!doc.contains("format") || doc["format"] != "tessera.plan/1")
    error("format", "expected \"tessera.plan/1\" (write it with tessera plan --json)");
  auto string_of = [&](const json& obj, const char* key, const std::string& field,
                       std::string& target) {
    if (!obj.contains(key)) return;
    if (obj[key].is_string())
      target = obj[key].get<std::string>();
    else
      error(field, "must be a string, got " + detail::json_kind(obj[key]));
  };
  auto number_of = [&](const json& obj, const char* key, const std::string& field, auto& target) {
    using T = std::decay_t<decltype(target)>;
    if (!obj.contains(key)) return;
    const auto& v = obj[key];
    if (!v.is_number()) {
      error(field, "must be a number, got " + detail::json_kind(v));
      return;
    }
    const double d = v.get<double>();
    if constexpr (std::is_integral_v<T>) {
      // Whole numbers in range only: 1e300 or 2.5 must not become some other integer.
      if (d != std::floor(d) || d < -9.0e15 || d > 9.0e15) {
        error(field, "must be a whole number, got " + v.dump());
        return;
      }
      target = static_cast<T>(d);
    } else {
      target = d;
    }
  };
  if (!doc.contains("inputs") || !doc["inputs"].is_object()) {
    error("inputs",
          "missing: the plan does not say what it was planned from (re-run tessera plan --json)");
  } else {
    const auto& in = doc["inputs"];
    string_of(in, "model", "inputs.model", out.inputs.model);
    string_of(in, "platform", "inputs.platform", out.inputs.platform);
    number_of(in, "batch", "inputs.batch", out.inputs.batch);
    number_of(in, "sequence_length", "inputs.sequence_length", out.inputs.sequence_length);
    number_of(in, "input_buffers", "inputs.input_buffers", out.inputs.input_buffers);
    number_of(in, "output_buffers", "inputs.output_buffers", out.inputs.output_buffers);
    if (in.contains("pipeedge")) {
      if (in["pipeedge"].is_array() && (in["pipeedge"].empty() || in["pipeedge"].size() == 3)) {
        for (const auto& f : in["pipeedge"]) {
          if (f.is_string())
            out.inputs.pipeedge.push_back(f.get<std::string>());
          else
            error("inputs.pipeedge", "must list file names");
        }
      } else {
        error("inputs.pipeedge", "must be an empty list or PipeEdge's three files");
      }
    }
    if (in.contains("neurosim")) {
      if (!in["neurosim"].is_array()) error("inputs.neurosim", "must list DEVICE=FILE entries");
      for (const auto& f : in["neurosim"]) {
        if (f.is_string())
          out.inputs.neurosim.push_back(f.get<std::string>());
        else
          error("inputs.neurosim", "must list DEVICE=FILE entries");
      }
    }
    if (!in.contains("model"))
      error("inputs.model", "missing");
    else if (in["model"].is_string() && out.inputs.model.empty())
      error("inputs.model", "must not be empty");
    if (problems.empty()) {
      const Status checked = check_problem_inputs(out.inputs, path, "inputs.");
      for (auto d : checked.diagnostics()) {
        d.line = parsed->line_of(d.field);
        problems.push_back(std::move(d));
      }
    }
  }
  if (doc.contains("options")) {
    const auto& o = doc["options"];
    if (!o.is_object()) error("options", "must be an object, got " + detail::json_kind(o));
    for (const auto* key : {"overlap", "include_source_sink"}) {
      if (!o.is_object() || !o.contains(key)) continue;
      if (!o[key].is_boolean()) {
        error(std::string("options.") + key,
              "must be true or false, got " + detail::json_kind(o[key]));
        continue;
      }
      (std::string(key) == "overlap" ? out.overlap : out.include_source_sink) = o[key].get<bool>();
    }
  }
  if (!doc.contains("stages") || !doc["stages"].is_array() || doc["stages"].empty()) {
    error("stages", "missing or empty (an infeasible plan cannot be simulated)");
  } else {
    for (std::size_t i = 0; i < doc["stages"].size(); ++i) {
      const auto& s = doc["stages"][i];
      const std::string field = "stages[" + std::to_string(i) + "]";
      if (!s.is_object()) {
        error(field, "must be an object");
        continue;
      }
      PlanFileStage st;
      st.device_line = parsed->line_of(field + ".device");
      st.first_layer_line = parsed->line_of(field + ".first_layer");
      st.last_layer_line = parsed->line_of(field + ".last_layer");
      if (!s.contains("device"))
        error(field + ".device", "missing device name");
      else if (!s["device"].is_string())
        error(field + ".device", "must be a device name, got " + detail::json_kind(s["device"]));
      else
        st.device = s["device"].get<std::string>();
      for (const auto* key : {"first_layer", "last_layer"}) {
        if (!s.contains(key)) {
          error(field + "." + key, "missing layer index");
          continue;
        }
        const auto& v = s[key];
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
            v.get<std::int64_t>() > std::numeric_limits<std::int32_t>::max()) {
          error(field + "." + key, "must be a layer index (a whole number from 0), got " +
                                       (v.is_number() ? v.dump() : detail::json_kind(v)));
          continue;
        }
        (std::string(key) == "first_layer" ? st.first_layer : st.last_layer) =
            v.get<std::int32_t>();
      }
      out.stages.push_back(std::move(st));
    }
  }
  if (!problems.empty()) return problems;
  return out;
}

Result<PlanFile> load_plan_json(const std::string& path) {
  auto text = read_text_file(path);
  if (!text.ok()) return text.diagnostics();
  return parse_plan_json(text.value(), path);
}

Result<std::vector<plan::StageAssignment>> resolve_stages(const PlanFile& file,
                                                          const cost::CostTable& table) {
  std::vector<Diagnostic> problems;
  std::vector<plan::StageAssignment> out;
  std::vector<int> used_on_line(table.device_names.size(), 0);
  std::int64_t expected_first = 0;
  for (std::size_t i = 0; i < file.stages.size(); ++i) {
    const auto& s = file.stages[i];
    const std::string field = "stages[" + std::to_string(i) + "]";
    std::int32_t found = -1;
    for (std::size_t d = 0; d < table.device_names.size(); ++d)
      if (table.device_names[d] == s.device) found = static_cast<std::int32_t>(d);
    if (found < 0) {
      problems.push_back(
          Diagnostic{file.path, s.device_line, 0, field + ".device",
                     "device '" + s.device + "' is not on platform '" + table.platform_name + "'"});
    } else if (const int first_use = used_on_line[static_cast<std::size_t>(found)]) {
      problems.push_back(Diagnostic{file.path, s.device_line, 0, field + ".device",
                                    "device '" + s.device + "' already runs the stage on line " +
                                        std::to_string(first_use) + "; a device runs one stage"});
    } else {
      used_on_line[static_cast<std::size_t>(found)] = std::max(s.device_line, 1);
    }
    if (s.first_layer != expected_first) {
      problems.push_back(Diagnostic{
          file.path, s.first_layer_line, 0, field + ".first_layer",
          "is " + std::to_string(s.first_layer) + "; the stage must start at layer " +
              std::to_string(expected_first) +
              (i == 0 ? " (the first layer)" : ", after the previous stage's last layer")});
    } else if (s.last_layer < s.first_layer || s.last_layer >= table.num_layers) {
      problems.push_back(Diagnostic{
          file.path, s.last_layer_line, 0, field + ".last_layer",
          "is " + std::to_string(s.last_layer) + "; expected " + std::to_string(s.first_layer) +
              " to " + std::to_string(table.num_layers - 1) + " (the model '" + table.model_name +
              "' has " + count_of(table.num_layers, "layer") + ")"});
    }
    expected_first = std::int64_t{s.last_layer} + 1;
    if (found >= 0) out.push_back({DeviceId(found), LayerId(s.first_layer), LayerId(s.last_layer)});
  }
  if (problems.empty() && expected_first != table.num_layers && !file.stages.empty()) {
    const auto& last = file.stages.back();
    problems.push_back(
        Diagnostic{file.path, last.last_layer_line, 0,
                   "stages[" + std::to_string(file.stages.size() - 1) + "].last_layer",
                   "is " + std::to_string(last.last_layer) + ", but the model '" +
                       table.model_name + "' has " + std::to_string(table.num_layers) +
                       " layers: the stages must cover them all"});
  }
  if (!problems.empty()) return problems;
  return out;
}

}  // namespace tessera::io
