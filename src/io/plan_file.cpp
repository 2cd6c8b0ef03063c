#include "tessera/io/plan_file.hpp"

#include <nlohmann/json.hpp>

#include "tessera/core/file_text.hpp"

namespace tessera::io {

namespace {

using json = nlohmann::json;

}  // namespace

Result<PlanFile> parse_plan_json(const std::string& text, const std::string& path) {
  std::vector<Diagnostic> problems;
  auto error = [&](std::string field, std::string message) {
    problems.push_back(Diagnostic{path, 0, 0, std::move(field), std::move(message)});
  };
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    const auto offset = e.byte > 0 ? static_cast<std::size_t>(e.byte - 1) : 0;
    return Diagnostic{path, line_of_offset(text, offset), 0, "", e.what()};
  }
  if (!doc.is_object()) return Diagnostic{path, 1, 0, "", "a plan file is a JSON object"};
  PlanFile out;
  out.path = path;
  if (doc.value("format", std::string()) != "tessera.plan/1")
    error("format", "expected \"tessera.plan/1\" (write it with tessera plan --json)");
  auto string_of = [&](const json& obj, const char* key, const std::string& field,
                       std::string& target) {
    if (!obj.contains(key)) return;
    if (obj[key].is_string())
      target = obj[key].get<std::string>();
    else
      error(field, "must be a string");
  };
  auto number_of = [&](const json& obj, const char* key, const std::string& field, auto& target) {
    if (!obj.contains(key)) return;
    if (obj[key].is_number())
      target = obj[key].get<std::decay_t<decltype(target)>>();
    else
      error(field, "must be a number");
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
    if (out.inputs.model.empty()) error("inputs.model", "missing");
  }
  if (doc.contains("options") && doc["options"].is_object()) {
    const auto& o = doc["options"];
    if (o.contains("overlap") && o["overlap"].is_boolean()) out.overlap = o["overlap"].get<bool>();
    if (o.contains("include_source_sink") && o["include_source_sink"].is_boolean())
      out.include_source_sink = o["include_source_sink"].get<bool>();
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
      if (!s.contains("device") || !s["device"].is_string())
        error(field + ".device", "missing device name");
      else
        st.device = s["device"].get<std::string>();
      for (const auto* key : {"first_layer", "last_layer"}) {
        if (!s.contains(key) || !s[key].is_number_integer()) {
          error(field + "." + key, "missing layer index");
          continue;
        }
        (std::string(key) == "first_layer" ? st.first_layer : st.last_layer) =
            s[key].get<std::int32_t>();
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
  for (std::size_t i = 0; i < file.stages.size(); ++i) {
    const auto& s = file.stages[i];
    std::int32_t found = -1;
    for (std::size_t d = 0; d < table.device_names.size(); ++d)
      if (table.device_names[d] == s.device) found = static_cast<std::int32_t>(d);
    if (found < 0) {
      problems.push_back(
          Diagnostic{file.path, 0, 0, "stages[" + std::to_string(i) + "].device",
                     "device '" + s.device + "' is not on platform '" + table.platform_name + "'"});
      continue;
    }
    out.push_back({DeviceId(found), LayerId(s.first_layer), LayerId(s.last_layer)});
  }
  if (!problems.empty()) return problems;
  return out;
}

}  // namespace tessera::io
