#include "tessera/io/workload_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <optional>

#include "tessera/core/file_text.hpp"
#include "tessera/core/spelling.hpp"
#include "tessera/io/problem_inputs.hpp"

namespace tessera::io {

namespace {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  void error(const YAML::Mark& mark, std::string field, std::string message) {
    problems_.push_back(Diagnostic{file_, mark.line >= 0 ? mark.line + 1 : 0,
                                   mark.column >= 0 ? mark.column + 1 : 0, std::move(field),
                                   std::move(message)});
  }

  /// Unknown keys of `map` (with the closest known one).
  void known_keys(const YAML::Node& map, const std::string& path,
                  const std::vector<std::string>& allowed) {
    for (const auto& kv : map) {
      const auto key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string message = "unknown key '" + key + "'";
      if (auto near = closest_name(key, allowed)) message += "; did you mean '" + *near + "'?";
      message += " (known: " + join_names(allowed) + ")";
      error(kv.first.Mark(), path.empty() ? key : path + "." + key, message);
    }
  }

  std::optional<double> number(const YAML::Node& map, const std::string& path, const char* key,
                               bool required, bool whole, double min, bool min_exclusive,
                               double max = 1e9) {
    const YAML::Node v = map[key];
    const std::string field = path + "." + key;
    if (!v) {
      if (required) error(map.Mark(), field, std::string("missing required key '") + key + "'");
      return std::nullopt;
    }
    double x = 0.0;
    if (!v.IsScalar() || !YAML::convert<double>::decode(v, x) || !std::isfinite(x)) {
      error(v.Mark(), field,
            "expected a number, got '" + (v.IsScalar() ? v.Scalar() : "a list or map") + "'");
      return std::nullopt;
    }
    if (whole && x != std::floor(x)) {
      error(v.Mark(), field, "expected a whole number, got " + v.Scalar());
      return std::nullopt;
    }
    if (whole && (x < min || x > max)) {
      error(v.Mark(), field,
            "must be a whole number from " + std::to_string(static_cast<long long>(min)) + " to " +
                std::to_string(static_cast<long long>(max)) + ", got " + v.Scalar());
      return std::nullopt;
    }
    if (x < min || (min_exclusive && x == min)) {
      error(v.Mark(), field,
            std::string("must be ") + (min_exclusive ? "> " : ">= ") + std::to_string(min) +
                ", got " + v.Scalar());
      return std::nullopt;
    }
    return x;
  }

  std::string file_;
  std::vector<Diagnostic> problems_;
};

}  // namespace

Result<Workload> parse_workload_yaml(std::string_view text, const std::string& file) {
  Reader rd(file);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    rd.error(e.mark, "", "YAML syntax error: " + e.msg);
    return rd.problems_;
  }
  if (!root.IsMap()) {
    rd.error(root.Mark(), "", "expected a tessera.workload/1 mapping at the top level");
    return rd.problems_;
  }
  rd.known_keys(root, "", {"format", "name", "models"});
  Workload w;
  w.file = file;
  const YAML::Node format = root["format"];
  if (!format) {
    rd.error(
        root.Mark(), "format",
        "missing required key 'format' (write 'format: " + std::string(kWorkloadFormat) + "')");
  } else if (!format.IsScalar() || format.Scalar() != kWorkloadFormat) {
    rd.error(format.Mark(), "format",
             "unsupported format '" + (format.IsScalar() ? format.Scalar() : "") +
                 "'; this reader accepts '" + std::string(kWorkloadFormat) + "'");
    return rd.problems_;
  }
  if (const YAML::Node name = root["name"]) {
    if (name.IsScalar()) {
      w.name = name.Scalar();
    } else {
      rd.error(name.Mark(), "name", "expected a word");
    }
  }
  const YAML::Node models = root["models"];
  if (!models) {
    rd.error(root.Mark(), "models", "missing required key 'models' (a list of models)");
  } else if (!models.IsSequence() || models.size() == 0) {
    rd.error(models.Mark(), "models", "expected a non-empty list of models");
  } else if (models.size() > kMaxWorkloadModels) {
    // Each model is built and costed: bounded before any entry is read.
    rd.error(models.Mark(), "models",
             "at most " + std::to_string(kMaxWorkloadModels) + " models are supported, got " +
                 std::to_string(models.size()));
  } else {
    const std::filesystem::path base = std::filesystem::path(file).parent_path();
    for (std::size_t i = 0; i < models.size(); ++i) {
      const YAML::Node m = models[i];
      const std::string path = "models[" + std::to_string(i) + "]";
      if (!m.IsMap()) {
        rd.error(m.Mark(), path, "expected a mapping with model and batch");
        continue;
      }
      rd.known_keys(m, path, {"model", "batch", "seq_len", "weight", "deadline_s"});
      WorkloadModel wm;
      wm.field = path;
      wm.line = m.Mark().line + 1;
      const YAML::Node name = m["model"];
      if (!name) {
        rd.error(m.Mark(), path + ".model",
                 "missing required key 'model' (a zoo name or .onnx file)");
      } else if (!name.IsScalar() || name.Scalar().empty()) {
        rd.error(name.Mark(), path + ".model", "expected a zoo name or an .onnx file");
      } else {
        wm.model = name.Scalar();
        const bool onnx = wm.model.size() > 5 && wm.model.ends_with(".onnx");
        if (onnx && std::filesystem::path(wm.model).is_relative() && !base.empty()) {
          wm.model = (base / wm.model).string();
        }
      }
      if (auto b =
              rd.number(m, path, "batch", true, true, 1.0, false, static_cast<double>(kMaxBatch))) {
        wm.batch = static_cast<std::int64_t>(*b);
      }
      if (auto s = rd.number(m, path, "seq_len", false, true, 1.0, false,
                             static_cast<double>(kMaxSequenceLength))) {
        wm.sequence_length = static_cast<std::int64_t>(*s);
      }
      if (auto v = rd.number(m, path, "weight", false, false, 0.0, true)) wm.weight = *v;
      if (auto v = rd.number(m, path, "deadline_s", false, false, 0.0, true)) wm.deadline_s = *v;
      w.models.push_back(std::move(wm));
    }
  }
  if (!rd.problems_.empty()) return rd.problems_;
  if (w.name.empty()) w.name = std::filesystem::path(file).stem().string();
  return w;
}

Result<Workload> load_workload(const std::string& path) {
  auto text = read_text_file(path, kMaxWorkloadFileBytes);
  if (!text.ok()) return text.diagnostics();
  return parse_workload_yaml(*text, path);
}

}  // namespace tessera::io
